package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/store"
)

var shanghai = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type visitWorld struct {
	s                      *stackServer
	admin, alice, bob, sup string
	acme, beta, bobs       string // alice's two accounts and one of bob's
	st                     *store.Store
}

// newVisitWorld: the directory (alice and bob manage in sales, sup
// supervises it, carol is inactive), alice's accounts Acme (zh contact with a
// birthday) and Beta (en contact), and one account of bob's.
func newVisitWorld(t *testing.T, now time.Time) *visitWorld {
	s := newStack(t)
	s.Clock.Set(now)
	w := &visitWorld{s: s, admin: token(t, "root", "", "admin"), alice: token(t, "alice", "sales", "manager"),
		bob: token(t, "bob", "sales", "manager"), sup: token(t, "sup", "sales", "supervisor")}
	for id, body := range map[string]map[string]any{
		"alice": {"name": "王丽", "email": "alice@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "zh"},
		"bob":   {"name": "Bob", "email": "bob@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "en"},
		"sup":   {"name": "张主管", "email": "sup@corp.cn", "department": "sales", "roles": []string{"supervisor"}, "language": "zh"},
		"carol": {"name": "Carol", "email": "carol@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "en", "active": false},
	} {
		if r := s.Do("PUT", "/staff/"+id, w.admin, body); r.Code != http.StatusCreated {
			t.Fatalf("staff %s: %d %s", id, r.Code, r.Body)
		}
	}
	mk := func(tok, name string, contact map[string]string) string {
		r := s.Do("POST", "/customers", tok, map[string]any{"name": name, "tier": "key", "contacts": []map[string]string{contact}})
		var v struct{ ID string }
		if r.Code != http.StatusCreated || json.Unmarshal(r.Body, &v) != nil {
			t.Fatalf("customer %s: %d %s", name, r.Code, r.Body)
		}
		return v.ID
	}
	w.acme = mk(w.alice, "上海精工机械", map[string]string{"name": "王伟", "email": "wang@acme.cn", "language": "zh", "birthday": "01-15"})
	w.beta = mk(w.alice, "Beta Ltd", map[string]string{"name": "Jane Doe", "email": "jane@beta.com", "language": "en"})
	w.bobs = mk(w.bob, "Bob's account", map[string]string{"name": "Li", "email": "li@b.cn"})
	w.st = store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table)
	return w
}

func expect(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if code != "" && r.ErrCode(t) != code {
		t.Fatalf("code %s, want %s: %s", r.ErrCode(t), code, r.Body)
	}
}

func field(t *testing.T, r resp, name string) {
	t.Helper()
	var e struct {
		Error struct{ Fields map[string]string } `json:"error"`
	}
	r.JSON(t, &e)
	if r.Code != http.StatusBadRequest || e.Error.Fields[name] == "" {
		t.Fatalf("want 400 on field %s: %d %s", name, r.Code, r.Body)
	}
}

func TestVisitPlansReportsAndBadInput(t *testing.T) {
	w := newVisitWorld(t, at("2026-12-21 10:00"))
	s := w.s
	item := func(c, date string) map[string]any {
		return map[string]any{"customerId": c, "date": date, "purpose": "care", "participants": []string{"alice"}}
	}
	// Bad input: 4xx in the error shape, never a 500.
	field(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2026-11", "items": []any{item(w.acme, "2026-11-20")}}), "month")
	field(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{item(w.acme, "2027-02-01")}}), "items[0].date")
	field(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{map[string]any{"customerId": w.acme, "date": "2027-01-12", "purpose": "golf"}}}), "items[0].purpose")
	expect(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{item(w.bobs, "2027-01-12")}}), 403, "forbidden")
	expect(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{item("nosuch", "2027-01-12")}}), 404, "not_found")
	expect(t, s.Do("POST", "/visit-plans", w.alice, `{"month":"2027-01","items":[],"extra":1}`), 400, "unknown_field")
	expect(t, s.Do("POST", "/visit-plans", w.alice, `{"month":`), 400, "bad_json")
	expect(t, s.Do("POST", "/visit-plans", w.sup, map[string]any{"month": "2027-01", "items": []any{item(w.acme, "2027-01-12")}}), 403, "forbidden")

	r := s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{item(w.acme, "2027-01-12")}})
	expect(t, r, 201, "")
	var plan domain.VisitPlan
	r.JSON(t, &plan)
	if plan.DueDate != "2026-12-31" || plan.Status != domain.PlanSubmitted || plan.Late {
		t.Fatalf("%+v", plan)
	}
	expect(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01", "items": []any{item(w.acme, "2027-01-13")}}), 409, "")
	expect(t, s.Do("POST", "/visit-plans/"+plan.ID+"/review", w.bob, map[string]any{"approve": true}), 403, "forbidden")
	field(t, s.Do("POST", "/visit-plans/"+plan.ID+"/review", w.sup, map[string]any{"approve": false}), "comment")
	field(t, s.Do("POST", "/visit-plans/"+plan.ID+"/review", w.sup, map[string]any{}), "approve")
	r = s.Do("POST", "/visit-plans/"+plan.ID+"/review", w.sup, map[string]any{"approve": true})
	expect(t, r, 200, "")
	r.JSON(t, &plan)
	if plan.Status != domain.PlanApproved || plan.Items[0].VisitID == "" {
		t.Fatalf("approved plan: %+v", plan)
	}
	expect(t, s.Do("PUT", "/visit-plans/"+plan.ID, w.alice, map[string]any{"items": []any{item(w.acme, "2027-01-14")}}), 409, "illegal_step")
	vid := plan.Items[0].VisitID

	// The visit is made on Tuesday 12 Jan; its report is due Thursday 14th
	// and comes on Friday 15th: accepted, marked late.
	s.Clock.Set(at("2027-01-15 18:00"))
	r = s.Do("GET", "/visits?manager=alice&status=overdue", w.alice, nil)
	if !strings.Contains(string(r.Body), vid) {
		t.Fatalf("not overdue: %s", r.Body)
	}
	expect(t, s.Do("GET", "/visits?status=lost", w.alice, nil), 400, "validation_failed")
	expect(t, s.Do("GET", "/visits?manager=bob", w.alice, nil), 403, "forbidden")
	report := map[string]any{"happenedOn": "2027-01-12", "attendees": []string{"王伟", "alice"}, "learned": "扩产计划", "needs": "更快交付",
		"actions": []map[string]string{{"text": "报价", "owner": "alice", "due": "2027-01-20"}}, "nextStep": "二月回访"}
	expect(t, s.Do("POST", "/visits/"+vid+"/report", w.bob, report), 403, "forbidden")
	future := map[string]any{"happenedOn": "2027-01-16", "attendees": []string{"x"}, "learned": "x"}
	field(t, s.Do("POST", "/visits/"+vid+"/report", w.alice, future), "happenedOn")
	r = s.Do("POST", "/visits/"+vid+"/report", w.alice, report)
	expect(t, r, 200, "")
	var reported domain.Visit
	r.JSON(t, &reported)
	if reported.Report == nil || !reported.Report.Late || reported.Report.Due != "2027-01-14" {
		t.Fatalf("%+v", reported.Report)
	}
	expect(t, s.Do("POST", "/visits/"+vid+"/report", w.alice, report), 409, "illegal_step")
	expect(t, s.Do("POST", "/visits/"+vid+"/actions/1/done", w.alice, nil), 404, "not_found")
	expect(t, s.Do("POST", "/visits/"+vid+"/actions/x/done", w.alice, nil), 404, "not_found")
	expect(t, s.Do("POST", "/visits/"+vid+"/actions/0/done", w.alice, nil), 200, "")
	expect(t, s.Do("POST", "/visits/"+vid+"/actions/0/done", w.alice, nil), 409, "illegal_step")

	// Listings leave the report out; reading it is on the access record.
	r = s.Do("GET", "/customers/"+w.acme+"/visits", w.sup, nil)
	if r.Code != 200 || strings.Contains(string(r.Body), "扩产计划") || !strings.Contains(string(r.Body), `"reportLate":true`) {
		t.Fatalf("listing: %d %s", r.Code, r.Body)
	}
	expect(t, s.Do("GET", "/customers/"+w.acme+"/visits", w.bob, nil), 403, "forbidden")
	r = s.Do("GET", "/visits/"+vid, w.sup, nil)
	if r.Code != 200 || !strings.Contains(string(r.Body), "扩产计划") {
		t.Fatalf("get: %d %s", r.Code, r.Body)
	}
	trail, err := w.st.Audit().Of(context.Background(), "visit", vid, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, e := range trail.Items {
		if e.Action == domain.ActionRead && e.Actor == "sup" {
			reads++
		}
	}
	if reads != 1 {
		t.Fatalf("the report read is not on the access record: %+v", trail.Items)
	}
	expect(t, s.Do("GET", "/visits/"+vid, w.bob, nil), 403, "forbidden")
	expect(t, s.Do("GET", "/visits/nosuch", w.alice, nil), 404, "not_found")

	// An ad-hoc visit needs the supervisor's approval.
	r = s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.beta, "date": "2027-01-18", "purpose": "payment"})
	expect(t, r, 201, "")
	var adhoc domain.Visit
	r.JSON(t, &adhoc)
	if adhoc.Status != domain.VisitProposed {
		t.Fatalf("%+v", adhoc)
	}
	field(t, s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.beta, "date": "2027-01-01", "purpose": "payment"}), "date")
	expect(t, s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.bobs, "date": "2027-01-18", "purpose": "payment"}), 403, "forbidden")
	expect(t, s.Do("POST", "/visits/"+adhoc.ID+"/approve", w.alice, nil), 403, "forbidden")
	expect(t, s.Do("POST", "/visits/"+adhoc.ID+"/approve", w.sup, nil), 200, "")
	field(t, s.Do("POST", "/visits/"+adhoc.ID+"/cancel", w.alice, map[string]any{"reason": " "}), "reason")

	// Coverage of 2027-Q1 for alice: Acme had its visit, Beta is still due.
	r = s.Do("GET", "/visits/coverage?period=2027-Q1", w.alice, nil)
	var cov struct{ Items []domain.Coverage }
	r.JSON(t, &cov)
	got := map[string]domain.Coverage{}
	for _, c := range cov.Items {
		got[c.CustomerID] = c
	}
	if len(cov.Items) != 2 || got[w.acme].Visits != 1 || got[w.acme].Status != domain.CoverageOK || got[w.beta].Status != domain.CoverageDue {
		t.Fatalf("coverage: %s", r.Body)
	}
	expect(t, s.Do("GET", "/visits/coverage?period=2027-Q9", w.alice, nil), 400, "validation_failed")

	// Relationship plan: written by the manager, reviewed within 6 months.
	field(t, s.Do("PUT", "/customers/"+w.acme+"/relationship-plan", w.alice, map[string]any{"goals": "g", "reviewBy": "2027-12-01"}), "reviewBy")
	expect(t, s.Do("PUT", "/customers/"+w.acme+"/relationship-plan", w.alice, map[string]any{"goals": "扩大份额", "actions": []string{"季度高层会晤"}, "reviewBy": "2027-06-30"}), 200, "")
	expect(t, s.Do("POST", "/customers/"+w.acme+"/relationship-plan/review", w.sup, map[string]any{"approve": true}), 200, "")
	expect(t, s.Do("POST", "/customers/"+w.acme+"/relationship-plan/review", w.sup, map[string]any{"approve": true}), 409, "illegal_step")
}

