package console

import (
	"context"
	"testing"
	"time"

	"keycare/shared/domain"
	"keycare/shared/report"
)

type monthsAsked struct {
	months   []string // glances at kept reports (Summary)
	computed []string // reports read whole (Monthly)
	none     bool     // no month is kept
}

func (m *monthsAsked) Monthly(_ context.Context, _ domain.Principal, month, _, _ string) (report.View, error) {
	m.computed = append(m.computed, month)
	return report.View{}, nil
}

func (m *monthsAsked) Summary(_ context.Context, _ domain.Principal, month, _ string) (report.View, error) {
	m.months = append(m.months, month)
	if m.none {
		return report.View{}, domain.ErrNotFound
	}
	return report.View{Kept: true}, nil
}

func (m *monthsAsked) Kept(context.Context, domain.Principal, string, string) ([]domain.KeptReport, error) {
	return nil, nil
}

func (m *monthsAsked) Verify(context.Context, domain.Principal, string, string) (domain.Verification, error) {
	return domain.Verification{}, nil
}

func (m *monthsAsked) ComplaintTable(context.Context, domain.Principal, string, string) (report.TableView, error) {
	return report.TableView{}, nil
}

type fixedSettings struct{}

func (fixedSettings) Current(context.Context) (domain.Settings, error) {
	return domain.Defaults("Asia/Shanghai"), nil
}

// The latest report is last calendar month's, also on the 31st (March 31
// less a month by AddDate is March 3) and at midnight in the company's zone.
func TestLatestIsLastCalendarMonth(t *testing.T) {
	for now, want := range map[time.Time]string{
		time.Date(2027, 3, 31, 2, 0, 0, 0, time.UTC):   "2027-02",
		time.Date(2027, 1, 15, 2, 0, 0, 0, time.UTC):   "2026-12",
		time.Date(2027, 4, 30, 16, 30, 0, 0, time.UTC): "2027-04", // 1 May 00:30 in Shanghai
	} {
		svc := &monthsAsked{}
		a := ServiceReports{Service: svc, Settings: fixedSettings{}, Now: func() time.Time { return now }}
		if _, err := a.Latest(context.Background(), domain.Principal{Sub: "ceo", Roles: []domain.Role{domain.RoleExecutive}}, "zh"); err != nil {
			t.Fatal(err)
		}
		if len(svc.months) != 1 || svc.months[0] != want || len(svc.computed) != 0 {
			t.Errorf("at %s the latest report asked for %v (read whole: %v), want a glance at %s", now, svc.months, svc.computed, want)
		}
	}
}

// A month not kept yet is said so: the latest report is never computed on
// a page load.
func TestLatestNotKeptIsMissing(t *testing.T) {
	svc := &monthsAsked{none: true}
	a := ServiceReports{Service: svc, Settings: fixedSettings{}, Now: func() time.Time { return time.Date(2027, 2, 1, 0, 30, 0, 0, time.UTC) }}
	pg, err := a.Latest(context.Background(), domain.Principal{Sub: "ceo", Roles: []domain.Role{domain.RoleExecutive}}, "zh")
	if err != nil || !pg.Missing || pg.Month != "2027-01" || len(svc.computed) != 0 {
		t.Fatalf("latest while January is not kept: %+v %v (computed %v)", pg, err, svc.computed)
	}
}
