package report_test

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"keycare/local/seed"
	"keycare/shared/domain"
	"keycare/shared/report"
)

// inputFrom is the month's input taken straight from generated data (no store).
func inputFrom(d *seed.Data, m domain.Month, asOf time.Time) *domain.MonthInput {
	loc := d.Zone
	in := &domain.MonthInput{Month: m, Zone: loc.String(), AsOf: asOf, PriorComplaints: map[string]int{}}
	for _, c := range d.Complaints {
		if m.Contains(c.ReceivedAt, loc) {
			in.Received = append(in.Received, c)
		}
		if at := c.DoneAt(); at != nil && m.Contains(*at, loc) {
			in.Done = append(in.Done, c)
		}
		in.Open = append(in.Open, c)
	}
	for _, iv := range d.Invitations {
		if m.Contains(iv.CreatedAt, loc) {
			in.Invitations = append(in.Invitations, iv)
		}
	}
	for _, r := range d.Responses {
		if r.Month == m.String() {
			in.Responses = append(in.Responses, r)
		}
	}
	in.Ending, in.Upcoming, in.Volume = d.Contracts, d.Contracts, d.Volume
	return in
}

func sample(t *testing.T) domain.Snapshot {
	t.Helper()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	d := seed.Generate(seed.Options{Seed: 3, Zone: "Asia/Shanghai", Accounts: 30, Managers: 3, Departments: 1, Staff: 2, From: domain.Month{Year: 2026, Month: time.September},
		To: domain.Month{Year: 2026, Month: time.October}, ComplaintsPerMonth: 40, AnswersPerMonth: 30, Now: now})
	m := domain.Month{Year: 2026, Month: time.October}
	in := inputFrom(d, m, now)
	// Names people typed reach HTML and spreadsheets as text only.
	for i := range in.Upcoming {
		in.Upcoming[i].CustomerName = `<img src=x onerror=alert(1)>`
	}
	for i := range in.Received {
		in.Received[i].CustomerName = "=HYPERLINK(\"http://evil\")"
	}
	r := domain.ComputeReport(in, domain.CompanyScope, nil, domain.BasisOf(domain.Defaults("Asia/Shanghai")))
	if r.Empty || len(r.Risk) == 0 || len(r.Complaints.Repeat) == 0 || r.KPIs[0].Missed() == false {
		t.Fatalf("the sample should have risks, repeat complainers and a missed target: %+v", r.KPIs[0])
	}
	snap, _, err := domain.NewSnapshot(r, now)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestEmailHasEveryPartInBothLanguages(t *testing.T) {
	snap := sample(t)
	for _, lang := range []string{"zh", "en"} {
		m, err := report.Email(snap, report.EmailOptions{Lang: lang, To: []string{"ceo@example.com"}, WithTable: true})
		if err != nil {
			t.Fatal(err)
		}
		missed := map[string]string{"zh": "✖ 未达标", "en": "✖ missed"}[lang]
		for _, part := range []string{m.HTML, m.Text} {
			if strings.Contains(part, "%!") || !strings.Contains(part, missed) {
				t.Errorf("%s: a formatting error, or a missed target not marked by word and symbol", lang)
			}
		}
		if strings.Contains(m.HTML, "<img src=x") || !strings.Contains(m.HTML, "&lt;img src=x") {
			t.Errorf("%s: a customer's name is not escaped", lang)
		}
		if len(m.Attachments) != 3 || m.Attachments[0].ContentID != "trend" || !strings.Contains(m.HTML, `src="cid:trend"`) {
			t.Fatalf("%s: attachments %d", lang, len(m.Attachments))
		}
		img, err := png.Decode(bytes.NewReader(m.Attachments[0].Data))
		if err != nil || img.Bounds().Dx() != 1200 {
			t.Fatalf("%s: chart %v %v", lang, err, img)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(m.Attachments[1].Data, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) < 40 || !bytes.HasPrefix(m.Attachments[1].Data, []byte("\ufeff")) {
			t.Fatalf("%s: csv %d rows %v", lang, len(rows), err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if strings.HasPrefix(cell, "=") {
					t.Fatalf("%s: csv cell %q could run as a formula", lang, cell)
				}
			}
		}
		x, err := excelize.OpenReader(bytes.NewReader(m.Attachments[2].Data))
		if err != nil {
			t.Fatal(err)
		}
		sheet := x.GetSheetList()[0]
		head, _ := x.GetCellValue(sheet, "A1")
		total, _ := x.GetRows(sheet)
		if head != map[string]string{"zh": "类别", "en": "Category"}[lang] || len(total) != len(snap.Report.Table.Rows)+2 {
			t.Errorf("%s: xlsx %q with %d rows", lang, head, len(total))
		}
		for _, k := range snap.Report.KPIs {
			if !strings.Contains(m.Text, kpiWord(k.Key, lang)) {
				t.Errorf("%s: the text part lacks %s", lang, k.Key)
			}
		}
	}
	// Without the table for the others.
	m, _ := report.Email(snap, report.EmailOptions{Lang: "zh", To: []string{"m@example.com"}})
	if len(m.Attachments) != 2 {
		t.Errorf("a manager's email has %d attachments", len(m.Attachments))
	}
}

func kpiWord(key, lang string) string {
	w := map[string][2]string{domain.KPICSAT: {"客户满意度", "Customer satisfaction"}, domain.KPINPS: {"净推荐值", "Net promoter"},
		domain.KPIResponseRate: {"问卷回复率", "Survey response"}, domain.KPIComplaints: {"受理投诉", "Complaints received"},
		domain.KPITimeliness: {"投诉及时率", "timeliness"}, domain.KPIPassRate: {"处理合格率", "pass rate"}, domain.KPIHandlingSatisfaction: {"处理满意率", "Handling satisfaction"},
		domain.KPIAtFault: {"有责投诉", "at fault"}, domain.KPIOverdue: {"月末超时未结", "Overdue at month end"}, domain.KPIRenewalRate: {"续约率", "Renewal rate"},
		domain.KPIGrowth: {"同比增长", "Year-on-year growth"}}[key]
	if lang == "en" {
		return w[1]
	}
	return w[0]
}

func TestEmptyMonthIsOneLine(t *testing.T) {
	r := domain.ComputeReport(&domain.MonthInput{Month: domain.Month{Year: 2026, Month: time.October}, Zone: "Asia/Shanghai", AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		domain.ReportScope{Kind: domain.ScopeManager, ID: "zed"}, nil, domain.BasisOf(domain.Defaults("")))
	snap, _, _ := domain.NewSnapshot(r, time.Now())
	m, err := report.Email(snap, report.EmailOptions{Lang: "zh", To: []string{"zed@example.com"}, Names: func(string) string { return "赵" }})
	if err != nil || len(m.Attachments) != 0 || !strings.Contains(m.Text, "本月没有需要报告的内容") || strings.Contains(m.HTML, "<table") {
		t.Fatalf("%v %q", err, m.Text)
	}
	// Its heading is the subject, with no separator left dangling after it.
	if !strings.Contains(m.HTML, ">"+m.Subject+"</h1>") || !strings.Contains(m.HTML, "<title>"+m.Subject+"</title>") {
		t.Errorf("heading of the empty month: %s", m.HTML)
	}
}

func TestPageHasTheChartAsSVG(t *testing.T) {
	snap := sample(t)
	b, err := report.Page(snap, "en", func(id string) string { return id })
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, "<svg") || !strings.Contains(page, `viewBox="0 0 600 260"`) || strings.Contains(page, "<script") || strings.Contains(page, "cid:") {
		t.Fatalf("page: %.500s", page)
	}
	if !strings.Contains(page, snap.Hash) || !strings.Contains(page, "Complaint statistics table") {
		t.Error("the page shows the snapshot's hash and the company's statistics table")
	}
}

// A large company's email stays within what mail clients show unclipped
// (Gmail clips at about 100 KB of HTML) and what the mail queue takes:
// long lists show their first rows and say how many more the CSV holds.
func TestLargeCompanyEmailStaysSmall(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	m := domain.Month{Year: 2026, Month: time.October}
	now := m.End(loc).Add(8 * time.Hour)
	d := seed.Generate(seed.Options{Seed: 24, Zone: "Asia/Shanghai", Accounts: 500, Managers: 50, Departments: 5, Staff: 20, From: m.Add(-2), To: m.Add(1),
		ComplaintsPerMonth: 500, AnswersPerMonth: 1250, Now: now})
	r := domain.ComputeReport(inputFrom(d, m, now), domain.CompanyScope, nil, domain.BasisOf(domain.Defaults("Asia/Shanghai")))
	if len(r.Risk) <= 20 || len(r.Managers) <= 20 || len(r.Complaints.Repeat) <= 20 {
		t.Fatalf("the sample should have long lists: risk %d, managers %d, repeat %d", len(r.Risk), len(r.Managers), len(r.Complaints.Repeat))
	}
	snap, _, _ := domain.NewSnapshot(r, now)
	msg, err := report.Email(snap, report.EmailOptions{Lang: "zh", To: []string{"ceo@example.com"}, WithTable: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.HTML) > 100_000 || len(msg.Text) > 60_000 {
		t.Fatalf("HTML %d bytes, text %d", len(msg.HTML), len(msg.Text))
	}
	if !strings.Contains(msg.HTML, "另有 ") || !strings.Contains(msg.Text, "另有 ") {
		t.Error("a shortened list must say how many more there are")
	}
	page, _ := report.Page(snap, "zh", func(id string) string { return "经理" + id })
	if strings.Count(string(page), "经理m") < len(r.Managers) {
		t.Error("the page shows every manager")
	}
}
