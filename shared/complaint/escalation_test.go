package complaint_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"keycare/local/testenv"
	"keycare/shared/complaint"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/staff"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRemindersGoOnceToTheRightPeople(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z") // Monday 10:00 in Shanghai
	clock := func() time.Time { return now }
	d := env.Deps(t, "ComplaintEscalationFunction", clock)
	d.Config.SupervisorEmails, d.Config.ExecutiveEmails, d.Config.DepartmentEmails = "sue@example.com", "ceo@example.com", "repair=repair@example.com"
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	e := app.Escalator()
	st := app.Store.Complaints()
	put := func(number string, sev domain.Severity, dept string) {
		c := &domain.Complaint{Number: number, Year: 2026, CustomerName: "Acme", Contact: domain.Contact{Name: "王", Phone: "13800000000"},
			Channel: domain.ChannelPhone, Category: domain.CategoryService, Severity: sev, Request: domain.RequestOther, Description: "d",
			ReceivedAt: now, Language: "zh"}
		c.Open(domain.DefaultSLA("Asia/Shanghai"), "sue", domain.RoleSupervisor)
		if dept != "" {
			c.Status, c.Department = domain.StatusAssigned, dept
			c.FirstResponseAt = &now
			c.OpinionAt = &now
		}
		if err := st.Put(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	put("261123001", domain.SeverityNormal, "repair") // answered, assigned to repair
	put("261123002", domain.SeverityNormal, "")       // never answered
	put("261123003", domain.SeveritySerious, "")      // serious, never answered
	run := func(at string) (complaint.Result, []string) {
		t.Helper()
		now = ts(at)
		res, err := e.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range env.DrainMail(t) {
			got = append(got, m.Subject[strings.Index(m.Subject, "261123"):strings.Index(m.Subject, "261123")+9]+"→"+strings.Join(m.To, ";"))
			if m.HTML == "" || m.Text == "" {
				t.Fatalf("reminder without both parts: %+v", m)
			}
		}
		sort.Strings(got)
		return res, got
	}
	if res, got := run("2026-11-23T05:00:00Z"); len(got) != 0 || res.Open != 3 {
		t.Fatalf("nothing due yet: %v %+v", got, res)
	}
	// Tuesday 23:00: first responses overdue; only the serious one goes at night.
	if _, got := run("2026-11-24T15:00:00Z"); strings.Join(got, " ") != "261123003→sue@example.com" {
		t.Fatalf("night: %v", got)
	}
	// Wednesday 09:30: the normal one goes in the morning; the serious one is not repeated.
	if _, got := run("2026-11-25T01:30:00Z"); strings.Join(got, " ") != "261123002→sue@example.com" {
		t.Fatalf("morning: %v", got)
	}
	// Sunday 11:00 (closure due Monday 10:00): a day before — but not in working hours, except the serious one.
	if _, got := run("2026-11-29T03:00:00Z"); strings.Join(got, " ") != "261123003→sue@example.com" {
		t.Fatalf("Sunday: %v", got)
	}
	// Monday 09:05: the owner of each normal complaint is reminded: the department, or the supervisors.
	if _, got := run("2026-11-30T01:05:00Z"); strings.Join(got, " ") != "261123001→repair@example.com 261123002→sue@example.com" {
		t.Fatalf("close soon: %v", got)
	}
	// Monday 11:00: overdue, the supervisors are told.
	if _, got := run("2026-11-30T03:00:00Z"); len(got) != 3 {
		t.Fatalf("overdue: %v", got)
	}
	// Tuesday 11:00: a day later, the executive.
	if _, got := run("2026-12-01T03:00:00Z"); strings.Join(got, " ") != "261123001→ceo@example.com 261123002→ceo@example.com 261123003→ceo@example.com" {
		t.Fatalf("executive: %v", got)
	}
	// Re-runs repeat nothing.
	if res, got := run("2026-12-01T04:00:00Z"); len(got) != 0 || res.Sent != 0 || res.AlreadySent == 0 {
		t.Fatalf("re-run: %v %+v", got, res)
	}
}

func TestParseFallback(t *testing.T) {
	d, err := staff.ParseFallback("a@x.cn, b@x.cn", "c@x.cn", "repair=r@x.cn;s@x.cn,billing=b@x.cn")
	if err != nil || len(d.Supervisors) != 2 || len(d.Departments["repair"]) != 2 || d.Departments["billing"][0] != "b@x.cn" {
		t.Fatalf("%+v %v", d, err)
	}
	for _, bad := range [][3]string{{"not-an-address", "", ""}, {"", "", "repair"}, {"", "", "a b=c@x.cn"}, {"", "", "repair=not-an-address"}} {
		if _, err := staff.ParseFallback(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Anonymous web complaints that nobody has accepted yet are escalated in
// one daily summary, not one mail per complaint per hour.
func TestUnacceptedWebComplaintsGoInOneDailySummary(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z") // Monday 10:00 in Shanghai
	clock := func() time.Time { return now }
	d := env.Deps(t, "ComplaintEscalationFunction", clock)
	d.Config.SupervisorEmails, d.Config.ExecutiveEmails = "sue@example.com", "ceo@example.com"
	d.Config.PublicBaseURL = "https://keycare.example.com"
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	st := app.Store.Complaints()
	for i, n := range []string{"261123001", "261123002", "261123003", "261123004"} {
		c := &domain.Complaint{Number: n, Year: 2026, CustomerName: "x", Contact: domain.Contact{Name: "x", Email: "x@example.com"},
			Channel: domain.ChannelWeb, Category: domain.CategoryOther, Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "d",
			ReceivedAt: now.Add(time.Duration(i) * time.Minute), Language: "zh"}
		c.Open(domain.DefaultSLA("Asia/Shanghai"), "", "")
		if err := st.Put(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	e := app.Escalator()
	var sent []string
	for h := 0; h < 24*9; h++ { // every hour for nine days
		now = ts("2026-11-23T02:00:00Z").Add(time.Duration(h) * time.Hour)
		if _, err := e.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, m := range env.DrainMail(t) {
			sent = append(sent, now.Format("01-02")+" "+m.Subject+"\n"+m.Text+"\n"+m.HTML) // the list is in the body
		}
	}
	days := map[string]int{}
	for _, s := range sent {
		days[s[:5]]++
		if !strings.Contains(s, "261123001") || !strings.Contains(s, "261123004") {
			t.Errorf("the summary does not list every complaint: %s", s)
		}
		// Each case and the list link to the console's pages.
		if !strings.Contains(s, `href="https://keycare.example.com/console/complaints/261123001"`) || !strings.Contains(s, "https://keycare.example.com/console/complaints?status=received") {
			t.Errorf("the summary does not link to the console: %s", s)
		}
	}
	for day, n := range days {
		if n != 1 {
			t.Errorf("%d mails on %s: %v", n, day, sent)
		}
	}
	if len(sent) == 0 || len(sent) > 9 {
		t.Fatalf("%d mails in nine days for four unaccepted web complaints: %v", len(sent), sent)
	}
}
