package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A known month (October 2026, Asia/Shanghai) whose every figure is
// worked out by hand below.

var (
	sup  = Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "quality"}
	exec = Principal{Sub: "erin", Roles: []Role{RoleExecutive}}
)

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

type acct struct {
	id, name, manager, dept string
	tier                    Tier
}

var (
	accA = acct{"A", "甲公司", "alice", "sales", TierStrategic}
	accB = acct{"B", "乙公司", "carol", "sales", TierKey}
	accC = acct{"C", "丙公司", "dave", "north", TierOrdinary}
)

type flowStep struct {
	a  Action
	at string
	in StepInput
}

func investigation(fault bool, staff string) StepInput {
	return StepInput{Investigation: &Investigation{Cause: "c", WhatHappened: "w", Responsible: "r", Conclusion: "c", Countermeasures: "m",
		CompanyAtFault: fault, ResponsibleStaff: staff}}
}

// mkComplaint builds a complaint received at received (company time) and
// drives it through steps with the real workflow.
func mkComplaint(t *testing.T, number, received string, a *acct, cat Category, sev Severity, ch Channel, steps ...flowStep) Complaint {
	t.Helper()
	c := Complaint{Number: number, Channel: ch, Category: cat, Severity: sev, Request: RequestOther,
		Contact: Contact{Name: "王", Phone: "13800000000"}, Description: "d", ReceivedAt: local(received), Language: "zh"}
	if a == nil {
		c.CustomerName = "路人甲"
	} else {
		c.LinkAccount(&Customer{ID: a.id, Name: a.name, ManagerID: a.manager, Department: a.dept, Tier: a.tier}, "entered")
	}
	c.Open(DefaultSLA("Asia/Shanghai"), "", "")
	for _, s := range steps {
		p := sup
		switch s.a {
		case ActionInvestigation:
			p = Principal{Sub: "fixer", Roles: []Role{RoleDepartment}, Department: c.Department}
		case ActionApprove:
			p = exec
		}
		in := s.in
		if s.a == ActionReply {
			in.Reply = &Reply{Text: "答复"}
		}
		if err := c.Apply(s.a, in, p, local(s.at)); err != nil {
			t.Fatalf("%s %s: %v", number, s.a, err)
		}
	}
	return c
}

func closedFlow(dept string, start string, fault bool, staff string, satisfied bool, closeAt string) []flowStep {
	return []flowStep{{ActionAccept, start, StepInput{}}, {ActionAssign, start, StepInput{Department: dept, Opinion: "请处理"}},
		{ActionInvestigation, start, investigation(fault, staff)}, {ActionReview, start, StepInput{Approve: &yes}},
		{ActionReply, start, StepInput{}}, {ActionCallback, start, StepInput{Callback: &Callback{Result: "ok", Satisfied: satisfied}}},
		{ActionClose, closeAt, StepInput{}}}
}

