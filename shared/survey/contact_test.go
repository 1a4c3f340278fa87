package survey_test

import (
	"context"
	"strings"
	"testing"

	"keycare/shared/domain"
	"keycare/shared/survey"
)

// Issue 13: an English-speaking contact chosen by address got a Chinese
// mail greeting the company. The chosen contact's name and language win.
func TestSurveyGoesInTheChosenContactsLanguageWithTheirName(t *testing.T) {
	f := newFixture(t)
	c := f.customer(t, "c-lang", domain.TierKey, "wang@example.cn")
	c.Contacts = append(c.Contacts, domain.Contact{Name: "Jane Doe", Email: "jane@example.com", Language: "en"})
	in, err := f.svc.Invite(context.Background(), survey.InviteRequest{Customer: c, ContactEmail: "Jane@Example.com", Reason: domain.SurveyManual, By: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Language != "en" || in.ContactName != "Jane Doe" {
		t.Fatalf("invitation for %q in %q", in.ContactName, in.Language)
	}
	ms := f.env.DrainMail(t)
	if len(ms) != 1 || ms[0].Lang != "en" || !strings.HasPrefix(ms[0].Text, "Dear Jane Doe,") || strings.Contains(ms[0].Text, c.Name) {
		t.Fatalf("mail: %+v", ms)
	}
	// After a complaint the mail names it.
	_, err = f.svc.Invite(context.Background(), survey.InviteRequest{Customer: c, ContactEmail: "wang@example.cn", Reason: domain.SurveyAfterComplaint,
		ComplaintNumber: "261122001", By: "t"})
	if err != nil {
		t.Fatal(err)
	}
	ms = f.env.DrainMail(t)
	if len(ms) != 1 || ms[0].Lang != "zh" || !strings.Contains(ms[0].Subject, "261122001") || !strings.HasPrefix(ms[0].Text, "尊敬的联系人0：") {
		t.Fatalf("post-complaint mail: %+v", ms)
	}
}
