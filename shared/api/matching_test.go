package api_test

import (
	"strings"
	"testing"

	"keycare/shared/domain"
)

// Web complaints belong to their accounts: a contact's email on exactly
// one file links the complaint (its manager sees it, a strategic account
// makes it urgent); a company name alone only suggests the file; a
// supervisor links or re-links with a reason, and the manager is told.
func TestWebComplaintsAreMatchedToTheirAccounts(t *testing.T) {
	s := newStack(t)
	alice, sue := token(t, "alice", "sales", "manager"), token(t, "sue", "quality", "supervisor")
	if r := s.Do("PUT", "/staff/alice", token(t, "root", "", "admin"), map[string]any{"name": "王丽", "email": "alice@corp.example",
		"department": "sales", "roles": []string{"manager"}, "language": "zh"}); r.Code != 201 {
		t.Fatalf("directory: %d %s", r.Code, r.Body)
	}
	body := newCustomer("上海精工机械有限公司", "alice", "sales")
	body["tier"] = "strategic"
	cu := createCustomer(t, s, alice, body) // contact wang@acme.cn, 13812345678
	mails(s, t)

	// The contact's email (in another case) links it.
	f := validForm()
	f["email"], f["phone"], f["customerName"] = "WANG@acme.cn", "", "上海精工"
	_, linked := submit(s, t, f)
	var card struct {
		CustomerID  string          `json:"customerId"`
		MatchedBy   string          `json:"matchedBy"`
		AccountTier domain.Tier     `json:"accountTier"`
		ManagerID   string          `json:"managerId"`
		Suggested   string          `json:"suggestedCustomerId"`
		History     []domain.Step   `json:"history"`
		Severity    domain.Severity `json:"severity"`
	}
	r := s.Do("GET", "/complaints/"+linked.Number, alice, nil)
	r.JSON(t, &card)
	if r.Code != 200 || card.CustomerID != cu.ID || card.MatchedBy != "contact" || card.AccountTier != domain.TierStrategic {
		t.Fatalf("linked by email: %d %s", r.Code, r.Body)
	}
	// The phone alone, written another way, links it too.
	f = validForm()
	f["email"], f["phone"] = "", "+86 138 1234 5678"
	_, byPhone := submit(s, t, f)
	if r := s.Do("GET", "/complaints/"+byPhone.Number, alice, nil); r.Code != 200 {
		t.Fatalf("linked by phone: the manager cannot open it: %d %s", r.Code, r.Body)
	}
	// The company name alone only suggests the file: the manager does not see it yet.
	f = validForm()
	f["email"], f["phone"], f["customerName"] = "someone@elsewhere.cn", "", "上海精工机械 有限公司"
	_, named := submit(s, t, f)
	r = s.Do("GET", "/complaints/"+named.Number, sue, nil)
	card.CustomerID, card.Suggested = "", ""
	r.JSON(t, &card)
	if card.CustomerID != "" || card.Suggested != cu.ID {
		t.Fatalf("by name: %s", r.Body)
	}
	if r := s.Do("GET", "/complaints/"+named.Number, alice, nil); r.Code != 403 {
		t.Fatalf("a suggestion gave the manager access: %d", r.Code)
	}
	mails(s, t)
	// A supervisor links it, with a reason on the card; the manager is told.
	for _, bad := range []struct {
		tok  string
		body map[string]any
		code int
	}{
		{alice, map[string]any{"customerId": cu.ID, "reason": "同一客户"}, 403},
		{sue, map[string]any{"customerId": cu.ID}, 400},
		{sue, map[string]any{"customerId": "nosuch", "reason": "x"}, 400},
		{sue, map[string]any{"severity": "huge", "reason": "x"}, 400},
	} {
		if r := s.Do("POST", "/complaints/"+named.Number+"/correct", bad.tok, bad.body); r.Code != bad.code {
			t.Errorf("%v: %d %s", bad.body, r.Code, r.Body)
		}
	}
	r = s.Do("POST", "/complaints/"+named.Number+"/correct", sue, map[string]any{"customerId": cu.ID, "severity": "serious", "reason": "来电确认为本客户"})
	r.JSON(t, &card)
	last := card.History[len(card.History)-1]
	if r.Code != 200 || card.CustomerID != cu.ID || card.MatchedBy != "supervisor" || card.Severity != domain.SeveritySerious ||
		last.Action != domain.ActionCorrect || !strings.Contains(last.Comment, "来电确认为本客户") {
		t.Fatalf("correction: %d %s", r.Code, r.Body)
	}
	if r := s.Do("GET", "/complaints/"+named.Number, alice, nil); r.Code != 200 {
		t.Fatalf("after linking the manager cannot open it: %d", r.Code)
	}
	told := false
	for _, m := range mails(s, t) {
		told = told || (m.Kind == "complaint-new" && m.To[0] == "alice@corp.example" && strings.Contains(m.Text, named.Number))
	}
	if !told {
		t.Error("the manager was not told of the linked complaint")
	}
	// A changed contact moves the lookup: the old email no longer links.
	var v struct{ Version int }
	s.Do("GET", "/customers/"+cu.ID, alice, nil).JSON(t, &v)
	if r := s.Do("PATCH", "/customers/"+cu.ID, alice, map[string]any{"contacts": []map[string]string{{"name": "李娜", "email": "li.na@acme.cn"}}}, "If-Match", `"`+itoa(v.Version)+`"`); r.Code != 200 {
		t.Fatalf("patch contacts: %d %s", r.Code, r.Body)
	}
	f = validForm()
	f["email"], f["phone"], f["customerName"] = "wang@acme.cn", "", "某公司"
	_, stale := submit(s, t, f)
	card.CustomerID = ""
	s.Do("GET", "/complaints/"+stale.Number, sue, nil).JSON(t, &card)
	if card.CustomerID != "" {
		t.Fatalf("a removed contact still links: %+v", card)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
