package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"keycare/local/testenv"
)

// pageCheck is what a public page reports at a width.
type pageCheck struct {
	Scroll  int      `json:"scroll"` // max(scrollWidth) of html and body
	Client  int      `json:"client"` // documentElement.clientWidth
	Over    []string `json:"over"`   // elements reaching past the viewport
	Product string   `json:"product"`
}

const measurePage = `(() => {
  const d = document.documentElement, b = document.body, vw = d.clientWidth, over = [];
  for (const el of b.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5 && !el.closest('.hp')) over.push(el.tagName + '#' + el.id + ' ' + Math.round(r.right));
  }
  const p = document.getElementById('product-fields');
  return {scroll: Math.max(d.scrollWidth, b.scrollWidth), client: vw, over: over.slice(0, 5), product: p ? getComputedStyle(p).display : ''};
})()`

// docPages are the screenshots docs/ keeps, one of each changed page.
var docPages = map[string]string{
	"form-product-zh-desktop": "complaint-form.png",
	"track-late-zh-phone":     "complaint-track-late.png",
	"survey-errors-zh-phone":  "survey-errors.png",
	"error-en-phone":          "public-error.png",
}

// Every changed public page, rendered by Chromium with JavaScript off at
// 390 and 1280 px: no wider than the viewport; the product fields appear
// for a product-quality complaint by CSS alone.
func TestPublicPagesInChromium(t *testing.T) {
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
	s := newStack(t)
	liftLimits(t, s)
	alice := token(t, "alice", "sales", "manager")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID, "reason": "manual"})
	survey := mailedSurveyToken(t, s, "wang@acme.cn")
	s.Clock.Set(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	_, sub := submit(s, t, validForm())
	s.Clock.Set(time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)) // a week later, nothing done
	track, _ := url.Parse(sub.TrackingURL)
	trackPath := track.Path + "?token=" + track.Query().Get("token")

	// Answers to posts are captured and served as they were sent.
	captured := map[string]string{}
	capture := func(name, path string, form url.Values) {
		r := postForm(s, path, form)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", name, r.Code, r.Body)
		}
		captured[name] = string(r.Body)
	}
	capture("form-errors-en", "/public/complaints?lang=en", url.Values{"customerName": {"Acme"}, "category": {"product"}, "productType": {"Spindle motor"},
		"producedOn": {"2026-10-02"}, "arrivedOn": {"2026-09-01"}, "lang": {"en"}, "formToken": {formToken(t, s)}})
	capture("error-en", "/public/complaints?lang=en", url.Values{"idempotencyKey": {"bad key!"}, "lang": {"en"}})
	capture("error-zh", "/public/complaints?lang=zh", url.Values{"idempotencyKey": {"bad key!"}, "lang": {"zh"}})
	capture("survey-errors-zh", "/public/surveys/"+survey+"?lang=zh", url.Values{"overall": {"9"}, "quality": {"4"}, "lang": {"zh"}})
	capture("survey-errors-en", "/public/surveys/"+survey+"?lang=en", url.Values{"overall": {"9"}, "quality": {"4"}, "lang": {"en"}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if page, ok := captured[strings.TrimPrefix(r.URL.Path, "/_captured/")]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(page))
			return
		}
		r.Header.Set("Accept", "text/html")
		s.H.ServeHTTP(w, r)
	}))
	defer srv.Close()

	pages := []struct{ name, url, category string }{
		{"form-zh", "/complaint-form", ""},
		{"form-product-zh", "/complaint-form", "product"},
		{"form-product-en", "/complaint-form?lang=en", "product"},
		{"form-errors-en", "/_captured/form-errors-en", ""},
		{"error-en", "/_captured/error-en", ""},
		{"error-zh", "/_captured/error-zh", ""},
		{"track-late-zh", trackPath + "&lang=zh", ""},
		{"track-late-en", trackPath + "&lang=en", ""},
		{"survey-zh", "/s/" + survey, ""},
		{"survey-errors-zh", "/_captured/survey-errors-zh", ""},
		{"survey-errors-en", "/_captured/survey-errors-en", ""},
	}

	out := filepath.Join(testenv.Root(t), "testout", "pages")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("blink-settings", "scriptEnabled=false"), // the pages work without JavaScript
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	defer cancel()

	for _, p := range pages {
		steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(srv.URL + p.url)}
		if p.category != "" { // choosing in the select, as a visitor does (no page script runs)
			steps = append(steps, chromedp.SetValue(chromedp.CSS("#category"), p.category))
		}
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		for _, vp := range []struct {
			name   string
			width  int64
			mobile bool
		}{{"phone", 390, true}, {"desktop", 1280, false}} {
			emulate := chromedp.EmulateViewport(vp.width, 900)
			if vp.mobile {
				emulate = chromedp.EmulateViewport(vp.width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
			}
			if err := chromedp.Do(ctx, emulate); err != nil {
				t.Fatal(err)
			}
			c, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](measurePage))
			if err != nil {
				t.Fatalf("%s at %d px: %v", p.name, vp.width, err)
			}
			if c.Scroll > int(vp.width) || c.Client > int(vp.width) || len(c.Over) > 0 {
				t.Errorf("%s is %d px wide in a %d px viewport; past the edge: %q", p.name, c.Scroll, vp.width, c.Over)
			}
			switch {
			case strings.HasPrefix(p.name, "form-product") || p.name == "form-errors-en":
				if c.Product == "none" || c.Product == "" {
					t.Errorf("%s at %d px: the product fields are hidden for a product complaint", p.name, vp.width)
				}
			case p.name == "form-zh":
				if c.Product != "none" {
					t.Errorf("%s at %d px: the product fields show (%q) before product is chosen", p.name, vp.width, c.Product)
				}
			}
			img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", p.name, err)
			}
			name := p.name + "-" + vp.name
			if err := os.WriteFile(filepath.Join(out, name+".png"), img, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d pages rendered at 390 and 1280 px; screenshots in %s (docs/ keeps %v)", len(pages), out, docPages)
}
