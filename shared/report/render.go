package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
)

// The report as people read it: one HTML layout for the email (the chart
// as cid:trend) and the report page (the chart as inline SVG), readable on
// a phone (one column, tables that fit or scroll sideways inside their box,
// never the page), a text part with the same figures, and the CSV and XLSX
// files (export.go).

type cell struct {
	Text   string
	Status string // "met", "missed" or ""
}

type row []cell

type table struct {
	Title string
	Head  []string
	Rows  []row
	Foot  row
	Wide  bool // scrolls sideways on a phone
	Num   int  // columns from this one are numbers (right-aligned)
}

type section struct {
	Title  string
	Lines  []string
	Tables []table
}

type pageData struct {
	Lang, Title, Period, Scope, AsOf, Note string
	Empty                                  string
	Email, WithTable                       bool
	Chart                                  template.HTML
	ChartAlt, ChartNote                    string
	Legend                                 []legendItem
	Risk                                   table
	RiskNone                               string
	KPIs                                   table
	Trend                                  table
	Sections                               []section
	Attach, Online, Hash, Footer           string
	L                                      func(string) string
}

type legendItem struct {
	Color, Label, Pattern, Dash string
}

func newPageData(snap domain.Snapshot, lang string, names func(string) string) pageData {
	r := snap.Report
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d := pageData{Lang: lang, Title: t(lang, "title"), Period: monthName(r.Month, lang), Scope: scopeName(r.Scope, lang, names),
		AsOf: tf(lang, "asOf", r.AsOf.In(loc).Format("2006-01-02 15:04"), r.TimeZone), Hash: tf(lang, "hash", snap.Hash),
		Online: tf(lang, "online", "/reports/monthly/"+r.Month+"?scope="+r.Scope), L: func(k string) string { return t(lang, k) }}
	if !r.Final {
		d.Note = t(lang, "inProgress")
	}
	if r.Empty {
		d.Empty = emptyLine(r, lang, names)
		return d
	}

	// Risk list first.
	d.Risk = table{Title: tf(lang, "risk", r.Basis.Reports.RiskDays), Head: []string{t(lang, "customer"), t(lang, "contractEnd"), t(lang, "reasons")}}
	for _, e := range r.Risk {
		var rs []string
		for _, x := range e.Reasons {
			rs = append(rs, reasonText(x, lang))
		}
		sep := "；"
		if lang == "en" {
			sep = "; "
		}
		d.Risk.Rows = append(d.Risk.Rows, row{{Text: e.CustomerName + " · " + label(tierLabels, string(e.Tier), lang)}, {Text: e.ContractEnd}, {Text: strings.Join(rs, sep)}})
	}
	if len(r.Risk) == 0 {
		d.RiskNone = t(lang, "risk.none")
	}

	// Headline figures.
	d.KPIs = table{Title: t(lang, "kpis"), Head: []string{t(lang, "figure"), t(lang, "thisMonth"), t(lang, "target"), t(lang, "lastMonth")}, Num: 1}
	for _, k := range r.KPIs {
		v := cell{Text: kpiValue(k.Unit, k.Value)}
		if k.Den > 0 {
			v.Text += " (" + strconv.Itoa(k.Num) + "/" + strconv.Itoa(k.Den) + ")"
		}
		target := "—"
		if k.Target != nil {
			target = "≥ " + kpiValue(k.Unit, k.Target)
			switch {
			case k.Missed():
				v.Status, v.Text = "missed", v.Text+" "+t(lang, "missed")
			case k.Met != nil:
				v.Status, v.Text = "met", v.Text+" "+t(lang, "met")
			}
		}
		d.KPIs.Rows = append(d.KPIs.Rows, row{{Text: kpiLabels[k.Key].in(lang)}, v, {Text: target}, {Text: kpiValue(k.Unit, k.LastMonth)}})
	}

	// The trend: chart, legend and the same numbers as a table.
	first, last := r.Trend[0].Month, r.Trend[len(r.Trend)-1].Month
	target := r.Basis.Targets.SatisfactionPct
	d.ChartAlt = t(lang, "trend.alt")
	d.ChartNote = tf(lang, "trend.note", first, last, pct(&target))
	for _, s := range trendSeries {
		dash := "solid"
		if len(s.dash) > 0 {
			dash = "dashed"
			if s.dash[0] < 5 {
				dash = "dotted"
			}
		}
		d.Legend = append(d.Legend, legendItem{Color: "#" + hex(s.color.R, s.color.G, s.color.B), Label: kpiLabels[s.key].in(lang), Pattern: patternName[s.key][langIdx(lang)], Dash: dash})
	}
	d.Trend = table{Title: t(lang, "trend"), Head: []string{t(lang, "month")}, Wide: true, Num: 1}
	for _, s := range trendSeries {
		d.Trend.Head = append(d.Trend.Head, shortKPI(s.key, lang))
	}
	d.Trend.Head = append(d.Trend.Head, shortKPI(domain.KPIComplaints, lang))
	for _, p := range r.Trend {
		rw := row{{Text: p.Month}}
		for _, key := range []string{domain.KPICSAT, domain.KPITimeliness, domain.KPIPassRate, domain.KPIHandlingSatisfaction} {
			rw = append(rw, cell{Text: pointValue(p, key, "%")})
		}
		rw = append(rw, cell{Text: pointValue(p, domain.KPIComplaints, "count")})
		d.Trend.Rows = append(d.Trend.Rows, rw)
	}

	d.Sections = append(d.Sections, satisfactionSection(r, lang, names), complaintSection(r, lang), staffSection(r, lang, names),
		accountSection(r, lang), visitSection(r, lang))
	if len(r.Managers) > 0 {
		d.Sections = append(d.Sections, managerSection(r, lang, names))
	}
	if r.Table != nil {
		d.Sections = append(d.Sections, section{Title: t(lang, "table"), Tables: []table{complaintTable(*r.Table, lang)}})
	}
	xlsx := ""
	if r.Table != nil {
		xlsx = t(lang, "attach.xlsx")
	}
	d.Attach = tf(lang, "attachments", xlsx)
	return d
}

