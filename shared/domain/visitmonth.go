package domain

import (
	"sort"
	"time"
)

// The visit figures of a monthly report (拜访与回访), judged as they stood
// at the cut-off (the month's end, or now for the month in progress):
//
//   - Planned vs done (拜访计划完成率): the items of the month's visit plans
//     approved by the cut-off; done when the item's visit was reported by
//     the cut-off (a visit cancelled, or not reported yet, is not done).
//     Ad-hoc visits are outside the plan and outside this figure.
//   - Reports on time (拜访报告及时率): the visits of the month — scheduled
//     (from an approved plan, or an ad-hoc visit approved) by the cut-off,
//     not cancelled by then, made in the month (the day it happened once
//     reported by the cut-off, else its planned date) — whose report was
//     due by the cut-off or was filed by it; on time when filed by its due
//     date (2 working days after the visit). A report still within its
//     days at the cut-off and not filed is not counted yet.
//   - Follow-ups on time (回访及时率): the callbacks (greetings apart) due in
//     the month that were done by the cut-off or whose day of grace had
//     passed by then; on time when done within a day of their due time.
//   - Below frequency (低于拜访频次): active accounts whose last tier period
//     ended by the cut-off without a visit and none since
//     (FrequencyAlertFor on the cut-off's day), by the day the visits
//     happened.
//
// Each item counts for the account, manager and department recorded on it.

// VisitFacts are the items a month's visit figures are judged from.
type VisitFacts struct {
	Month    Month
	Location *time.Location
	AsOf     time.Time
	// Plans are the month's visit plans (every state; approved ones count).
	Plans []VisitPlan
	// Visits are the visits of the month's plans, those reported as made
	// in the month and those open and dated in it (one each, by id).
	Visits []Visit
	// FollowUps are the follow-ups due in the month.
	FollowUps []FollowUp
	// Accounts are every key-account file.
	Accounts []Customer
	// LastVisit is, per account, the last day before the cut-off's day on
	// which a reported visit happened ("" for none; any day before the
	// account's VisitLookback stands for all of them).
	LastVisit map[string]string
	Settings  VisitSettings
}

// CutDay is the cut-off's day in the company zone: the 1st of the next
// month for a month that has ended.
func (f VisitFacts) CutDay() string { return f.AsOf.In(f.Location).Format(time.DateOnly) }

// VisitMonthOf judges the facts: per account (and its manager and
// department), the visit figures of the month.
func VisitMonthOf(f VisitFacts) VisitMonth {
	byKey := map[[3]string]*VisitAccount{}
	acct := func(customer, manager, dept string) *VisitAccount {
		k := [3]string{customer, manager, dept}
		if byKey[k] == nil {
			byKey[k] = &VisitAccount{CustomerID: customer, ManagerID: manager, Department: dept}
		}
		return byKey[k]
	}
	month, cutDay := f.Month.String(), f.CutDay()
	visits := map[string]*Visit{}
	for i := range f.Visits {
		visits[f.Visits[i].ID] = &f.Visits[i]
	}
	reportedBy := func(v *Visit) bool { return v.Report != nil && v.Report.ReportedAt.Before(f.AsOf) }

	for _, p := range f.Plans {
		if p.Month != month || p.Status != PlanApproved || p.ReviewedAt == nil || !p.ReviewedAt.Before(f.AsOf) {
			continue
		}
		for _, it := range p.Items {
			v := visits[it.VisitID]
			if v == nil {
				acct(it.CustomerID, p.ManagerID, p.Department).Planned++
				continue
			}
			a := acct(v.CustomerID, v.ManagerID, v.Department)
			a.Planned++
			if reportedBy(v) {
				a.Done++
			}
		}
	}

	for i := range f.Visits {
		v := &f.Visits[i]
		scheduled := (v.Source == "plan" && v.CreatedAt.Before(f.AsOf)) || (v.ApprovedAt != nil && v.ApprovedAt.Before(f.AsOf))
		if !scheduled || (v.Status == VisitCancelled && v.UpdatedAt.Before(f.AsOf)) {
			continue
		}
		day, reported := v.Date, reportedBy(v)
		if reported {
			day = v.Report.HappenedOn
		}
		if len(day) < 7 || day[:7] != month {
			continue
		}
		a := acct(v.CustomerID, v.ManagerID, v.Department)
		switch {
		case reported:
			a.ReportsDue++
			if !v.Report.Late {
				a.ReportsOnTime++
			}
		case cutDay > v.ReportDue:
			a.ReportsDue++
		}
	}

	for _, fu := range f.FollowUps {
		if fu.Kind == FollowUpGreeting || !f.Month.Contains(fu.DueAt, f.Location) {
			continue
		}
		done := fu.Status == FollowUpDone && fu.Result != nil && fu.Result.At.Before(f.AsOf)
		switch {
		case done:
			a := acct(fu.CustomerID, fu.ManagerID, fu.Department)
			a.FollowUpsDue++
			if !fu.Result.Late {
				a.FollowUpsOnTime++
			}
		case f.AsOf.After(fu.DueAt.Add(24 * time.Hour)):
			acct(fu.CustomerID, fu.ManagerID, fu.Department).FollowUpsDue++
		}
	}

	for i := range f.Accounts {
		c := &f.Accounts[i]
		if al := FrequencyAlertFor(c, f.LastVisit[c.ID], cutDay, f.Settings); al != nil && al.Below {
			acct(c.ID, c.ManagerID, c.Department).BelowFrequency = true
		}
	}

	out := VisitMonth{Recorded: true, Accounts: make([]VisitAccount, 0, len(byKey))}
	for _, a := range byKey {
		out.Accounts = append(out.Accounts, *a)
	}
	sort.Slice(out.Accounts, func(i, j int) bool {
		a, b := out.Accounts[i], out.Accounts[j]
		if a.CustomerID != b.CustomerID {
			return a.CustomerID < b.CustomerID
		}
		if a.ManagerID != b.ManagerID {
			return a.ManagerID < b.ManagerID
		}
		return a.Department < b.Department
	})
	return out
}

// VisitLookback is the first day a visit must have happened on for account
// c not to be below its frequency at the cut-off's day: the start of the
// tier period before the running one.
func VisitLookback(c *Customer, cutDay string, vs VisitSettings) string {
	start, _ := vs.TierPeriod(c.Tier, cutDay)
	ps, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return ""
	}
	prev, _ := vs.TierPeriod(c.Tier, ps.AddDate(0, 0, -1).Format(time.DateOnly))
	return prev
}
