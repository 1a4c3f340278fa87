package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"keycare/local/seed"
	"keycare/shared/domain"
	"keycare/shared/report"
	"keycare/shared/store"
)

// reportStack is the local stack with a seeded company and its clock on
// 23 November 2026, 10:00 Shanghai time.
func reportStack(t *testing.T) (*stackServer, *store.Store) {
	t.Helper()
	s := newStack(t)
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	s.Clock.Set(now)
	st := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table)
	d := seed.Generate(seed.Options{Seed: 11, Zone: "Asia/Shanghai", Accounts: 12, Managers: 2, Departments: 1, From: domain.Month{Year: 2026, Month: time.September},
		To: domain.Month{Year: 2026, Month: time.November}, ComplaintsPerMonth: 12, AnswersPerMonth: 12, VisitsPerMonth: 10, Now: now, Staff: 2})
	if err := d.Write(context.Background(), st, 4); err != nil {
		t.Fatal(err)
	}
	return s, st
}

func TestContractsAndVolumeRoutes(t *testing.T) {
	s, st := reportStack(t)
	m01 := token(t, "m01", "d1", "manager")
	m02 := token(t, "m02", "d1", "manager")
	other := token(t, "sup9", "d9", "supervisor")
	// c0000 is m01's account (seed: account i belongs to manager 1 + i%2).
	r := s.Do("POST", "/customers/c0000/contracts", m01, map[string]any{"start": "2026-12-01", "end": "2027-11-30", "value": 3_000_000})
	var k domain.ContractRecord
	r.JSON(t, &k)
	if r.Code != 201 || k.ID == "" || k.ManagerID != "m01" || k.CustomerID != "c0000" {
		t.Fatalf("add: %d %s", r.Code, r.Body)
	}
	renewal := map[string]any{"start": "2027-12-01", "end": "2028-11-30", "value": 3_100_000, "renews": k.ID}
	if r := s.Do("POST", "/customers/c0000/contracts", m01, renewal); r.Code != 201 {
		t.Fatalf("renewal: %d %s", r.Code, r.Body)
	}
	if r := s.Do("POST", "/customers/c0000/contracts", m01, renewal); r.Code != 409 {
		t.Fatalf("renewing the same contract twice: %d %s", r.Code, r.Body)
	}
	if r := s.Do("POST", "/customers/c0000/contracts", m01, map[string]any{"start": "2027-12-01", "end": "2028-11-30", "renews": "nosuch"}); r.Code != 400 {
		t.Fatalf("renewing an unknown contract: %d %s", r.Code, r.Body)
	}
	if r := s.Do("POST", "/customers/c0000/contracts", m01, map[string]any{"start": "2027-12-01", "end": "2027-11-30"}); r.Code != 400 {
		t.Fatalf("ends before it starts: %d", r.Code)
	}
	if r := s.Do("POST", "/customers/c0000/contracts", m02, map[string]any{"start": "2027-12-01", "end": "2028-11-30"}); r.Code != 403 {
		t.Fatalf("another manager's account: %d", r.Code)
	}
	if r := s.Do("POST", "/customers/c0000/contracts", other, map[string]any{"start": "2027-12-01", "end": "2028-11-30"}); r.Code != 403 {
		t.Fatalf("another department's supervisor: %d", r.Code)
	}
	if r := s.Do("POST", "/customers/nosuch/contracts", m01, map[string]any{"start": "2027-12-01", "end": "2028-11-30"}); r.Code != 404 {
		t.Fatalf("unknown account: %d", r.Code)
	}

	if r := s.Do("PUT", "/customers/c0000/volume/2026-11", m01, map[string]any{"amount": 123456}); r.Code != 200 {
		t.Fatalf("volume: %d %s", r.Code, r.Body)
	}
	if r := s.Do("PUT", "/customers/c0000/volume/2026-12", m01, map[string]any{"amount": 1}); r.Code != 400 {
		t.Fatalf("a future month: %d", r.Code)
	}
	if r := s.Do("PUT", "/customers/c0000/volume/2026-11", m02, map[string]any{"amount": 1}); r.Code != 403 {
		t.Fatalf("another manager's volume: %d", r.Code)
	}
	if r := s.Do("PUT", "/customers/c0000/volume/11-2026", m01, map[string]any{"amount": 1}); r.Code != 400 {
		t.Fatalf("a bad month: %d", r.Code)
	}
	vol, _ := st.Contracts().VolumeIn(context.Background(), "2026-11")
	for _, v := range vol {
		if v.CustomerID == "c0000" && v.Amount != 123456 {
			t.Fatalf("volume stored as %d", v.Amount)
		}
	}
	// All on the account's access record, with what changed.
	trail, _ := st.Audit().Of(context.Background(), "customer", "c0000", 50, "")
	var actions []string
	for _, e := range trail.Items {
		if e.Actor == "m01" {
			actions = append(actions, e.Action+":"+strings.Join(e.Changes, "+"))
		}
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "volume:volume.2026-11") || !strings.Contains(got, "contract:contract.") || !strings.Contains(got, "+renews."+k.ID) {
		t.Fatalf("access record: %s", got)
	}
}

