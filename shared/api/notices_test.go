package api_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// Each staff notice goes to the right person, once, in their language:
// the supervising leader and the account's manager of a new complaint, the
// handling department on assignment, the reviewer when the report is ready,
// the executive when a serious complaint awaits approval, and the manager
// copied on a missed deadline.
func TestStaffNoticesReachTheRightPeople(t *testing.T) {
	s := newStack(t)
	root := token(t, "root", "", "admin")
	for id, m := range map[string]map[string]any{
		"sue":   {"name": "Sue Chen", "email": "sue@corp.example", "department": "quality", "roles": []string{"supervisor"}, "language": "en"},
		"alice": {"name": "王丽", "email": "alice@corp.example", "department": "sales", "roles": []string{"manager"}, "language": "zh"},
		"bob":   {"name": "李强", "email": "repair@corp.example", "department": "repair", "roles": []string{"department"}, "language": "zh"},
		"ceo":   {"name": "Grace Wu", "email": "ceo@corp.example", "roles": []string{"executive"}, "language": "en"},
	} {
		if r := s.Do("PUT", "/staff/"+id, root, m); r.Code != 201 {
			t.Fatalf("directory %s: %d %s", id, r.Code, r.Body)
		}
	}
	// Departments are named in the settings: notices show the name, not the id.
	var set map[string]any
	s.Do("GET", "/settings", root, nil).JSON(t, &set)
	set["departments"] = []map[string]any{{"id": "repair", "name": map[string]string{"zh": "维修服务部", "en": "Repair Service"}}}
	if r := s.Do("PUT", "/settings", root, set, "If-Match", `"0"`); r.Code != 200 {
		t.Fatalf("settings: %d %s", r.Code, r.Body)
	}
	s.Clock.Advance(31 * time.Second)
	sue, alice := token(t, "sue", "quality", "supervisor"), token(t, "alice", "sales", "manager")
	bob, ceo := token(t, "bob", "repair", "department"), token(t, "ceo", "", "executive")
	cu := createCustomer(t, s, alice, newCustomer("上海精工机械有限公司", "alice", "sales"))
	mails(s, t)
	got := func() string {
		t.Helper()
		var out []string
		for _, m := range mails(s, t) {
			if customerKind(m.Kind) {
				continue
			}
			for _, to := range m.To {
				out = append(out, m.Kind+"→"+strings.Split(to, "@")[0]+"("+m.Lang+")")
			}
			if strings.Contains(m.Text, "：serious") || strings.Contains(m.Text, ": serious\n") || strings.Contains(m.Text, "repair") && !strings.Contains(m.Text, "repair@") {
				t.Errorf("%s shows a raw code: %s", m.Kind, m.Text)
			}
		}
		sort.Strings(out)
		return fmt.Sprint(out)
	}
	r := s.Do("POST", "/complaints", sue, map[string]any{"customerId": cu.ID, "contact": map[string]string{"name": "王伟", "phone": "13812345678"},
		"channel": "phone", "category": "service", "severity": "serious", "request": "compensation", "description": "停机三天"})
	var c struct{ Number string }
	r.JSON(t, &c)
	if r.Code != 201 {
		t.Fatalf("record: %d %s", r.Code, r.Body)
	}
	if g := got(); g != "[complaint-new→alice(zh) complaint-new→sue(en)]" {
		t.Fatalf("new complaint: %s", g)
	}
	steps := []struct {
		tok, action string
		body        any
		want        string
	}{
		{sue, "accept", nil, "[]"},
		{sue, "assign", map[string]any{"department": "repair", "opinion": "请 24 小时内上门"}, "[complaint-assigned→repair(zh)]"},
		{bob, "investigation", map[string]any{"cause": "c", "whatHappened": "w", "responsible": "r", "conclusion": "有责", "companyAtFault": true, "countermeasures": "m"}, "[complaint-review→sue(en)]"},
		{sue, "review", map[string]any{"approve": true}, "[complaint-approval→ceo(en)]"},
		{ceo, "approve", map[string]any{"approve": true}, "[]"},
	}
	for _, st := range steps {
		if r := step(s, st.tok, c.Number, st.action, st.body); r.Code != 200 {
			t.Fatalf("%s: %d %s", st.action, r.Code, r.Body)
		}
		if g := got(); g != st.want {
			t.Fatalf("after %s: %s, want %s", st.action, g, st.want)
		}
	}
	// Eight days later the closure is overdue: the supervisors are told, the manager copied.
	s.Clock.Advance(8 * 24 * time.Hour)
	if r := s.Do("POST", "/_local/schedules/ComplaintEscalationFunction", "", nil); r.Code != 200 {
		t.Fatalf("escalation run: %d %s", r.Code, r.Body)
	}
	if g := got(); !strings.Contains(g, "complaint-reminder→alice(zh)") || !strings.Contains(g, "complaint-reminder→sue(en)") || !strings.Contains(g, "complaint-escalation→ceo(en)") {
		t.Fatalf("escalation: %s", g)
	}
}
