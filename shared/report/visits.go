package report

import (
	"context"
	"time"

	"keycare/shared/domain"
)

// Visits is what the report needs from visits (客户拜访) and follow-ups
// (回访), per account, for one month as it stood at the cut-off: planned
// visits and how many were done, visit reports due and how many came on
// time (2 days after the visit), follow-ups due and how many were done by
// their due time, and whether the account is below its tier's visit
// frequency at the cut-off. The report aggregates the accounts per scope
// (their manager and department as recorded) and lists missed visits on the
// risk list.
//
// An implementation must answer with Queries over the month only — the
// month's visit plans, the visits and reports of the month, the follow-ups
// due in the month — and judge the frequency from what the visits side
// keeps per account (its coverage per period), so that the monthly run's
// cost grows with the month and not with the table.
type Visits interface {
	VisitMonth(ctx context.Context, month domain.Month, loc *time.Location, asOf time.Time) (domain.VisitMonth, error)
}

// NotRecorded answers that visits are not recorded (a service wired
// without visits); visit.Service answers in keycare.
type NotRecorded struct{}

// VisitMonth says nothing is recorded.
func (NotRecorded) VisitMonth(context.Context, domain.Month, *time.Location, time.Time) (domain.VisitMonth, error) {
	return domain.VisitMonth{Recorded: false}, nil
}