func TestMonthlyReportRoutes(t *testing.T) {
	s, st := reportStack(t)
	m01 := token(t, "m01", "d1", "manager")
	sup := token(t, "sup1", "d1", "supervisor")
	ceo := token(t, "ceo", "", "executive")
	dept := token(t, "fix", "repair", "department")

	// A manager's own report by default; October has ended, so it is kept.
	r := s.Do("GET", "/reports/monthly/2026-10", m01, nil)
	var v report.View
	r.JSON(t, &v)
	if r.Code != 200 || v.Scope != "manager:m01" || !v.Kept || len(v.Hash) != 64 || r.Header.Get("ETag") != `"`+v.Hash+`"` || v.Report.Complaints.Received == 0 {
		t.Fatalf("own report: %d %.300s", r.Code, r.Body)
	}
	again := s.Do("GET", "/reports/monthly/2026-10?scope=manager:m01", m01, nil)
	var v2 report.View
	again.JSON(t, &v2)
	if v2.Hash != v.Hash || !v2.CreatedAt.Equal(v.CreatedAt) {
		t.Fatal("a kept report is read again as kept, not recomputed")
	}
	for _, tt := range []struct {
		tok, path string
		code      int
	}{
		{m01, "/reports/monthly/2026-10?scope=manager:m02", 403},
		{m01, "/reports/monthly/2026-10?scope=company", 403},
		{m01, "/reports/monthly/2026-10?scope=department:d1", 403},
		{sup, "/reports/monthly/2026-10", 200},
		{sup, "/reports/monthly/2026-10?scope=department:d2", 403},
		{ceo, "/reports/monthly/2026-10?scope=manager:m02", 200},
		{dept, "/reports/monthly/2026-10", 403},
		{ceo, "/reports/monthly/2026-12", 400},
		{ceo, "/reports/monthly/2026-1", 400},
		{ceo, "/reports/monthly/2026-10?scope=team:x", 400},
		{ceo, "/reports/monthly/2026-10?format=pdf", 400},
		{"", "/reports/monthly/2026-10", 401},
		{m01, "/reports/complaints/2026-10", 403},
		{dept, "/reports/complaints/2026-10", 403},
		{m01, "/reports/monthly/2026-10/verify?scope=company", 403},
		{ceo, "/reports/monthly/2025-01/verify", 404},
	} {
		if r := s.Do("GET", tt.path, tt.tok, nil); r.Code != tt.code {
			t.Errorf("%s: %d, want %d: %.200s", tt.path, r.Code, tt.code, r.Body)
		}
	}

	// The month in progress: figures so far, not kept.
	r = s.Do("GET", "/reports/monthly/2026-11?scope=company", ceo, nil)
	var cur report.View
	r.JSON(t, &cur)
	if r.Code != 200 || cur.Kept || cur.Report.Final {
		t.Fatalf("month in progress: %d kept %v final %v", r.Code, cur.Kept, cur.Report.Final)
	}
	if _, err := st.Reports().Snapshot(context.Background(), "2026-11", "company"); err == nil {
		t.Fatal("the month in progress was kept")
	}

	// A browser gets the page with the chart as inline SVG; files download.
	page := s.Do("GET", "/reports/monthly/2026-10?scope=company", ceo, nil, "Accept", "text/html,application/xhtml+xml")
	body := string(page.Body)
	if page.Code != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<svg") ||
		!strings.Contains(body, "投诉统计表") || !strings.Contains(body, v.Report.TimeZone) || page.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("page: %d %s", page.Code, page.Header)
	}
	en := s.Do("GET", "/reports/monthly/2026-10?lang=en", m01, nil, "Accept", "text/html")
	visits := fmt.Sprintf("%d visits planned, %d done", v.Report.Visits.Planned, v.Report.Visits.Done)
	if !strings.Contains(string(en.Body), "Monthly service-quality report") || !v.Report.Visits.Recorded || v.Report.Visits.Planned == 0 ||
		!strings.Contains(string(en.Body), visits) || strings.Contains(string(en.Body), "Not recorded") {
		t.Fatalf("English page: want %q in the visits section: %.300s", visits, en.Body)
	}
	csv := s.Do("GET", "/reports/monthly/2026-10?format=csv", m01, nil)
	if csv.Code != 200 || !strings.HasPrefix(string(csv.Body), "\ufeff") || !strings.Contains(string(csv.Body), "客户满意度 CSAT") ||
		!strings.Contains(csv.Header.Get("Content-Disposition"), "keycare-2026-10-manager-m01.csv") {
		t.Fatalf("csv: %d %s", csv.Code, csv.Header)
	}
	xlsx := s.Do("GET", "/reports/monthly/2026-10?format=xlsx&scope=company", ceo, nil)
	if xlsx.Code != 200 || !bytes.HasPrefix(xlsx.Body, []byte("PK")) {
		t.Fatalf("xlsx: %d", xlsx.Code)
	}

	// The statistics table, from the company snapshot.
	tb := s.Do("GET", "/reports/complaints/2026-10", sup, nil)
	var table report.TableView
	tb.JSON(t, &table)
	company, _ := st.Reports().Snapshot(context.Background(), "2026-10", "company")
	if tb.Code != 200 || table.Hash != company.Hash || table.Total.Received != company.Report.Complaints.Received || len(table.Rows) == 0 {
		t.Fatalf("table: %d %.300s", tb.Code, tb.Body)
	}
	for _, f := range []string{"csv", "xlsx"} {
		if r := s.Do("GET", "/reports/complaints/2026-10?format="+f, ceo, nil); r.Code != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "complaints-2026-10."+f) {
			t.Errorf("table as %s: %d %s", f, r.Code, r.Header)
		}
	}

	// Verification recounts the raw items.
	ver := s.Do("GET", "/reports/monthly/2026-10/verify?scope=company", ceo, nil)
	var vr domain.Verification
	ver.JSON(t, &vr)
	if ver.Code != 200 || !vr.Matches || vr.Hash != company.Hash {
		t.Fatalf("verify: %d %s", ver.Code, ver.Body)
	}

	// Every read is on the access record, with how it was read.
	trail, _ := st.Audit().Of(context.Background(), "report", "2026-10/manager:m01", 50, "")
	var how []string
	for _, e := range trail.Items {
		how = append(how, e.Actor+":"+e.Action)
	}
	if got := strings.Join(how, " "); !strings.Contains(got, "m01:read") || !strings.Contains(got, "m01:read-html") || !strings.Contains(got, "m01:export-csv") {
		t.Fatalf("access record of manager:m01: %s", got)
	}
	trail, _ = st.Audit().Of(context.Background(), "report", "2026-10/company", 50, "")
	how = how[:0]
	for _, e := range trail.Items {
		how = append(how, e.Action)
	}
	if got := strings.Join(how, " "); !strings.Contains(got, "verify") || !strings.Contains(got, "export-xlsx") {
		t.Fatalf("access record of company: %s", got)
	}
	if trail, _ := st.Audit().Of(context.Background(), "complaint-table", "2026-10", 50, ""); len(trail.Items) != 3 {
		t.Fatalf("complaint table reads recorded: %d", len(trail.Items))
	}

	// The accounts and complaints a report names are each on their own
	// access record, as a listing's files are: the company report of
	// October names some, and each got one entry per read of it.
	var co report.View
	s.Do("GET", "/reports/monthly/2026-10?scope=company", ceo, nil).JSON(t, &co)
	customers, complaints := co.Report.Shown()
	if len(customers) == 0 || len(complaints) == 0 {
		t.Fatalf("the company report names no account (%v) or complaint (%v): the check below would prove nothing", customers, complaints)
	}
	shown := func(entity, id string) (n int) {
		trail, err := st.Audit().Of(context.Background(), entity, id, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range trail.Items {
			if e.Action == domain.ActionInReport && e.Actor == "ceo" && strings.HasPrefix(e.Reason, "report 2026-10/company") {
				n++
			}
		}
		return n
	}
	// ceo read the company report as a page, as XLSX and now as JSON (verify shows no record).
	for _, id := range customers {
		if n := shown("customer", id); n != 3 {
			t.Errorf("account %s named in the company report: %d entries in its trail, want 3", id, n)
		}
	}
	for _, n := range complaints {
		if k := shown("complaint", n); k != 3 {
			t.Errorf("complaint %s named in the company report: %d entries in its trail, want 3", n, k)
		}
	}
}

