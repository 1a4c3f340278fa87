package mail

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (make browser installs it). Outside CI a
// machine without it skips the test and says why; in CI (CI set) it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if x, err := exec.LookPath(p); err == nil {
			return x
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH, and CI is set: the mail layout must be checked in a browser; run `make browser` (apt-get install chromium)")
	}
	t.Skip("SKIPPED: no Chromium on PATH, so the mail layout was not checked in a browser; run `make browser` (apt-get install chromium) — with CI set this fails")
	return ""
}

// moduleRoot is the folder of go.mod (the package cannot import
// local/testenv, which imports it).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// layoutCheck is what the page reports at a width.
type layoutCheck struct {
	Scroll   int      `json:"scroll"`   // max(scrollWidth) of html and body
	Client   int      `json:"client"`   // documentElement.clientWidth
	Over     []string `json:"over"`     // elements reaching past the viewport
	Buttons  int      `json:"buttons"`  // button-styled links
	ButtonH  float64  `json:"buttonH"`  // the smallest button's height
	ButtonOK bool     `json:"buttonOK"` // every button lies inside the viewport
	Links    []string `json:"links"`    // hrefs of the buttons
}

const measure = `(() => {
  const d = document.documentElement, b = document.body, vw = d.clientWidth;
  const over = [];
  for (const el of b.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5) over.push(el.tagName + ' ' + Math.round(r.right) + ': ' + (el.textContent || '').trim().slice(0, 40));
  }
  const btns = [...b.querySelectorAll('a')].filter(a => a.style.display === 'inline-block');
  const hs = btns.map(a => a.getBoundingClientRect().height);
  return {scroll: Math.max(d.scrollWidth, b.scrollWidth), client: vw, over: over.slice(0, 5),
    buttons: btns.length, buttonH: hs.length ? Math.min(...hs) : 0,
    buttonOK: btns.every(a => { const r = a.getBoundingClientRect(); return r.left >= 0 && r.right <= vw; }),
    links: btns.map(a => a.getAttribute('href'))};
})()`

// docShots are the screenshots docs/ keeps (as docs/mail-*-phone.png and
// -desktop.png): a customer mail, a staff notice and the daily digest.
var docShots = map[string]bool{"complaint-received-zh": true, "complaint-reminder-overdue-zh": true, "visit-digest-zh": true}

// The page of issue 13: a card with a bare tracking URL, 537–588 px wide on
// a phone. The check below must catch it.
const brokenPage = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="margin:0;padding:24px"><table width="100%" style="max-width:600px;padding:24px"><tr><td><p>处理进度：https://keycare.example.cn/public/complaints/261122001?token=Vb1m0qYqk3Z7yq9H2J5p6cXwT1uQ8rL4sN0aD2fG7hK</p></td></tr></table></body></html>`

func TestEveryMailFitsAPhoneInChromium(t *testing.T) {
	t.Parallel() // beside the mailer test, which mostly waits for its emulators
	path := chromium(t)
	out := filepath.Join(moduleRoot(t), "testout", "mail")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	pages := map[string]string{"broken": brokenPage}
	customer := map[string]bool{}
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m, err := Compose(s.env, s.data)
			if err != nil {
				t.Fatalf("%s/%s: %v", s.name, lang, err)
			}
			name := s.name + "-" + lang
			pages[name] = m.HTML
			customer[name] = m.ReplyTo != nil
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		html, ok := pages[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, html)
	}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 5*time.Minute) // some 40 pages on 2 shared cores
	defer cancel()

	names := make([]string, 0, len(pages))
	for n := range pages {
		if n != "broken" {
			names = append(names, n)
		}
	}
	sort.Strings(names)

	// Each page loads once and is measured at each width (a viewport change
	// lays the page out again, as turning a phone does).
	viewports := []struct {
		name   string
		width  int64
		mobile bool
		shots  bool
	}{{"phone", 390, true, true}, {"small", 360, true, false}, {"desktop", 1280, false, true}}
	for _, name := range append([]string{"broken"}, names...) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, vp := range viewports {
			emulate := chromedp.EmulateViewport(vp.width, 800)
			if vp.mobile {
				emulate = chromedp.EmulateViewport(vp.width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
			}
			if err := chromedp.Do(ctx, emulate); err != nil {
				t.Fatalf("viewport %d: %v", vp.width, err)
			}
			c, err := chromedp.Run(ctx, chromedp.Evaluate[layoutCheck](measure))
			if err != nil {
				t.Fatalf("%s at %d px: %v", name, vp.width, err)
			}
			if name == "broken" { // the check sees the page the issue reported
				if vp.mobile && c.Scroll <= int(vp.width) {
					t.Fatalf("the overflow check missed the broken page at %d px: %+v", vp.width, c)
				}
				continue
			}
			if c.Scroll > int(vp.width) || c.Client > int(vp.width) || len(c.Over) > 0 {
				t.Errorf("%s is %d px wide in a %d px viewport (client %d); past the edge: %q", name, c.Scroll, vp.width, c.Client, c.Over)
			}
			if customer[name] && !strings.HasPrefix(name, "handover") && (c.Buttons != 1 || !strings.HasPrefix(c.Links[0], "https://")) {
				t.Errorf("%s at %d px: %d buttons %q, want one link button", name, vp.width, c.Buttons, c.Links)
			}
			if c.Buttons > 0 && (c.ButtonH < 40 || !c.ButtonOK) {
				t.Errorf("%s at %d px: button %.0f px high or outside the viewport; want a tappable one (≥ 40 px)", name, vp.width, c.ButtonH)
			}
			if vp.shots {
				// PNG for the pictures docs/ keeps, JPEG (twice as fast) for the rest.
				quality, ext := 85, ".jpg"
				if docShots[name] {
					quality, ext = 100, ".png"
				}
				img, err := chromedp.Run(ctx, chromedp.FullScreenshot(quality))
				if err != nil {
					t.Fatalf("screenshot %s: %v", name, err)
				}
				if err := os.WriteFile(filepath.Join(out, name+"-"+vp.name+ext), img, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("%d messages rendered at 390, 360 and 1280 px; screenshots in %s", len(names), out)
}
