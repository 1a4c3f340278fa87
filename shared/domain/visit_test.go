package domain

import (
	"errors"
	"testing"
	"time"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

func TestVisitPlanRules(t *testing.T) {
	s := Defaults("")
	cal, vs := s.SLA(), s.Visits
	now := cst("2026-12-20 10:00")
	item := func(date string) PlanItem { return PlanItem{CustomerID: "c1", Date: date, Purpose: PurposeCare} }
	tests := []struct {
		name, month string
		items       []PlanItem
		field       string
	}{
		{"past month", "2026-11", []PlanItem{item("2026-11-20")}, "month"},
		{"bad month", "2027-1", []PlanItem{item("2027-01-12")}, "month"},
		{"date outside the month", "2027-01", []PlanItem{item("2027-02-01")}, "items[0].date"},
		{"unknown purpose", "2027-01", []PlanItem{{CustomerID: "c1", Date: "2027-01-12", Purpose: "golf"}}, "items[0].purpose"},
		{"no items", "2027-01", nil, "items"},
	}
	for _, tt := range tests {
		_, err := NewVisitPlan(tt.month, tt.items, "alice", "sales", now, cal, vs)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
			t.Errorf("%s: want an error on %s, got %v", tt.name, tt.field, err)
		}
	}
	p, err := NewVisitPlan("2027-01", []PlanItem{item("2027-01-12")}, "alice", "sales", now, cal, vs)
	if err != nil {
		t.Fatal(err)
	}
	// Due the last working day of December 2026 (Thursday 31st), reminded 3 working days before.
	if due, from := PlanDeadline("2027-01", cal, vs); p.DueDate != "2026-12-31" || due != "2026-12-31" || from != "2026-12-28" || p.Late {
		t.Fatalf("due %s from %s late %v", due, from, p.Late)
	}
	// February 2026's plan: 31 Jan is a Saturday, so Friday 30 Jan.
	if due, _ := PlanDeadline("2026-02", cal, vs); due != "2026-01-30" {
		t.Fatalf("February 2026 plan due %s", due)
	}
	if err := p.Review(false, "", "sup", now); err == nil {
		t.Fatal("returned without a comment")
	}
	if err := p.Review(false, "more care visits", "sup", now); err != nil || p.Status != PlanReturned {
		t.Fatalf("return: %v %s", err, p.Status)
	}
	if err := p.Edit([]PlanItem{item("2027-01-13")}, now, cal); err != nil || p.Status != PlanSubmitted {
		t.Fatalf("edit: %v", err)
	}
	if err := p.Review(true, "", "sup", now); err != nil || p.Status != PlanApproved {
		t.Fatalf("approve: %v", err)
	}
	if err := p.Edit([]PlanItem{item("2027-01-14")}, now, cal); !errors.Is(err, ErrConflict) {
		t.Fatalf("an approved plan was edited: %v", err)
	}
}