func TestHandoverIsResumableAndMovesAccess(t *testing.T) {
	w := newVisitWorld(t, at("2027-01-04 10:00"))
	s := w.s
	ctx := context.Background()
	// A complaint of Acme, recorded by alice, and a purchase with its callbacks.
	r := s.Do("POST", "/complaints", w.alice, map[string]any{"customerId": w.acme, "customerName": "上海精工机械", "contact": map[string]string{"name": "王伟", "phone": "13812345678"},
		"channel": "phone", "category": "service", "severity": "normal", "request": "other", "description": "送货延迟"})
	expect(t, r, 201, "")
	var cmp struct{ Number string }
	r.JSON(t, &cmp)
	expect(t, s.Do("GET", "/complaints/"+cmp.Number, w.alice, nil), 200, "")
	r = s.Do("POST", "/customers/"+w.acme+"/events", w.alice, map[string]any{"type": "purchase", "date": "2027-01-04", "note": "首单"})
	expect(t, r, 201, "")
	expect(t, s.Do("POST", "/customers/"+w.acme+"/events", w.alice, map[string]any{"type": "purchase", "date": "2027-01-04"}), 200, "")
	field(t, s.Do("POST", "/customers/"+w.acme+"/events", w.alice, map[string]any{"type": "party", "date": "2027-01-04"}), "type")
	field(t, s.Do("POST", "/customers/"+w.acme+"/events", w.alice, map[string]any{"type": "event", "date": "2027-02-04"}), "date")
	r = s.Do("GET", "/follow-ups?due=week", w.alice, nil)
	var fus domain.Page[domain.FollowUp]
	r.JSON(t, &fus)
	if len(fus.Items) != 1 || fus.Items[0].Kind != domain.FollowUpPurchase {
		t.Fatalf("the 3-day callback: %s", r.Body)
	}
	expect(t, s.Do("GET", "/follow-ups?due=tomorrow", w.alice, nil), 400, "validation_failed")

	// Bad handovers: 400 for an inactive or unknown person, 403 for a manager.
	field(t, s.Do("POST", "/handovers", w.sup, map[string]any{"from": "alice", "to": "carol", "reason": "离职"}), "to")
	field(t, s.Do("POST", "/handovers", w.sup, map[string]any{"from": "alice", "to": "nobody", "reason": "离职"}), "to")
	expect(t, s.Do("POST", "/handovers", w.alice, map[string]any{"from": "alice", "to": "bob", "reason": "离职"}), 403, "forbidden")

	// A job that crashed after moving Acme: the same request finishes it and moves nothing twice.
	job := &domain.Handover{ID: "hcrash", From: "alice", To: "bob", Reason: "离职", Department: "sales", By: "sup", Status: domain.HandoverRunning,
		Accounts: []string{w.acme, w.beta}, Moved: []string{}, Notified: []string{}, StartedAt: s.Clock.Now().UTC()}
	if _, created, err := w.st.Handovers().Start(ctx, job); err != nil || !created {
		t.Fatal(err)
	}
	if moved, err := w.st.Handovers().MoveAccount(ctx, job, w.acme, domain.AuditEntry{Entity: "customer", EntityID: w.acme, Action: "handover", Actor: "sup", At: time.Now(), RequestID: "crash"}); err != nil || !moved {
		t.Fatal(moved, err)
	}
	if moved, _ := w.st.Handovers().MoveAccount(ctx, job, w.acme, domain.AuditEntry{Entity: "customer", EntityID: w.acme, Action: "handover", Actor: "sup", At: time.Now(), RequestID: "crash2"}); moved {
		t.Fatal("moved twice")
	}
	_ = s.Env.DrainMail(t)
	r = s.Do("POST", "/handovers", w.sup, map[string]any{"from": "alice", "to": "bob", "reason": "离职"})
	expect(t, r, 201, "")
	var done domain.Handover
	r.JSON(t, &done)
	if done.ID != "hcrash" || done.Status != domain.HandoverDone || len(done.Moved) != 2 || len(done.Notified) != 2 {
		t.Fatalf("%+v", done)
	}
	for _, id := range []string{w.acme, w.beta} {
		c, _ := w.st.Customers().Get(ctx, id)
		if c.ManagerID != "bob" || c.Version != 2 {
			t.Fatalf("%s: manager %s version %d", id, c.ManagerID, c.Version)
		}
	}
	notices, lists := map[string]string{}, map[string]bool{}
	for _, m := range s.Env.DrainMail(t) {
		switch m.Kind {
		case "handover-notice":
			notices[m.To[0]] = m.Lang
		case "handover-list":
			lists[m.To[0]] = true
		}
	}
	if len(notices) != 2 || notices["wang@acme.cn"] != "zh" || notices["jane@beta.com"] != "en" || !lists["alice@corp.cn"] || !lists["bob@corp.cn"] {
		t.Fatalf("notices %v lists %v", notices, lists)
	}
	expect(t, s.Do("GET", "/handovers/hcrash", w.bob, nil), 200, "")
	expect(t, s.Do("POST", "/handovers", w.sup, map[string]any{"from": "alice", "to": "bob", "reason": "离职"}), 400, "validation_failed")
	if m := s.Env.DrainMail(t); len(m) != 0 {
		t.Fatalf("a retry mailed again: %d", len(m))
	}

	// alice loses access at once, to the file and to its complaint card; bob has it.
	expect(t, s.Do("GET", "/complaints/"+cmp.Number, w.alice, nil), 403, "forbidden")
	expect(t, s.Do("GET", "/customers/"+w.acme, w.alice, nil), 403, "forbidden")
	expect(t, s.Do("GET", "/complaints/"+cmp.Number, w.bob, nil), 200, "")
	r = s.Do("GET", "/complaints?customer="+w.acme, w.alice, nil)
	if r.Code != 200 || strings.Contains(string(r.Body), cmp.Number) {
		t.Fatalf("alice still lists the complaint: %s", r.Body)
	}
	// bob owes a callback per account within 7 days, and the purchase's callbacks moved to him.
	r = s.Do("GET", "/follow-ups?due=week", w.bob, nil)
	r.JSON(t, &fus)
	kinds := map[domain.FollowUpKind]int{}
	for _, f := range fus.Items {
		kinds[f.Kind]++
	}
	if kinds[domain.FollowUpHandover] != 2 || kinds[domain.FollowUpPurchase] != 1 {
		t.Fatalf("bob's follow-ups: %s", r.Body)
	}
	var cb domain.FollowUp
	for _, f := range fus.Items {
		if f.Kind == domain.FollowUpHandover {
			cb = f
		}
	}
	field(t, s.Do("POST", "/follow-ups/"+cb.ID+"/complete", w.bob, map[string]any{"method": "fax", "result": "ok", "satisfied": true}), "method")
	expect(t, s.Do("POST", "/follow-ups/"+cb.ID+"/complete", w.alice, map[string]any{"method": "phone", "result": "ok", "satisfied": true}), 403, "forbidden")
	expect(t, s.Do("POST", "/follow-ups/"+cb.ID+"/complete", w.bob, map[string]any{"method": "wechat", "result": "已沟通", "satisfied": true}), 200, "")
	expect(t, s.Do("POST", "/follow-ups/"+cb.ID+"/complete", w.bob, map[string]any{"method": "wechat", "result": "已沟通", "satisfied": true}), 409, "illegal_step")
	expect(t, s.Do("POST", "/follow-ups/nosuch/complete", w.bob, map[string]any{"method": "phone", "result": "x", "satisfied": true}), 404, "not_found")
}

