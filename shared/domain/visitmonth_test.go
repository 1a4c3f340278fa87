package domain

import (
	"testing"
	"time"
)

// knownVisits is October 2026 in Shanghai, as of its end, with a known
// answer for every visit figure (see TestVisitMonthOfKnownMonth).
func knownVisits() VisitFacts {
	at := func(s string) *time.Time { t := local(s); return &t }
	created := local("2025-01-01 09:00")
	cust := func(id, manager, dept string, tier Tier) Customer {
		return Customer{ID: id, Name: id, ManagerID: manager, Department: dept, Tier: tier, Status: StatusActive, CreatedAt: created}
	}
	visit := func(id string, a acct, date, source, due string) Visit {
		v := Visit{ID: id, CustomerID: a.id, ManagerID: a.manager, Department: a.dept, Date: date, Source: source, Status: VisitPlanned,
			ReportDue: due, CreatedAt: local("2026-09-29 10:00"), UpdatedAt: local("2026-09-29 10:00")}
		if source == "ad-hoc" {
			v.CreatedAt = local(date + " 08:00").Add(-48 * time.Hour)
		}
		return v
	}
	reported := func(v Visit, happened, at string, due string, late bool) Visit {
		v.Status, v.Report = VisitReported, &VisitReport{HappenedOn: happened, ReportedAt: local(at), Due: due, Late: late}
		return v
	}
	accD := acct{"D", "丁公司", "alice", "sales", TierKey}
	v1 := reported(visit("v1", accA, "2026-10-08", "plan", "2026-10-12"), "2026-10-08", "2026-10-09 10:00", "2026-10-12", false)
	v2 := reported(visit("v2", accD, "2026-10-20", "plan", "2026-10-22"), "2026-10-20", "2026-10-26 10:00", "2026-10-22", true)
	v3 := visit("v3", accA, "2026-10-29", "plan", "2026-11-02") // its report still within its days at the cut-off
	v4 := visit("v4", accB, "2026-10-12", "plan", "2026-10-14")
	v4.Status, v4.UpdatedAt = VisitCancelled, local("2026-10-11 10:00") // planned, cancelled: not done
	// Made on the 30th, reported on 2 November (on time, after the cut-off): not done as of the month's end.
	v5 := reported(visit("v5", accB, "2026-10-30", "plan", "2026-11-03"), "2026-10-30", "2026-11-02 09:00", "2026-11-03", false)
	v6 := visit("v6", accC, "2026-10-14", "ad-hoc", "2026-10-16") // approved, never reported: overdue
	v6.ApprovedAt = at("2026-10-13 09:00")
	v7 := visit("v7", accA, "2026-10-21", "ad-hoc", "2026-10-23") // proposed, never approved
	v7.Status = VisitProposed
	// Planned for 29 September, made on 1 October: October's.
	v8 := reported(visit("v8", accB, "2026-09-29", "ad-hoc", "2026-10-08"), "2026-10-01", "2026-10-02 10:00", "2026-10-08", false)
	v8.ApprovedAt = at("2026-09-28 09:00")
	// September's plan, made on the 30th and reported late in October: September's.
	v9 := reported(visit("v9", accD, "2026-09-30", "plan", "2026-10-09"), "2026-09-30", "2026-10-12 10:00", "2026-10-09", true)

	plan := func(manager, dept, status string, reviewed *time.Time, items ...PlanItem) VisitPlan {
		return VisitPlan{ID: PlanID("2026-10", manager), ManagerID: manager, Department: dept, Month: "2026-10", Items: items, Status: PlanStatus(status), ReviewedAt: reviewed}
	}
	item := func(v Visit) PlanItem { return PlanItem{CustomerID: v.CustomerID, Date: v.Date, VisitID: v.ID} }
	fu := func(id string, a acct, kind FollowUpKind, due, done string, late bool) FollowUp {
		f := FollowUp{ID: id, Kind: kind, CustomerID: a.id, ManagerID: a.manager, Department: a.dept, DueAt: local(due), Status: FollowUpOpen}
		if done != "" {
			f.Status, f.Result = FollowUpDone, &FollowUpResult{At: local(done), Late: late}
		}
		return f
	}
	return VisitFacts{
		Month: Month{2026, time.October}, Location: shanghai, AsOf: local("2026-11-01 00:00"), Settings: DefaultVisitSettings(),
		Plans: []VisitPlan{
			plan("alice", "sales", "approved", at("2026-09-29 10:00"), item(v1), item(v2), item(v3)),
			plan("carol", "sales", "approved", at("2026-09-30 10:00"), item(v4), item(v5)),
			plan("dave", "north", "returned", at("2026-09-30 10:00"), PlanItem{CustomerID: "C", Date: "2026-10-15"}),
		},
		Visits: []Visit{v1, v2, v3, v4, v5, v6, v7, v8, v9},
		FollowUps: []FollowUp{
			fu("f1", accA, FollowUpPurchase, "2026-10-05 10:00", "2026-10-05 15:00", false),
			fu("f2", accB, FollowUpEvent, "2026-10-10 10:00", "2026-10-12 10:00", true),
			fu("f3", accC, FollowUpHandover, "2026-10-20 10:00", "", false),
			fu("f4", accA, FollowUpGreeting, "2026-10-01 09:00", "", false),                 // greetings apart
			fu("f5", accD, FollowUpPoorAnswer, "2026-10-31 20:00", "", false),               // its day of grace runs past the cut-off
			fu("f6", accB, FollowUpPurchase, "2026-10-31 09:00", "2026-11-01 05:00", false), // done after the cut-off, in time
			fu("f7", accA, FollowUpContract, "2026-09-30 10:00", "", false),                 // September's
			fu("f8", accC, FollowUpPurchase, "2026-10-31 23:30", "2026-10-31 23:50", false), // the month's last half hour
		},
		Accounts: []Customer{cust("A", "alice", "sales", TierStrategic), cust("B", "carol", "sales", TierKey), cust("C", "dave", "north", TierOrdinary),
			cust("D", "alice", "sales", TierKey), cust("K", "carol", "sales", TierKey), cust("L", "dave", "north", TierStrategic)},
		LastVisit: map[string]string{"A": "2026-10-08", "B": "2026-10-01", "D": "2026-10-20", "K": "2026-06-20", "L": "2026-09-30"},
	}
}

