package console

import (
	"errors"
	"net/http"

	"keycare/shared/domain"
	"keycare/shared/mail"
)

// dayData is My day: the open complaints the person may see by next
// deadline, the items of their daily email (visit.Service.Day: the
// digest's rules), and for executives the latest monthly figures with the
// risk list.
type dayData struct {
	Complaints []domain.Complaint
	More       bool
	Sections   []mail.DigestSection
	Report     *ReportPage
	NoReport   string
}

// dayComplaints is how many complaints My day lists before "see all".
const dayComplaints = 10

func (c *Console) day(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	v := c.view(r, s, "day", nil)
	v.Title = v.T("nav.day")
	d := &dayData{}
	open, err := c.Complaints.Open(ctx, s.P, dayComplaints+1)
	if err != nil && !errors.Is(err, domain.ErrForbidden) {
		c.fail(w, r, s, err)
		return
	}
	d.More = len(open) > dayComplaints
	d.Complaints = open[:min(len(open), dayComplaints)]
	if d.Sections, err = c.Visits.Day(ctx, s.P, s.Lang); err != nil {
		c.fail(w, r, s, err)
		return
	}
	if s.P.HasAny(domain.RoleExecutive, domain.RoleAdmin) {
		rp, err := c.Reports.Latest(ctx, s.P, s.Lang)
		switch {
		case errors.Is(err, ErrReportsUnavailable):
			d.NoReport = v.T("reports.unavailable")
		case err != nil:
			c.fail(w, r, s, err)
			return
		default:
			d.Report = &rp
		}
	}
	v.D = d
	c.render(w, r, http.StatusOK, "day", v)
}

// Next is a complaint's next deadline as a badge (none when closed).
func (v *view) Next(cmp domain.Complaint) *Badge {
	next, ok := cmp.NextDeadline()
	if !ok {
		return nil
	}
	b := v.Due(next.Due)
	b.Text = v.T("deadline."+next.Kind) + " · " + b.Text
	return &b
}

// StatusL is a complaint state in words.
func (v *view) StatusL(s domain.ComplaintStatus) string { return s.Label(v.Lang) }

// TierL is a tier in words.
func (v *view) TierL(t domain.Tier) string {
	if t == "" {
		return "—"
	}
	return t.Label(v.Lang)
}

// PurposeL is a visit purpose in words.
func (v *view) PurposeL(p domain.VisitPurpose) string { return p.Label(v.Lang) }

// dayWhen is when a My day item is due: its day or time, and a badge when
// it is overdue or due within a day (the words carry the meaning).
type dayWhen struct {
	Label, At string
	Badge     *Badge
}

// DayItem is the when of a digest item as My day shows it.
func (v *view) DayItem(it mail.DigestItem) *dayWhen {
	w := &dayWhen{Label: it.DateLabel}
	switch {
	case !it.Due.IsZero():
		w.At = v.When(it.Due)
		if b := v.Due(it.Due); it.Overdue || b.Class != "later" {
			w.Badge = &b
		}
	case it.Date != "":
		w.At = it.Date
		if it.Overdue {
			if w.Badge = v.DueDate(it.Date); w.Badge == nil || w.Badge.Class != "late" {
				w.Badge = &Badge{Class: "late", Text: v.T("badge.late")}
			}
		}
	default:
		if it.Overdue {
			w.Badge = &Badge{Class: "late", Text: v.T("badge.late")}
		}
	}
	if w.At == "" && w.Badge == nil && w.Label == "" {
		return nil
	}
	return w
}
