package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"keycare/shared/domain"
)

// The report's files: every figure as CSV (attached to the email, and
// ?format=csv), the report and the complaint statistics table as XLSX.

// bom makes spreadsheet programs read the CSV as UTF-8 (Chinese text).
const bom = "\ufeff"

// safe stops spreadsheet formula injection from names people typed.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// reportRows are every figure of r as rows of section, figure, breakdown,
// value, target, last month.
func reportRows(r domain.Report, lang string, names func(string) string) [][]string {
	rows := [][]string{{t(lang, "csv.section"), t(lang, "figure"), t(lang, "csv.breakdown"), t(lang, "thisMonth"), t(lang, "target"), t(lang, "lastMonth")}}
	add := func(sec, fig, brk, val string) { rows = append(rows, []string{sec, fig, safe(brk), val, "", ""}) }
	sec := t(lang, "kpis")
	for _, k := range r.KPIs {
		target := ""
		if k.Target != nil {
			target = kpiValue(k.Unit, k.Target)
		}
		v := kpiValue(k.Unit, k.Value)
		if k.Missed() {
			v += " " + t(lang, "missed")
		}
		rows = append(rows, []string{sec, kpiLabels[k.Key].in(lang), "", v, target, kpiValue(k.Unit, k.LastMonth)})
	}
	sec = t(lang, "risk.short")
	for _, e := range r.Risk {
		var rs []string
		for _, x := range e.Reasons {
			rs = append(rs, reasonText(x, lang))
		}
		add(sec, e.CustomerName, e.ContractEnd, strings.Join(rs, "; "))
	}
	s := r.Satisfaction
	sec = t(lang, "satisfaction")
	for _, kv := range [][2]string{{t(lang, "invitations"), strconv.Itoa(s.Invitations)}, {t(lang, "responseRate"), pct(s.ResponseRate)},
		{t(lang, "answers"), strconv.Itoa(s.Answers)}, {"CSAT", pct(s.CSAT)}, {"NPS", num1(s.NPS)}} {
		add(sec, kv[0], "", kv[1])
	}
	for _, x := range s.ByTier {
		tier := label(tierLabels, string(x.Tier), lang)
		add(sec, t(lang, "invitations"), tier, strconv.Itoa(x.Invitations))
		add(sec, t(lang, "responseRate"), tier, pct(x.ResponseRate))
		add(sec, t(lang, "answers"), tier, strconv.Itoa(x.Answers))
		add(sec, "CSAT", tier, pct(x.CSAT))
		add(sec, "NPS", tier, num1(x.NPS))
	}
	c := r.Complaints
	sec = t(lang, "complaints")
	for _, kv := range [][2]string{{t(lang, "received"), strconv.Itoa(c.Received)}, {t(lang, "csv.rejected"), strconv.Itoa(c.Rejected)},
		{t(lang, "closed"), strconv.Itoa(c.Closed)}, {kpiLabels[domain.KPITimeliness].in(lang), pct(c.Timeliness)},
		{kpiLabels[domain.KPIPassRate].in(lang), pct(c.PassRate)}, {kpiLabels[domain.KPIHandlingSatisfaction].in(lang), pct(c.HandlingSatisfaction)},
		{t(lang, "atFault"), strconv.Itoa(c.AtFault)}, {t(lang, "avgDays"), num1(c.AvgCloseDays)}, {t(lang, "csv.worst"), num1(c.WorstCloseDays) + " " + c.WorstNumber},
		{t(lang, "csv.open"), strconv.Itoa(c.OpenAtEnd)}, {kpiLabels[domain.KPIOverdue].in(lang), strconv.Itoa(c.OverdueAtEnd)}} {
		add(sec, kv[0], "", kv[1])
	}
	for _, dim := range breakdowns(c) {
		for _, x := range dim.cs {
			add(sec, t(lang, dim.key), label(dim.labels, x.Key, lang), strconv.Itoa(x.N))
		}
	}
	for _, o := range c.Overdue {
		add(sec, t(lang, "overdueList"), o.Number+" "+o.CustomerName, strconv.FormatFloat(o.DaysOverdue, 'f', 1, 64))
	}
	for _, x := range c.Repeat {
		add(sec, t(lang, "csv.repeat"), x.CustomerName, strconv.Itoa(x.InMonth)+"/"+strconv.Itoa(x.InWindow))
	}
	sec = t(lang, "staff")
	for _, x := range r.Staff {
		add(sec, names(x.StaffID), strconv.Itoa(x.InScope)+"/"+strconv.Itoa(x.Total), ladderText(x.LadderOutcome, lang))
	}
	a := r.Accounts
	sec = t(lang, "accounts")
	add(sec, kpiLabels[domain.KPIRenewalRate].in(lang), strconv.Itoa(a.Renewed)+"/"+strconv.Itoa(a.Ending), pct(a.RenewalRate))
	add(sec, kpiLabels[domain.KPIGrowth].in(lang), "", signedPct(a.Growth))
	for _, x := range a.ByTier {
		tier := label(tierLabels, string(x.Tier), lang)
		add(sec, t(lang, "volume"), tier, strconv.FormatInt(x.Volume, 10))
		add(sec, t(lang, "lastYear"), tier, strconv.FormatInt(x.LastYear, 10))
	}
	for _, x := range a.Lost {
		add(sec, t(lang, "lost"), x.CustomerName, x.ContractEnd)
	}
	sec = t(lang, "visits")
	if !r.Visits.Recorded {
		add(sec, t(lang, "visits"), "", t(lang, "csv.notRecorded"))
	} else {
		v := r.Visits
		add(sec, kpiLabels[domain.KPIVisitsDone].in(lang), strconv.Itoa(v.Done)+"/"+strconv.Itoa(v.Planned), pct(v.DoneRate))
		add(sec, kpiLabels[domain.KPIVisitReportsOnTime].in(lang), strconv.Itoa(v.ReportsOnTime)+"/"+strconv.Itoa(v.ReportsDue), pct(v.ReportsRate))
		add(sec, kpiLabels[domain.KPIFollowUpsOnTime].in(lang), strconv.Itoa(v.FollowUpsOnTime)+"/"+strconv.Itoa(v.FollowUpsDue), pct(v.FollowUpsRate))
		add(sec, kpiLabels[domain.KPIBelowFrequency].in(lang), "", strconv.Itoa(len(v.BelowFrequency)))
	}
	sec = t(lang, "managers")
	for _, m := range r.Managers {
		add(sec, strconv.Itoa(m.Rank), names(m.ManagerID), fmt.Sprintf("CSAT %s, NPS %s, %s %d, %s %s", pct(m.CSAT), num1(m.NPS),
			t(lang, "complaints"), m.Complaints, shortKPI(domain.KPITimeliness, lang), pct(m.Timeliness)))
	}
	sec = t(lang, "trend")
	for _, k := range r.KPIs { // every headline figure's 12 months
		for _, p := range r.Trend {
			add(sec, kpiLabels[k.Key].in(lang), p.Month, pointValue(p, k.Key, k.Unit))
		}
	}
	return rows
}

