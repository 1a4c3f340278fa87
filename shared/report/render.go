package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
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
	Note   string // a second line (a missed target)
	Status string // "met", "missed" or ""
}

type row []cell

type table struct {
	Title string
	Head  []string
	Rows  []row
	Foot  row
	Wide  bool   // scrolls sideways on a phone
	Num   int    // columns from this one are numbers (right-aligned)
	More  string // "and N more" when the email shows only the first rows
	Keep  bool   // shown whole in the email too (headline figures, trend)
}

// list is one entry per line group: what a table of long texts becomes on
// a phone.
type list struct {
	Title string
	Items []item
	More  string // "and N more"
}

type item struct {
	Head, Meta, Body string
}

type section struct {
	Title  string
	Lines  []string
	Lists  []list
	Tables []table
}

type pageData struct {
	Lang, Title, Period, Scope, AsOf, Note string
	Empty                                  string
	Email, WithTable                       bool
	Chart                                  template.HTML
	ChartAlt, ChartNote                    string
	Legend                                 []legendItem
	Risk                                   list
	RiskNone                               string
	KPIs                                   table
	Trends                                 []table
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
	d.Risk = list{Title: tf(lang, "risk", r.Basis.Reports.RiskDays)}
	for _, e := range r.Risk {
		d.Risk.Items = append(d.Risk.Items, item{Head: e.CustomerName, Meta: label(tierLabels, string(e.Tier), lang) + " · " + tf(lang, "endsOn", e.ContractEnd),
			Body: reasonsText(e.Reasons, lang)})
	}
	if len(r.Risk) == 0 {
		d.RiskNone = t(lang, "risk.none")
	}

	// Headline figures.
	d.KPIs = table{Title: t(lang, "kpis"), Head: []string{t(lang, "figure"), t(lang, "thisMonth"), t(lang, "target"), t(lang, "lastMonth")}, Num: 1, Keep: true}
	for _, k := range r.KPIs {
		v := cell{Text: kpiValue(k.Unit, k.Value)}
		if k.Den > 0 {
			v.Note = strconv.Itoa(k.Num) + "/" + strconv.Itoa(k.Den)
		}
		target := "—"
		if k.Target != nil {
			target = "≥\u00a0" + short(k.Unit, *k.Target)
			switch {
			case k.Missed():
				v.Status, v.Note = "missed", t(lang, "missed")
			case k.Met != nil:
				v.Status, v.Note = "met", t(lang, "met")
			}
		}
		d.KPIs.Rows = append(d.KPIs.Rows, row{{Text: kpiLabels[k.Key].in(lang)}, v, {Text: target}, {Text: kpiValue(k.Unit, k.LastMonth)}})
	}

	// The trend: chart, legend and the same numbers as a table.
	first, last := r.Trend[0].Month, r.Trend[len(r.Trend)-1].Month
	target := r.Basis.Targets.SatisfactionPct
	d.ChartAlt = t(lang, "trend.alt")
	d.ChartNote = tf(lang, "trend.note", first, last, short("%", target))
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
	// Every headline figure's 12 months, in two tables that fit a phone.
	units := map[string]string{}
	var rest []string
	charted := map[string]bool{domain.KPIComplaints: true}
	for _, s := range trendSeries {
		charted[s.key] = true
	}
	for _, k := range r.KPIs {
		units[k.Key] = k.Unit
		if !charted[k.Key] {
			rest = append(rest, k.Key)
		}
	}
	d.Trends = []table{trendTable(r, t(lang, "trend"), []string{domain.KPICSAT, domain.KPITimeliness, domain.KPIPassRate, domain.KPIHandlingSatisfaction, domain.KPIComplaints}, units, lang),
		trendTable(r, t(lang, "trend.more"), rest, units, lang)}

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
		domain.KPIHandlingSatisfaction: {"满意率", "Handled"}, domain.KPIComplaints: {"投诉", "Cases"}, domain.KPINPS: {"NPS", "NPS"},
		domain.KPIResponseRate: {"回复率", "Response"}, domain.KPIAtFault: {"有责", "At fault"}, domain.KPIOverdue: {"超时", "Overdue"},
		domain.KPIRenewalRate: {"续约率", "Renewal"}, domain.KPIGrowth: {"增长", "Growth"}, domain.KPIVisitsDone: {"拜访", "Visits"},
		domain.KPIVisitReportsOnTime: {"报告", "Reports"}, domain.KPIFollowUpsOnTime: {"回访", "Follow-ups"}, domain.KPIBelowFrequency: {"频次不足", "Below freq."}}
	return short[key].in(lang)
}

