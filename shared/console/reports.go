package console

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"keycare/shared/domain"
)

// ErrReportsUnavailable is the answer of Reports until the monthly report
// (shared/report) is wired into the console.
var ErrReportsUnavailable = errors.New("console: the monthly report is not available yet")

// Reports is the monthly quality report (每月服务质量报告) as the console
// shows it: the seam to shared/report. ServiceReports fills these types
// from report.Service; NoReports says the report is not available. Each
// read is on the report service's access record.
type Reports interface {
	// Latest is last month's kept report of p's own scope, for a glance
	// (executives' My day): the snapshot as kept, never computed — Missing
	// when the month is not kept yet.
	Latest(ctx context.Context, p domain.Principal, lang string) (ReportPage, error)
	// Monthly is the report of month (YYYY-MM) for scope ("" for p's own),
	// with the scopes p may pick, the complaint statistics table for those
	// allowed, and the months kept for the scope. A scope p may not read is
	// a domain.ForbiddenError, a malformed one a domain.ValidationError.
	Monthly(ctx context.Context, p domain.Principal, month, scope, lang string) (ReportPage, error)
	// Verify recounts the kept report of month and scope and says whether
	// it still matches its hash (domain.ErrNotFound when none is kept).
	Verify(ctx context.Context, p domain.Principal, month, scope, lang string) (Verification, error)
	// File is a download of month's report of scope: ReportFiles names them.
	File(ctx context.Context, p domain.Principal, month, scope, name, lang string) (File, error)
}

// ReportFiles are the downloads of a month.
var ReportFiles = []string{"report.csv", "report.xlsx", "complaints.csv", "complaints.xlsx"}

// ReportPage is one month's report as the page shows it.
type ReportPage struct {
	Month      string
	ScopeValue string // the scope as the API names it ("company", "manager:<id>")
	Scope      string // whose figures, in words
	Kept       bool   // the snapshot kept for a month that has ended (else the month so far)
	Missing    bool   // Latest: the month is not kept yet (no figures)
	Hash       string // the snapshot's content hash
	Empty      bool   // nothing to report this month: the page says so
	Figures    []Figure
	// Trend is one headline figure over 12 months (TrendLabel, in percent).
	TrendLabel string
	Trend      []TrendPoint
	Table      *Table   // the complaint statistics table (投诉统计表)
	Risks      []string // the accounts at risk, first those renewing soon
	Scopes     []ScopeChoice
	Snapshots  []Snapshot
}

// ScopeChoice is a scope the person may pick.
type ScopeChoice struct {
	Value, Label string
	Selected     bool
}

// Figure is a headline figure against its target and last month.
type Figure struct {
	Label, Value, Target, Last string
	Met                        string // against the target: "met", "missed", or "" without one
}

// TrendPoint is one month of the trend.
type TrendPoint struct {
	Month string
	Value float64
	Has   bool // false: no figure that month
}

// Table is a table of words.
type Table struct {
	Head []string
	Rows [][]string
}

// Snapshot is a kept report of the page's scope: its month, when it was
// made (company time) and its hash.
type Snapshot struct{ Month, Made, Hash string }

// Verification is a kept report recounted from the raw items.
type Verification struct {
	Month, ScopeValue, Scope string
	Matches                  bool
	Hash, Recomputed         string
	Changed                  []string // the headline figures that moved, in words
}

// File is a download.
type File struct {
	Name, ContentType string
	Body              []byte
}

// NoReports is Reports while shared/report is not wired in: every page
// says the monthly report is not available yet.
type NoReports struct{}

// Latest implements Reports.
func (NoReports) Latest(context.Context, domain.Principal, string) (ReportPage, error) {
	return ReportPage{}, ErrReportsUnavailable
}

// Monthly implements Reports.
func (NoReports) Monthly(context.Context, domain.Principal, string, string, string) (ReportPage, error) {
	return ReportPage{}, ErrReportsUnavailable
}

// Verify implements Reports.
func (NoReports) Verify(context.Context, domain.Principal, string, string, string) (Verification, error) {
	return Verification{}, ErrReportsUnavailable
}

// File implements Reports.
func (NoReports) File(context.Context, domain.Principal, string, string, string, string) (File, error) {
	return File{}, ErrReportsUnavailable
}

type reportData struct {
	Month, Prev, Next string
	Scope             string // the scope asked for ("" for the person's own)
	Months            []string
	Page              *ReportPage
	Unavailable       bool
	Files             []reportFile
}

// reportFile is a download: the report's files are of the page's scope,
// the complaint table's of the company.
type reportFile struct {
	Name   string
	Scoped bool
}

// reportMonths are the months the picker offers: this one and the 24
// before it, newest first, and month if it is older.
func reportMonths(now domain.Month, month string) []string {
	out := make([]string, 0, 26)
	for i := 0; i <= 24; i++ {
		out = append(out, now.Add(-i).String())
	}
	if !contains(out, month) {
		out = append(out, month)
	}
	return out
}