// The daily email: nothing on a Saturday; on Monday one per person, in
// their language, with today's visits as an .ics that the SES emulator
// keeps, and a rerun sends nothing more.
func TestDailyDigest(t *testing.T) {
	w := newVisitWorld(t, at("2027-01-04 10:00"))
	s := w.s
	expect(t, s.Do("POST", "/customers/"+w.acme+"/events", w.alice, map[string]any{"type": "event", "date": "2027-01-04"}), 201, "")
	r := s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.beta, "date": "2027-01-11", "purpose": "business", "participants": []string{"王丽"}})
	var v domain.Visit
	r.JSON(t, &v)
	expect(t, s.Do("POST", "/visits/"+v.ID+"/approve", w.sup, nil), 200, "")
	// A visit made today, reported with two promised actions: one will be
	// overdue on Monday, the other due that week; and a relationship plan
	// waiting for the supervisor.
	r = s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.acme, "date": "2027-01-04", "purpose": "care"})
	var made domain.Visit
	r.JSON(t, &made)
	expect(t, s.Do("POST", "/visits/"+made.ID+"/approve", w.sup, nil), 200, "")
	expect(t, s.Do("POST", "/visits/"+made.ID+"/report", w.alice, map[string]any{"happenedOn": "2027-01-04", "attendees": []string{"王伟"}, "learned": "扩产",
		"actions": []map[string]string{{"text": "寄送样品", "owner": "王丽", "due": "2027-01-08"}, {"text": "提交报价", "owner": "王丽", "due": "2027-01-14"}}}), 200, "")
	expect(t, s.Do("PUT", "/customers/"+w.beta+"/relationship-plan", w.alice, map[string]any{"goals": "扩大份额", "actions": []string{"季度会晤"}, "reviewBy": "2027-06-30"}), 200, "")
	_ = s.Env.DrainMail(t)

	fire := func() {
		t.Helper()
		if r := s.Do("POST", "/_local/schedules/VisitRemindersFunction", "", nil); r.Code != 200 {
			t.Fatalf("fire: %d %s", r.Code, r.Body)
		}
	}
	s.Clock.Set(at("2027-01-09 09:00")) // Saturday
	fire()
	if m := s.Env.DrainMail(t); len(m) != 0 {
		t.Fatalf("%d mails on a Saturday", len(m))
	}
	s.Clock.Set(at("2027-01-11 08:00")) // Monday
	fire()
	fire()
	digests := map[string]mail.Message{}
	for _, m := range s.Env.DrainMail(t) {
		if m.Kind == "visit-digest" || m.Kind == "supervisor-digest" { // a supervisor's lists alone: supervisor-digest
			if _, dup := digests[m.To[0]]; dup {
				t.Fatalf("two digests to %s", m.To[0])
			}
			digests[m.To[0]] = m
		}
	}
	a, ok := digests["alice@corp.cn"]
	if !ok || a.Lang != "zh" || len(digests) != 3 {
		t.Fatalf("digests to %v", func() []string {
			var k []string
			for x := range digests {
				k = append(k, x)
			}
			return k
		}())
	}
	for _, want := range []string{"今日拜访", "Beta Ltd", "逾期的回访", "活动后回访", "联系人生日：王伟", "2027-01 拜访计划", "http://keycare.test/console/visits/" + v.ID} {
		if !strings.Contains(a.Text, want) || !strings.Contains(a.HTML, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("alice's digest lacks %q:\n%s", want, a.Text)
		}
	}
	if len(a.Attachments) != 1 || !strings.Contains(string(a.Attachments[0].Data), "BEGIN:VCALENDAR") || !strings.Contains(string(a.Attachments[0].Data), "DTSTART;VALUE=DATE:20270111") {
		t.Fatalf("attachment: %+v", a.Attachments)
	}
	if sup := digests["sup@corp.cn"]; !strings.Contains(sup.Text, "逾期的回访 — sales") || !strings.Contains(sup.Text, "未提交的拜访计划 — sales") {
		t.Errorf("supervisor's digest:\n%s", sup.Text)
	}
	// The promised actions, due and overdue, in the manager's; the plan to
	// approve in the supervisor's, with the manager's name, not the id.
	for _, want := range []string{"逾期的承诺事项", "承诺：寄送样品", "本周到期的承诺事项", "承诺：提交报价", "http://keycare.test/console/visits/" + made.ID} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("alice's digest lacks %q:\n%s", want, a.Text)
		}
	}
	if sup := digests["sup@corp.cn"]; sup.Kind != "supervisor-digest" || !strings.Contains(sup.Text, "待您审批 — sales") || !strings.Contains(sup.Text, "客户关系发展计划") ||
		!strings.Contains(sup.Text, "Beta Ltd") || !strings.Contains(sup.Text, "王丽") || !strings.Contains(sup.Text, "http://keycare.test/console/accounts/"+w.beta+"#relationship-plan") {
		t.Errorf("the relationship plan to approve is not in the supervisor's digest (%s):\n%s", sup.Kind, sup.Text)
	}
	if bob := digests["bob@corp.cn"]; bob.Lang != "en" || !strings.Contains(bob.Text, "visit plan is overdue") {
		t.Errorf("bob's digest:\n%s", bob.Text)
	}
	// The console's My day shows each person the same items, by the same
	// rules, linked to the console's pages.
	svc := s.Env.App(t, "VisitsFunction", s.Clock.Now).Visits
	for who, p := range map[string]domain.Principal{"alice@corp.cn": {Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"},
		"sup@corp.cn": {Sub: "sup", Roles: []domain.Role{domain.RoleSupervisor}, Department: "sales"}} {
		secs, err := svc.Day(context.Background(), p, "zh")
		if err != nil || len(secs) == 0 {
			t.Fatalf("%s's day: %v %v", who, secs, err)
		}
		lines := 0
		for _, sec := range secs {
			if !strings.Contains(digests[who].Text, sec.Title("zh")) {
				t.Errorf("%s: My day has %q, the digest does not", who, sec.Title("zh"))
			}
			for _, it := range sec.Items {
				lines++
				if !strings.Contains(digests[who].Text, "  - "+it.Title+"\n") || !strings.HasPrefix(it.URL, "/console/") ||
					!strings.Contains(digests[who].Text, "http://keycare.test"+it.URL+"\n") {
					t.Errorf("%s: My day's item %q (%s) is not the digest's", who, it.Title, it.URL)
				}
			}
		}
		if want := strings.Count(digests[who].Text, "\n  - "); lines != want {
			t.Errorf("%s: %d items on My day, %d in the digest", who, lines, want)
		}
	}

	// Through the mailer, the SES emulator keeps the attachment (/_local/outbox).
	mailer, err := s.Env.App(t, "MailerFunction", nil).Mailer()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(a)
	if resp, err := mailer.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "d1", Body: string(body)}}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("mailer: %v %+v", err, resp)
	}
	r = s.Do("GET", "/_local/outbox", "", nil)
	var outbox struct {
		Emails []struct {
			Subject     string
			Attachments []struct {
				Filename    string `json:"filename"`
				ContentType string `json:"contentType"`
				Size        int    `json:"size"`
			} `json:"attachments"`
		} `json:"emails"`
	}
	r.JSON(t, &outbox)
	found := false
	for _, e := range outbox.Emails {
		for _, at := range e.Attachments {
			if at.Filename == "visits-2027-01-11.ics" && strings.HasPrefix(at.ContentType, "text/calendar") && at.Size == len(a.Attachments[0].Data) {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("the outbox lacks the .ics: %s", r.Body)
	}
}