// trendTable shows keys over the report's 12 months, in whole numbers (the
// CSV has the decimals).
func trendTable(r domain.Report, title string, keys []string, units map[string]string, lang string) table {
	tb := table{Title: title, Head: []string{t(lang, "month")}, Wide: true, Num: 1, Keep: true}
	for _, k := range keys {
		tb.Head = append(tb.Head, shortKPI(k, lang))
	}
	for _, p := range r.Trend {
		rw := row{{Text: p.Month}}
		for _, k := range keys {
			v, ok := p.Values[k]
			txt := "—"
			if ok {
				txt = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
				if units[k] == "%" {
					txt += "%"
				}
				if k == domain.KPIGrowth && v > 0 {
					txt = "+" + txt
				}
			}
			rw = append(rw, cell{Text: txt})
		}
		tb.Rows = append(tb.Rows, rw)
	}
	return tb
}

func pointValue(p domain.TrendPoint, key, unit string) string {
	v, ok := p.Values[key]
	if !ok {
		return "—"
	}
	return kpiValue(unit, &v)
}

// maxListed is how many overdue complaints the email and page list (the
// CSV and JSON have them all).
const maxListed = 10

// countsText lists the non-zero counts of a dimension on one line.
func countsText(cs []domain.Count, labels map[string]words, lang string) string {
	var parts []string
	for _, c := range cs {
		if c.N > 0 {
			parts = append(parts, label(labels, c.Key, lang)+"\u00a0"+strconv.Itoa(c.N))
		}
	}
	return strings.Join(parts, " · ")
}

// short is a value without a needless decimal: 90%, 87.5%.
func short(unit string, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if unit == "%" {
		return s + "%"
	}
	return s
}