func knownMonth(t *testing.T) *MonthInput {
	t.Helper()
	c1 := mkComplaint(t, "261002001", "2026-10-02 10:00", &accA, CategoryService, SeverityNormal, ChannelPhone,
		closedFlow("repair", "2026-10-03 09:00", true, "bob", true, "2026-10-05 12:00")...)
	c2 := mkComplaint(t, "261010002", "2026-10-10 09:00", &accA, CategoryProduct, SeveritySerious, ChannelWeb,
		flowStep{ActionAccept, "2026-10-10 10:00", StepInput{}}, flowStep{ActionAssign, "2026-10-10 11:00", StepInput{Department: "repair", Opinion: "查"}},
		flowStep{ActionInvestigation, "2026-10-11 10:00", investigation(false, "bob")},
		flowStep{ActionReview, "2026-10-12 10:00", StepInput{Approve: &no, Comment: "补充证据"}},
		flowStep{ActionInvestigation, "2026-10-13 10:00", investigation(false, "bob")},
		flowStep{ActionReview, "2026-10-14 09:00", StepInput{Approve: &yes}}, flowStep{ActionApprove, "2026-10-14 10:00", StepInput{}},
		flowStep{ActionReply, "2026-10-14 11:00", StepInput{}}, flowStep{ActionCallback, "2026-10-15 10:00", StepInput{Callback: &Callback{Result: "不满意", Satisfied: false}}},
		flowStep{ActionClose, "2026-10-20 09:00", StepInput{}})
	c3 := mkComplaint(t, "261015003", "2026-10-15 08:00", &accB, CategoryLogistics, SeverityNormal, ChannelEmail,
		flowStep{ActionAccept, "2026-10-15 09:00", StepInput{}}, flowStep{ActionAssign, "2026-10-16 09:00", StepInput{Department: "logistics", Opinion: "查"}})
	c4 := mkComplaint(t, "261031004", "2026-10-31 23:30", &accC, CategoryBilling, SeverityNormal, ChannelPhone) // the last half hour of the month
	c5 := mkComplaint(t, "261020005", "2026-10-20 10:00", nil, CategoryOther, SeverityNormal, ChannelWeb,
		flowStep{ActionReject, "2026-10-20 15:00", StepInput{Reason: "非本公司业务"}})
	c6 := mkComplaint(t, "260928009", "2026-09-28 10:00", &accB, CategoryService, SeverityNormal, ChannelPhone,
		closedFlow("repair", "2026-09-29 09:00", false, "bob", true, "2026-10-03 10:00")...)
	c7 := mkComplaint(t, "260925001", "2026-09-25 09:00", &accC, CategoryService, SeverityNormal, ChannelPhone,
		flowStep{ActionAccept, "2026-09-25 10:00", StepInput{}}, flowStep{ActionAssign, "2026-09-25 11:00", StepInput{Department: "repair", Opinion: "查"}})
	c8 := mkComplaint(t, "260920001", "2026-09-20 10:00", &accA, CategoryService, SeverityNormal, ChannelPhone,
		closedFlow("repair", "2026-09-21 09:00", false, "", true, "2026-11-01 03:00")...) // closed after the month's end: open at it
	// A complaint received in November is not October's, even though it is in the open list.
	c9 := mkComplaint(t, "261101001", "2026-11-01 00:00", &accA, CategoryService, SeverityNormal, ChannelPhone)

	inv := func(tok string, a acct, reason SurveyReason, created, answered string, number string) Invitation {
		in := Invitation{Token: tok, CustomerID: a.id, CustomerName: a.name, ManagerID: a.manager, Department: a.dept, Tier: a.tier, Reason: reason,
			ComplaintNumber: number, CreatedAt: local(created), ExpiresAt: local(created).Add(30 * 24 * time.Hour)}
		if answered != "" {
			at := local(answered)
			in.AnsweredAt = &at
		}
		return in
	}
	resp := func(in Invitation, at string, a Answer) SurveyResponse {
		return in.ResponseTo(a, local(at), shanghai)
	}
	i1 := inv("t1", accA, SurveyPeriodic, "2026-10-05 10:00", "2026-10-06 10:00", "")
	i2 := inv("t2", accB, SurveyPeriodic, "2026-10-05 10:00", "2026-10-08 10:00", "")
	i3 := inv("t3", accC, SurveyPeriodic, "2026-10-05 10:00", "", "")
	i4 := inv("t4", accA, SurveyAfterComplaint, "2026-10-20 09:00", "2026-10-22 10:00", "261010002")
	i5 := inv("t5", accB, SurveyManual, "2026-10-30 10:00", "", "")
	i6 := inv("t6", acct{"D", "丁公司", "alice", "sales", TierKey}, SurveyPeriodic, "2026-09-28 10:00", "2026-10-02 10:00", "")

	contract := func(a acct, end string, renewed string) ContractRecord {
		k := ContractRecord{ID: "k" + a.id + end, CustomerID: a.id, CustomerName: a.name, ManagerID: a.manager, Department: a.dept, Tier: a.tier, Start: "2025-01-01", End: end}
		if renewed != "" {
			at := local(renewed)
			k.RenewedAt = &at
		}
		return k
	}
	accE := acct{"E", "戊公司", "alice", "sales", TierKey}
	vol := func(a acct, month string, amount int64) Volume {
		return Volume{CustomerID: a.id, Month: month, Amount: amount, ManagerID: a.manager, Department: a.dept, Tier: a.tier}
	}
	return &MonthInput{
		Month: Month{2026, time.October}, Zone: "Asia/Shanghai", AsOf: local("2026-11-01 08:00"),
		Received:        []Complaint{c1, c2, c3, c4, c5},
		Done:            []Complaint{c1, c2, c5, c6},
		Open:            []Complaint{c3, c4, c7, c8, c9},
		PriorComplaints: map[string]int{"A": 1, "B": 1, "C": 1},
		Invitations:     []Invitation{i1, i2, i3, i4, i5},
		Responses: []SurveyResponse{
			resp(i1, "2026-10-06 10:00", Answer{Overall: 5, Recommend: 10, Responsiveness: 5, Quality: 4, Professionalism: 5}),
			resp(i2, "2026-10-08 10:00", Answer{Overall: 3, Recommend: 6, Responsiveness: 3}),
			resp(i4, "2026-10-22 10:00", Answer{Overall: 4, Recommend: 8}),
			resp(i6, "2026-10-02 10:00", Answer{Overall: 2, Recommend: 3, Responsiveness: 1, Quality: 1, Professionalism: 1}),
		},
		Ending: []ContractRecord{contract(accA, "2026-10-15", "2026-10-10 10:00"), contract(accB, "2026-10-31", ""), contract(accC, "2026-10-20", ""),
			contract(accE, "2026-10-25", "2026-11-03 10:00")},
		Upcoming: []ContractRecord{contract(accA, "2026-12-31", ""), contract(accB, "2027-01-15", ""), contract(accC, "2026-11-30", ""),
			contract(acct{"F", "己公司", "alice", "sales", TierKey}, "2026-12-01", ""), contract(acct{"G", "庚公司", "carol", "sales", TierKey}, "2027-03-01", "")},
		Volume: []Volume{vol(accA, "2026-10", 500_000), vol(accB, "2026-10", 200_000), vol(accC, "2026-10", 50_000)},
		VolumeLastYear: []Volume{vol(accA, "2025-10", 400_000), vol(accB, "2025-10", 250_000), vol(accC, "2025-10", 40_000),
			vol(acct{"H", "辛公司", "carol", "sales", TierKey}, "2025-10", 100_000)},
		Visits: VisitMonthOf(knownVisits()),
	}
}

