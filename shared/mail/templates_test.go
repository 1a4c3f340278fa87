package mail

import (
	"strings"
	"testing"
)

func TestComplaintMailsHaveBothPartsInBothLanguages(t *testing.T) {
	d := ComplaintMail{To: []string{"wang@acme.cn"}, Number: "261122001", ContactName: "王伟 <script>", CustomerName: "Acme",
		ReceivedAt: "2026-11-22 10:00", FirstDue: "2026-11-23 10:00", CloseDue: "2026-11-29 10:00",
		TrackingURL: "https://x/public/complaints/261122001?token=t", Reason: "r", ReplyText: "a", Kind: "due soon", Deadline: "d", Status: "s", Department: "repair", Severity: "normal"}
	for kind := range wording {
		if !strings.HasPrefix(kind, "complaint-") {
			continue
		}
		for _, lang := range []string{"zh", "en"} {
			d.Lang = lang
			m, err := Complaint(kind, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			if !strings.Contains(m.Subject, "261122001") || !strings.Contains(m.Text, "261122001") || !strings.Contains(m.HTML, "261122001") {
				t.Errorf("%s/%s: number missing", kind, lang)
			}
			if strings.Contains(m.HTML, "<script>") {
				t.Errorf("%s/%s: HTML not escaped", kind, lang)
			}
			if m.Lang != lang || m.ID == "" {
				t.Errorf("%s/%s: lang %s id %q", kind, lang, m.Lang, m.ID)
			}
		}
	}
	d.Lang = "zh"
	m, _ := Complaint("complaint-received", d)
	if !strings.Contains(m.Text, "7 天内") || !strings.Contains(m.Text, d.TrackingURL) {
		t.Errorf("acknowledgement lacks the 7-day promise or the link:\n%s", m.Text)
	}
	if _, err := Complaint("no-such", d); err == nil {
		t.Error("unknown template accepted")
	}
	d.To = nil
	if _, err := Complaint("complaint-received", d); err == nil {
		t.Error("message without recipient accepted")
	}
}

func TestSurveyMails(t *testing.T) {
	d := SurveyMail{ContactName: "王伟", CustomerName: "Acme", Link: "https://x/s/tok", ExpiresAt: "2026-12-22", Overall: 2, Recommend: 3, Comment: "慢", ManagerID: "alice"}
	for _, kind := range []string{"survey-invitation", "survey-reminder", "survey-poor-answer"} {
		for _, lang := range []string{"zh", "en"} {
			m, err := Render(kind, lang, []string{"a@b.cn"}, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			if kind != "survey-poor-answer" && !strings.Contains(m.Text, d.Link) {
				t.Errorf("%s/%s lacks the link", kind, lang)
			}
			if kind == "survey-poor-answer" && !strings.Contains(m.Text, "2/5") {
				t.Errorf("%s/%s lacks the score", kind, lang)
			}
		}
	}
}

func TestWebComplaintDigest(t *testing.T) {
	d := DigestMail{Date: "2026-11-24 10:00", Count: 2, Numbers: "261123001, 261123002", List: "261123001 收到 …; 261123002 收到 …"}
	for _, lang := range []string{"zh", "en"} {
		m, err := Render("web-complaint-digest", lang, []string{"sue@example.com"}, d)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !strings.Contains(m.Subject, "261123002") || !strings.Contains(m.Text, "261123001 收到") || m.HTML == "" {
			t.Errorf("%s: %+v", lang, m)
		}
	}
}