// GET /reports/snapshots lists the kept months of a scope the caller may
// read, newest first with their hash and time, on the scope's access record.
func TestKeptReportsRoute(t *testing.T) {
	s, st := reportStack(t)
	m01 := token(t, "m01", "d1", "manager")
	ceo := token(t, "ceo", "", "executive")
	for _, m := range []string{"2026-09", "2026-10"} { // read once: kept
		if r := s.Do("GET", "/reports/monthly/"+m+"?scope=company", ceo, nil); r.Code != 200 {
			t.Fatalf("%s: %d", m, r.Code)
		}
	}
	r := s.Do("GET", "/reports/snapshots?scope=company", ceo, nil)
	var got struct {
		Items  []domain.KeptReport `json:"items"`
		Before string              `json:"before"`
	}
	r.JSON(t, &got)
	if r.Code != 200 || len(got.Items) != 2 || got.Items[0].Month != "2026-10" || got.Items[1].Month != "2026-09" || got.Before != "" {
		t.Fatalf("kept months: %d %s", r.Code, r.Body)
	}
	oct, _ := st.Reports().Snapshot(context.Background(), "2026-10", "company")
	if got.Items[0].Hash != oct.Hash || !got.Items[0].CreatedAt.Equal(oct.CreatedAt) || got.Items[0].Scope != "company" {
		t.Fatalf("October as listed %+v, as kept %s %s", got.Items[0], oct.Hash, oct.CreatedAt)
	}
	for _, tt := range []struct {
		tok, path string
		code      int
	}{
		{m01, "/reports/snapshots?scope=company", 403},
		{m01, "/reports/snapshots?scope=manager:m02", 403},
		{m01, "/reports/snapshots", 200},
		{ceo, "/reports/snapshots?scope=company&before=2026-10", 200},
		{ceo, "/reports/snapshots?scope=team:x", 400},
		{ceo, "/reports/snapshots?before=10/2026", 400},
		{"", "/reports/snapshots", 401},
	} {
		if r := s.Do("GET", tt.path, tt.tok, nil); r.Code != tt.code {
			t.Errorf("%s: %d, want %d: %.200s", tt.path, r.Code, tt.code, r.Body)
		}
	}
	if trail, _ := st.Audit().Of(context.Background(), "report", "company", 50, ""); len(trail.Items) != 2 || trail.Items[0].Action != domain.ActionList {
		t.Fatalf("the company's listings on its access record: %+v", trail.Items)
	}
}