func p64(x float64) *float64 { return &x }

func eqf(t *testing.T, what string, got *float64, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %v, want none", what, *got)
		}
	case float64:
		if got == nil || *got != w {
			t.Errorf("%s = %v, want %v", what, deref(got), w)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("%s =\n  %s\nwant\n  %s", what, gj, wj)
	}
}

func TestKnownMonthCompanyReport(t *testing.T) {
	in := knownMonth(t)
	history := []TrendPoint{{Month: "2026-08", Values: map[string]float64{KPICSAT: 95}},
		{Month: "2026-09", Values: map[string]float64{KPICSAT: 80, KPIComplaints: 3, KPITimeliness: 100}}}
	r := ComputeReport(in, CompanyScope, history, BasisOf(Defaults("Asia/Shanghai")))

	if r.Month != "2026-10" || r.Scope != "company" || !r.Final || r.Empty || !r.AsOf.Equal(local("2026-11-01 00:00")) {
		t.Fatalf("header %s %s final %v empty %v asOf %v", r.Month, r.Scope, r.Final, r.Empty, r.AsOf)
	}

	// Complaints: C1–C5 received (C4 at 23:30 on the 31st is October's; C9
	// at 00:00 on 1 November is not).
	c := r.Complaints
	eq(t, "received", c.Received, 5)
	eq(t, "by category", c.ByCategory, []Count{{"service", 1}, {"product", 1}, {"logistics", 1}, {"billing", 1}, {"staff", 0}, {"other", 1}})
	eq(t, "by severity", c.BySeverity, []Count{{"normal", 4}, {"serious", 1}})
	eq(t, "by channel", c.ByChannel, []Count{{"web", 2}, {"phone", 2}, {"letter", 0}, {"email", 1}, {"visit", 0}})
	eq(t, "by department", c.ByDepartment, []Count{{"logistics", 1}, {"repair", 2}, {"", 2}})
	eq(t, "by tier", c.ByTier, []Count{{"strategic", 2}, {"key", 1}, {"ordinary", 1}, {"", 1}})
	eq(t, "rejected", c.Rejected, 1)
	// Closed in October: C1 (on time, first review, satisfied, at fault), C2
	// (late, sent back once, unsatisfied at the callback but satisfied in
	// its survey), C6 (received in September, on time, satisfied).
	eq(t, "closed", c.Closed, 3)
	eq(t, "closed on time", c.ClosedOnTime, 2)
	eqf(t, "timeliness", c.Timeliness, 66.7)
	eq(t, "passed", c.Passed, 2)
	eqf(t, "pass rate", c.PassRate, 66.7)
	eq(t, "satisfied", c.Satisfied, 3)
	eqf(t, "handling satisfaction", c.HandlingSatisfaction, 100.0)
	eq(t, "at fault", c.AtFault, 1)
	eqf(t, "average days", c.AvgCloseDays, 6.0) // (3.08 + 10 + 5.0) / 3
	eqf(t, "worst days", c.WorstCloseDays, 10.0)
	eq(t, "worst number", c.WorstNumber, "261010002")
	// Prior months: one each for A, B and C; October: A twice, B and C once.
	eq(t, "repeat complainers", c.Repeat, []RepeatComplainer{{"A", "甲公司", 2, 3}, {"B", "乙公司", 1, 2}, {"C", "丙公司", 1, 2}})
	// Open at the month's end: C3, C4, C7 and C8 (closed a few hours after it).
	eq(t, "open at end", c.OpenAtEnd, 4)
	eq(t, "overdue at end", c.OverdueAtEnd, 3)
	eq(t, "overdue list", c.Overdue, []OverdueComplaint{{"260920001", "甲公司", "repair", 34.6}, {"260925001", "丙公司", "repair", 29.6},
		{"261015003", "乙公司", "logistics", 9.7}})

	// Staff: bob is responsible for C1, C2 and C6 (one serious): flagged,
	// public criticism and ¥200; not more than 5, so no dismissal review.
	eq(t, "staff", r.Staff, []StaffFigure{{StaffID: "bob", InScope: 3, Total: 3, Serious: 1,
		LadderOutcome: LadderOutcome{Flagged: true, Criticism: true, FineYuan: 200}}})

	// Surveys.
	s := r.Satisfaction
	eq(t, "invitations", s.Invitations, 5)
	eq(t, "answered", s.Answered, 3)
	eqf(t, "response rate", s.ResponseRate, 60.0)
	eq(t, "answers", s.Answers, 4)
	eq(t, "satisfied answers", s.Satisfied, 2)
	eqf(t, "CSAT", s.CSAT, 50.0)
	eqf(t, "NPS", s.NPS, -25.0)
	eq(t, "NPS groups", [3]int{s.Promoters, s.Passives, s.Detractors}, [3]int{1, 1, 2})
	eqf(t, "responsiveness", s.Aspects.Responsiveness, 3.0)
	eqf(t, "quality", s.Aspects.Quality, 2.5)
	eqf(t, "professionalism", s.Aspects.Professionalism, 3.0)
	eq(t, "by tier", s.ByTier, []TierSatisfaction{
		{Tier: TierStrategic, Invitations: 2, ResponseRate: p64(100), Answers: 2, CSAT: p64(100), NPS: p64(50)},
		{Tier: TierKey, Invitations: 2, ResponseRate: p64(50), Answers: 2, CSAT: p64(0), NPS: p64(-100)},
		{Tier: TierOrdinary, Invitations: 1, ResponseRate: p64(0), Answers: 0}})

	// Accounts.
	a := r.Accounts
	eq(t, "contracts ended", a.Ending, 3)
	eq(t, "renewed", a.Renewed, 1)
	eqf(t, "renewal rate", a.RenewalRate, 33.3)
	eq(t, "lost", a.Lost, []LostAccount{{"C", "丙公司", TierOrdinary, "2026-10-20"}, {"E", "戊公司", TierKey, "2026-10-25"}, {"B", "乙公司", TierKey, "2026-10-31"}})
	eq(t, "volume", [2]int64{a.Volume, a.VolumeLastYear}, [2]int64{750_000, 790_000})
	eqf(t, "growth", a.Growth, -6.7)
	eq(t, "volume by tier", a.ByTier, []TierVolume{{TierStrategic, 500_000, 400_000, p64(25)}, {TierKey, 200_000, 350_000, p64(-42.9)},
		{TierOrdinary, 50_000, 40_000, p64(25)}})

	// Visits (TestVisitMonthOfKnownMonth has them per account): 5 planned,
	// 2 done; 4 reports due, 2 on time; 4 follow-ups due, 2 on time; C, K
	// and L below their frequency.
	eq(t, "visits", r.Visits, VisitFigures{Recorded: true, Planned: 5, Done: 2, DoneRate: p64(40), ReportsDue: 4, ReportsOnTime: 2, ReportsRate: p64(50),
		FollowUpsDue: 4, FollowUpsOnTime: 2, FollowUpsRate: p64(50), BelowFrequency: []string{"C", "K", "L"}})

	// Risk list: contract ending within 90 days and a signal; F has none, G ends too late.
	eq(t, "risk", r.Risk, []RiskEntry{
		{"C", "丙公司", "dave", TierOrdinary, "2026-11-30", []RiskReason{{RiskOverdueComplaint, "260925001"}, {RiskOpenComplaint, "261031004"}, {RiskUnansweredSurvey, ""}}},
		{"A", "甲公司", "alice", TierStrategic, "2026-12-31", []RiskReason{{RiskOverdueComplaint, "260920001"}, {RiskMissedVisit, "1"}}},
		{"B", "乙公司", "carol", TierKey, "2027-01-15", []RiskReason{{RiskOverdueComplaint, "261015003"}, {RiskDetractor, "6/10"}, {RiskMissedVisit, "2"}}},
	})

	// What the report names one by one, for the access record: the risk
	// list (C, A, B), repeat complainers (A, B, C), accounts lost (C, E, B)
	// and below frequency (C, K, L); the overdue complaints and the slowest.
	customers, complaints := r.Shown()
	eq(t, "accounts shown", customers, []string{"A", "B", "C", "E", "K", "L"})
	eq(t, "complaints shown", complaints, []string{"260920001", "260925001", "261010002", "261015003"})

	// Managers ranked by CSAT: alice 66.7, carol 0, dave none.
	eq(t, "managers", r.Managers, []ManagerFigure{
		{Rank: 1, ManagerID: "alice", Invitations: 2, ResponseRate: p64(100), Answers: 3, CSAT: p64(66.7), NPS: p64(0), Complaints: 2, Closed: 2, Timeliness: p64(50), OverdueAtEnd: 1},
		{Rank: 2, ManagerID: "carol", Invitations: 2, ResponseRate: p64(50), Answers: 1, CSAT: p64(0), NPS: p64(-100), Complaints: 1, Closed: 1, Timeliness: p64(100), OverdueAtEnd: 1},
		{Rank: 3, ManagerID: "dave", Invitations: 1, ResponseRate: p64(0), Complaints: 1, OverdueAtEnd: 1},
	})

	// Headline figures with targets and last month.
	want := map[string][4]any{ // value, target, met, last month
		KPICSAT: {50.0, 90.0, false, 80.0}, KPINPS: {-25.0, nil, nil, nil}, KPIResponseRate: {60.0, nil, nil, nil},
		KPIComplaints: {5.0, nil, nil, 3.0}, KPITimeliness: {66.7, nil, nil, 100.0}, KPIPassRate: {66.7, nil, nil, nil},
		KPIHandlingSatisfaction: {100.0, nil, nil, nil}, KPIAtFault: {1.0, nil, nil, nil}, KPIOverdue: {3.0, nil, nil, nil},
		KPIRenewalRate: {33.3, 80.0, false, nil}, KPIGrowth: {-6.7, 15.0, false, nil},
		KPIVisitsDone: {40.0, nil, nil, nil}, KPIVisitReportsOnTime: {50.0, nil, nil, nil}, KPIFollowUpsOnTime: {50.0, nil, nil, nil},
		KPIBelowFrequency: {3.0, nil, nil, nil},
	}
	if len(r.KPIs) != len(want) {
		t.Fatalf("%d KPIs, want %d", len(r.KPIs), len(want))
	}
	for _, k := range r.KPIs {
		w, ok := want[k.Key]
		if !ok {
			t.Errorf("unexpected KPI %s", k.Key)
			continue
		}
		eqf(t, k.Key+" value", k.Value, w[0])
		eqf(t, k.Key+" target", k.Target, w[1])
		eqf(t, k.Key+" last month", k.LastMonth, w[3])
		if (k.Met == nil) != (w[2] == nil) || (k.Met != nil && *k.Met != w[2].(bool)) {
			t.Errorf("%s met = %v, want %v", k.Key, k.Met, w[2])
		}
	}
	if k := r.KPIs[0]; k.Key != KPICSAT || !k.Missed() || k.Num != 2 || k.Den != 4 {
		t.Errorf("CSAT %+v", k)
	}

	// The trend: 12 months ending October, blanks where no report was kept.
	if len(r.Trend) != 12 || r.Trend[0].Month != "2025-11" || r.Trend[11].Month != "2026-10" || r.Trend[9].Values[KPICSAT] != 95 ||
		r.Trend[10].Values[KPICSAT] != 80 || len(r.Trend[0].Values) != 0 || r.Trend[11].Values[KPICSAT] != 50 || r.Trend[11].Values[KPIComplaints] != 5 {
		t.Errorf("trend %+v", r.Trend)
	}

	// The complaint statistics table, by category and handling department.
	eq(t, "table rows", r.Table.Rows, []TableRow{
		{Category: "service", Department: "repair", Received: 1, Closed: 2, ClosedInTime: 2, AtFault: 1, AvgDays: p64(4.0), Overdue: 2, closeDays: r.Table.Rows[0].closeDays},
		{Category: "product", Department: "repair", Received: 1, Closed: 1, AvgDays: p64(10), closeDays: 10},
		{Category: "logistics", Department: "logistics", Received: 1, Overdue: 1},
		{Category: "billing", Department: "", Received: 1},
		{Category: "other", Department: "", Received: 1},
	})
	eq(t, "table total", r.Table.Total, TableRow{Received: 5, Closed: 3, ClosedInTime: 2, AtFault: 1, AvgDays: p64(6.0), Overdue: 3})
}

