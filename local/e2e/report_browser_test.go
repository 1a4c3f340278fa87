package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"keycare/local/seed"
	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/store"
)

// The monthly report as its readers see it: the email (its inline chart
// shown as a mail client shows a cid: image) and the report page, in
// headless Chromium at a phone's width (390 px) and a desktop's (1280 px).
// Neither may make the page scroll sideways on the phone. Screenshots go
// to testout/reports/.
func TestReportEmailAndPageInABrowser(t *testing.T) {
	s := testenv.NewServer(t)
	now := time.Date(2026, 11, 1, 0, 10, 0, 0, time.UTC) // 08:10 on the 1st, Shanghai
	s.Clock.Set(now)
	st := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table)
	d := seed.Generate(seed.Options{Seed: 2026, Zone: "Asia/Shanghai", Accounts: 40, Managers: 6, Departments: 2, Staff: 3,
		From: domain.Month{Year: 2025, Month: time.November}, To: domain.Month{Year: 2026, Month: time.November},
		ComplaintsPerMonth: 24, AnswersPerMonth: 24, VisitsPerMonth: 30, Now: now})
	if err := d.Write(context.Background(), st, 8); err != nil {
		t.Fatal(err)
	}
	// A manager with no accounts yet, who reads English: their month is one line.
	zed := domain.StaffMember{ID: "zed", Name: "Zed", Email: "zed@example.com", Roles: []domain.Role{domain.RoleManager}, Language: "en", Active: true}
	if err := st.Staff().Put(context.Background(), &zed, 0, domain.AuditEntry{Entity: "staff", EntityID: "zed", Action: "create", Actor: "t", At: now, RequestID: "zed"}); err != nil {
		t.Fatal(err)
	}
	if r := s.Do("POST", "/_local/schedules/MonthlyReportFunction", "", nil); r.Code != 200 {
		t.Fatalf("run: %d %s", r.Code, r.Body)
	}
	sent := map[string]mail.Message{}
	for _, m := range s.Env.DrainMail(t) {
		sent[m.To[0]] = m
	}
	out := filepath.Join(testenv.Root(t), "testout", "reports")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for name, to := range map[string]string{"email-manager": "m01@example.com", "email-department": "sup1@example.com", "email-company": "ceo@example.com", "email-empty": "zed@example.com"} {
		m, ok := sent[to]
		if !ok {
			t.Fatalf("no report mailed to %s", to)
		}
		html := m.HTML
		if name == "email-empty" && !strings.Contains(m.Text, "nothing to report") {
			t.Errorf("the empty month's email: %q", m.Text)
		}
		for _, a := range m.Attachments {
			if a.ContentID == "" {
				continue
			}
			data := a.Data
			if a.Ref != "" {
				b, err := st.Mail().Part(context.Background(), a.Ref)
				if err != nil {
					t.Fatal(err)
				}
				data = b
			}
			html = strings.ReplaceAll(html, "cid:"+a.ContentID, "data:"+a.ContentType+";base64,"+base64.StdEncoding.EncodeToString(data))
		}
		files[name] = filepath.Join(out, name+".html")
		if err := os.WriteFile(files[name], []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ceo := testenv.Token(t, "ceo", "", "executive")
	for name, path := range map[string]string{"page-company": "/reports/monthly/2026-10?scope=company", "page-department": "/reports/monthly/2026-10?scope=department:d1"} {
		r := s.Do("GET", path, ceo, nil, "Accept", "text/html")
		if r.Code != 200 || !strings.Contains(string(r.Body), "<svg") {
			t.Fatalf("%s: %d", path, r.Code)
		}
		files[name] = filepath.Join(out, name+".html")
		if err := os.WriteFile(files[name], r.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ctx := browser(t)
	for name, file := range files {
		for _, width := range []int64{390, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844), chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatalf("%s at %d: %v", name, width, err)
			}
			sideways, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if sideways > 0 {
				t.Errorf("%s at %d px: the page scrolls sideways by %d px", name, width, sideways)
			}
			if strings.HasPrefix(name, "email") {
				loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.images].every(i => i.complete && i.naturalWidth > 0)`))
				if err != nil || !loaded {
					t.Errorf("%s: the chart image did not load (%v)", name, err)
				}
			}
			shot(t, ctx, out, name+"-"+strconv.FormatInt(width, 10)+".png")
		}
	}
}