func csvBytes(rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString(bom)
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// CSV is every figure of r, one per line.
func CSV(r domain.Report, lang string, names func(string) string) []byte {
	return csvBytes(reportRows(r, lang, names))
}

func tableRows(ct domain.ComplaintTable, lang string) [][]string {
	tb := complaintTable(ct, lang)
	rows := [][]string{tb.Head}
	for _, r := range append(tb.Rows, tb.Foot) {
		var out []string
		for _, c := range r {
			out = append(out, safe(c.Text))
		}
		rows = append(rows, out)
	}
	return rows
}

// TableCSV is the complaint statistics table as CSV.
func TableCSV(ct domain.ComplaintTable, lang string) []byte { return csvBytes(tableRows(ct, lang)) }

// TableXLSX is the complaint statistics table as an XLSX workbook.
func TableXLSX(ct domain.ComplaintTable, lang string) ([]byte, error) {
	return workbook([]sheet{{name: t(lang, "table"), rows: tableRows(ct, lang), numFrom: 2}})
}

// ReportXLSX is the report as an XLSX workbook: every figure, and for the
// company the complaint statistics table.
func ReportXLSX(r domain.Report, lang string, names func(string) string) ([]byte, error) {
	sheets := []sheet{{name: t(lang, "title"), rows: reportRows(r, lang, names), numFrom: 99}}
	if r.Table != nil {
		sheets = append(sheets, sheet{name: t(lang, "table"), rows: tableRows(*r.Table, lang), numFrom: 2})
	}
	return workbook(sheets)
}