func TestKnownMonthOtherScopes(t *testing.T) {
	in := knownMonth(t)
	basis := BasisOf(Defaults("Asia/Shanghai"))

	alice := ComputeReport(in, ReportScope{ScopeManager, "alice"}, nil, basis)
	eq(t, "alice received", alice.Complaints.Received, 2)
	eq(t, "alice closed", alice.Complaints.Closed, 2)
	eq(t, "alice open", alice.Complaints.OpenAtEnd, 1) // C8
	eq(t, "alice answers", alice.Satisfaction.Answers, 3)
	eqf(t, "alice CSAT", alice.Satisfaction.CSAT, 66.7)
	eq(t, "alice renewals", [2]int{alice.Accounts.Renewed, alice.Accounts.Ending}, [2]int{1, 2}) // A renewed, E not by month end
	eqf(t, "alice growth", alice.Accounts.Growth, 25.0)
	eq(t, "alice risk", len(alice.Risk), 1)
	eq(t, "alice has no ranking", len(alice.Managers), 0)
	eq(t, "alice repeat", len(alice.Complaints.Repeat), 1)
	eq(t, "alice visits", alice.Visits, VisitFigures{Recorded: true, Planned: 3, Done: 2, DoneRate: p64(66.7), ReportsDue: 2, ReportsOnTime: 1, ReportsRate: p64(50),
		FollowUpsDue: 1, FollowUpsOnTime: 1, FollowUpsRate: p64(100), BelowFrequency: []string{}})
	if alice.Table != nil || alice.Scope != "manager:alice" {
		t.Errorf("a manager's report has no statistics table: %+v", alice.Table)
	}

	sales := ComputeReport(in, ReportScope{ScopeDepartment, "sales"}, nil, basis)
	eq(t, "sales received", sales.Complaints.Received, 3)
	eq(t, "sales closed", sales.Complaints.Closed, 3)
	eq(t, "sales overdue", sales.Complaints.OverdueAtEnd, 2) // C3, C8
	eq(t, "sales managers", len(sales.Managers), 2)
	eqf(t, "sales growth", sales.Accounts.Growth, -6.7) // A, B against A, B, H
	eq(t, "sales staff", sales.Staff[0].InScope, 3)

	north := ComputeReport(in, ReportScope{ScopeDepartment, "north"}, nil, basis)
	eq(t, "north staff", len(north.Staff), 0)
	eq(t, "north received", north.Complaints.Received, 1)
	eq(t, "north visits", north.Visits, VisitFigures{Recorded: true, ReportsDue: 1, ReportsRate: p64(0), FollowUpsDue: 2, FollowUpsOnTime: 1, FollowUpsRate: p64(50),
		BelowFrequency: []string{"C", "L"}})

	nobody := ComputeReport(in, ReportScope{ScopeManager, "zed"}, nil, basis)
	if !nobody.Empty {
		t.Errorf("a manager with nothing this month: empty = false")
	}
	if c, n := nobody.Shown(); len(c)+len(n) != 0 {
		t.Errorf("an empty report names %v %v", c, n)
	}

	// A month in which nothing happened but accounts stay below their visit
	// frequency is quiet (the run keeps no backfill for it) and not empty
	// (its readers see the accounts).
	still := &MonthInput{Month: in.Month, Zone: in.Zone, AsOf: in.AsOf, Visits: VisitMonth{Recorded: true,
		Accounts: []VisitAccount{{CustomerID: "C", ManagerID: "dave", Department: "north", BelowFrequency: true}}}}
	for _, sc := range []ReportScope{CompanyScope, {ScopeManager, "dave"}} {
		q := ComputeReport(still, sc, nil, basis)
		if !q.Quiet() || q.Empty || len(q.Visits.BelowFrequency) != 1 {
			t.Errorf("%s, only an account below frequency: quiet %v, empty %v, below %v", sc, q.Quiet(), q.Empty, q.Visits.BelowFrequency)
		}
	}
	if q := ComputeReport(still, ReportScope{ScopeManager, "alice"}, nil, basis); !q.Quiet() || !q.Empty {
		t.Errorf("alice, nothing at all: quiet %v, empty %v", q.Quiet(), q.Empty)
	}
	if sales.Quiet() || north.Quiet() {
		t.Error("a month with complaints is quiet")
	}

	// The month in progress: figures as of now, not final.
	mid := *in
	mid.AsOf = local("2026-10-16 00:00")
	r := ComputeReport(&mid, CompanyScope, nil, basis)
	eq(t, "mid-month received", r.Complaints.Received, 3) // C1, C2, C3
	eq(t, "mid-month closed", r.Complaints.Closed, 2)     // C1, C6; C2 closes on the 20th
	if r.Final || !r.AsOf.Equal(mid.AsOf) {
		t.Errorf("mid-month: final %v asOf %v", r.Final, r.AsOf)
	}
}

