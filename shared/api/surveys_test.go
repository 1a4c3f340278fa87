package api_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/shared/api"
	"keycare/shared/domain"
)

// surveyBatch drains the survey queue into one SQS event, as the poller would.
func surveyBatch(s *stackServer, t *testing.T) events.SQSEvent {
	t.Helper()
	url := s.Env.Resources.QueueURLs["SurveyQueue"]
	var ev events.SQSEvent
	for {
		r, err := s.Env.AWS.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return ev
		}
		for _, m := range r.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
			_, _ = s.Env.AWS.SQS.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
}

func TestSurveyInvitationPageAndAnswer(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	bob := token(t, "bob", "sales", "manager")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))

	if r := s.Do("POST", "/surveys/invitations", bob, map[string]any{"customerId": cu.ID}); r.Code != 403 {
		t.Fatalf("other manager inviting: %d", r.Code)
	}
	r := s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID, "reason": "manual"})
	if r.Code != 201 {
		t.Fatalf("invite: %d %s", r.Code, r.Body)
	}
	var inv api.InvitationView
	r.JSON(t, &inv)
	// Staff get the invitation's id; the token and its link go to the contact by mail alone.
	tok := mailedSurveyToken(t, s, "wang@acme.cn")
	link := "http://keycare.test/s/" + tok
	if inv.ContactEmail != "wang@acme.cn" || inv.ID == "" || len(tok) < 40 || strings.Contains(string(r.Body), tok) || !inv.ByHand || inv.Counted {
		t.Fatalf("invitation %+v", inv)
	}
	if r := s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID}); r.Code != 409 || r.ErrCode(t) != "recently_surveyed" {
		t.Fatalf("second within 30 days: %d %s", r.Code, r.Body)
	}
	for _, bad := range []map[string]any{{"customerId": cu.ID, "reason": "whim"}, {"customerId": "nosuch"}, {}, {"customerId": cu.ID, "contactEmail": "x@"},
		{"customerId": cu.ID, "contactEmail": "someone.else@acme.cn"}} {
		if r := s.Do("POST", "/surveys/invitations", alice, bad); r.Code != 400 {
			t.Fatalf("%v: %d %s", bad, r.Code, r.Body)
		}
	}
	u, _ := url.Parse(link)
	// Opening the link (as a mail scanner would) records nothing.
	page := s.Do("GET", u.Path, "", nil)
	if page.Code != 200 || !strings.Contains(string(page.Body), `name="overall"`) || !strings.Contains(string(page.Body), "满意度调查") {
		t.Fatalf("survey page %d", page.Code)
	}
	if ev := surveyBatch(s, t); len(ev.Records) != 0 {
		t.Fatal("opening the page queued something")
	}
	if r := s.Do("GET", "/s/not-a-token-at-all-0000000000", "", nil); r.Code != 404 {
		t.Fatalf("unknown token page: %d", r.Code)
	}
	answer := "/public/surveys/" + tok
	for _, bad := range []string{`{"overall":0,"recommend":5}`, `{"overall":5}`, `{"overall":5,"recommend":11}`, `{"overall":"5","recommend":1}`, `{"overall":5,"recommend":1,"x":1}`} {
		if r := s.Do("POST", answer, "", bad); r.Code != 400 {
			t.Fatalf("%s: %d %s", bad, r.Code, r.Body)
		}
	}
	if r := s.Do("POST", answer, "", map[string]any{"overall": 2, "recommend": 4, "comment": "响应太慢"}); r.Code != 202 {
		t.Fatalf("answer: %d %s", r.Code, r.Body)
	}
	// A form post with the same token is accepted too (the processor keeps one).
	req := httptest.NewRequest("POST", answer, strings.NewReader("overall=5&recommend=10&lang=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Thank you") {
		t.Fatalf("form answer: %d", w.Code)
	}
	ev := surveyBatch(s, t)
	if len(ev.Records) != 2 {
		t.Fatalf("%d queued answers, want 2", len(ev.Records))
	}
	resp, _ := s.Env.App(t, "SurveyProcessorFunction", s.Clock.Now).Surveys.Handle(context.Background(), ev)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("processing: %+v", resp)
	}
	// Now the link thanks the customer, and a further answer is refused.
	if page := s.Do("GET", u.Path, "", nil); !strings.Contains(string(page.Body), "您已完成本次调查") {
		t.Fatalf("answered page: %s", page.Body)
	}
	if r := s.Do("POST", answer, "", map[string]any{"overall": 5, "recommend": 10}); r.Code != 409 || r.ErrCode(t) != "survey_answered" {
		t.Fatalf("second answer: %d %s", r.Code, r.Body)
	}
	month := s.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	var sat api.Satisfaction
	sr := s.Do("GET", "/customers/"+cu.ID+"/satisfaction", alice, nil)
	sr.JSON(t, &sat)
	// An invitation made by hand is counted apart from the figures reports use.
	if sr.Code != 200 || sat.ByHand.Answers != 1 || sat.ByHand.CSAT != 0 || sat.ByHand.NPS != -100 || len(sat.ByHandMonths) != 1 || sat.ByHandMonths[0].Month != month ||
		sat.Total.Answers != 0 || len(sat.Months) != 0 {
		t.Fatalf("satisfaction: %d %s", sr.Code, sr.Body)
	}
	if r := s.Do("GET", "/customers/"+cu.ID+"/satisfaction", bob, nil); r.Code != 403 {
		t.Fatalf("other manager: %d", r.Code)
	}
	for _, q := range []string{"?from=2026-13", "?from=2026-12&to=2026-01", "?to=x"} {
		if r := s.Do("GET", "/customers/"+cu.ID+"/satisfaction"+q, alice, nil); r.Code != 400 {
			t.Fatalf("%s: %d", q, r.Code)
		}
	}
	var rs domain.Page[domain.SurveyResponse]
	s.Do("GET", "/surveys/responses?customer="+cu.ID+"&month="+month, alice, nil).JSON(t, &rs)
	if len(rs.Items) != 1 || rs.Items[0].Answer.Overall != 2 || !rs.Items[0].Poor || rs.Items[0].InvitationID != inv.ID || rs.Items[0].Token != "" {
		t.Fatalf("responses %+v", rs.Items)
	}
	var byMonth domain.Page[domain.SurveyResponse]
	s.Do("GET", "/surveys/responses?month="+month, bob, nil).JSON(t, &byMonth)
	if len(byMonth.Items) != 0 {
		t.Fatalf("bob sees alice's answers: %+v", byMonth.Items)
	}
	if r := s.Do("GET", "/surveys/responses", alice, nil); r.Code != 400 {
		t.Fatalf("no filter: %d", r.Code)
	}
}