func TestVisitReportDueLateAndActions(t *testing.T) {
	s := Defaults("")
	cal, vs := s.SLA(), s.Visits
	a := &Customer{ID: "c1", Name: "Acme", ManagerID: "alice", Department: "sales", Tier: TierKey}
	alice := Principal{Sub: "alice", Roles: []Role{RoleManager}}
	// A visit on Wednesday 30 Sep 2026: two working days later is Friday 9 Oct (the National Day holidays in between).
	v, err := NewVisit("v1", VisitDraft{CustomerID: "c1", Date: "2026-09-30", Purpose: PurposeCare}, a, "plan", "p1", "alice", cst("2026-09-01 09:00"), cal, vs)
	if err != nil || v.ReportDue != "2026-10-09" || v.Status != VisitPlanned {
		t.Fatalf("%v %+v", err, v)
	}
	in := ReportInput{HappenedOn: "2026-09-30", Attendees: []string{"王伟"}, Learned: "needs more", Actions: []PromisedAction{{Text: "quote", Owner: "alice", Due: "2026-10-20"}}}
	bob := Principal{Sub: "bob", Roles: []Role{RoleManager}}
	if err := v.FileReport(in, bob, cst("2026-10-09 10:00"), cal, vs); !errors.Is(err, ErrForbidden) {
		t.Fatalf("another manager reported: %v", err)
	}
	future := in
	future.HappenedOn = "2026-10-12"
	if err := v.FileReport(future, alice, cst("2026-10-09 10:00"), cal, vs); err == nil {
		t.Fatal("a report of a future visit")
	}
	if v.ReportOverdue("2026-10-09") || !v.ReportOverdue("2026-10-10") {
		t.Fatal("overdue")
	}
	if err := v.FileReport(in, alice, cst("2026-10-10 10:00"), cal, vs); err != nil || !v.Report.Late || v.Status != VisitReported {
		t.Fatalf("late report: %v %+v", err, v.Report)
	}
	if err := v.FileReport(in, alice, cst("2026-10-10 11:00"), cal, vs); !errors.Is(err, ErrConflict) {
		t.Fatalf("second report: %v", err)
	}
	if err := v.ActionDone(1, alice, cst("2026-10-11 10:00")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("action out of range: %v", err)
	}
	if err := v.ActionDone(0, alice, cst("2026-10-11 10:00")); err != nil || !v.Report.Actions[0].Done {
		t.Fatalf("action done: %v", err)
	}
	// Ad-hoc visits wait for the supervisor.
	adhoc, _ := NewVisit("v2", VisitDraft{CustomerID: "c1", Date: "2026-10-12", Purpose: PurposePayment}, a, "ad-hoc", "", "alice", cst("2026-10-11 09:00"), cal, vs)
	if adhoc.Status != VisitProposed || adhoc.FileReport(in, alice, cst("2026-10-12 18:00"), cal, vs) == nil {
		t.Fatal("an unapproved ad-hoc visit was reported")
	}
	if err := adhoc.ApproveAdHoc(Principal{Sub: "sup", Roles: []Role{RoleSupervisor}, Department: "ops"}, cst("2026-10-11 10:00")); !errors.Is(err, ErrForbidden) {
		t.Fatal("another department's supervisor approved")
	}
	if err := adhoc.ApproveAdHoc(Principal{Sub: "sup", Roles: []Role{RoleSupervisor}, Department: "sales"}, cst("2026-10-11 10:00")); err != nil || adhoc.Status != VisitPlanned {
		t.Fatal(err)
	}
}

func TestCoverageAndFrequency(t *testing.T) {
	vs := DefaultVisitSettings()
	if s, e := vs.TierPeriod(TierOrdinary, "2027-02-10"); s != "2027-01-01" || e != "2027-06-30" {
		t.Fatalf("ordinary period %s..%s", s, e)
	}
	from, to, err := ParsePeriod("2027-Q1")
	if err != nil || from != "2027-01-01" || to != "2027-03-31" {
		t.Fatalf("%s %s %v", from, to, err)
	}
	for _, bad := range []string{"2027-Q5", "27-Q1", "2027-13", "x"} {
		if _, _, err := ParsePeriod(bad); err == nil {
			t.Errorf("period %q accepted", bad)
		}
	}
	strategic := &Customer{ID: "s", Tier: TierStrategic, Status: StatusActive}
	cv := CoverageOf(strategic, []string{"2027-01-05", "2027-03-02"}, from, to, "2027-03-10", vs)
	if cv.Visits != 2 || cv.Required != 3 || cv.Met != 2 || !cv.BelowMinimum {
		t.Fatalf("strategic without a February visit: %+v", cv)
	}
	key := &Customer{ID: "k", Tier: TierKey, Status: StatusActive}
	if cv := CoverageOf(key, nil, from, to, "2027-03-10", vs); cv.Status != CoverageDue || cv.BelowMinimum {
		t.Fatalf("key account in a running quarter: %+v", cv)
	}
	// The digest: a key account last visited in 2026-Q3 is below in 2027-Q1 (Q4 had none).
	if a := FrequencyAlertFor(key, "2026-08-01", "2027-01-04", vs); a == nil || !a.Below || a.NeedBy != "2027-03-31" {
		t.Fatalf("%+v", a)
	}
	// Visited last quarter: due only when the quarter ends within 14 days.
	if a := FrequencyAlertFor(key, "2026-11-01", "2027-01-04", vs); a != nil {
		t.Fatalf("shown too early: %+v", a)
	}
	if a := FrequencyAlertFor(key, "2026-11-01", "2027-03-20", vs); a == nil || a.Below {
		t.Fatalf("due soon: %+v", a)
	}
	if a := FrequencyAlertFor(key, "2027-01-02", "2027-03-20", vs); a != nil {
		t.Fatalf("visited this quarter: %+v", a)
	}
}