func TestComplaintHistoryAsOf(t *testing.T) {
	c := mkComplaint(t, "261010002", "2026-10-10 09:00", &accA, CategoryProduct, SeverityNormal, ChannelWeb,
		flowStep{ActionAccept, "2026-10-10 10:00", StepInput{}}, flowStep{ActionAssign, "2026-10-10 11:00", StepInput{Department: "repair", Opinion: "a: b"}},
		flowStep{ActionAssign, "2026-10-11 11:00", StepInput{Department: "billing", Opinion: "转"}})
	tests := []struct {
		at     string
		status ComplaintStatus
		dept   string
		open   bool
	}{
		{"2026-10-10 08:59", "", "", false},
		{"2026-10-10 09:00", "", "", false}, // a step counts strictly before the moment
		{"2026-10-10 09:01", StatusReceived, "", true},
		{"2026-10-10 12:00", StatusAssigned, "repair", true},
		{"2026-10-12 00:00", StatusAssigned, "billing", true},
	}
	for _, tt := range tests {
		at := local(tt.at)
		if s, d, o := c.StatusAt(at), c.DepartmentAt(at), c.OpenAt(at); s != tt.status || d != tt.dept || o != tt.open {
			t.Errorf("at %s: %q %q %v, want %q %q %v", tt.at, s, d, o, tt.status, tt.dept, tt.open)
		}
	}
	if c.DoneAt() != nil {
		t.Error("an open complaint has no done time")
	}
	r := mkComplaint(t, "261020005", "2026-10-20 10:00", nil, CategoryOther, SeverityNormal, ChannelWeb, flowStep{ActionReject, "2026-10-20 15:00", StepInput{Reason: "x"}})
	if d := r.DoneAt(); d == nil || !d.Equal(local("2026-10-20 15:00")) || r.OpenAt(local("2026-10-21 00:00")) {
		t.Errorf("rejected: done %v", d)
	}
}