// reasonsText gives an account's risk reasons, those of a kind together.
func reasonsText(rs []domain.RiskReason, lang string) string {
	var kinds []string
	refs := map[string][]string{}
	for _, r := range rs {
		if _, ok := refs[r.Kind]; !ok {
			kinds = append(kinds, r.Kind)
		}
		if r.Ref != "" {
			refs[r.Kind] = append(refs[r.Kind], r.Ref)
		} else if refs[r.Kind] == nil {
			refs[r.Kind] = []string{}
		}
	}
	sep, list := "；", "、"
	if lang == "en" {
		sep, list = "; ", ", "
	}
	var out []string
	for _, k := range kinds {
		out = append(out, reasonText(domain.RiskReason{Kind: k, Ref: strings.Join(refs[k], list)}, lang))
	}
	return strings.Join(out, sep)
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
		for _, dim := range breakdowns(c) {
			sec.Lines = append(sec.Lines, t(lang, dim.key)+t(lang, "colon")+countsText(dim.cs, dim.labels, lang))
		}
	}
	if len(c.Overdue) > 0 {
		l := list{Title: t(lang, "overdueList")}
		for i, o := range c.Overdue {
			if i == maxListed {
				l.More = tf(lang, "more", c.OverdueAtEnd-maxListed)
				break
			}
			l.Items = append(l.Items, item{Head: o.Number + " " + o.CustomerName, Meta: t(lang, "department") + " " + label(nil, o.Department, lang),
				Body: tf(lang, "overdueBy", strconv.FormatFloat(o.DaysOverdue, 'f', 1, 64))})
		}
		sec.Lists = append(sec.Lists, l)
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
		tf(lang, "acc.renewal", a.Ending, a.Renewed, pct(a.RenewalRate), short("%", tg.RenewalPct)),
		tf(lang, "acc.growth", yuan(a.Volume), yuan(a.VolumeLastYear), signedPct(a.Growth), short("%", tg.GrowthPct)),
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
	tb := table{Head: []string{t(lang, "rank"), t(lang, "manager"), "CSAT", "NPS", shortKPI(domain.KPIResponseRate, lang), t(lang, "complaints"),
		shortKPI(domain.KPITimeliness, lang)}, Num: 2, Wide: true}
	for _, m := range r.Managers {
		tb.Rows = append(tb.Rows, row{{Text: strconv.Itoa(m.Rank)}, {Text: names(m.ManagerID)}, {Text: pct(m.CSAT)}, {Text: num1(m.NPS)},
			{Text: pct(m.ResponseRate)}, {Text: strconv.Itoa(m.Complaints)}, {Text: pct(m.Timeliness)}})
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

// emailRows is how many rows of a long list or table an email shows: mail
// clients clip long messages (Gmail at about 100 KB of HTML), so the rest
// is in the CSV and the online report.
const emailRows = 20

// forEmail shortens the long lists and tables to emailRows, saying how many
// more the CSV and the online report hold; the complaint statistics table
// is attached as XLSX instead.
func (d *pageData) forEmail(lang string) {
	d.Risk = capList(d.Risk, lang)
	var secs []section
	for _, s := range d.Sections {
		for i := range s.Lists {
			s.Lists[i] = capList(s.Lists[i], lang)
		}
		var tables []table
		for _, tb := range s.Tables {
			if tb.Foot != nil { // the statistics table
				continue
			}
			if !tb.Keep && len(tb.Rows) > emailRows {
				tb.More = tf(lang, "moreRows", len(tb.Rows)-emailRows)
				tb.Rows = tb.Rows[:emailRows]
			}
			tables = append(tables, tb)
		}
		s.Tables = tables
		if len(s.Lines) > 0 || len(s.Lists) > 0 || len(s.Tables) > 0 {
			secs = append(secs, s)
		}
	}
	d.Sections = secs
}

func capList(l list, lang string) list {
	if len(l.Items) > emailRows {
		l.More = tf(lang, "moreRows", len(l.Items)-emailRows)
		l.Items = l.Items[:emailRows]
	}
	return l
}

// Text is the report's text part: the same figures, line by line, as the
// email shows them.
func Text(snap domain.Snapshot, lang string, names func(string) string) string {
	d := newPageData(snap, lang, names)
	d.forEmail(lang)
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
				if c.Note != "" {
					c.Text += " " + c.Note
				}
				cs = append(cs, c.Text)
			}
			p(strings.Join(cs, " | "))
		}
		if tb.More != "" {
			p(tb.More)
		}
	}
	writeList := func(l list) {
		if l.Title != "" {
			p("")
			p("== " + l.Title)
		}
		for _, it := range l.Items {
			p("- " + it.Head + " (" + it.Meta + "): " + it.Body)
		}
		if l.More != "" {
			p(l.More)
		}
	}
	writeList(d.Risk)
	if d.RiskNone != "" {
		p(d.RiskNone)
	}
	writeTable(d.KPIs)
	for _, tb := range d.Trends {
		writeTable(tb)
	}
	for _, s := range d.Sections {
		p("")
		p("== " + s.Title)
		for _, l := range s.Lines {
			p(l)
		}
		for _, l := range s.Lists {
			writeList(l)
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
	if err := pageTemplate().Execute(&b, d); err != nil {
		return "", fmt.Errorf("report: page: %w", err)
	}
	return b.String(), nil
}

// pageTemplate is parsed at its first use, not in every cold start.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"align": func(tb table, i int) string {
			if tb.Num > 0 && i >= tb.Num {
				return "right"
			}
			return "left"
		},
		"th": func(tb table, i int) template.CSS { return template.CSS(cellStyle(tb, i, "head")) },
		"td": func(tb table, i int, status string) template.CSS { return template.CSS(cellStyle(tb, i, status)) },
	}).Parse(pageHTML))
})

// cellStyle is a cell's inline style, as short as it can be (the email's
// size is mostly table cells): numbers right-aligned and never broken
// across lines, nothing broken in a wide table, a missed figure in red and
// bold (beside its word and symbol), a met one in green.
func cellStyle(tb table, i int, status string) string {
	var b strings.Builder
	if tb.Wide {
		b.WriteString("padding:6px 4px;")
	} else {
		b.WriteString("padding:6px;")
	}
	switch status {
	case "head":
		b.WriteString("border-bottom:2px solid #cbd2d9;font-size:12px;color:#52606d;font-weight:600;")
	case "foot":
		b.WriteString("border-top:2px solid #cbd2d9;font-weight:600;")
	default:
		b.WriteString("border-bottom:1px solid #e4e7eb;")
	}
	switch status {
	case "missed":
		b.WriteString("color:#b71c1c;font-weight:600;")
	case "met":
		b.WriteString("color:#1b5e20;")
	}
	num := tb.Num > 0 && i >= tb.Num
	if num {
		b.WriteString("text-align:right;")
	} else {
		b.WriteString("text-align:left;")
	}
	if tb.Wide || num {
		b.WriteString("white-space:nowrap")
	}
	return b.String()
}

