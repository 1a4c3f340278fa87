package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"keycare/local/gateway"
	"keycare/shared/domain"
)

// Through the running local stack: invitations, answers posted (some
// twice, some at once), the runner's SQS poller drives the real processor,
// and the aggregates equal a recount of the stored answers.
func TestSurveysThroughTheLocalStack(t *testing.T) {
	s := startStack(t)
	defer s.stop(t)
	tok, _ := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: "alice", Roles: []string{"manager"}, Department: "sales"}, time.Now())
	const n = 12
	// Invitations go to contacts on the file only: the account has n+1.
	var contacts []string
	for i := 0; i < n; i++ {
		contacts = append(contacts, fmt.Sprintf(`{"name":"联系人%d","email":"p%d@example.com"}`, i, i))
	}
	contacts = append(contacts, `{"name":"不回复","email":"never@example.com"}`)
	code, body := s.do(t, "POST", "/customers", tok, `{"name":"调查客户","tier":"key","contacts":[`+strings.Join(contacts, ",")+`]}`)
	if code != 201 {
		t.Fatalf("customer: %d %s", code, body)
	}
	var cu struct{ ID string }
	_ = json.Unmarshal(body, &cu)

	// Staff get an invitation id; the token is in the link the contact is mailed.
	mailed := func(to string) string {
		m := s.waitMail(t, "", to)
		i := strings.Index(m.Body.Text, "/s/")
		if i < 0 {
			t.Fatalf("invitation to %s without a link: %s", to, m.Body.Text)
		}
		return strings.Fields(m.Body.Text[i+3:])[0]
	}
	tokens := make([]string, n)
	for i := range tokens {
		code, body := s.do(t, "POST", "/surveys/invitations", tok, fmt.Sprintf(`{"customerId":%q,"contactEmail":"p%d@example.com"}`, cu.ID, i))
		var inv struct{ ID, Token string }
		_ = json.Unmarshal(body, &inv)
		if code != 201 || inv.ID == "" || inv.Token != "" {
			t.Fatalf("invitation %d: %d %s", i, code, body)
		}
	}
	for i := range tokens {
		tokens[i] = mailed(fmt.Sprintf("p%d@example.com", i))
	}
	code, body = s.do(t, "POST", "/surveys/invitations", tok, fmt.Sprintf(`{"customerId":%q,"contactEmail":"never@example.com"}`, cu.ID))
	if code != 201 {
		t.Fatalf("invitation: %d %s", code, body)
	}
	unanswered := mailed("never@example.com")
	// Answers: every token once, the first four twice more at the same time.
	var wg sync.WaitGroup
	post := func(i, overall, recommend int) {
		defer wg.Done()
		code, body := s.do(t, "POST", "/public/surveys/"+tokens[i], "", fmt.Sprintf(`{"overall":%d,"recommend":%d}`, overall, recommend))
		if code != 202 && code != 409 {
			t.Errorf("answer %d: %d %s", i, code, body)
		}
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go post(i, 1+i%5, i%11)
		if i < 4 {
			wg.Add(2)
			go post(i, 5, 10)
			go post(i, 1, 0)
		}
	}
	wg.Wait()

	// Wait for the poller to process everything.
	var resp struct {
		Items []struct {
			Token        string        `json:"token"`
			InvitationID string        `json:"invitationId"`
			Answer       domain.Answer `json:"answer"`
		} `json:"items"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := s.do(t, "GET", "/surveys/responses?customer="+cu.ID, tok, "")
		if code != 200 {
			t.Fatalf("responses: %d %s", code, body)
		}
		_ = json.Unmarshal(body, &resp)
		if len(resp.Items) >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if len(resp.Items) != n {
		lines, _ := s.out.snapshot()
		for _, l := range lines {
			if (strings.Contains(l, "survey") || strings.Contains(l, "sqs") || strings.Contains(l, "Survey")) && (strings.Contains(l, `"WARN"`) || strings.Contains(l, `"ERROR"`)) {
				t.Log(l)
			}
		}
		t.Fatalf("%d answers stored, want %d", len(resp.Items), n)
	}
	seen := map[string]bool{}
	var recount domain.Aggregate
	for _, r := range resp.Items {
		if r.Token != "" || r.InvitationID == "" {
			t.Fatalf("an answer as staff see it shows the token, or no invitation: %+v", r)
		}
		if seen[r.InvitationID] {
			t.Fatalf("invitation %s answered twice", r.InvitationID)
		}
		seen[r.InvitationID] = true
		recount.Add(r.Answer)
	}
	time.Sleep(1500 * time.Millisecond) // let any redelivered duplicate pass through the processor too
	code, body = s.do(t, "GET", "/customers/"+cu.ID+"/satisfaction", tok, "")
	// Invitations made by hand are counted apart from the programme's figures.
	var sat struct {
		Total struct {
			domain.Aggregate
		} `json:"total"`
		ByHand struct {
			domain.Aggregate
			CSAT float64 `json:"csat"`
			NPS  float64 `json:"nps"`
		} `json:"byHand"`
	}
	_ = json.Unmarshal(body, &sat)
	if code != 200 || sat.ByHand.Aggregate != recount || sat.ByHand.CSAT != recount.CSAT() || sat.ByHand.NPS != recount.NPS() || sat.Total.Answers != 0 {
		t.Fatalf("aggregates %+v, recount %+v (%s)", sat.ByHand, recount, body)
	}
	// An expired link is refused: move the clock 31 days.
	if code, _ := s.do(t, "POST", "/_local/clock", "", `{"advance":"744h"}`); code != 200 {
		t.Fatal("clock")
	}
	code, body = s.do(t, "POST", "/public/surveys/"+unanswered, "", `{"overall":5,"recommend":10}`)
	if code != 410 {
		t.Fatalf("expired token: %d %s", code, body)
	}
	if code, _ := s.do(t, "GET", "/s/"+unanswered, "", ""); code != 410 {
		t.Fatalf("expired page: %d", code)
	}
}