func TestInvestigationNamesResponsibleStaff(t *testing.T) {
	for _, tt := range []struct {
		staff string
		ok    bool
	}{{"", true}, {"bob", true}, {"bob.li@corp", true}, {"bob li", false}, {"<script>", false}} {
		c := mkComplaint(t, "261010002", "2026-10-10 09:00", &accA, CategoryProduct, SeverityNormal, ChannelWeb,
			flowStep{ActionAccept, "2026-10-10 10:00", StepInput{}}, flowStep{ActionAssign, "2026-10-10 11:00", StepInput{Department: "repair", Opinion: "o"}})
		err := c.Apply(ActionInvestigation, investigation(true, tt.staff), Principal{Sub: "f", Roles: []Role{RoleDepartment}, Department: "repair"}, local("2026-10-11 10:00"))
		ve, _ := err.(*ValidationError)
		if tt.ok != (err == nil) || (!tt.ok && (ve == nil || ve.Fields["responsibleStaff"] == "")) {
			t.Errorf("responsibleStaff %q: %v", tt.staff, err)
		}
		if tt.ok && c.Investigation.ResponsibleStaff != tt.staff {
			t.Errorf("responsibleStaff %q kept as %q", tt.staff, c.Investigation.ResponsibleStaff)
		}
	}
}