// pageHTML keeps every style inline (mail clients drop <style> blocks) and
// every table within the width of a phone: narrow tables fill the column,
// wide ones scroll sideways inside their own box.
const pageHTML = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}{{if .Period}} · {{.Period}}{{end}}</title></head>
<body style="margin:0;padding:0;background:#f4f6f8;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',Arial,sans-serif;color:#1f2933;-webkit-text-size-adjust:100%">
<div style="max-width:640px;margin:0 auto;padding:12px">
<div style="background:#fff;border-radius:8px;padding:16px 14px">
<h1 style="font-size:20px;line-height:1.35;margin:0 0 4px">{{.Title}}{{if .Period}} · {{.Period}}{{end}}</h1>
<p style="margin:0 0 2px;font-size:15px;font-weight:600">{{.Scope}}</p>
<p style="margin:0 0 12px;font-size:13px;color:#52606d">{{.AsOf}}</p>
{{if .Note}}<p style="margin:0 0 12px;padding:8px 10px;background:#fff8e1;border-left:4px solid #f9a825;font-size:14px">{{.Note}}</p>{{end}}
{{if .Empty}}<p style="font-size:16px;line-height:1.6;margin:8px 0 4px">{{.Empty}}</p>{{else}}
{{template "list" .Risk}}{{if .RiskNone}}<p style="font-size:14px;margin:0 0 16px">{{.RiskNone}}</p>{{end}}
{{template "table" .KPIs}}
<h2 style="font-size:17px;margin:20px 0 8px">{{call .L "trend"}}</h2>
<div style="margin:0 0 6px">{{.Chart}}</div>
<p style="margin:0 0 4px;font-size:13px;line-height:1.7">{{range .Legend}}<span style="display:inline-block;margin-right:12px;white-space:nowrap"><span style="display:inline-block;width:28px;height:0;border-top:3px {{.Dash}} {{.Color}};vertical-align:middle;margin-right:4px"></span>{{.Label}}（{{.Pattern}}）</span> {{end}}</p>
<p style="margin:0 0 10px;font-size:12px;color:#52606d;line-height:1.5">{{.ChartNote}}</p>
{{range .Trends}}{{template "table" .}}{{end}}
{{range .Sections}}<h2 style="font-size:17px;margin:22px 0 8px">{{.Title}}</h2>
{{range .Lines}}<p style="margin:0 0 8px;font-size:14px;line-height:1.6">{{.}}</p>
{{end}}{{range .Lists}}{{template "list" .}}{{end}}{{range .Tables}}{{template "table" .}}{{end}}{{end}}
<p style="margin:20px 0 4px;font-size:13px;color:#52606d;line-height:1.5">{{if .Email}}{{.Attach}}<br>{{end}}{{.Online}}</p>
<p style="margin:0;font-size:11px;color:#7b8794;word-break:break-all">{{.Hash}}</p>{{end}}
{{if .Footer}}<p style="margin:18px 0 0;font-size:12px;color:#7b8794">{{.Footer}}</p>{{end}}
</div></div></body></html>
{{define "list"}}{{if .Items}}<h3 style="font-size:15px;margin:16px 0 6px">{{.Title}}</h3>
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 12px">{{range .Items}}
<tr><td style="padding:7px 2px;border-bottom:1px solid #e4e7eb;font-size:14px;line-height:1.5"><b>{{.Head}}</b> <span style="color:#52606d;font-size:13px;white-space:nowrap">{{.Meta}}</span><br>{{.Body}}</td></tr>{{end}}
</table>{{if .More}}<p style="margin:-6px 0 12px;font-size:13px;color:#52606d">{{.More}}</p>{{end}}{{end}}{{end}}
{{define "table"}}{{if .Head}}{{$tb := .}}{{if .Title}}<h3 style="font-size:15px;margin:16px 0 6px">{{.Title}}</h3>{{end}}
<div style="{{if .Wide}}overflow-x:auto;{{end}}margin:0 0 12px">
<table role="table" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;font-size:{{if .Wide}}13px{{else}}14px{{end}};line-height:1.4">
<tr>{{range $i, $h := .Head}}<th scope="col" style="{{th $tb $i}}">{{$h}}</th>{{end}}</tr>
{{range .Rows}}<tr valign="top">{{range $i, $c := .}}<td style="{{td $tb $i $c.Status}}">{{$c.Text}}{{if $c.Note}}<br><small style="font-size:12px{{if not $c.Status}};color:#7b8794{{end}}">{{$c.Note}}</small>{{end}}</td>{{end}}</tr>
{{end}}{{if .Foot}}<tr>{{range $i, $c := .Foot}}<td style="{{td $tb $i "foot"}}">{{$c.Text}}</td>{{end}}</tr>{{end}}</table></div>{{if .More}}<p style="margin:-6px 0 12px;font-size:13px;color:#52606d">{{.More}}</p>{{end}}{{end}}{{end}}`
