package survey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
	"keycare/shared/survey"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

type fixture struct {
	app *platform.App
	env *testenv.Env
	svc *survey.Service
	st  *store.Store
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{env: testenv.New(t), now: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
	d := f.env.Deps(t, "SurveyProcessorFunction", func() time.Time { return f.now })
	d.Config.SupervisorEmails = "sue@example.com"
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	f.app, f.svc, f.st = app, app.Surveys, app.Store
	return f
}

func (f *fixture) customer(t *testing.T, id string, tier domain.Tier, emails ...string) *domain.Customer {
	t.Helper()
	c := &domain.Customer{ID: id, Name: "客户 " + id, ManagerID: "alice", Department: "sales", Tier: tier, Status: domain.StatusActive, Version: 1,
		TierSource: domain.TierFromInput, CreatedAt: f.now, UpdatedAt: f.now}
	for i, e := range emails {
		c.Contacts = append(c.Contacts, domain.Contact{Name: fmt.Sprintf("联系人%d", i), Email: e, Language: "zh"})
	}
	if err := f.st.Customers().Create(context.Background(), c, domain.AuditEntry{Entity: "customer", EntityID: id, Action: "create", Actor: "t", At: f.now, RequestID: id}, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) invite(t *testing.T, c *domain.Customer, email string) *domain.Invitation {
	t.Helper()
	in, err := f.svc.Invite(context.Background(), survey.InviteRequest{Customer: c, ContactEmail: email, Reason: domain.SurveyManual, By: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func msg(id, token string, overall, recommend int, at time.Time) events.SQSMessage {
	b, _ := json.Marshal(survey.Submission{Token: token, Answer: domain.Answer{Overall: overall, Recommend: recommend}, SubmittedAt: at})
	return events.SQSMessage{MessageId: id, Body: string(b), EventSource: "aws:sqs"}
}

func failedIDs(r events.SQSEventResponse) []string {
	var out []string
	for _, f := range r.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	sort.Strings(out)
	return out
}

// recount compares the aggregates with the stored answers.
func (f *fixture) recount(t *testing.T, customer, month string) domain.Aggregate {
	t.Helper()
	var want domain.Aggregate
	page, err := f.st.Surveys().ListResponses(context.Background(), domain.ResponseQuery{Customer: customer, Month: month})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Items {
		want.Add(r.Answer)
	}
	for _, scope := range []string{"CUST#" + customer, "MGR#alice", "MONTH"} {
		aggs, err := f.st.Surveys().Aggregates(context.Background(), scope, month, month)
		if err != nil {
			t.Fatal(err)
		}
		var got domain.Aggregate
		for _, g := range aggs {
			got.Merge(g.Aggregate)
		}
		if got != want {
			t.Fatalf("%s aggregate %+v, recount %+v", scope, got, want)
		}
	}
	return want
}

func TestProcessorBatch(t *testing.T) {
	f := newFixture(t)
	c := f.customer(t, "c1", domain.TierStrategic, "a@example.com")
	a, b, d := f.invite(t, c, "a@example.com"), f.invite(t, c, "b@example.com"), f.invite(t, c, "d@example.com")
	f.env.DrainMail(t) // invitations
	at := f.now.Add(time.Hour)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("1", a.Token, 5, 10, at),
		msg("2", b.Token, 2, 3, at), // poor, strategic
		{MessageId: "3", Body: "{not json"},
		msg("4", a.Token, 1, 0, at), // a duplicate of the same token: ignored
		msg("5", d.Token, 9, 5, at), // invalid answer
		msg("6", "no-such-token-000000000000000000000", 4, 8, at),
		msg("7", d.Token, 4, 7, at),
	}}
	resp, err := f.svc.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(failedIDs(resp)); got != "[3 5 6]" {
		t.Fatalf("failures %s, want [3 5 6]", got)
	}
	// Redelivery of the whole batch changes nothing.
	if resp, _ := f.svc.Handle(context.Background(), ev); fmt.Sprint(failedIDs(resp)) != "[3 5 6]" {
		t.Fatalf("redelivery failures %v", failedIDs(resp))
	}
	g := f.recount(t, "c1", "2026-11")
	if g.Answers != 3 || g.Satisfied != 2 || g.Promoters != 1 || g.Detractors != 1 || g.Passives != 1 || g.SumOverall != 11 {
		t.Fatalf("aggregate %+v", g)
	}
	page, err := f.st.FollowUps().Of(context.Background(), "alice", 10, "")
	ups := page.Items
	if err != nil || len(ups) != 1 || ups[0].InvitationID != b.ID || ups[0].ID != "s-"+b.ID || ups[0].Token != "" || ups[0].Status != "open" {
		t.Fatalf("follow-ups %+v %v", ups, err)
	}
	ms := f.env.DrainMail(t)
	if len(ms) != 1 || ms[0].Kind != "survey-poor-answer" || ms[0].To[0] != "sue@example.com" {
		t.Fatalf("supervisor notice: %+v", ms)
	}
	in, _ := f.st.Surveys().GetInvitation(context.Background(), a.Token)
	if in.AnsweredAt == nil {
		t.Fatal("invitation not marked answered")
	}
}

// failingStore fails RecordAnswer for one token, like a throttled write.
type failingStore struct {
	*store.Surveys
	token string
}

func (s failingStore) RecordAnswer(ctx context.Context, r domain.SurveyResponse, f *domain.FollowUp) error {
	if r.Token == s.token {
		return errors.New("ProvisionedThroughputExceededException (simulated)")
	}
	return s.Surveys.RecordAnswer(ctx, r, f)
}

func TestStoreFailureInTheMiddleOfABatch(t *testing.T) {
	f := newFixture(t)
	c := f.customer(t, "c2", domain.TierKey)
	var ins []*domain.Invitation
	for i := 0; i < 5; i++ {
		ins = append(ins, f.invite(t, c, fmt.Sprintf("p%d@example.com", i)))
	}
	f.svc.Store = failingStore{Surveys: f.st.Surveys(), token: ins[2].Token}
	var recs []events.SQSMessage
	for i, in := range ins {
		recs = append(recs, msg(fmt.Sprint("m", i), in.Token, 4, 9, f.now))
	}
	resp, _ := f.svc.Handle(context.Background(), events.SQSEvent{Records: recs})
	if got := fmt.Sprint(failedIDs(resp)); got != "[m2]" {
		t.Fatalf("failures %s, want [m2]", got)
	}
	if g := f.recount(t, "c2", "2026-11"); g.Answers != 4 {
		t.Fatalf("%d answers stored, want 4", g.Answers)
	}
	// The retry, with the store healthy again, completes it.
	f.svc.Store = f.st.Surveys()
	resp, _ = f.svc.Handle(context.Background(), events.SQSEvent{Records: recs[2:3]})
	if len(resp.BatchItemFailures) != 0 || f.recount(t, "c2", "2026-11").Answers != 5 {
		t.Fatalf("retry: %+v", resp)
	}
}

func TestInvitationRulesRemindersAndPeriodic(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	strategic := f.customer(t, "s1", domain.TierStrategic, "s1@example.com")
	key := f.customer(t, "k1", domain.TierKey, "k1@example.com")
	f.customer(t, "n1", domain.TierKey) // no contact email: skipped
	in := f.invite(t, key, "")
	if in.ContactEmail != "k1@example.com" || len(in.Token) < 40 || !in.ExpiresAt.Equal(f.now.Add(30*24*time.Hour)) {
		t.Fatalf("invitation %+v", in)
	}
	if _, err := f.svc.Invite(ctx, survey.InviteRequest{Customer: key, Reason: domain.SurveyManual}); !errors.Is(err, domain.ErrRecentlySurveyed) {
		t.Fatalf("second survey within 30 days: %v", err)
	}
	if _, err := f.svc.Invite(ctx, survey.InviteRequest{Customer: key, Reason: domain.SurveyAfterComplaint, ComplaintNumber: "261123001"}); err != nil {
		t.Fatalf("post-complaint survey is exempt: %v", err)
	}
	if _, err := f.svc.Invite(ctx, survey.InviteRequest{CustomerName: "x", Reason: domain.SurveyManual}); !errors.Is(err, survey.ErrNoContact) {
		t.Fatalf("no contact: %v", err)
	}
	ms := f.env.DrainMail(t)
	if len(ms) != 2 || ms[0].Kind != "survey-invitation" {
		t.Fatalf("invitation mails %+v", ms)
	}
	// Reminders: once, after 7 days.
	f.now = f.now.Add(6 * 24 * time.Hour)
	_ = f.svc.Reminders(ctx)
	if n := len(f.env.DrainMail(t)); n != 0 {
		t.Fatalf("%d reminders after 6 days", n)
	}
	f.now = f.now.Add(2 * 24 * time.Hour)
	_ = f.svc.Reminders(ctx)
	_ = f.svc.Reminders(ctx)
	if ms := f.env.DrainMail(t); len(ms) != 2 || ms[0].Kind != "survey-reminder" {
		t.Fatalf("reminders after 8 days: %+v", ms)
	}
	// Periodic: in January every active account with a contact; k1 was surveyed < 30 days ago? No: 8 days + 40 more.
	f.now = time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC)
	if err := f.svc.Periodic(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range f.env.DrainMail(t) {
		got[m.To[0]] = true
	}
	if len(got) != 2 || !got["s1@example.com"] || !got["k1@example.com"] {
		t.Fatalf("January invitations to %v", got)
	}
	// February: nobody, unless strategic accounts are surveyed monthly — and then only after 30 days.
	f.now = time.Date(2027, 2, 1, 1, 0, 0, 0, time.UTC)
	set, err := f.app.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.Survey.StrategicMonths = 1
	if _, err := f.app.Settings.Update(ctx, domain.Principal{Sub: "root", Roles: []domain.Role{domain.RoleAdmin}}, set, set.Version); err != nil {
		t.Fatal(err)
	}
	_ = f.svc.Periodic(ctx)
	if ms := f.env.DrainMail(t); len(ms) != 1 || ms[0].To[0] != "s1@example.com" {
		t.Fatalf("February: %+v", ms)
	}
	_ = strategic
}
