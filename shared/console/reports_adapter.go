package console

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
	"keycare/shared/report"
	"keycare/shared/staff"
)

// ReportService is what the console reads of the monthly report
// (report.Service): the report of a month and scope, a glance at a kept
// one, a scope's kept months, the verification of one, and the complaint
// statistics table. Each read is on the service's access record.
type ReportService interface {
	Monthly(ctx context.Context, p domain.Principal, month, scope, format string) (report.View, error)
	Summary(ctx context.Context, p domain.Principal, month, scope string) (report.View, error)
	Kept(ctx context.Context, p domain.Principal, scope, before string) ([]domain.KeptReport, error)
	Verify(ctx context.Context, p domain.Principal, month, scope string) (domain.Verification, error)
	ComplaintTable(ctx context.Context, p domain.Principal, month, format string) (report.TableView, error)
}

// ReportSettings gives the settings in force (the company's time zone, the
// departments' names).
type ReportSettings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// ReportNames shows staff ids as names on pages and files.
type ReportNames interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// ServiceReports is Reports over the report service: the pages show its
// figures, the downloads are the API's CSV and XLSX exports.
type ServiceReports struct {
	Service  ReportService
	Settings ReportSettings
	Names    ReportNames
	Now      func() time.Time
}

// headline are the figures of the page, in order.
var headline = []string{domain.KPICSAT, domain.KPINPS, domain.KPIComplaints, domain.KPITimeliness,
	domain.KPIPassRate, domain.KPIHandlingSatisfaction, domain.KPIAtFault, domain.KPIOverdue}

// trendKPI is the figure of the 12-month trend.
const trendKPI = domain.KPICSAT

func word(lang, key string) string {
	w, ok := words()[key]
	switch {
	case !ok:
		return key
	case lang == "en":
		return w[1]
	}
	return w[0]
}

func (a ServiceReports) names(ctx context.Context) func(string) string {
	if a.Names != nil {
		if d, err := a.Names.Directory(ctx); err == nil {
			return d.Name
		}
	}
	return func(id string) string { return id }
}

// Latest implements Reports: last month's report of p's own scope as
// kept (report.Service.Summary: one read, one access-record entry), or
// Missing while the month is not kept — never computed on a page load.
func (a ServiceReports) Latest(ctx context.Context, p domain.Principal, lang string) (ReportPage, error) {
	set, err := a.Settings.Current(ctx)
	if err != nil {
		return ReportPage{}, err
	}
	month := domain.MonthOf(a.Now(), set.Location()).Add(-1).String() // not AddDate: 31 March less a month is 3 March
	v, err := a.Service.Summary(ctx, p, month, "")
	if errors.Is(err, domain.ErrNotFound) {
		return ReportPage{Month: month, Missing: true}, nil
	}
	if err != nil {
		return ReportPage{}, err
	}
	return a.page(ctx, v, nil, set, lang), nil
}

// Monthly implements Reports: month's report of scope ("" for p's own),
// the scopes p may pick (domain.ReadableReportScopes: the rule of the
// report itself), the complaint statistics table for those allowed to read
// it, and the months kept for the scope.
func (a ServiceReports) Monthly(ctx context.Context, p domain.Principal, month, scope, lang string) (ReportPage, error) {
	set, err := a.Settings.Current(ctx)
	if err != nil {
		return ReportPage{}, err
	}
	v, err := a.Service.Monthly(ctx, p, month, scope, report.ReadHTML)
	if err != nil {
		return ReportPage{}, err
	}
	var tv *report.TableView
	if domain.CanReadComplaintTable(p) {
		t, err := a.Service.ComplaintTable(ctx, p, month, report.ReadHTML)
		if err != nil {
			return ReportPage{}, err
		}
		tv = &t
	}
	kept, err := a.Service.Kept(ctx, p, v.Scope, "")
	if err != nil {
		return ReportPage{}, err
	}
	pg := a.page(ctx, v, tv, set, lang)
	loc := set.Location()
	for _, k := range kept {
		pg.Snapshots = append(pg.Snapshots, Snapshot{Month: k.Month, Made: k.CreatedAt.In(loc).Format("2006-01-02 15:04"), Hash: k.Hash})
	}
	names := a.names(ctx)
	var depts, mgrs []string
	for _, d := range set.Departments {
		depts = append(depts, d.ID)
	}
	if a.Names != nil {
		if dir, err := a.Names.Directory(ctx); err == nil {
			depts = append(depts, dir.Departments()...)
			for _, m := range dir.Managers() {
				mgrs = append(mgrs, m.ID)
			}
		}
	}
	for _, sc := range domain.ReadableReportScopes(p, depts, mgrs) {
		pg.Scopes = append(pg.Scopes, ScopeChoice{Value: sc.String(), Label: scopeWords(sc.String(), set, lang, names), Selected: sc.String() == v.Scope})
	}
	return pg, nil
}