func langIdx(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

func hex(r, g, b uint8) string { return fmt.Sprintf("%02x%02x%02x", r, g, b) }

func shortKPI(key, lang string) string {
	short := map[string]words{domain.KPICSAT: {"满意度", "CSAT"}, domain.KPITimeliness: {"及时率", "On time"}, domain.KPIPassRate: {"合格率", "Pass"},
		domain.KPIHandlingSatisfaction: {"处理满意率", "Handling sat."}, domain.KPIComplaints: {"投诉数", "Complaints"}}
	return short[key].in(lang)
}

func pointValue(p domain.TrendPoint, key, unit string) string {
	v, ok := p.Values[key]
	if !ok {
		return "—"
	}
	return kpiValue(unit, &v)
}

func counts(title string, cs []domain.Count, labels map[string]words, lang string) table {
	tb := table{Title: title, Head: []string{title, t(lang, "complaints")}, Num: 1}
	for _, c := range cs {
		tb.Rows = append(tb.Rows, row{{Text: label(labels, c.Key, lang)}, {Text: strconv.Itoa(c.N)}})
	}
	return tb
}

func satisfactionSection(r domain.Report, lang string, names func(string) string) section {
	s := r.Satisfaction
	sec := section{Title: t(lang, "satisfaction"), Lines: []string{
		tf(lang, "sat.summary", s.Invitations, s.Answered, pct(s.ResponseRate), s.Answers, s.Satisfied, s.Promoters, s.Passives, s.Detractors),
		tf(lang, "sat.aspects", num1(s.Aspects.Responsiveness), num1(s.Aspects.Quality), num1(s.Aspects.Professionalism)),
	}}
	if len(s.ByTier) > 0 {
		tb := table{Head: []string{t(lang, "tier"), t(lang, "invitations"), t(lang, "responseRate"), t(lang, "answers"), "CSAT", "NPS"}, Num: 1, Wide: true}
		for _, x := range s.ByTier {
			tb.Rows = append(tb.Rows, row{{Text: label(tierLabels, string(x.Tier), lang)}, {Text: strconv.Itoa(x.Invitations)}, {Text: pct(x.ResponseRate)},
				{Text: strconv.Itoa(x.Answers)}, {Text: pct(x.CSAT)}, {Text: num1(x.NPS)}})
		}
		sec.Tables = append(sec.Tables, tb)
	}
	return sec
}

func complaintSection(r domain.Report, lang string) section {
	c := r.Complaints
	sec := section{Title: t(lang, "complaints"), Lines: []string{
		tf(lang, "cmp.summary", c.Received, c.Rejected, c.Closed, c.ClosedOnTime, pct(c.Timeliness), c.Passed, pct(c.PassRate), c.Satisfied, pct(c.HandlingSatisfaction), c.AtFault),
	}}
	worst := c.WorstNumber
	if worst == "" {
		worst = "—"
	}
	sec.Lines = append(sec.Lines, tf(lang, "cmp.days", num1(c.AvgCloseDays), num1(c.WorstCloseDays), worst, c.OpenAtEnd, c.OverdueAtEnd))
	if c.Received > 0 {
		sec.Tables = append(sec.Tables, counts(t(lang, "byCategory"), c.ByCategory, categoryLabels, lang), counts(t(lang, "bySeverity"), c.BySeverity, severityLabels, lang),
			counts(t(lang, "byChannel"), c.ByChannel, channelLabels, lang), counts(t(lang, "byDepartment"), c.ByDepartment, nil, lang),
			counts(t(lang, "byTier"), c.ByTier, tierLabels, lang))
	}
	if len(c.Overdue) > 0 {
		tb := table{Title: t(lang, "overdueList"), Head: []string{t(lang, "number"), t(lang, "customer"), t(lang, "department"), t(lang, "daysOverdue")}, Num: 3}
		for _, o := range c.Overdue {
			tb.Rows = append(tb.Rows, row{{Text: o.Number}, {Text: o.CustomerName}, {Text: label(nil, o.Department, lang)}, {Text: strconv.FormatFloat(o.DaysOverdue, 'f', 1, 64)}})
		}
		sec.Tables = append(sec.Tables, tb)
	}
	if len(c.Repeat) > 0 {
		rs := r.Basis.Reports
		tb := table{Title: tf(lang, "repeat", rs.RepeatMonths, rs.RepeatComplaints), Head: []string{t(lang, "customer"), t(lang, "inMonth"), t(lang, "inWindow")}, Num: 1}
		for _, x := range c.Repeat {
			tb.Rows = append(tb.Rows, row{{Text: x.CustomerName}, {Text: strconv.Itoa(x.InMonth)}, {Text: strconv.Itoa(x.InWindow)}})
		}
		sec.Tables = append(sec.Tables, tb)
	}
	return sec
}

func staffSection(r domain.Report, lang string, names func(string) string) section {
	sec := section{Title: t(lang, "staff")}
	if len(r.Staff) == 0 {
		sec.Lines = []string{t(lang, "staff.none")}
		return sec
	}
	tb := table{Head: []string{t(lang, "person"), t(lang, "inScope"), t(lang, "total"), t(lang, "ladder")}, Num: 1}
	for _, s := range r.Staff {
		st := ""
		if s.Flagged {
			st = "missed"
		}
		tb.Rows = append(tb.Rows, row{{Text: names(s.StaffID)}, {Text: strconv.Itoa(s.InScope)}, {Text: strconv.Itoa(s.Total)}, {Text: ladderText(s.LadderOutcome, lang), Status: st}})
	}
	sec.Tables = append(sec.Tables, tb)
	return sec
}

func accountSection(r domain.Report, lang string) section {
	a := r.Accounts
	tg := r.Basis.Targets
	sec := section{Title: t(lang, "accounts"), Lines: []string{
		tf(lang, "acc.renewal", a.Ending, a.Renewed, pct(a.RenewalRate), pct(&tg.RenewalPct)),
		tf(lang, "acc.growth", yuan(a.Volume-0), yuan(a.VolumeLastYear), signedPct(a.Growth), pct(&tg.GrowthPct)),
	}}
	if len(a.ByTier) > 0 {
		tb := table{Head: []string{t(lang, "tier"), t(lang, "volume"), t(lang, "lastYear"), t(lang, "growth")}, Num: 1}
		for _, x := range a.ByTier {
			tb.Rows = append(tb.Rows, row{{Text: label(tierLabels, string(x.Tier), lang)}, {Text: yuan(x.Volume)}, {Text: yuan(x.LastYear)}, {Text: signedPct(x.Growth)}})
		}
		sec.Tables = append(sec.Tables, tb)
	}
	if len(a.Lost) > 0 {
		tb := table{Title: t(lang, "lost"), Head: []string{t(lang, "customer"), t(lang, "tier"), t(lang, "contractEnd")}}
		for _, x := range a.Lost {
			tb.Rows = append(tb.Rows, row{{Text: x.CustomerName}, {Text: label(tierLabels, string(x.Tier), lang)}, {Text: x.ContractEnd}})
		}
		sec.Tables = append(sec.Tables, tb)
	}
	return sec
}

func visitSection(r domain.Report, lang string) section {
	v := r.Visits
	if !v.Recorded {
		return section{Title: t(lang, "visits"), Lines: []string{t(lang, "visits.none")}}
	}
	return section{Title: t(lang, "visits"), Lines: []string{tf(lang, "visits.summary", v.Planned, v.Done, pct(v.DoneRate), v.ReportsDue, v.ReportsOnTime,
		pct(v.ReportsRate), v.FollowUpsDue, v.FollowUpsOnTime, pct(v.FollowUpsRate), len(v.BelowFrequency))}}
}

func managerSection(r domain.Report, lang string, names func(string) string) section {
	tb := table{Head: []string{t(lang, "rank"), t(lang, "manager"), "CSAT", "NPS", t(lang, "complaints"), shortKPI(domain.KPITimeliness, lang)}, Num: 2, Wide: true}
	for _, m := range r.Managers {
		tb.Rows = append(tb.Rows, row{{Text: strconv.Itoa(m.Rank)}, {Text: names(m.ManagerID)}, {Text: pct(m.CSAT)}, {Text: num1(m.NPS)},
			{Text: strconv.Itoa(m.Complaints)}, {Text: pct(m.Timeliness)}})
	}
	return section{Title: t(lang, "managers"), Tables: []table{tb}}
}

func complaintTable(ct domain.ComplaintTable, lang string) table {
	tb := table{Head: []string{t(lang, "category"), t(lang, "department"), t(lang, "received"), t(lang, "closed"), t(lang, "inTime"), t(lang, "atFault"),
		t(lang, "avgDays"), t(lang, "overdue")}, Num: 2, Wide: true}
	line := func(first, second string, r domain.TableRow) row {
		return row{{Text: first}, {Text: second}, {Text: strconv.Itoa(r.Received)}, {Text: strconv.Itoa(r.Closed)}, {Text: strconv.Itoa(r.ClosedInTime)},
			{Text: strconv.Itoa(r.AtFault)}, {Text: num1(r.AvgDays)}, {Text: strconv.Itoa(r.Overdue)}}
	}
	for _, r := range ct.Rows {
		tb.Rows = append(tb.Rows, line(label(categoryLabels, string(r.Category), lang), label(nil, r.Department, lang), r))
	}
	tb.Foot = line(t(lang, "sum"), "", ct.Total)
	return tb
}

// Text is the report's text part: the same figures, line by line.
func Text(snap domain.Snapshot, lang string, names func(string) string) string {
	d := newPageData(snap, lang, names)
	var b strings.Builder
	p := func(s string) { b.WriteString(s + "\n") }
	p(d.Title + " · " + d.Period)
	p(d.Scope)
	p(d.AsOf)
	if d.Note != "" {
		p(d.Note)
	}
	if d.Empty != "" {
		p("")
		p(d.Empty)
		return b.String()
	}
	writeTable := func(tb table) {
		if tb.Title != "" {
			p("")
			p("== " + tb.Title)
		}
		p(strings.Join(tb.Head, " | "))
		for _, r := range append(tb.Rows, tb.Foot) {
			if len(r) == 0 {
				continue
			}
			var cs []string
			for _, c := range r {
				cs = append(cs, c.Text)
			}
			p(strings.Join(cs, " | "))
		}
	}
	writeTable(d.Risk)
	if d.RiskNone != "" {
		p(d.RiskNone)
	}
	writeTable(d.KPIs)
	writeTable(d.Trend)
	for _, s := range d.Sections {
		p("")
		p("== " + s.Title)
		for _, l := range s.Lines {
			p(l)
		}
		for _, tb := range s.Tables {
			writeTable(tb)
		}
	}
	p("")
	p(d.Attach)
	p(d.Online)
	p(d.Hash)
	p("")
	p("-- ")
	p(mailFooter(lang))
	return b.String()
}

// Page is the report page a browser gets: the chart as inline SVG.
func Page(snap domain.Snapshot, lang string, names func(string) string) ([]byte, error) {
	d := newPageData(snap, lang, names)
	if !snap.Report.Empty {
		svg, err := TrendSVG(snap.Report)
		if err != nil {
			return nil, err
		}
		d.Chart = template.HTML(svg) // rendered by the chart library from numbers only
	}
	h, err := renderPage(d)
	return []byte(h), err
}

func renderPage(d pageData) (string, error) {
	if d.L == nil {
		lang := d.Lang
		d.L = func(k string) string { return t(lang, k) }
	}
	if d.Email && d.Chart == "" && d.Empty == "" {
		d.Chart = template.HTML(`<img src="cid:trend" width="560" alt="` + template.HTMLEscapeString(d.ChartAlt) + `" style="display:block;width:100%;max-width:560px;height:auto;border:0">`)
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return "", fmt.Errorf("report: page: %w", err)
	}
	return b.String(), nil
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"align": func(tb table, i int) string {
		if tb.Num > 0 && i >= tb.Num {
			return "right"
		}
		return "left"
	},
}).Parse(pageHTML))