func TestSurveyExpiredAndAfterComplaint(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	alice := token(t, "alice", "sales", "manager")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID})
	tok := mailedSurveyToken(t, s, "wang@acme.cn")
	s.Clock.Advance(31 * 24 * time.Hour)
	if r := s.Do("GET", "/s/"+tok, "", nil); r.Code != 410 || !strings.Contains(string(r.Body), "已过期") {
		t.Fatalf("expired page: %d", r.Code)
	}
	if r := s.Do("POST", "/public/surveys/"+tok, "", map[string]any{"overall": 5, "recommend": 10}); r.Code != 410 || r.ErrCode(t) != "survey_expired" {
		t.Fatalf("expired answer: %d %s", r.Code, r.Body)
	}
	// Closing a complaint sends a survey (exempt from the 30-day rule).
	sue = s.Token(t, "sue", "quality", "supervisor")
	alice = s.Token(t, "alice", "sales", "manager")
	r := s.Do("POST", "/complaints", sue, map[string]any{"customerId": cu.ID, "contact": map[string]any{"name": "王伟", "email": "wang@acme.cn"},
		"channel": "email", "category": "service", "request": "suggestion", "description": "建议"})
	var c domain.Complaint
	r.JSON(t, &c)
	for _, st := range []struct {
		tok, action string
		body        map[string]any
	}{{sue, "accept", nil}, {sue, "assign", map[string]any{"department": "repair", "opinion": "o"}},
		{s.Token(t, "fx", "repair", "department"), "investigation", map[string]any{"cause": "c", "whatHappened": "w", "responsible": "r", "conclusion": "c", "countermeasures": "m"}},
		{sue, "review", map[string]any{"approve": true}}, {sue, "reply", map[string]any{"text": "t"}}, {alice, "callback", map[string]any{"result": "ok"}}, {sue, "close", nil}} {
		if r := step(s, st.tok, c.Number, st.action, st.body); r.Code != 200 {
			t.Fatalf("%s: %d %s", st.action, r.Code, r.Body)
		}
	}
	found := false
	for _, m := range mails(s, t) {
		if m.Kind == "survey-invitation" && m.To[0] == "wang@acme.cn" && strings.Contains(m.Text, "/s/") {
			found = true
		}
	}
	if !found {
		t.Fatal("no survey after closing the complaint")
	}
}
