package api_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"keycare/local/runner"
	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/public"
)

// The public pages of issue 13: the form's privacy notice and product
// fields, every link of every page, survey errors in one language, the
// tracking page of a late complaint.

// postForm posts url-encoded fields as a browser does.
func postForm(s *stackServer, path string, form url.Values) resp {
	return s.Do("POST", path, "", form.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html")
}

func pageLang(body []byte) string {
	m := regexp.MustCompile(`<html lang="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	if string(m[1]) == "zh-CN" {
		return "zh"
	}
	return string(m[1])
}

// putSettings changes the settings as an admin and waits out their cache.
func putSettings(t *testing.T, s *stackServer, change func(*domain.Settings)) {
	t.Helper()
	root := token(t, "root", "", "admin")
	var set domain.Settings
	r := s.Do("GET", "/settings", root, nil)
	r.JSON(t, &set)
	change(&set)
	if r := s.Do("PUT", "/settings", root, set, "If-Match", r.Header.Get("ETag")); r.Code != 200 {
		t.Fatalf("settings: %d %s", r.Code, r.Body)
	}
	s.Clock.Advance(31 * time.Second)
}

// The form says what it collects, why, for how long (the retention setting)
// and whom to contact (the brand), in the page's language.
func TestFormCarriesAPrivacyNotice(t *testing.T) {
	s := newStack(t)
	putSettings(t, s, func(set *domain.Settings) {
		set.Retention.ComplaintYears = 5
		set.Brand.Contact = domain.Text{ZH: "李静", EN: "Li Jing"}
		set.Brand.Hotline = "400-820-1234"
		set.Brand.ReplyTo = "privacy@keycare.example.cn"
		set.Brand.Address = domain.Text{ZH: "上海市浦东新区世纪大道 100 号", EN: "100 Century Avenue, Shanghai"}
	})
	for l, want := range map[string][]string{
		"zh": {"个人信息保护说明", "收集哪些信息", "电子邮箱", "用途", "投诉办结后保存 5 年", "李静", "400-820-1234", "privacy@keycare.example.cn", "世纪大道"},
		"en": {"Your personal information", "What we collect", "Why", "5 years after the complaint is closed", "Li Jing", "400-820-1234", "privacy@keycare.example.cn", "Century Avenue"},
	} {
		r := s.Do("GET", "/complaint-form?lang="+l, "", nil)
		page := html.UnescapeString(string(r.Body))
		i := strings.Index(page, `id="privacy"`)
		if r.Code != 200 || i < 0 || i > strings.Index(page, `id="submit"`) {
			t.Fatalf("%s: %d, no privacy notice before the submit button", l, r.Code)
		}
		for _, w := range want {
			if !strings.Contains(page[i:], w) {
				t.Errorf("%s notice lacks %q", l, w)
			}
		}
		other := map[string]string{"zh": "personal information", "en": "个人信息"}[l]
		if strings.Contains(page[i:], other) {
			t.Errorf("%s notice mixes languages", l)
		}
	}
}

// The form has the product fields (shown for product-quality complaints by
// CSS alone); a form post stores them, drops them for another category, and
// a bad date comes back on the field in the page's language.
func TestFormProductFields(t *testing.T) {
	s := newStack(t)
	liftLimits(t, s)
	sue := token(t, "sue", "quality", "supervisor")
	page := string(s.Do("GET", "/complaint-form?lang=en", "", nil).Body)
	for _, want := range []string{`name="productType"`, `name="productBatch"`, `type="date" id="producedOn" name="producedOn"`,
		`type="date" id="arrivedOn" name="arrivedOn"`, `Batch number`, `:has(#category option[value="product"]:checked)`} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("form lacks %s", want)
		}
	}
	post := func(l, category string, product url.Values) (resp, *domain.Complaint) {
		t.Helper()
		form := url.Values{"customerName": {"Acme"}, "contactName": {"Jane"}, "email": {"jane@example.com"}, "category": {category},
			"request": {"exchange"}, "description": {"The bearings squeal."}, "lang": {l}, "formToken": {formToken(t, s)}}
		for k, v := range product {
			form[k] = v
		}
		r := postForm(s, "/public/complaints?lang="+l, form)
		if r.Code != 303 {
			return r, nil
		}
		base, _ := url.Parse("/public/complaints")
		u, _ := url.Parse(r.Header.Get("Location"))
		number := strings.TrimPrefix(base.ResolveReference(u).Path, "/public/complaints/")
		var c domain.Complaint
		s.Do("GET", "/complaints/"+number, sue, nil).JSON(t, &c)
		return r, &c
	}
	product := url.Values{"productType": {"Spindle motor"}, "productBatch": {"B2611-07"}, "producedOn": {"2026-10-02"}, "arrivedOn": {"2026-11-10"}}
	if r, c := post("en", "product", product); c == nil || c.Product == nil || *c.Product != (domain.Product{Type: "Spindle motor", Batch: "B2611-07", ProducedOn: "2026-10-02", ArrivedOn: "2026-11-10"}) {
		t.Fatalf("product complaint: %d %+v", r.Code, c)
	}
	if r, c := post("en", "logistics", product); c == nil || c.Product != nil {
		t.Fatalf("a logistics complaint keeps the product fields typed before: %d %+v", r.Code, c)
	}
	for l, want := range map[string]string{"zh": "到货日期不能早于生产日期。", "en": "The arrival date cannot be before the production date."} {
		bad := url.Values{"productType": {"Spindle motor"}, "producedOn": {"2026-10-02"}, "arrivedOn": {"2026-09-01"}}
		r, _ := post(l, "product", bad)
		body := html.UnescapeString(string(r.Body))
		if r.Code != 400 || !strings.Contains(body, `<p class="error" id="arrivedOn-error" aria-live="polite">`+want) ||
			!strings.Contains(body, `href="#arrivedOn"`) || !strings.Contains(body, `value="Spindle motor"`) || pageLang(r.Body) != l {
			t.Fatalf("%s: arrival before production: %d %s", l, r.Code, r.Body)
		}
	}
	r, _ := post("zh", "product", url.Values{"producedOn": {"2026-13-45"}})
	if !strings.Contains(string(r.Body), "请按“年-月-日”填写日期") {
		t.Fatalf("bad date: %d %s", r.Code, r.Body)
	}
}

// publicPage is a page a visitor can reach, and the language it is in.
type publicPage struct {
	name, method, path, lang string
	form                     url.Values
	body                     string
}

// Every link and form on every public page, in both languages and in
// every state (errors included), leads to an HTML page in the language it
// promises: the language switch of a page answering a post too. The same
// under a custom domain's base path (BasePath /keycare).
func TestEveryLinkOnEveryPublicPageResolves(t *testing.T) {
	s := newStack(t)
	crawlPublicPages(t, s, s.H, "")
}

func TestEveryLinkOnEveryPublicPageResolvesUnderABasePath(t *testing.T) {
	env := testenv.New(t)
	env.Resources.Resolver.Params["BasePath"] = "/keycare"
	env.Resources.Resolver.Params["PublicBaseUrl"] = "http://keycare.test/keycare"
	clock := runner.NewClock()
	rn, err := runner.New(env.Template, env.Resources, env.AWS, clock, platform.Registry)
	if err != nil {
		t.Fatal(err)
	}
	rn.SESURL = env.Emu.SES
	raw := rn.Handler() // the routes under /keycare, as the custom domain serves them
	// s.Do (the setup's staff calls) prefixes /keycare itself.
	prefixed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath, r2.RequestURI = "/keycare"+r.URL.Path, "", ""
		raw.ServeHTTP(w, r2)
	})
	crawlPublicPages(t, &stackServer{T: t, H: prefixed, Env: env, Clock: clock}, raw, "/keycare")
}

