package report_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"keycare/local/seed"
	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/platform"
	"keycare/shared/report"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var (
	ceo = domain.Principal{Sub: "ceo", Roles: []domain.Role{domain.RoleExecutive}}
	ctx = context.Background()
)

// request is a context for one staff request: its own request id, as API
// Gateway gives each (the clock stands still in these tests, and the
// access-record entries of two reads are told apart by it).
func request() context.Context {
	requests++
	return domain.WithRequestID(ctx, fmt.Sprintf("test-%d", requests))
}

var requests int

// world is a seeded company on a fresh table, wired as MonthlyReportFunction
// is, in time zone zone, with a clock the test sets.
type world struct {
	env  *testenv.Env
	app  *platform.App
	data *seed.Data
	now  time.Time
}

func newWorld(t *testing.T, zone string, o seed.Options) *world {
	t.Helper()
	w := &world{env: testenv.New(t), now: o.Now}
	d := w.env.Deps(t, "MonthlyReportFunction", func() time.Time { return w.now })
	d.Config.TimeZone = zone
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	o.Zone = zone
	w.data = seed.Generate(o)
	if err := w.data.Write(ctx, app.Store, 8); err != nil {
		t.Fatal(err)
	}
	return w
}

func local(zone, s string) time.Time {
	loc, _ := time.LoadLocation(zone)
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// tally is a recount of one month's raw items, written apart from the
// domain's rules: plain loops over what the generator made.
type tally struct {
	Received, Rejected, Closed, OnTime, Passed, Satisfied, AtFault, Open, Overdue int
	ByCategory                                                                    map[domain.Category]int
	Invitations, Answered, Answers, SatisfiedAnswers, Promoters, Detractors       int
	Ending, Renewed, Lost                                                         int
	Volume, VolumeLastYear                                                        int64
	Repeat                                                                        []string
	Staff                                                                         map[string]int
	Planned, Done, ReportsDue, ReportsOnTime, FollowUpsDue, FollowUpsOnTime       int
	Below                                                                         []string
}

func recount(d *seed.Data, m domain.Month, asOf time.Time, in func(manager, dept string) bool) tally {
	loc := d.Zone
	inMonth := func(t time.Time) bool {
		l := t.In(loc)
		return l.Year() == m.Year && l.Month() == m.Month && t.Before(asOf)
	}
	tl := tally{ByCategory: map[domain.Category]int{}, Staff: map[string]int{}}
	answers := map[string]domain.SurveyResponse{}
	for _, r := range d.Responses {
		answers[r.Token] = r
	}
	done := func(c domain.Complaint) *time.Time {
		for _, s := range c.History {
			if s.To == domain.StatusClosed || s.To == domain.StatusRejected {
				at := s.At
				return &at
			}
		}
		return nil
	}
	perAccount := map[string]int{}
	inScopeAccount := map[string]bool{}
	windowStart := m.Add(-2).Start(loc)
	for _, c := range d.Complaints {
		if c.CustomerID != "" && !c.ReceivedAt.Before(windowStart) && c.ReceivedAt.Before(asOf) {
			perAccount[c.CustomerID]++
		}
		if c.Status == domain.StatusClosed && inMonth(*c.ClosedAt) && c.Investigation != nil && c.Investigation.ResponsibleStaff != "" {
			tl.Staff[c.Investigation.ResponsibleStaff]++ // the whole company
		}
		if !in(c.ManagerID, c.AccountDept) {
			continue
		}
		if inMonth(c.ReceivedAt) {
			tl.Received++
			tl.ByCategory[c.Category]++
			if c.CustomerID != "" {
				inScopeAccount[c.CustomerID] = true
			}
		}
		end := done(c)
		if end != nil && inMonth(*end) {
			if c.Status == domain.StatusRejected {
				tl.Rejected++
			} else {
				tl.Closed++
				if !c.ClosedAt.After(c.Deadlines.CloseDue) {
					tl.OnTime++
				}
				if c.SentBack == 0 {
					tl.Passed++
				}
				if c.ResponsibleFault != nil && *c.ResponsibleFault {
					tl.AtFault++
				}
				r, ok := answers["after-"+c.Number]
				if c.Callback.Satisfied || (ok && r.SubmittedAt.Before(asOf) && r.Answer.Overall >= 4) {
					tl.Satisfied++
				}
			}
		}
		if c.ReceivedAt.Before(asOf) && (end == nil || !end.Before(asOf)) {
			tl.Open++
			if asOf.After(c.Deadlines.CloseDue) {
				tl.Overdue++
			}
		}
	}
	for id := range inScopeAccount {
		if perAccount[id] >= 2 {
			tl.Repeat = append(tl.Repeat, id)
		}
	}
	sort.Strings(tl.Repeat)
	for _, iv := range d.Invitations {
		if in(iv.ManagerID, iv.Department) && inMonth(iv.CreatedAt) {
			tl.Invitations++
			if iv.AnsweredAt != nil && iv.AnsweredAt.Before(asOf) {
				tl.Answered++
			}
		}
	}
	for _, r := range d.Responses {
		if in(r.ManagerID, r.Department) && inMonth(r.SubmittedAt) {
			tl.Answers++
			if r.Answer.Overall >= 4 {
				tl.SatisfiedAnswers++
			}
			if r.Answer.Recommend >= 9 {
				tl.Promoters++
			}
			if r.Answer.Recommend <= 6 {
				tl.Detractors++
			}
		}
	}
	today := asOf.In(loc).Format(time.DateOnly)
	for _, k := range d.Contracts {
		if !in(k.ManagerID, k.Department) || k.End[:7] != m.String() || k.End >= today {
			continue
		}
		renewed := k.RenewedAt != nil && k.RenewedAt.Before(asOf)
		if !renewed {
			tl.Lost++
		}
		if k.Tier == domain.TierStrategic || k.Tier == domain.TierKey {
			tl.Ending++
			if renewed {
				tl.Renewed++
			}
		}
	}
	// Visits, as they stood at asOf: the approved plans' visits reported
	// by then; the month's visits (by the day made once reported, else the
	// date planned) and their reports; the follow-ups due in the month.
	byID := map[string]domain.Visit{}
	for _, v := range d.Visits {
		byID[v.ID] = v
	}
	reportedBy := func(v domain.Visit) bool { return v.Report != nil && v.Report.ReportedAt.Before(asOf) }
	for _, p := range d.Plans {
		if p.Month != m.String() || p.Status != domain.PlanApproved || !p.ReviewedAt.Before(asOf) {
			continue
		}
		for _, it := range p.Items {
			v, ok := byID[it.VisitID]
			if !ok || !in(v.ManagerID, v.Department) {
				continue
			}
			tl.Planned++
			if reportedBy(v) {
				tl.Done++
			}
		}
	}
	for _, v := range d.Visits {
		if !in(v.ManagerID, v.Department) {
			continue
		}
		approved := (v.Source == "plan" && v.CreatedAt.Before(asOf)) || (v.ApprovedAt != nil && v.ApprovedAt.Before(asOf))
		if !approved || (v.Status == domain.VisitCancelled && v.UpdatedAt.Before(asOf)) {
			continue
		}
		day := v.Date
		if reportedBy(v) {
			day = v.Report.HappenedOn
		}
		if day[:7] != m.String() {
			continue
		}
		if reportedBy(v) {
			tl.ReportsDue++
			if !v.Report.Late {
				tl.ReportsOnTime++
			}
		} else if today > v.ReportDue {
			tl.ReportsDue++
		}
	}
	for _, f := range d.FollowUps {
		if !in(f.ManagerID, f.Department) || f.Kind == domain.FollowUpGreeting || f.DueAt.In(loc).Format("2006-01") != m.String() {
			continue
		}
		if f.Result != nil && f.Result.At.Before(asOf) {
			tl.FollowUpsDue++
			if !f.Result.Late {
				tl.FollowUpsOnTime++
			}
		} else if asOf.After(f.DueAt.Add(24 * time.Hour)) {
			tl.FollowUpsDue++
		}
	}
	if len(d.Visits) > 0 {
		tl.Below = []string{}
		for i := range d.Customers {
			c := &d.Customers[i]
			if !in(c.ManagerID, c.Department) {
				continue
			}
			last := ""
			for _, v := range d.Visits {
				if v.CustomerID == c.ID && v.Report != nil && v.Report.HappenedOn < today && v.Report.HappenedOn > last {
					last = v.Report.HappenedOn
				}
			}
			if a := domain.FrequencyAlertFor(c, last, today, domain.DefaultVisitSettings()); a != nil && a.Below {
				tl.Below = append(tl.Below, c.ID)
			}
		}
	}
	for _, v := range d.Volume {
		if !in(v.ManagerID, v.Department) {
			continue
		}
		switch v.Month {
		case m.String():
			tl.Volume += v.Amount
		case m.Add(-12).String():
			tl.VolumeLastYear += v.Amount
		}
	}
	return tl
}

func figures(r domain.Report) tally {
	tl := tally{ByCategory: map[domain.Category]int{}, Staff: map[string]int{}}
	c, s, a := r.Complaints, r.Satisfaction, r.Accounts
	tl.Received, tl.Rejected, tl.Closed, tl.OnTime, tl.Passed, tl.Satisfied, tl.AtFault, tl.Open, tl.Overdue =
		c.Received, c.Rejected, c.Closed, c.ClosedOnTime, c.Passed, c.Satisfied, c.AtFault, c.OpenAtEnd, c.OverdueAtEnd
	for _, x := range c.ByCategory {
		if x.N > 0 {
			tl.ByCategory[domain.Category(x.Key)] = x.N
		}
	}
	tl.Invitations, tl.Answered, tl.Answers, tl.SatisfiedAnswers, tl.Promoters, tl.Detractors = s.Invitations, s.Answered, s.Answers, s.Satisfied, s.Promoters, s.Detractors
	tl.Ending, tl.Renewed, tl.Lost, tl.Volume, tl.VolumeLastYear = a.Ending, a.Renewed, len(a.Lost), a.Volume, a.VolumeLastYear
	for _, x := range c.Repeat {
		tl.Repeat = append(tl.Repeat, x.CustomerID)
	}
	sort.Strings(tl.Repeat)
	for _, x := range r.Staff {
		tl.Staff[x.StaffID] = x.Total
	}
	if v := r.Visits; v.Recorded {
		tl.Planned, tl.Done, tl.ReportsDue, tl.ReportsOnTime, tl.FollowUpsDue, tl.FollowUpsOnTime = v.Planned, v.Done, v.ReportsDue, v.ReportsOnTime, v.FollowUpsDue, v.FollowUpsOnTime
		tl.Below = v.BelowFrequency
	}
	return tl
}

// Property: for random months — random times, with extra weight on the
// first and last hour of each month, in a zone with and without daylight
// saving, asked for at a random time after the month's end — every figure
// the service computes from the store equals a plain recount of the raw
// items the generator made.
func TestFiguresEqualARecountOfTheRawItems(t *testing.T) {
	cases := []struct {
		zone       string
		month      domain.Month
		from, to   domain.Month
		now        string
		seed       uint64
		complaints int
	}{
		{"Asia/Shanghai", domain.Month{Year: 2026, Month: time.October}, domain.Month{Year: 2026, Month: time.August}, domain.Month{Year: 2026, Month: time.November}, "2026-11-12 10:00", 1, 60},
		{"Europe/Berlin", domain.Month{Year: 2026, Month: time.March}, domain.Month{Year: 2026, Month: time.January}, domain.Month{Year: 2026, Month: time.April}, "2026-04-20 09:30", 2, 60},
		{"Asia/Shanghai", domain.Month{Year: 2026, Month: time.December}, domain.Month{Year: 2026, Month: time.October}, domain.Month{Year: 2027, Month: time.January}, "2027-01-01 08:00", 3, 50},
	}
	for _, tc := range cases {
		t.Run(tc.zone+"/"+tc.month.String(), func(t *testing.T) {
			now := local(tc.zone, tc.now)
			w := newWorld(t, tc.zone, seed.Options{Seed: tc.seed, Accounts: 40, Managers: 4, Departments: 2, From: tc.from, To: tc.to,
				ComplaintsPerMonth: tc.complaints, AnswersPerMonth: 40, Now: now, Staff: 3, VisitsPerMonth: 50})
			loc, _ := time.LoadLocation(tc.zone)
			asOf := tc.month.End(loc)
			for _, sc := range []string{"company", "department:d1", "manager:m02"} {
				v, err := w.app.Reports.Monthly(request(), ceo, tc.month.String(), sc, report.ReadJSON)
				if err != nil {
					t.Fatal(err)
				}
				scope, _ := domain.ParseScope(sc)
				want := recount(w.data, tc.month, asOf, scope.Includes)
				got := figures(v.Report)
				if sc != "company" {
					got.Staff, want.Staff = nil, nil // the ladder counts the company; in-scope rows differ by design
				}
				if g, wnt := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != wnt {
					t.Errorf("%s %s:\n got %s\nwant %s", tc.month, sc, g, wnt)
				}
				if want.Received == 0 || want.Closed == 0 || want.Answers == 0 || (sc == "company" && (want.Planned == want.Done ||
					want.ReportsDue == want.ReportsOnTime || want.FollowUpsDue == want.FollowUpsOnTime || len(want.Below) == 0)) {
					t.Errorf("%s: a month without complaints or answers proves little: %+v", sc, want)
				}
				if !v.Kept || !v.Report.Final || !v.Report.AsOf.Equal(asOf) {
					t.Errorf("%s: kept %v final %v asOf %v", sc, v.Kept, v.Report.Final, v.Report.AsOf)
				}
			}
			// The month in progress: the figures so far.
			cur := domain.MonthOf(now, loc)
			v, err := w.app.Reports.Monthly(request(), ceo, cur.String(), "company", report.ReadJSON)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := figures(v.Report), recount(w.data, cur, now, domain.CompanyScope.Includes); fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("month in progress:\n got %+v\nwant %+v", got, want)
			}
			if v.Kept || v.Report.Final {
				t.Errorf("the month in progress was kept (%v) or final (%v)", v.Kept, v.Report.Final)
			}
		})
	}
}