// Verify implements Reports: the recount of a kept month of scope.
func (a ServiceReports) Verify(ctx context.Context, p domain.Principal, month, scope, lang string) (Verification, error) {
	set, err := a.Settings.Current(ctx)
	if err != nil {
		return Verification{}, err
	}
	v, err := a.Service.Verify(ctx, p, month, scope)
	if err != nil {
		return Verification{}, err
	}
	out := Verification{Month: v.Month, ScopeValue: v.Scope, Scope: scopeWords(v.Scope, set, lang, a.names(ctx)), Matches: v.Matches, Hash: v.Hash, Recomputed: v.RecomputedHash}
	for _, k := range v.Changed {
		out.Changed = append(out.Changed, word(lang, "kpi."+k))
	}
	return out, nil
}

// File implements Reports: the API's exports of month's report and table.
func (a ServiceReports) File(ctx context.Context, p domain.Principal, month, scope, name, lang string) (File, error) {
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	switch name {
	case "report.csv", "report.xlsx":
		how := report.ReadCSV
		if name == "report.xlsx" {
			how = report.ReadXLSX
		}
		v, err := a.Service.Monthly(ctx, p, month, scope, how)
		if err != nil {
			return File{}, err
		}
		base := "keycare-" + v.Month + "-" + strings.ReplaceAll(v.Scope, ":", "-")
		if how == report.ReadCSV {
			return File{Name: base + ".csv", ContentType: "text/csv; charset=utf-8", Body: report.CSV(v.Report, lang, a.names(ctx))}, nil
		}
		b, err := report.ReportXLSX(v.Report, lang, a.names(ctx))
		return File{Name: base + ".xlsx", ContentType: xlsx, Body: b}, err
	case "complaints.csv", "complaints.xlsx":
		how := report.ReadCSV
		if name == "complaints.xlsx" {
			how = report.ReadXLSX
		}
		v, err := a.Service.ComplaintTable(ctx, p, month, how)
		if err != nil {
			return File{}, err
		}
		if how == report.ReadCSV {
			return File{Name: "complaints-" + v.Month + ".csv", ContentType: "text/csv; charset=utf-8", Body: report.TableCSV(v.ComplaintTable, lang)}, nil
		}
		b, err := report.TableXLSX(v.ComplaintTable, lang)
		return File{Name: "complaints-" + v.Month + ".xlsx", ContentType: xlsx, Body: b}, err
	}
	return File{}, domain.ErrNotFound
}

