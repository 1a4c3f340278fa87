package visit

import (
	"context"
	"fmt"
	"time"

	"keycare/shared/domain"
)

// VisitMonth gives the monthly report the visit figures of month as they
// stood at asOf (domain.VisitMonthOf), per account. It reads the month and
// not the history: the month's plans (one Query) and their visits
// (BatchGetItem), the visits reported as made in the month and those open
// and dated in it (one Query each), the follow-ups due in the month (one
// Query per UTC month spanned), every account and its last visit (one item
// each); an account whose last visit came after the cut-off and none in the
// month is read alone. Errors are the store's.
func (s *Service) VisitMonth(ctx context.Context, month domain.Month, loc *time.Location, asOf time.Time) (domain.VisitMonth, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return domain.VisitMonth{}, err
	}
	f := domain.VisitFacts{Month: month, Location: loc, AsOf: asOf, Settings: set.Visits, LastVisit: map[string]string{}}
	fail := func(what string, err error) (domain.VisitMonth, error) {
		return domain.VisitMonth{}, fmt.Errorf("visit: month %s: %s: %w", month, what, err)
	}
	if f.Plans, err = s.Store.PlansOfMonth(ctx, month.String()); err != nil {
		return fail("plans", err)
	}
	var ids []string
	for _, p := range f.Plans {
		if p.Status == domain.PlanApproved {
			for _, it := range p.Items {
				ids = append(ids, it.VisitID)
			}
		}
	}
	planned, err := s.Store.VisitsByID(ctx, ids)
	if err != nil {
		return fail("planned visits", err)
	}
	reported, err := s.Store.ReportedIn(ctx, month.String())
	if err != nil {
		return fail("reported visits", err)
	}
	first := month.Start(time.UTC).Format(time.DateOnly)
	last := month.End(time.UTC).AddDate(0, 0, -1).Format(time.DateOnly)
	open, err := s.Store.OpenVisitsBetween(ctx, first, last)
	if err != nil {
		return fail("open visits", err)
	}
	seen := map[string]bool{}
	for _, list := range [][]domain.Visit{planned, reported, open} {
		for _, v := range list {
			if !seen[v.ID] {
				seen[v.ID] = true
				f.Visits = append(f.Visits, v)
			}
		}
	}
	if f.FollowUps, err = s.FollowUps.DueBetween(ctx, month.Start(loc), month.End(loc)); err != nil {
		return fail("follow-ups", err)
	}
	if f.Accounts, err = s.Store.Accounts(ctx); err != nil {
		return fail("accounts", err)
	}
	lastOn, err := s.Store.LastVisits(ctx)
	if err != nil {
		return fail("last visits", err)
	}
	// The last visit before the cut-off's day: the one kept per account,
	// unless it came on or after that day (a later month, read afterwards);
	// then the latest of the month, else the account's own visits.
	cut := f.CutDay()
	inMonth := map[string]string{}
	for _, v := range reported {
		if d := v.Report.HappenedOn; d < cut && d > inMonth[v.CustomerID] {
			inMonth[v.CustomerID] = d
		}
	}
	for i := range f.Accounts {
		c := &f.Accounts[i]
		l := lastOn[c.ID]
		switch {
		case l < cut:
		case inMonth[c.ID] != "":
			l = inMonth[c.ID]
		case domain.VisitLookback(c, cut, set.Visits) >= first:
			l = "" // nothing since the lookback began: no earlier day changes the figure
		default:
			vs, err := s.Store.VisitsOfCustomer(ctx, c.ID)
			if err != nil {
				return fail("visits of "+c.ID, err)
			}
			l = ""
			for _, v := range vs {
				if v.Report != nil && v.Report.HappenedOn < cut && v.Report.HappenedOn > l {
					l = v.Report.HappenedOn
				}
			}
		}
		f.LastVisit[c.ID] = l
	}
	return domain.VisitMonthOf(f), nil
}