func TestStaffLadder(t *testing.T) {
	l := DefaultReportSettings().Ladder
	tests := []struct {
		count, serious int
		want           LadderOutcome
	}{
		{0, 0, LadderOutcome{}},
		{1, 1, LadderOutcome{}},
		{2, 0, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 100}},
		{3, 0, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 200}},
		{4, 0, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 300}},
		{5, 5, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 300}},                        // "more than 5"
		{6, 0, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 300}},                        // and serious
		{6, 1, LadderOutcome{Flagged: true, Criticism: true, FineYuan: 300, DismissalReview: true}}, // both
	}
	for _, tt := range tests {
		if got := l.For(tt.count, tt.serious); got != tt.want {
			t.Errorf("For(%d, %d) = %+v, want %+v", tt.count, tt.serious, got, tt.want)
		}
	}
	// The thresholds and amounts are settings.
	custom := StaffLadder{Steps: []LadderStep{{AtLeast: 3, FineYuan: 50}}, DismissalAbove: 10}
	if got := custom.For(2, 0); got.Flagged {
		t.Errorf("custom ladder flags 2: %+v", got)
	}
	if got := custom.For(3, 0); !got.Flagged || got.FineYuan != 50 || got.Criticism {
		t.Errorf("custom ladder at 3: %+v", got)
	}
}

func TestReportSettingsValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Settings)
		field  string
	}{
		{"no steps", func(s *Settings) { s.Reports.Ladder.Steps = nil }, "reports.ladder.steps"},
		{"falling thresholds", func(s *Settings) { s.Reports.Ladder.Steps[1].AtLeast = 2 }, "reports.ladder.steps[1].atLeast"},
		{"negative fine", func(s *Settings) { s.Reports.Ladder.Steps[0].FineYuan = -1 }, "reports.ladder.steps[0].fineYuan"},
		{"dismissal below the first step", func(s *Settings) { s.Reports.Ladder.DismissalAbove = 1 }, "reports.ladder.dismissalAbove"},
		{"risk window of 0 days", func(s *Settings) { s.Reports.RiskDays = 0 }, "reports.riskDays"},
		{"repeat of 1", func(s *Settings) { s.Reports.RepeatComplaints = 1 }, "reports.repeatComplaints"},
		{"13 months", func(s *Settings) { s.Reports.RepeatMonths = 13 }, "reports.repeatMonths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults("")
			s.Reports = DefaultReportSettings()
			tt.mutate(&s)
			ve, ok := s.Validate().(*ValidationError)
			if !ok || ve.Fields[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, s.Validate())
			}
		})
	}
	// A record stored before the report settings existed gets the defaults.
	var old Settings
	old.FillDefaults()
	if old.Reports.RiskDays != 90 || len(old.Reports.Ladder.Steps) != 3 || old.Reports.Ladder.Steps[0].FineYuan != 100 {
		t.Fatalf("%+v", old.Reports)
	}
}

func TestMonthsAndZones(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		zone  *time.Location
		at    string // UTC
		month string
	}{
		{shanghai, "2026-10-31T15:30:00Z", "2026-10"}, // 23:30 on the 31st in Shanghai
		{shanghai, "2026-10-31T16:00:00Z", "2026-11"}, // midnight
		{berlin, "2026-10-31T22:30:00Z", "2026-10"},   // 23:30 CET, after the clocks went back on the 25th
		{berlin, "2026-10-31T23:00:00Z", "2026-11"},
		{berlin, "2026-03-31T21:30:00Z", "2026-03"}, // 23:30 CEST, after the clocks went forward on the 29th
		{berlin, "2026-03-31T22:00:00Z", "2026-04"},
		{time.UTC, "2026-12-31T23:59:59Z", "2026-12"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.at)
		m := MonthOf(at, tt.zone)
		if m.String() != tt.month || !m.Contains(at, tt.zone) {
			t.Errorf("%s in %s: %s, want %s", tt.at, tt.zone, m, tt.month)
		}
	}
	// October in Berlin has 25 hours more than 30 days: the clocks go back.
	oct := Month{2026, time.October}
	if d := oct.End(berlin).Sub(oct.Start(berlin)); d != 31*24*time.Hour+time.Hour {
		t.Errorf("October in Berlin lasts %v", d)
	}
	if m := (Month{2026, time.January}).Add(-1); m.String() != "2025-12" {
		t.Errorf("January - 1 = %s", m)
	}
	if m := (Month{2026, time.November}).Add(-12); m.String() != "2025-11" {
		t.Errorf("a year before = %s", m)
	}
	for _, bad := range []string{"", "2026-13", "2026-1", "26-10", "2026-10-01", "1999-12"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
}

func TestReportScopes(t *testing.T) {
	mgr := Principal{Sub: "alice", Roles: []Role{RoleManager}, Department: "sales"}
	supSales := Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "sales"}
	dept := Principal{Sub: "fix", Roles: []Role{RoleDepartment}, Department: "repair"}
	admin := Principal{Sub: "root", Roles: []Role{RoleAdmin}}
	tests := []struct {
		p     Principal
		asked string
		want  string // "" = refused
	}{
		{mgr, "", "manager:alice"},
		{mgr, "manager:alice", "manager:alice"},
		{mgr, "manager:bob", ""},
		{mgr, "department:sales", ""},
		{mgr, "company", ""},
		{supSales, "", "department:sales"},
		{supSales, "department:north", ""},
		{supSales, "manager:alice", ""},
		{exec, "", "company"},
		{exec, "manager:alice", "manager:alice"},
		{exec, "department:north", "department:north"},
		{admin, "company", "company"},
		{dept, "", ""},
		{exec, "manager:", ""},
		{exec, "team:x", ""},
	}
	for _, tt := range tests {
		got, err := ReportScopeFor(tt.p, tt.asked)
		if (tt.want == "") != (err != nil) || (err == nil && got.String() != tt.want) {
			t.Errorf("%s asks %q: %v %v, want %q", tt.p.Sub, tt.asked, got, err, tt.want)
		}
	}
	if CanReadComplaintTable(mgr) || !CanReadComplaintTable(supSales) || !CanReadComplaintTable(exec) || CanReadComplaintTable(dept) {
		t.Error("the complaint statistics table is for executives, supervisors and admins")
	}
}