func (a ServiceReports) page(ctx context.Context, v report.View, tv *report.TableView, set domain.Settings, lang string) ReportPage {
	r := v.Report
	names := a.names(ctx)
	pg := ReportPage{Month: v.Month, ScopeValue: v.Scope, Kept: v.Kept, Hash: v.Hash, Empty: r.Empty, Scope: scopeWords(r.Scope, set, lang, names)}
	kpis := map[string]domain.KPI{}
	for _, k := range r.KPIs {
		kpis[k.Key] = k
	}
	for _, key := range headline {
		k, ok := kpis[key]
		if !ok {
			continue
		}
		f := Figure{Label: word(lang, "kpi."+key), Value: kpiValue(k.Unit, k.Value), Last: kpiValue(k.Unit, k.LastMonth)}
		if k.Value == nil {
			f.Value = "—"
		}
		if k.Target != nil {
			f.Target = kpiValue(k.Unit, k.Target)
		}
		if k.Met != nil {
			f.Met = map[bool]string{true: "met", false: "missed"}[*k.Met]
		}
		pg.Figures = append(pg.Figures, f)
		if key == domain.KPIComplaints { // closed beside received
			pg.Figures = append(pg.Figures, Figure{Label: word(lang, "kpi.closed"), Value: strconv.Itoa(r.Complaints.Closed)})
		}
	}
	pg.TrendLabel = word(lang, "kpi."+trendKPI)
	for _, t := range r.Trend {
		x, ok := t.Values[trendKPI]
		pg.Trend = append(pg.Trend, TrendPoint{Month: t.Month, Value: x, Has: ok})
	}
	for _, e := range r.Risk {
		reasons := make([]string, 0, len(e.Reasons))
		for _, rr := range e.Reasons {
			w := word(lang, "risk."+rr.Kind)
			if strings.Contains(w, "%s") {
				w = fmt.Sprintf(w, rr.Ref)
			}
			reasons = append(reasons, w)
		}
		line := e.CustomerName
		if e.ManagerID != "" {
			line += " (" + names(e.ManagerID) + ")"
		}
		if len(reasons) > 0 {
			line += word(lang, "reports.because") + strings.Join(reasons, word(lang, "reports.sep"))
		}
		pg.Risks = append(pg.Risks, line)
	}
	if tv != nil {
		t := &Table{}
		for _, h := range []string{"category", "department", "received", "closed", "closedInTime", "atFault", "avgDays", "overdue"} {
			t.Head = append(t.Head, word(lang, "table."+h))
		}
		row := func(x domain.TableRow, first, dept string) []string {
			avg := "—"
			if x.AvgDays != nil {
				avg = strconv.FormatFloat(*x.AvgDays, 'f', 1, 64)
			}
			return []string{first, dept, strconv.Itoa(x.Received), strconv.Itoa(x.Closed), strconv.Itoa(x.ClosedInTime),
				strconv.Itoa(x.AtFault), avg, strconv.Itoa(x.Overdue)}
		}
		for _, x := range tv.Rows {
			dept := word(lang, "table.unassigned")
			if x.Department != "" {
				dept = set.DepartmentName(x.Department, lang)
			}
			t.Rows = append(t.Rows, row(x, word(lang, "category."+string(x.Category)), dept))
		}
		t.Rows = append(t.Rows, row(tv.Total, word(lang, "table.total"), ""))
		pg.Table = t
	}
	return pg
}

// scopeWords is whose figures a report has, in words.
func scopeWords(scope string, set domain.Settings, lang string, names func(string) string) string {
	sc, err := domain.ParseScope(scope)
	switch {
	case err != nil:
		return scope
	case sc.Kind == domain.ScopeCompany:
		return word(lang, "scope.company")
	case sc.Kind == domain.ScopeDepartment:
		return fmt.Sprintf(word(lang, "scope.department"), set.DepartmentName(sc.ID, lang))
	}
	return fmt.Sprintf(word(lang, "scope.manager"), names(sc.ID))
}

// kpiValue is a figure as written: percent with one decimal, NPS in
// points, counts whole ("" when there is none).
func kpiValue(unit string, v *float64) string {
	if v == nil {
		return ""
	}
	switch unit {
	case "%":
		return strings.TrimSuffix(strconv.FormatFloat(*v, 'f', 1, 64), ".0") + "%"
	case "count":
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	return strings.TrimSuffix(strconv.FormatFloat(*v, 'f', 1, 64), ".0")
}