func TestVisitMonthOfKnownMonth(t *testing.T) {
	got := VisitMonthOf(knownVisits())
	eq(t, "recorded", got.Recorded, true)
	eq(t, "accounts", got.Accounts, []VisitAccount{
		// A: v1 and v3 planned, v1 done and reported on time (v3's report is not due yet); f1 on time.
		{CustomerID: "A", ManagerID: "alice", Department: "sales", Planned: 2, Done: 1, ReportsDue: 1, ReportsOnTime: 1, FollowUpsDue: 1, FollowUpsOnTime: 1},
		// B: v4 (cancelled) and v5 (reported after the cut-off) planned, none done; v8 made on 1 October, on time; f2 late.
		{CustomerID: "B", ManagerID: "carol", Department: "sales", Planned: 2, ReportsDue: 1, ReportsOnTime: 1, FollowUpsDue: 1},
		// C: v6 never reported; f3 overdue, f8 on time; no visit for a half year: below.
		{CustomerID: "C", ManagerID: "dave", Department: "north", ReportsDue: 1, FollowUpsDue: 2, FollowUpsOnTime: 1, BelowFrequency: true},
		// D: v2 done, reported late.
		{CustomerID: "D", ManagerID: "alice", Department: "sales", Planned: 1, Done: 1, ReportsDue: 1},
		// K (quarterly): last visit in June, none in the third quarter. L (monthly): none in October.
		{CustomerID: "K", ManagerID: "carol", Department: "sales", BelowFrequency: true},
		{CustomerID: "L", ManagerID: "dave", Department: "north", BelowFrequency: true},
	})

	// Mid-month, v1 is done; the plan of alice counts once approved.
	f := knownVisits()
	f.AsOf = local("2026-10-16 00:00")
	mid := VisitMonthOf(f)
	eq(t, "mid-month A", mid.Accounts[0], VisitAccount{CustomerID: "A", ManagerID: "alice", Department: "sales", Planned: 2, Done: 1, ReportsDue: 1, ReportsOnTime: 1, FollowUpsDue: 1, FollowUpsOnTime: 1})
	f.AsOf = local("2026-09-29 09:00") // before the plans were approved
	if early := VisitMonthOf(f); len(early.Accounts) != 0 && early.Accounts[0].Planned != 0 {
		t.Errorf("plans count before their approval: %+v", early.Accounts)
	}
}

func TestVisitLookback(t *testing.T) {
	vs := DefaultVisitSettings()
	for _, tc := range []struct {
		tier      Tier
		cut, want string
	}{
		{TierStrategic, "2026-11-01", "2026-10-01"},
		{TierKey, "2026-11-01", "2026-07-01"},
		{TierKey, "2026-10-01", "2026-07-01"},
		{TierOrdinary, "2026-11-01", "2026-01-01"},
		{TierOrdinary, "2027-01-01", "2026-07-01"},
	} {
		if got := VisitLookback(&Customer{Tier: tc.tier}, tc.cut, vs); got != tc.want {
			t.Errorf("%s on %s: %s, want %s", tc.tier, tc.cut, got, tc.want)
		}
	}
}