// crawlPublicPages opens every public page in each language and state
// through raw (paths under prefix) and follows each link and form.
func crawlPublicPages(t *testing.T, s *stackServer, raw http.Handler, prefix string) {
	t.Helper()
	liftLimits(t, s)
	alice := token(t, "alice", "sales", "manager")
	createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": mustCustomerID(t, s, alice), "reason": "manual"})
	survey := mailedSurveyToken(t, s, "wang@acme.cn")
	f := validForm()
	f["email"] = "links@example.com"
	_, sub := submit(s, t, f)
	track, _ := url.Parse(sub.TrackingURL)
	trackPath := strings.TrimPrefix(track.Path, prefix)

	do := func(method, path, body string, headers ...string) resp {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		raw.ServeHTTP(w, req)
		return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	}
	var pages []publicPage
	for _, l := range []string{"zh", "en"} {
		complaint := url.Values{"customerName": {"Acme"}, "lang": {l}}
		pages = append(pages,
			publicPage{name: "form", method: "GET", path: "/complaint-form?lang=" + l, lang: l},
			publicPage{name: "form shown again", method: "POST", path: "/public/complaints?lang=" + l, lang: l, form: complaint},
			publicPage{name: "form error page", method: "POST", path: "/public/complaints?lang=" + l, lang: l, form: url.Values{"idempotencyKey": {"bad key!"}, "lang": {l}}},
			publicPage{name: "form too large", method: "POST", path: "/public/complaints?lang=" + l, lang: l, body: "description=" + strings.Repeat("x", public.MaxPublicBody+1)},
			publicPage{name: "tracking, new", method: "GET", path: trackPath + "?token=" + track.Query().Get("token") + "&lang=" + l + "&new=1", lang: l},
			publicPage{name: "tracking, unknown", method: "GET", path: "/public/complaints/261122999?token=nope&lang=" + l, lang: l},
			publicPage{name: "survey", method: "GET", path: "/s/" + survey + "?lang=" + l, lang: l},
			publicPage{name: "survey errors", method: "POST", path: "/public/surveys/" + survey + "?lang=" + l, lang: l, form: url.Values{"overall": {"9"}, "lang": {l}}},
			publicPage{name: "survey too large", method: "POST", path: "/public/surveys/" + survey + "?lang=" + l, lang: l, body: "comment=" + strings.Repeat("x", 17<<10)},
			publicPage{name: "survey unknown", method: "GET", path: "/s/" + strings.Repeat("n", 30) + "?lang=" + l, lang: l},
			publicPage{name: "survey thanks", method: "POST", path: "/public/surveys/" + survey + "?lang=" + l, lang: l, form: url.Values{"overall": {"4"}, "recommend": {"8"}, "lang": {l}}},
		)
	}
	seen := map[string]bool{}
	links := 0
	// follow resolves href on the page at from and checks it stays on the
	// site under prefix; it answers the target's path and query.
	follow := func(p publicPage, from *url.URL, href string) (string, bool) {
		u, err := url.Parse(href)
		if err != nil {
			t.Errorf("%s (%s): link %q does not parse", p.name, p.lang, href)
			return "", false
		}
		u = from.ResolveReference(u)
		if (u.Host != "" && u.Host != "example.com" && u.Host != "keycare.test") || !strings.HasPrefix(u.Path, prefix+"/") {
			t.Errorf("%s (%s): link %q leads to %s, off the site or out of %q", p.name, p.lang, href, u, prefix+"/")
			return "", false
		}
		return u.RequestURI(), true
	}
	var visit func(p publicPage, depth int)
	visit = func(p publicPage, depth int) {
		t.Helper()
		var r resp
		switch {
		case p.method == "GET":
			r = do("GET", p.path, "", "Accept", "text/html")
		case p.body != "":
			r = do("POST", p.path, p.body, "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html")
		default:
			r = do("POST", p.path, p.form.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html")
		}
		from, _ := url.Parse("http://example.com" + p.path)
		if loc := r.Header.Get("Location"); r.Code == 303 {
			target, ok := follow(p, from, loc)
			if !ok {
				return
			}
			p, r = publicPage{name: p.name + " → " + target, method: "GET", path: target, lang: p.lang}, do("GET", target, "", "Accept", "text/html")
			from, _ = url.Parse("http://example.com" + target)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Code >= 500 || pageLang(r.Body) != p.lang {
			t.Errorf("%s (%s %s): %d %s, language %q, want an HTML page in %s: %.300s", p.name, p.method, p.path, r.Code,
				r.Header.Get("Content-Type"), pageLang(r.Body), p.lang, r.Body)
			return
		}
		body := string(r.Body)
		ids := map[string]bool{}
		for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			ids[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`<a\s[^>]*href="([^"]*)"[^>]*>`).FindAllStringSubmatch(body, -1) {
			links++
			href := html.UnescapeString(m[1])
			if frag, ok := strings.CutPrefix(href, "#"); ok {
				if !ids[frag] {
					t.Errorf("%s (%s): link %q points to no element", p.name, p.lang, href)
				}
				continue
			}
			target, ok := follow(p, from, href)
			if !ok {
				continue
			}
			want := p.lang
			if hl := regexp.MustCompile(`hreflang="([^"]+)"`).FindStringSubmatch(m[0]); hl != nil {
				want = map[string]string{"zh-CN": "zh", "en": "en"}[hl[1]]
			}
			if seen[target] || depth > 2 {
				continue
			}
			seen[target] = true
			// A link leads to a page that answers 200, or to the same
			// answer as its page (a not-found page's language switch).
			if c := do("GET", target, "", "Accept", "text/html").Code; c != 200 && (c != r.Code || p.method != "GET") {
				t.Errorf("%s (%s): link %s answers %d", p.name, p.lang, target, c)
				continue
			}
			visit(publicPage{name: p.name + " → " + target, method: "GET", path: target, lang: want}, depth+1)
		}
		// Each form posts to a route that answers HTML in its language.
		for _, m := range regexp.MustCompile(`<form\s[^>]*action="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			links++
			action, ok := follow(p, from, html.UnescapeString(m[1]))
			if !ok || seen["POST "+action] {
				continue
			}
			seen["POST "+action] = true
			visit(publicPage{name: p.name + " → form " + action, method: "POST", path: action, lang: p.lang, form: url.Values{"lang": {p.lang}}}, depth+1)
		}
	}
	for _, p := range pages {
		p.path = prefix + p.path
		visit(p, 0)
	}
	// A browser's form post, followed to the thank-you page.
	form := url.Values{"customerName": {"Acme"}, "contactName": {"Jane"}, "email": {"jane.links@example.com"}, "category": {"logistics"},
		"request": {"compensation"}, "description": {"Crushed pallet."}, "lang": {"en"}, "formToken": {formToken(t, s)}}
	visit(publicPage{name: "form post", method: "POST", path: prefix + "/public/complaints?lang=en", lang: "en", form: form}, 0)
	t.Logf("%d links and forms followed from %d pages", links, len(pages)+1)
}

func mustCustomerID(t *testing.T, s *stackServer, tok string) string {
	t.Helper()
	var page domain.Page[struct {
		ID string `json:"id"`
	}]
	s.Do("GET", "/customers", tok, nil).JSON(t, &page)
	if len(page.Items) == 0 {
		t.Fatal("no customer")
	}
	return page.Items[0].ID
}

// A survey's errors are in the page's language alone, each beside its
// field and linked from the summary, the choices made kept.
func TestSurveyErrorsInThePageLanguageOnly(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID, "reason": "manual"})
	tok := mailedSurveyToken(t, s, "wang@acme.cn")
	han := regexp.MustCompile(`\p{Han}`)
	latin := regexp.MustCompile(`[A-Za-z]{3,}`)
	for _, l := range []string{"zh", "en"} {
		form := url.Values{"overall": {"7"}, "quality": {"9"}, "professionalism": {"4"}, "comment": {"ok"}, "lang": {l}}
		r := postForm(s, "/public/surveys/"+tok+"?lang="+l, form)
		body := html.UnescapeString(string(r.Body))
		m := regexp.MustCompile(`(?s)<div class="summary".*?</div>`).FindString(body)
		if r.Code != 400 || m == "" {
			t.Fatalf("%s: %d, no error summary", l, r.Code)
		}
		for _, id := range []string{"overall-1", "recommend-0", "quality-1"} {
			if !strings.Contains(m, `href="#`+id+`"`) || !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("%s: the summary does not link %s", l, id)
			}
		}
		var errs []string
		for _, e := range regexp.MustCompile(`<p class="error" id="[a-z]+-error">([^<]+)</p>`).FindAllStringSubmatch(body, -1) {
			errs = append(errs, e[1])
		}
		text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m, " ") + strings.Join(errs, " ")
		if len(errs) != 3 || l == "en" && han.MatchString(text) || l == "zh" && latin.MatchString(text) {
			t.Errorf("%s: errors %q in the summary %q: want three, in %s alone", l, errs, text, l)
		}
		if !strings.Contains(body, `id="professionalism-4" value="4" checked`) {
			t.Errorf("%s: the aspect chosen is lost", l)
		}
	}
}

// A complaint past a deadline says so on the tracking page, apologises and
// says when the customer will hear from us, in the page's language and
// with the time's zone; on time it shows none of it.
func TestTrackingPageOfALateComplaint(t *testing.T) {
	s := newStack(t)
	s.Clock.Set(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)) // Monday 10:00 in Shanghai
	_, sub := submit(s, t, validForm())
	u, _ := url.Parse(sub.TrackingURL)
	page := func(l string) (resp, string) {
		r := s.Do("GET", u.Path+"?token="+u.Query().Get("token")+"&lang="+l, "", nil, "Accept", "text/html")
		return r, html.UnescapeString(string(r.Body))
	}
	if r, body := page("zh"); r.Code != 200 || strings.Contains(body, `id="late"`) || strings.Contains(body, "status late") ||
		!strings.Contains(body, "2026年11月23日 10:00（北京时间）") {
		t.Fatalf("on time: %d %s", r.Code, body)
	}
	// A week later (Monday 11-30, 12:00 in Shanghai) nothing has happened.
	s.Clock.Set(time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC))
	for l, want := range map[string][]string{
		"zh": {`class="status late"`, "已超期", "很抱歉，我们晚了", "我们承诺在 2026年11月24日 10:00（北京时间）前首次答复您，但没有做到。",
			"我们承诺在 2026年11月30日 10:00（北京时间）前办结您的投诉，但还没有办结。", "最迟将在 2026年12月1日 17:00（北京时间）前与您联系", "400-000-0000"},
		"en": {`class="status late"`, "Late", "We are sorry: we are late", "We promised you a first answer by 24 Nov 2026, 10:00 (UTC+08:00) and did not give it.",
			"We promised to close your complaint by 30 Nov 2026, 10:00 (UTC+08:00) and have not closed it.", "you will hear from us by 1 Dec 2026, 17:00 (UTC+08:00) at the latest"},
	} {
		r, body := page(l)
		for _, w := range want {
			if r.Code != 200 || !strings.Contains(body, w) {
				t.Errorf("%s late page lacks %q", l, w)
			}
		}
	}
	var v public.TrackingView
	s.Do("GET", u.Path+"?token="+u.Query().Get("token"), "", nil).JSON(t, &v)
	if len(v.Late) != 2 || v.Late[0].Kind != domain.DeadlineFirstResponse || v.ReplyBy == nil || !v.ReplyBy.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("JSON: %+v", v)
	}
}