// pageHTML keeps every style inline (mail clients drop <style> blocks) and
// every table within the width of a phone: narrow tables fill the column,
// wide ones scroll sideways inside their own box.
const pageHTML = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · {{.Period}}</title></head>
<body style="margin:0;padding:0;background:#f4f6f8;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',Arial,sans-serif;color:#1f2933;-webkit-text-size-adjust:100%">
<div style="max-width:640px;margin:0 auto;padding:12px">
<div style="background:#fff;border-radius:8px;padding:16px 14px">
<h1 style="font-size:20px;line-height:1.35;margin:0 0 4px">{{.Title}} · {{.Period}}</h1>
<p style="margin:0 0 2px;font-size:15px;font-weight:600">{{.Scope}}</p>
<p style="margin:0 0 12px;font-size:13px;color:#52606d">{{.AsOf}}</p>
{{if .Note}}<p style="margin:0 0 12px;padding:8px 10px;background:#fff8e1;border-left:4px solid #f9a825;font-size:14px">{{.Note}}</p>{{end}}
{{if .Empty}}<p style="font-size:16px;line-height:1.6;margin:8px 0 4px">{{.Empty}}</p>{{else}}
{{template "table" .Risk}}{{if .RiskNone}}<p style="font-size:14px;margin:0 0 16px">{{.RiskNone}}</p>{{end}}
{{template "table" .KPIs}}
<h2 style="font-size:17px;margin:20px 0 8px">{{call .L "trend"}}</h2>
<div style="margin:0 0 6px">{{.Chart}}</div>
<p style="margin:0 0 4px;font-size:13px;line-height:1.7">{{range .Legend}}<span style="display:inline-block;margin-right:12px;white-space:nowrap"><span style="display:inline-block;width:28px;height:0;border-top:3px {{.Dash}} {{.Color}};vertical-align:middle;margin-right:4px"></span>{{.Label}}（{{.Pattern}}）</span> {{end}}</p>
<p style="margin:0 0 10px;font-size:12px;color:#52606d;line-height:1.5">{{.ChartNote}}</p>
{{template "table" .Trend}}
{{range .Sections}}<h2 style="font-size:17px;margin:22px 0 8px">{{.Title}}</h2>
{{range .Lines}}<p style="margin:0 0 8px;font-size:14px;line-height:1.6">{{.}}</p>
{{end}}{{range .Tables}}{{template "table" .}}{{end}}{{end}}
<p style="margin:20px 0 4px;font-size:13px;color:#52606d;line-height:1.5">{{if .Email}}{{.Attach}}<br>{{end}}{{.Online}}</p>
<p style="margin:0;font-size:11px;color:#7b8794;word-break:break-all">{{.Hash}}</p>{{end}}
{{if .Footer}}<p style="margin:18px 0 0;font-size:12px;color:#7b8794">{{.Footer}}</p>{{end}}
</div></div></body></html>
{{define "table"}}{{if .Head}}{{$tb := .}}{{if .Title}}<h3 style="font-size:15px;margin:16px 0 6px">{{.Title}}</h3>{{end}}
<div style="{{if .Wide}}overflow-x:auto;-webkit-overflow-scrolling:touch;{{end}}margin:0 0 12px">
<table role="table" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;font-size:14px;line-height:1.4">
<thead><tr>{{range $i, $h := .Head}}<th scope="col" style="text-align:{{align $tb $i}};padding:6px 6px;border-bottom:2px solid #cbd2d9;font-size:12px;color:#52606d;font-weight:600;{{if $tb.Wide}}white-space:nowrap;{{end}}">{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $c := .}}<td style="text-align:{{align $tb $i}};padding:6px 6px;border-bottom:1px solid #e4e7eb;vertical-align:top;{{if $tb.Wide}}white-space:nowrap;{{end}}{{if eq $c.Status "missed"}}color:#b71c1c;font-weight:600;{{else if eq $c.Status "met"}}color:#1b5e20;{{end}}">{{$c.Text}}</td>{{end}}</tr>
{{end}}{{if .Foot}}<tr>{{range $i, $c := .Foot}}<td style="text-align:{{align $tb $i}};padding:6px 6px;border-top:2px solid #cbd2d9;font-weight:600;{{if $tb.Wide}}white-space:nowrap;{{end}}">{{$c.Text}}</td>{{end}}</tr>{{end}}</tbody></table></div>{{end}}{{end}}`
