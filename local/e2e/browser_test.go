package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"keycare/local/emu"
	"keycare/local/gateway"
	"keycare/local/testenv"
	"keycare/shared/domain"
)

// browser starts headless Chromium (Debian's chromium; make test installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if x, err := exec.LookPath(p); err == nil {
			path = x
			break
		}
	}
	if path == "" {
		t.Fatal("no Chromium on PATH: run `make browser` (apt-get install chromium); `make test` does it for you")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 1400))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	return ctx
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitMail polls the local outbox for a mail whose subject holds want.
func (s *stack) waitMail(t *testing.T, want, to string) emu.SentEmail {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		code, body := s.do(t, "GET", "/_local/outbox", "", "")
		var box struct {
			Emails []emu.SentEmail `json:"emails"`
		}
		if code == 200 && json.Unmarshal(body, &box) == nil {
			for _, m := range box.Emails {
				if strings.Contains(m.Subject, want) && (to == "" || strings.Contains(strings.Join(m.Destination.To, ","), to)) {
					return m
				}
			}
		}
		last = string(body)
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no mail %q to %q in the outbox after 45s: %.2000s", want, to, last)
	return emu.SentEmail{}
}

func TestComplaintFormInARealBrowser(t *testing.T) {
	s := startStack(t)
	out := filepath.Join(testenv.Root(t), "testout", "e2e")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	location := func() string {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}

	// Chinese by default, English through the switch.
	do(chromedp.Navigate(s.Base+"/complaint-form"), chromedp.WaitVisible(css("h1")))
	if h1 := text("h1"); h1 != "客户投诉" {
		t.Fatalf("default heading %q", h1)
	}
	shot(t, ctx, out, "complaint-form-zh.png")
	do(chromedp.Click(css(".lang a")), chromedp.WaitVisible(chromedp.Search(`//h1[text()="Make a complaint"]`)))
	if u := location(); !strings.Contains(u, "lang=en") {
		t.Fatalf("language switch went to %s", u)
	}
	shot(t, ctx, out, "complaint-form-en.png")

	// An invalid form: the field errors show, nothing is sent.
	do(chromedp.SetValue(css("#customerName"), "Acme Ltd"), chromedp.SetValue(css("#email"), "not-an-address"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#email-error")))
	if e := text("#email-error"); e != "This is not a valid email address." || !strings.Contains(location(), "/complaint-form") {
		t.Fatalf("email error %q at %s", e, location())
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if e := text("#contactName-error"); e != "This field is required." || err != nil || focused != "contactName" {
		t.Fatalf("contact error %q, focus on %q (%v)", e, focused, err)
	}
	shot(t, ctx, out, "complaint-form-errors-en.png")

	// A valid one: the thank-you page shows the number and the tracking link.
	// (A person takes more than the form token's 3 s to fill the form in.)
	time.Sleep(3 * time.Second)
	email := fmt.Sprintf("jane.%d@example.com", time.Now().UnixNano())
	do(chromedp.SetValue(css("#contactName"), "Jane Doe"), chromedp.SetValue(css("#email"), email),
		chromedp.SetValue(css("#category"), "logistics"), chromedp.SetValue(css("#request"), "compensation"),
		chromedp.SendKeys(css("#description"), "The pallet delivered on 20 November arrived crushed."),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#complaint-number")))
	number := text("#complaint-number")
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(css("#tracking-link"), "href"))
	link := attr.Value
	shot(t, ctx, out, "complaint-thanks-en.png")
	if err != nil || !domain.ValidNumber(number) || !strings.Contains(link, number) || !strings.Contains(link, "token=") {
		t.Fatalf("thank-you page: number %q link %q (%v)", number, link, err)
	}

	// Staff find it through the API; the acknowledgement is in the outbox.
	sue, _ := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: "sue", Roles: []string{"supervisor"}, Department: "quality"}, time.Now())
	code, body := s.do(t, "GET", "/complaints/"+number, sue, "")
	var c domain.Complaint
	_ = json.Unmarshal(body, &c)
	if code != 200 || c.Status != domain.StatusReceived || c.Contact.Email != email || c.Language != "en" || c.Channel != domain.ChannelWeb {
		t.Fatalf("staff API: %d %s", code, body)
	}
	ack := s.waitMail(t, number, email)
	if !strings.Contains(ack.Body.Text, "7 days") || !strings.Contains(ack.Body.HTML, number) || !strings.Contains(ack.Body.Text, "token=") {
		t.Fatalf("acknowledgement: %+v", ack)
	}

	// Chinese form too, submitted in Chinese.
	do(chromedp.Navigate(s.Base+"/complaint-form?lang=zh"), chromedp.WaitVisible(chromedp.Search(`//h1[text()="客户投诉"]`)))

	// Deadlines, demonstrated: move the clock past the first-response
	// deadline into working hours and fire the hourly escalation now.
	sla := domain.DefaultSLA("Asia/Shanghai")
	at := sla.NextWorkingMorning(c.Deadlines.FirstResponseDue.Add(time.Hour)).Add(time.Hour)
	if code, body := s.do(t, "POST", "/_local/clock", "", `{"now":"`+at.Format(time.RFC3339)+`"}`); code != 200 {
		t.Fatalf("clock: %d %s", code, body)
	}
	if code, body := s.do(t, "POST", "/_local/schedules/ComplaintEscalationFunction", "", ""); code != 200 {
		t.Fatalf("fire escalation: %d %s", code, body)
	}
	s.waitMail(t, number, "supervisor@example.com")
	s.stop(t)
}