// The scope picker offers what CanReadReport allows: executives and
// admins every scope named, a supervisor their department, a manager their
// own (named or not), a handling department nothing.
func TestReadableReportScopes(t *testing.T) {
	mgr := Principal{Sub: "alice", Roles: []Role{RoleManager}, Department: "sales"}
	sup := Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "sales"}
	both := Principal{Sub: "sam", Roles: []Role{RoleSupervisor, RoleManager}, Department: "north"}
	dept := Principal{Sub: "fix", Roles: []Role{RoleDepartment}, Department: "repair"}
	depts, mgrs := []string{"sales", "north", "sales", "bad id"}, []string{"alice", "bob"}
	for _, tt := range []struct {
		p    Principal
		want string
	}{
		{exec, "company department:sales department:north manager:alice manager:bob"},
		{Principal{Sub: "root", Roles: []Role{RoleAdmin}}, "company department:sales department:north manager:alice manager:bob"},
		{sup, "department:sales"},
		{both, "department:north manager:sam"},
		{mgr, "manager:alice"},
		{Principal{Sub: "carol", Roles: []Role{RoleManager}}, "manager:carol"},
		{dept, ""},
	} {
		var got []string
		for _, s := range ReadableReportScopes(tt.p, depts, mgrs) {
			got = append(got, s.String())
			if !CanReadReport(tt.p, s) {
				t.Errorf("%s is offered %s, which CanReadReport refuses", tt.p.Sub, s)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s is offered %q, want %q", tt.p.Sub, strings.Join(got, " "), tt.want)
		}
	}
}

func TestContractsAndVolume(t *testing.T) {
	a := &Customer{ID: "A", Name: "甲", ManagerID: "alice", Department: "sales", Tier: TierKey}
	now := local("2026-11-23 10:00")
	k, err := NewContract(ContractInput{Start: "2026-01-01", End: "2026-12-31", Value: 100, Renews: " k1 "}, "k2", a, sup, now)
	if err != nil || k.Renews != "k1" || k.ManagerID != "alice" || k.Tier != TierKey || k.CreatedBy != "sue" {
		t.Fatalf("%+v %v", k, err)
	}
	for name, in := range map[string]ContractInput{
		"end":    {Start: "2026-02-01", End: "2026-01-31"},
		"start":  {Start: "2026-02-30", End: "2026-03-31"},
		"value":  {Start: "2026-01-01", End: "2026-01-31", Value: -1},
		"renews": {Start: "2026-01-01", End: "2026-01-31", Renews: "a b"},
	} {
		_, err := NewContract(in, "k", a, sup, now)
		if ve, ok := err.(*ValidationError); !ok || ve.Fields[name] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	v, err := NewVolume(VolumeInput{Amount: 5}, "2026-11", a, sup, now, shanghai)
	if err != nil || v.Month != "2026-11" || v.Tier != TierKey {
		t.Fatalf("%+v %v", v, err)
	}
	if _, err := NewVolume(VolumeInput{Amount: 5}, "2026-12", a, sup, now, shanghai); err == nil {
		t.Error("a future month accepted")
	}
	if _, err := NewVolume(VolumeInput{Amount: -5}, "2026-10", a, sup, now, shanghai); err == nil {
		t.Error("a negative amount accepted")
	}
}

func TestSnapshotHashAndCompare(t *testing.T) {
	in := knownMonth(t)
	r := ComputeReport(in, CompanyScope, nil, BasisOf(Defaults("Asia/Shanghai")))
	snap, body, err := NewSnapshot(r, local("2026-11-01 08:00"))
	if err != nil || len(snap.Hash) != 64 || len(body) == 0 {
		t.Fatalf("%v %q", err, snap.Hash)
	}
	again, _, _ := NewSnapshot(ComputeReport(in, CompanyScope, nil, BasisOf(Defaults("Asia/Shanghai"))), time.Now())
	if again.Hash != snap.Hash {
		t.Fatal("the same items give another hash")
	}
	v, err := Compare(snap, r)
	if err != nil || !v.Matches || len(v.Changed) != 0 {
		t.Fatalf("%+v %v", v, err)
	}
	in.Received = in.Received[:4] // a complaint went missing
	v, _ = Compare(snap, ComputeReport(in, CompanyScope, nil, BasisOf(Defaults("Asia/Shanghai"))))
	if v.Matches || len(v.Changed) == 0 || v.Changed[0] != KPIComplaints {
		t.Fatalf("%+v", v)
	}
}