// The investigation step takes the responsible staff member's id.
func TestInvestigationResponsibleStaffRoute(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	fixer := token(t, "fx", "repair", "department")
	_, out := submit(s, t, validForm())
	for _, step := range []struct {
		tok, name string
		body      map[string]any
	}{{sue, "accept", nil}, {sue, "assign", map[string]any{"department": "repair", "opinion": "请处理"}}} {
		if r := s.Do("POST", "/complaints/"+out.Number+"/"+step.name, step.tok, step.body); r.Code != 200 {
			t.Fatalf("%s: %d %s", step.name, r.Code, r.Body)
		}
	}
	body := map[string]any{"cause": "c", "whatHappened": "w", "responsible": "李工", "conclusion": "c", "countermeasures": "m", "companyAtFault": true}
	body["responsibleStaff"] = "li gong"
	if r := s.Do("POST", "/complaints/"+out.Number+"/investigation", fixer, body); r.Code != 400 || !strings.Contains(string(r.Body), "responsibleStaff") {
		t.Fatalf("bad staff id: %d %s", r.Code, r.Body)
	}
	body["responsibleStaff"] = "ligong"
	r := s.Do("POST", "/complaints/"+out.Number+"/investigation", fixer, body)
	var c domain.Complaint
	_ = json.Unmarshal(r.Body, &c)
	if r.Code != 200 || c.Investigation == nil || c.Investigation.ResponsibleStaff != "ligong" {
		t.Fatalf("investigation: %d %s", r.Code, r.Body)
	}
}