// reports is the month's report of a scope (?month=YYYY-MM, last month by
// default; ?scope=, the person's own by default) with a picker of both — a
// GET form, no script — offering only the scopes the person may read; a
// scope they may not read by URL is the 403 page.
func (c *Console) reports(w http.ResponseWriter, r *http.Request, s *session) {
	v := c.view(r, s, "reports", nil)
	v.Title = v.T("nav.reports")
	month, scope := r.URL.Query().Get("month"), r.URL.Query().Get("scope")
	cur := domain.MonthOf(v.now, v.loc)
	if month == "" {
		month = cur.Add(-1).String()
	}
	m, err := domain.ParseMonth(month)
	if err != nil {
		c.failPage(w, r, s, http.StatusBadRequest, "badForm")
		return
	}
	d := &reportData{Month: month, Scope: scope, Prev: m.Add(-1).String(), Months: reportMonths(cur, month)}
	if !cur.Before(m.Add(1)) {
		d.Next = m.Add(1).String()
	}
	for _, f := range ReportFiles { // the complaint table's only to whom may read it
		table := strings.HasPrefix(f, "complaints.")
		if domain.CanReadComplaintTable(s.P) || !table {
			d.Files = append(d.Files, reportFile{Name: f, Scoped: !table})
		}
	}
	rp, err := c.Reports.Monthly(r.Context(), s.P, month, scope, s.Lang)
	switch {
	case errors.Is(err, ErrReportsUnavailable):
		d.Unavailable = true
	case err != nil:
		c.fail(w, r, s, err)
		return
	default:
		d.Page, d.Scope = &rp, rp.ScopeValue
	}
	v.D = d
	c.render(w, r, http.StatusOK, "reports", v)
}

// reportVerify recounts a kept month of a scope and says whether it still
// matches its hash (GET /console/reports/{month}/verify?scope=).
func (c *Console) reportVerify(w http.ResponseWriter, r *http.Request, s *session) {
	month := r.PathValue("month")
	if _, err := domain.ParseMonth(month); err != nil {
		c.failPage(w, r, s, http.StatusNotFound, "notFound")
		return
	}
	ver, err := c.Reports.Verify(r.Context(), s.P, month, r.URL.Query().Get("scope"), s.Lang)
	if errors.Is(err, ErrReportsUnavailable) {
		c.redirect(w, r, "/console/reports?month="+month)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := c.view(r, s, "reports", &ver)
	v.Title = v.Tf("verify.title", month)
	c.render(w, r, http.StatusOK, "verify", v)
}

func (c *Console) reportFile(w http.ResponseWriter, r *http.Request, s *session) {
	month, name := r.PathValue("month"), r.PathValue("file")
	if _, err := time.Parse("2006-01", month); err != nil || !contains(ReportFiles, name) {
		c.failPage(w, r, s, http.StatusNotFound, "notFound")
		return
	}
	f, err := c.Reports.File(r.Context(), s.P, month, r.URL.Query().Get("scope"), name, s.Lang)
	if errors.Is(err, ErrReportsUnavailable) { // the month's page says so
		c.redirect(w, r, "/console/reports?month="+month)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	secHeaders(w)
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, strings.ReplaceAll(f.Name, `"`, "")))
	_, _ = w.Write(f.Body)
}

// Chart draws the trend as inline SVG: a line over 12 months with its
// points, the last value written out, and a text alternative.
func (v *view) Chart(p *ReportPage) template.HTML {
	if p == nil || len(p.Trend) == 0 {
		return ""
	}
	const W, H, pad = 640.0, 200.0, 28.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range p.Trend {
		if t.Has {
			lo, hi = math.Min(lo, t.Value), math.Max(hi, t.Value)
		}
	}
	if math.IsInf(lo, 1) {
		return template.HTML(`<p class="muted">` + template.HTMLEscapeString(v.T("reports.noTrend")) + `</p>`)
	}
	lo, hi = math.Min(lo, 0), math.Max(hi, 100)
	x := func(i int) float64 { return pad + float64(i)*(W-2*pad)/float64(max(1, len(p.Trend)-1)) }
	y := func(val float64) float64 { return H - pad - (val-lo)/(hi-lo)*(H-2*pad) }
	var b strings.Builder
	alt := make([]string, 0, len(p.Trend))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="trend-title"><title id="trend-title">%s</title>`, W, H, template.HTMLEscapeString(p.TrendLabel))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#52606d" stroke-width="1"/>`, pad, y(lo), W-pad, y(lo))
	var path []string
	for i, t := range p.Trend {
		if i%2 == 0 || i == len(p.Trend)-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11" text-anchor="middle" fill="#3e4c59">%s</text>`, x(i), H-8, template.HTMLEscapeString(t.Month[2:]))
		}
		if !t.Has {
			alt = append(alt, t.Month+" —")
			continue
		}
		path = append(path, fmt.Sprintf("%.1f,%.1f", x(i), y(t.Value)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="#0b5cad"/>`, x(i), y(t.Value))
		alt = append(alt, t.Month+" "+v.Num(t.Value)+"%")
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5cad" stroke-width="2"/>`, strings.Join(path, " "))
	if last := p.Trend[len(p.Trend)-1]; last.Has {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" font-weight="700" text-anchor="end" fill="#1f2933">%s%%</text>`, x(len(p.Trend)-1), y(last.Value)-8, v.Num(last.Value))
	}
	b.WriteString(`</svg><p class="sr-only">` + template.HTMLEscapeString(p.TrendLabel+": "+strings.Join(alt, "; ")) + `</p>`)
	return template.HTML(b.String())
}