// A complaint received at 23:30 on the last day of the month, company time,
// is that month's, in a zone with daylight saving too; one received half an
// hour later is the next month's.
func TestTimeZoneEdges(t *testing.T) {
	for _, tc := range []struct{ zone, last, next string }{
		{"Asia/Shanghai", "2026-10-31 23:30", "2026-11-01 00:00"},
		{"Europe/Berlin", "2026-10-31 23:30", "2026-11-01 00:00"}, // a week after the clocks went back
		{"Europe/Berlin", "2026-03-31 23:30", "2026-04-01 00:00"}, // two days after they went forward
	} {
		t.Run(tc.zone+" "+tc.last, func(t *testing.T) {
			last := local(tc.zone, tc.last)
			month := tc.last[:7]
			w := newWorld(t, tc.zone, seed.Options{Seed: 9, From: domain.Month{Year: 2026, Month: time.January}, To: domain.Month{Year: 2026, Month: time.January},
				Now: last.Add(-time.Hour)})
			w.now = last.Add(48 * time.Hour)
			sla := domain.DefaultSLA(tc.zone)
			for i, at := range []time.Time{last, local(tc.zone, tc.next)} {
				c := &domain.Complaint{CustomerName: "x", Contact: domain.Contact{Name: "x", Phone: "13800000000"}, Channel: domain.ChannelPhone,
					Category: domain.CategoryOther, Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "d", ReceivedAt: at, Language: "zh"}
				c.Number = fmt.Sprintf("edge%d", i)
				c.Open(sla, "", "")
				if err := w.app.Store.Complaints().Put(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			v, err := w.app.Reports.Monthly(request(), ceo, month, "company", report.ReadJSON)
			if err != nil {
				t.Fatal(err)
			}
			if v.Report.Complaints.Received != 1 || v.Report.Complaints.OpenAtEnd != 1 {
				t.Fatalf("%s: received %d, open at end %d; want the 23:30 complaint only", month, v.Report.Complaints.Received, v.Report.Complaints.OpenAtEnd)
			}
			m, _ := domain.ParseMonth(month)
			next, err := w.app.Reports.Monthly(request(), ceo, m.Add(1).String(), "company", report.ReadJSON)
			if err != nil || next.Report.Complaints.Received != 1 {
				t.Fatalf("next month: %+v %v", next.Report.Complaints, err)
			}
		})
	}
}

func mailsTo(ms []mail.Message) map[string]mail.Message {
	out := map[string]mail.Message{}
	for _, m := range ms {
		out[m.To[0]] = m
	}
	return out
}

// The 1st-of-month run: every scope kept once as a snapshot, each report
// mailed once to its people in their language (managers their own,
// supervisors their department's, the executive the company's with the
// statistics table), a rerun sends nothing and changes nothing, and a
// complaint entered later for that month shows up in the verification,
// never in the snapshot.
func TestMonthlyRun(t *testing.T) {
	now := local("Asia/Shanghai", "2026-11-01 08:00")
	w := newWorld(t, "Asia/Shanghai", seed.Options{Seed: 7, Accounts: 30, Managers: 7, Departments: 2, From: domain.Month{Year: 2026, Month: time.August},
		To: domain.Month{Year: 2026, Month: time.November}, ComplaintsPerMonth: 30, AnswersPerMonth: 30, Now: now, Staff: 2})
	// A manager with no accounts this month, who reads English.
	zed := domain.StaffMember{ID: "zed", Name: "Zed", Email: "zed@example.com", Roles: []domain.Role{domain.RoleManager}, Language: "en", Active: true, Version: 1}
	if err := w.app.Store.Staff().Put(ctx, &zed, 0, domain.AuditEntry{Entity: "staff", EntityID: "zed", Action: "create", Actor: "t", At: now, RequestID: "zed"}); err != nil {
		t.Fatal(err)
	}

	res, err := w.app.Reports.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Managers m01–m07 and zed, supervisors of d1 and d2, the executive.
	if res.Month != "2026-10" || res.Sent != 11 || res.AlreadySent != 0 || strings.Join(res.Backfilled, ",") != "2026-08,2026-09" {
		t.Fatalf("first run: %+v", res)
	}
	sent := mailsTo(w.env.DrainMail(t))
	if len(sent) != 11 {
		t.Fatalf("%d mails queued", len(sent))
	}
	ceoMail, m01, m07, z := sent["ceo@example.com"], sent["m01@example.com"], sent["m07@example.com"], sent["zed@example.com"]
	if !strings.Contains(ceoMail.Subject, "2026年10月") || !strings.Contains(ceoMail.Subject, "全公司") || !strings.Contains(m07.Subject, "October 2026") {
		t.Errorf("subjects: %q / %q", ceoMail.Subject, m07.Subject)
	}
	names := func(m mail.Message) string {
		var out []string
		for _, a := range m.Attachments {
			out = append(out, a.Filename+"|"+a.ContentID)
		}
		return strings.Join(out, ",")
	}
	if names(ceoMail) != "trend.png|trend,keycare-2026-10-company.csv|,complaints-2026-10.xlsx|" || names(m01) != "trend.png|trend,keycare-2026-10-manager-m01.csv|" {
		t.Errorf("attachments: executive %s; manager %s", names(ceoMail), names(m01))
	}
	for _, m := range []mail.Message{ceoMail, m01, sent["sup1@example.com"]} {
		if !strings.Contains(m.HTML, `src="cid:trend"`) || !strings.Contains(m.Text, "CSAT") || strings.Contains(m.HTML, "<script") {
			t.Errorf("%s: HTML or text part incomplete", m.To[0])
		}
		if strings.Index(m.HTML, "风险客户") > strings.Index(m.HTML, "主要指标") {
			t.Errorf("%s: the risk list must come first", m.To[0])
		}
	}
	if !strings.Contains(sent["sup1@example.com"].HTML, "客户经理排名") || strings.Contains(m01.HTML, "客户经理排名") {
		t.Error("the ranking of managers belongs in the department's report only")
	}
	if len(z.Attachments) != 0 || !strings.Contains(z.Text, "nothing to report") || strings.Count(strings.TrimSpace(strings.Split(z.Text, "-- ")[0]), "\n") > 5 {
		t.Errorf("an empty month is one line: %q", z.Text)
	}

	before, err := w.app.Store.Reports().Snapshots(ctx, "2026-10")
	if err != nil || len(before) != 1+2+8 {
		t.Fatalf("%d snapshots kept (company, 2 departments, 8 managers): %v", len(before), err)
	}
	company := before[0]
	for _, s := range before {
		if s.Scope == "company" {
			company = s
		}
	}
	if company.Report.Trend[9].Values[domain.KPICSAT] == 0 || company.Report.KPIs[0].LastMonth == nil {
		t.Errorf("the backfilled months belong in the trend: %+v", company.Report.Trend)
	}
	ver, err := w.app.Reports.Verify(request(), ceo, "2026-10", "company")
	if err != nil || !ver.Matches || ver.Hash != company.Hash {
		t.Fatalf("verify: %+v %v", ver, err)
	}

	// Rerun (a retry, or the schedule fired twice): nothing is sent again.
	w.now = now.Add(10 * time.Minute)
	res, err = w.app.Reports.Run(ctx)
	if err != nil || res.Sent != 0 || res.AlreadySent != 11 || res.Kept != 0 || len(res.Backfilled) != 0 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if again := w.env.DrainMail(t); len(again) != 0 {
		t.Fatalf("the rerun queued %d mails", len(again))
	}

	// A complaint entered on the 3rd for 20 October changes the raw items:
	// the snapshot stays as sent, and the verification says it no longer matches.
	late := &domain.Complaint{Number: "261020999", CustomerName: "x", Contact: domain.Contact{Name: "x", Phone: "13800000000"}, Channel: domain.ChannelPhone,
		Category: domain.CategoryOther, Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "d",
		ReceivedAt: local("Asia/Shanghai", "2026-10-20 10:00"), Language: "zh"}
	late.Open(domain.DefaultSLA("Asia/Shanghai"), "", "")
	if err := w.app.Store.Complaints().Put(ctx, late); err != nil {
		t.Fatal(err)
	}
	w.now = local("Asia/Shanghai", "2026-11-03 09:00")
	if res, err := w.app.Reports.Run(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("run after the change: %+v %v", res, err)
	}
	kept, _ := w.app.Store.Reports().Snapshot(ctx, "2026-10", "company")
	if kept.Hash != company.Hash {
		t.Fatal("a snapshot changed")
	}
	ver, err = w.app.Reports.Verify(request(), ceo, "2026-10", "company")
	if err != nil || ver.Matches || ver.RecomputedHash == ver.Hash || !contains(ver.Changed, domain.KPIComplaints) {
		t.Fatalf("verify after the change: %+v %v", ver, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Without an executive in the directory the company report goes to the
// ReportRecipients addresses.
func TestReportRecipientsFallback(t *testing.T) {
	now := local("Asia/Shanghai", "2026-11-01 08:00")
	env := testenv.New(t)
	d := env.Deps(t, "MonthlyReportFunction", func() time.Time { return now })
	d.Config.ReportRecipients = "quality@example.com, board@example.com"
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	data := seed.Generate(seed.Options{Seed: 5, Zone: "Asia/Shanghai", Accounts: 5, Managers: 1, Departments: 1, From: domain.Month{Year: 2026, Month: time.October},
		To: domain.Month{Year: 2026, Month: time.October}, ComplaintsPerMonth: 5, AnswersPerMonth: 5, Now: now})
	var staff []domain.StaffMember
	for _, m := range data.Staff {
		if !m.Has(domain.RoleExecutive) {
			staff = append(staff, m)
		}
	}
	data.Staff = staff
	if err := data.Write(ctx, app.Store, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Reports.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sent := mailsTo(env.DrainMail(t))
	for _, to := range []string{"quality@example.com", "board@example.com"} {
		if m, ok := sent[to]; !ok || !strings.Contains(m.Subject, "全公司") || len(m.Attachments) != 3 {
			t.Errorf("%s: %+v", to, m.Subject)
		}
	}
	d.Config.ReportRecipients = "not an address"
	if _, err := platform.Wire(d); err == nil {
		t.Error("a bad ReportRecipients address was accepted at cold start")
	}
}

// The kept months of a scope are listed newest first with their hash and
// time, for whom may read the scope, on the access record; a glance at a
// kept report (My day) reads the snapshot alone, never computes a month
// not kept, and is one access-record entry naming the risk list's accounts.
func TestKeptMonthsAndSummary(t *testing.T) {
	now := local("Asia/Shanghai", "2026-11-01 08:00")
	w := newWorld(t, "Asia/Shanghai", seed.Options{Seed: 3, Accounts: 20, Managers: 2, Departments: 1, From: domain.Month{Year: 2026, Month: time.August},
		To: domain.Month{Year: 2026, Month: time.November}, ComplaintsPerMonth: 20, AnswersPerMonth: 20, Now: now, Staff: 2})
	if _, err := w.app.Reports.Run(ctx); err != nil {
		t.Fatal(err)
	}
	w.env.DrainMail(t)
	audit := w.app.Store.Audit()
	count := func(entity, id string) int {
		t.Helper()
		var pg domain.Page[domain.AuditEntry]
		var err error
		if entity == "" {
			pg, err = audit.ByActor(ctx, id, 500, "")
		} else {
			pg, err = audit.Of(ctx, entity, id, 500, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		return len(pg.Items)
	}

	kept, err := w.app.Reports.Kept(request(), ceo, "company", "")
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, k := range kept {
		snap, err := w.app.Store.Reports().Snapshot(ctx, k.Month, "company")
		if err != nil || snap.Hash != k.Hash || !snap.CreatedAt.Equal(k.CreatedAt) || k.Scope != "company" {
			t.Errorf("%+v is not the kept snapshot %v", k, err)
		}
		months = append(months, k.Month)
	}
	if strings.Join(months, ",") != "2026-10,2026-09,2026-08" {
		t.Fatalf("kept months of the company: %v", months)
	}
	if count("report", "company") != 1 {
		t.Errorf("the listing is not on the scope's access record")
	}
	if older, err := w.app.Reports.Kept(request(), ceo, "company", "2026-09"); err != nil || len(older) != 1 || older[0].Month != "2026-08" {
		t.Errorf("before September: %+v %v", older, err)
	}
	mgr := domain.Principal{Sub: "m01", Roles: []domain.Role{domain.RoleManager}, Department: "d1"}
	if _, err := w.app.Reports.Kept(request(), mgr, "company", ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a manager lists the company's months: %v", err)
	}
	if own, err := w.app.Reports.Kept(request(), mgr, "", ""); err != nil || len(own) == 0 || own[0].Scope != "manager:m01" {
		t.Errorf("a manager's own months: %+v %v", own, err)
	}
	var ve *domain.ValidationError
	if _, err := w.app.Reports.Kept(request(), ceo, "company", "October"); !errors.As(err, &ve) {
		t.Errorf("a bad month: %v", err)
	}

	before := count("", "ceo")
	trails := map[string]int{}
	if snap, err := w.app.Store.Reports().Snapshot(ctx, "2026-10", "company"); err == nil {
		for _, r := range snap.Report.Risk {
			trails[r.CustomerID] = count("customer", r.CustomerID)
		}
	}
	v, err := w.app.Reports.Summary(request(), ceo, "2026-10", "")
	if err != nil || !v.Kept || v.Hash != kept[0].Hash || v.Scope != "company" {
		t.Fatalf("summary of October: %+v %v", v.Snapshot.Hash, err)
	}
	entries, _ := audit.ByActor(ctx, "ceo", 10, "")
	if n := count("", "ceo"); n != before+1 {
		t.Fatalf("a glance wrote %d access-record entries, want one", n-before)
	}
	e := entries.Items[0]
	risky := map[string]bool{}
	for _, r := range v.Report.Risk {
		risky[r.CustomerID] = true
		if !contains(e.Changes, "customer "+r.CustomerID) {
			t.Errorf("the entry does not name %s: %+v", r.CustomerID, e)
		}
	}
	if len(risky) == 0 {
		t.Fatal("October has no risk list: the entry's names are not tested")
	}
	if e.Entity != "customer-list" || e.Action != domain.ActionList || len(e.Changes) != len(risky) {
		t.Errorf("the glance's entry: %+v (risk list of %d accounts)", e, len(risky))
	}
	for id := range risky {
		if n := count("customer", id); n != trails[id] {
			t.Errorf("the glance wrote %d entries in %s's trail", n-trails[id], id)
		}
	}
	// A month not kept is not computed.
	if _, err := w.app.Reports.Summary(request(), ceo, "2026-07", ""); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("summary of a month never kept: %v", err)
	}
	if _, err := w.app.Store.Reports().Snapshot(ctx, "2026-07", "company"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatal("a glance kept a month")
	}
	if _, err := w.app.Reports.Summary(request(), mgr, "2026-10", "company"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a manager glances at the company's report: %v", err)
	}
}