func TestGreetingsAndFollowUpSchedules(t *testing.T) {
	s := Defaults("")
	cal, vs := s.SLA(), s.Visits
	c := &Customer{ID: "c1", Name: "Acme", ManagerID: "alice", Department: "sales", Contract: &Contract{Start: "2020-03-05"},
		Anniversaries: []Anniversary{{Date: "2010-03-08", Label: "founding 成立"}}, Contacts: []Contact{{Name: "王伟", Birthday: "03-10"}, {Name: "李娜"}}}
	g := GreetingsFor(c, "2027-03-04", "2027-03-11")
	if len(g) != 3 || g[0].Kind != "cooperation" || g[0].Years != 7 || g[1].Years != 17 || g[2].Kind != "birthday" || g[2].Date != "2027-03-10" {
		t.Fatalf("%+v", g)
	}
	if a, b := g[2].Task(c, cal, time.Now()), g[2].Task(c, cal, time.Now().Add(time.Hour)); a.ID != b.ID || a.ManagerID != "alice" {
		t.Fatal("greeting task ids are not stable")
	}
	if bad := (&Customer{Name: "x", ManagerID: "a", Department: "d", Tier: TierKey, Status: StatusActive, Contacts: []Contact{{Name: "n", Birthday: "13-01"}}}).Validate(); bad == nil {
		t.Fatal("birthday 13-01 accepted")
	}
	ev := CustomerEvent{ID: "ev1", Type: "purchase", Date: "2027-01-04"}
	if err := ev.Validate("2027-01-05"); err != nil {
		t.Fatal(err)
	}
	fs := ev.FollowUps(c, cal, vs, time.Now())
	if len(fs) != 3 || fs[0].DueDate(cal) != "2027-01-07" || fs[2].DueDate(cal) != "2027-03-05" || fs[0].Kind != FollowUpPurchase {
		t.Fatalf("%+v", fs)
	}
	ev.Type = "event"
	if fs := ev.FollowUps(c, cal, vs, time.Now()); len(fs) != 2 || fs[1].DueDate(cal) != "2027-01-19" {
		t.Fatalf("%+v", fs)
	}
	if (&CustomerEvent{Type: "party", Date: "2027-01-09"}).Validate("2027-01-05") == nil {
		t.Fatal("bad event accepted")
	}
	f := fs[0]
	yes := true
	if err := f.Complete(CompletionInput{Method: "fax", Result: "r", Satisfied: &yes}, Principal{Sub: "alice", Roles: []Role{RoleManager}}, time.Now()); err == nil {
		t.Fatal("fax accepted")
	}
	if err := f.Complete(CompletionInput{Method: "wechat", Result: "ok", Satisfied: &yes}, Principal{Sub: "alice", Roles: []Role{RoleManager}}, time.Now()); err != nil || f.Status != FollowUpDone {
		t.Fatal(err)
	}
}

func TestHandoverValidation(t *testing.T) {
	active := &StaffMember{ID: "bob", Roles: []Role{RoleManager}, Active: true}
	inactive := &StaffMember{ID: "bob", Roles: []Role{RoleManager}}
	for name, tt := range map[string]struct {
		in HandoverInput
		to *StaffMember
	}{
		"unknown":  {HandoverInput{From: "alice", To: "bob", Reason: "left"}, nil},
		"inactive": {HandoverInput{From: "alice", To: "bob", Reason: "left"}, inactive},
		"self":     {HandoverInput{From: "bob", To: "bob", Reason: "left"}, active},
	} {
		var ve *ValidationError
		if err := ValidateHandover(tt.in, tt.to); !errors.As(err, &ve) || ve.Fields["to"] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := ValidateHandover(HandoverInput{From: "alice", To: "bob", Reason: "left"}, active); err != nil {
		t.Fatal(err)
	}
	h := &Handover{Accounts: []string{"a", "b", "c"}, Moved: []string{"a", "b"}, Notified: []string{"a"}}
	if m, n := h.Remaining(); len(m) != 1 || m[0] != "c" || len(n) != 2 {
		t.Fatalf("%v %v", m, n)
	}
}

// Complaint cards follow the account's current manager: after a handover
// the old manager no longer opens them, the new one does.
func TestComplaintAccessFollowsTheAccount(t *testing.T) {
	c := &Complaint{Number: "261122001", CustomerID: "c1", ManagerID: "alice"}
	now := &Customer{ID: "c1", ManagerID: "bob"}
	alice := Principal{Sub: "alice", Roles: []Role{RoleManager}}
	bob := Principal{Sub: "bob", Roles: []Role{RoleManager}}
	if CanSeeComplaint(alice, c, now) || !CanSeeComplaint(bob, c, now) {
		t.Fatal("access does not follow the account's manager")
	}
	if CanSeeComplaint(alice, &Complaint{Number: "261122002", ManagerID: "alice"}, nil) {
		t.Fatal("an unlinked complaint shown to a manager")
	}
	if !CanSeeComplaint(Principal{Sub: "s", Roles: []Role{RoleSupervisor}}, c, now) {
		t.Fatal("supervisors see all")
	}
}
