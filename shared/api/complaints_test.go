package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/mail"
	"keycare/shared/public"
	"keycare/shared/store"
)

func validForm() map[string]any {
	return map[string]any{"customerName": "上海精工机械有限公司", "contactName": "王伟", "phone": "13812345678", "email": "wang.wei@example.cn",
		"category": "product", "request": "exchange", "description": "主轴异响，无法生产。", "lang": "zh"}
}

// liftLimits raises the public form's per-client limits, for tests that
// are one client sending many submissions.
func liftLimits(t testing.TB, s *stackServer) {
	t.Helper()
	root := token(t, "root", "", "admin")
	var set domain.Settings
	r := s.Do("GET", "/settings", root, nil)
	r.JSON(t, &set)
	set.Public.PerIPPerHour, set.Public.PerEmailPerDay, set.Public.PerDay = 100000, 100000, 10000000
	if r := s.Do("PUT", "/settings", root, set, "If-Match", r.Header.Get("ETag")); r.Code != 200 {
		t.Fatalf("lift limits: %d %s", r.Code, r.Body)
	}
	s.Clock.Advance(31 * time.Second) // every function rereads the settings
}

// formToken is the signed token of the complaint form, as a browser gets
// it, made valid by moving the clock past its minimum age.
func formToken(t testing.TB, s *stackServer) string {
	t.Helper()
	page := s.Do("GET", "/complaint-form", "", nil)
	m := regexp.MustCompile(`name="formToken" value="([^"]+)"`).FindSubmatch(page.Body)
	if m == nil {
		t.Fatal("the form has no form token")
	}
	s.Clock.Advance(4 * time.Second)
	return string(m[1])
}

func submit(s *stackServer, t testing.TB, body any, headers ...string) (resp, public.SubmitResponse) {
	t.Helper()
	r := s.Do("POST", "/public/complaints", "", body, headers...)
	var out public.SubmitResponse
	if r.Code == 201 || r.Code == 200 {
		r.JSON(t, &out)
	}
	return r, out
}

func TestPublicSubmitAndTrack(t *testing.T) {
	s := newStack(t)
	r, out := submit(s, t, validForm())
	if r.Code != 201 {
		t.Fatalf("submit: %d %s", r.Code, r.Body)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if want := out.ReceivedAt.In(loc).Format("060102") + "001"; out.Number != want {
		t.Fatalf("number %s, want %s", out.Number, want)
	}
	if !out.DueAt.Equal(out.ReceivedAt.Add(7*24*time.Hour)) || !out.FirstResponseDueAt.Equal(out.ReceivedAt.Add(24*time.Hour)) {
		t.Fatalf("deadlines %+v", out)
	}
	u, err := url.Parse(out.TrackingURL)
	if err != nil || u.Query().Get("token") == "" || len(u.Query().Get("token")) < 40 {
		t.Fatalf("tracking URL %q", out.TrackingURL)
	}
	tr := s.Do("GET", u.RequestURI(), "", nil)
	var v public.TrackingView
	tr.JSON(t, &v)
	if tr.Code != 200 || v.Number != out.Number || v.Status != domain.StatusReceived || len(v.Steps) != 1 {
		t.Fatalf("tracking: %d %s", tr.Code, tr.Body)
	}
	for _, leak := range []string{"王伟", "13812345678", "wang.wei", "主轴"} {
		if strings.Contains(string(tr.Body), leak) {
			t.Fatalf("tracking reveals %q: %s", leak, tr.Body)
		}
	}
	wrong := s.Do("GET", "/public/complaints/"+out.Number+"?token=wrong", "", nil)
	unknown := s.Do("GET", "/public/complaints/261122999?token="+u.Query().Get("token"), "", nil)
	notNumber := s.Do("GET", "/public/complaints/abc?token=x", "", nil)
	if wrong.Code != 404 || unknown.Code != 404 || notNumber.Code != 404 || string(wrong.Body) != string(unknown.Body) {
		t.Fatalf("wrong token %d %s / unknown %d %s", wrong.Code, wrong.Body, unknown.Code, unknown.Body)
	}
	page := s.Do("GET", u.RequestURI()+"&new=1", "", nil, "Accept", "text/html")
	if page.Code != 200 || !strings.Contains(string(page.Body), out.Number) || !strings.Contains(string(page.Body), "感谢") {
		t.Fatalf("thank-you page: %d", page.Code)
	}
	mails := customerMails(s, t)
	if len(mails) != 1 || mails[0].Kind != "complaint-received" || mails[0].To[0] != "wang.wei@example.cn" ||
		!strings.Contains(mails[0].Text, out.Number) || !strings.Contains(mails[0].Text, out.TrackingURL) || mails[0].HTML == "" {
		t.Fatalf("acknowledgement: %+v", mails)
	}
}

func TestPublicSubmitIdempotentAndHoneypot(t *testing.T) {
	s := newStack(t)
	bot := validForm()
	bot["website"] = "http://spam.example"
	r, _ := submit(s, t, bot)
	if r.Code != 201 { // answered as a real submission is
		t.Fatalf("honeypot: %d %s", r.Code, r.Body)
	}
	r1, a := submit(s, t, validForm(), "Idempotency-Key", "k-123")
	r2, b := submit(s, t, validForm(), "Idempotency-Key", "k-123")
	if r1.Code != 201 || r2.Code != 200 || a.Number != b.Number || a.TrackingURL != b.TrackingURL {
		t.Fatalf("replay: %d %s / %d %s", r1.Code, r1.Body, r2.Code, r2.Body)
	}
	if !strings.HasSuffix(a.Number, "001") {
		t.Fatalf("the honeypot took a number: first real one is %s", a.Number)
	}
	form := validForm()
	form["idempotencyKey"] = "k-123" // the same key in the body
	if _, c := submit(s, t, form); c.Number != a.Number {
		t.Fatalf("idempotencyKey field not honoured: %s vs %s", c.Number, a.Number)
	}
	other := validForm()
	other["description"] = "另一件事"
	if r, _ := submit(s, t, other, "Idempotency-Key", "k-123"); r.Code != 422 || r.ErrCode(t) != "idempotency_key_reused" {
		t.Fatalf("key reuse: %d %s", r.Code, r.Body)
	}
	s.Clock.Advance(61 * time.Minute) // an address gets at most one acknowledgement an hour
	_, d := submit(s, t, validForm())
	if !strings.HasSuffix(d.Number, "002") {
		t.Fatalf("next number %s, want …002", d.Number)
	}
	if n := len(customerMails(s, t)); n != 2 {
		t.Fatalf("%d acknowledgements, want 2 (replays and bots get none)", n)
	}
}

func TestPublicSubmitBadInput(t *testing.T) {
	s := newStack(t)
	tests := []struct {
		name    string
		mutate  func(f map[string]any)
		raw     string
		headers []string
		code    int
		errCode string
		fields  []string
	}{
		{"no contact", func(f map[string]any) { f["phone"], f["email"] = "", "" }, "", nil, 400, "validation_failed", []string{"phone", "email"}},
		{"bad email", func(f map[string]any) { f["email"] = "wang@" }, "", nil, 400, "validation_failed", []string{"email"}},
		{"bad phone", func(f map[string]any) { f["phone"] = "call me" }, "", nil, 400, "validation_failed", []string{"phone"}},
		{"too long", func(f map[string]any) { f["description"] = strings.Repeat("长", 5001) }, "", nil, 400, "validation_failed", []string{"description"}},
		{"no category", func(f map[string]any) { f["category"] = "" }, "", nil, 400, "validation_failed", []string{"category"}},
		{"unknown request", func(f map[string]any) { f["request"] = "everything" }, "", nil, 400, "validation_failed", []string{"request"}},
		{"unknown field", func(f map[string]any) { f["severity"] = "serious" }, "", nil, 400, "unknown_field", nil},
		{"not json", nil, "{", nil, 400, "bad_json", nil},
		{"huge", nil, `{"description":"` + strings.Repeat("x", public.MaxPublicBody) + `"}`, nil, 413, "body_too_large", nil},
		{"xml", nil, "<x/>", []string{"Content-Type", "text/xml"}, 415, "unsupported_media_type", nil},
		{"bad key", nil, "", []string{"Idempotency-Key", "a b"}, 400, "bad_idempotency_key", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any = tt.raw
			if tt.raw == "" {
				f := validForm()
				if tt.mutate != nil {
					tt.mutate(f)
				}
				body = f
			}
			r := s.Do("POST", "/public/complaints", "", body, tt.headers...)
			if r.Code != tt.code || r.ErrCode(t) != tt.errCode {
				t.Fatalf("%d %s, want %d %s", r.Code, r.Body, tt.code, tt.errCode)
			}
			var e httpx.ErrorBody
			r.JSON(t, &e)
			for _, f := range tt.fields {
				if e.Error.Fields[f] == "" {
					t.Errorf("no message for %s: %v", f, e.Error.Fields)
				}
			}
		})
	}
	// A plain form post with errors shows the form again, messages tied to fields, input kept.
	req := httptest.NewRequest("POST", "/public/complaints", strings.NewReader("customerName=Acme+%E8%82%A1%E4%BB%BD&contactName=&description=%E5%9D%8F%E4%BA%86&lang=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	html := w.Body.String()
	if w.Code != 400 || !strings.Contains(html, `value="Acme 股份"`) || !strings.Contains(html, ">坏了</textarea>") ||
		!strings.Contains(html, `id="contactName-error" aria-live="polite">This field is required.`) || !strings.Contains(html, "Give a phone number or an email address.") {
		t.Fatalf("form re-shown: %d\n%s", w.Code, html)
	}
	if n := len(mails(s, t)); n != 0 {
		t.Fatalf("%d mails for bad input", n)
	}
}

func TestPublicFormPostAndPage(t *testing.T) {
	s := newStack(t)
	for _, l := range []string{"zh", "en"} {
		r := s.Do("GET", "/complaint-form?lang="+l, "", nil)
		page := string(r.Body)
		if r.Code != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("form %s: %d", l, r.Code)
		}
		for _, want := range []string{`name="website"`, `name="idempotencyKey"`, `name="formToken"`, `maxlength="5000"`, `for="description"`, `name="customerName"`, `name="category"`} {
			if !strings.Contains(page, want) {
				t.Errorf("form %s lacks %s", l, want)
			}
		}
		if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
			t.Errorf("form %s loads external assets", l)
		}
		if l == "en" && !strings.Contains(page, "Make a complaint") || l == "zh" && !strings.Contains(page, "客户投诉") {
			t.Errorf("form %s not in its language", l)
		}
	}
	form := url.Values{"customerName": {"Acme Ltd"}, "contactName": {"Jane"}, "email": {"jane@example.com"}, "category": {"logistics"},
		"request": {"compensation"}, "description": {"Damaged pallet."}, "lang": {"en"}, "website": {""}, "idempotencyKey": {"form-1"},
		"formToken": {formToken(t, s)}}
	req := httptest.NewRequest("POST", "/public/complaints", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	loc := w.Header().Get("Location")
	if w.Code != 303 || !strings.Contains(loc, "new=1") || !strings.Contains(loc, "lang=en") {
		t.Fatalf("form post: %d %q", w.Code, loc)
	}
	u, _ := url.Parse(loc)
	u = req.URL.ResolveReference(u) // a relative Location, resolved as a browser does
	page := s.Do("GET", u.RequestURI(), "", nil, "Accept", "text/html")
	if page.Code != 200 || !strings.Contains(string(page.Body), "Thank you") || !strings.Contains(string(page.Body), `id="complaint-number"`) {
		t.Fatalf("thank-you page %d", page.Code)
	}
}

// Many submissions at once get distinct, gap-free numbers.
func TestConcurrentSubmissionsAreGapFree(t *testing.T) {
	s := newStack(t)
	liftLimits(t, s) // one client, 40 submissions at once
	const n = 40
	numbers := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f := validForm()
			f["description"] = fmt.Sprintf("complaint %d", i)
			r, out := submit(s, t, f)
			if r.Code != 201 {
				t.Errorf("submission %d: %d %s", i, r.Code, r.Body)
			}
			numbers[i] = out.Number
		}(i)
	}
	wg.Wait()
	seqs := make([]int, 0, n)
	seen := map[string]bool{}
	for _, num := range numbers {
		seq, ok := domain.NumberSeq(num)
		if !ok || seen[num] {
			t.Fatalf("bad or duplicate number %q in %v", num, numbers)
		}
		seen[num] = true
		seqs = append(seqs, seq)
	}
	sort.Ints(seqs)
	for i, q := range seqs {
		if q != i+1 {
			t.Fatalf("sequence not gap-free: %v", seqs)
		}
	}
}

func step(s *stackServer, tok, number, action string, body any) resp {
	if body == nil {
		body = map[string]any{}
	}
	return s.Do("POST", "/complaints/"+number+"/"+action, tok, body)
}

func TestStaffWorkflow(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	fixer := token(t, "fixer", "repair", "department")
	ceo := token(t, "ceo", "", "executive")
	alice := token(t, "alice", "sales", "manager")
	bob := token(t, "bob", "sales", "manager")
	billing := token(t, "bill", "billing", "department")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))

	r := s.Do("POST", "/complaints", sue, map[string]any{"customerId": cu.ID, "contact": map[string]any{"name": "王伟", "email": "wang@acme.cn"},
		"channel": "phone", "category": "service", "severity": "serious", "request": "compensation", "description": "工程师两次爽约"})
	if r.Code != 201 {
		t.Fatalf("record: %d %s", r.Code, r.Body)
	}
	var c struct {
		domain.Complaint
		AllowedActions []domain.Action `json:"allowedActions"`
	}
	r.JSON(t, &c)
	n := c.Number
	if c.ManagerID != "alice" || c.CustomerName != "Acme" || c.Channel != domain.ChannelPhone {
		t.Fatalf("linked account not applied: %+v", c.Complaint)
	}
	// The tracking link goes to the customer by mail, never to staff.
	if strings.Contains(string(r.Body), "token=") || c.TrackingHash != "" || c.TrackingNonce != "" {
		t.Fatalf("staff see the tracking link: %s", r.Body)
	}
	trackingURL := ""
	if r := s.Do("POST", "/complaints", sue, map[string]any{"customerName": "x", "contact": map[string]any{"name": "a", "phone": "13800000000"}, "channel": "web", "category": "other", "request": "other", "description": "d"}); r.Code != 400 {
		t.Fatalf("staff web channel: %d", r.Code)
	}

	illegal := func(tok, action string, body any, state domain.ComplaintStatus) {
		t.Helper()
		r := step(s, tok, n, action, body)
		var e httpx.ErrorBody
		r.JSON(t, &e)
		if r.Code != 409 || e.Error.Code != "illegal_step" || e.Error.State != string(state) {
			t.Fatalf("%s in %s: %d %s", action, state, r.Code, r.Body)
		}
	}
	ok := func(tok, action string, body any, want domain.ComplaintStatus) {
		t.Helper()
		r := step(s, tok, n, action, body)
		r.JSON(t, &c)
		if r.Code != 200 || c.Status != want {
			t.Fatalf("%s: %d %s", action, r.Code, r.Body)
		}
	}
	illegal(sue, "close", nil, domain.StatusReceived)
	if r := step(s, alice, n, "accept", nil); r.Code != 403 {
		t.Fatalf("manager accepting: %d", r.Code)
	}
	ok(sue, "accept", nil, domain.StatusAccepted)
	ok(sue, "assign", map[string]any{"department": "repair", "opinion": "维修部上门核查"}, domain.StatusAssigned)
	if r := step(s, billing, n, "investigation", map[string]any{"cause": "a"}); r.Code != 403 {
		t.Fatalf("other department: %d", r.Code)
	}
	if r := step(s, fixer, n, "investigation", map[string]any{"cause": "排班冲突"}); r.Code != 400 || r.ErrCode(t) != "validation_failed" {
		t.Fatalf("incomplete report: %d %s", r.Code, r.Body)
	}
	report := map[string]any{"cause": "排班冲突", "whatHappened": "两次未按约上门", "responsible": "维修部调度", "conclusion": "有责投诉", "companyAtFault": true, "countermeasures": "调度系统加提醒"}
	ok(fixer, "investigation", report, domain.StatusInvestigated)
	ok(sue, "review", map[string]any{"approve": false, "comment": "请补充赔偿方案"}, domain.StatusAssigned)
	ok(fixer, "investigation", report, domain.StatusInvestigated)
	ok(sue, "review", map[string]any{"approve": true}, domain.StatusReviewed)
	illegal(sue, "reply", map[string]any{"text": "x"}, domain.StatusReviewed) // serious: the executive approves first
	if r := step(s, sue, n, "approve", nil); r.Code != 403 {
		t.Fatalf("supervisor approving: %d", r.Code)
	}
	ok(ceo, "approve", map[string]any{"comment": "同意赔偿"}, domain.StatusApproved)
	ok(sue, "reply", map[string]any{"text": "我们深表歉意，已安排赔偿。", "method": "written"}, domain.StatusReplied)
	if r := step(s, bob, n, "callback", map[string]any{"result": "x"}); r.Code != 403 {
		t.Fatalf("other manager calling back: %d", r.Code)
	}
	ok(alice, "callback", map[string]any{"method": "phone", "result": "客户满意", "satisfied": true}, domain.StatusCalledBack)
	ok(sue, "close", nil, domain.StatusClosed)
	illegal(sue, "accept", nil, domain.StatusClosed)

	r = s.Do("GET", "/complaints/"+n, alice, nil)
	r.JSON(t, &c)
	if r.Code != 200 || len(c.History) != 11 || c.SentBack != 1 || c.ClosedAt == nil {
		t.Fatalf("record card: %d, %d steps, sent back %d", r.Code, len(c.History), c.SentBack)
	}
	for _, h := range c.History[1:] {
		if h.Actor == "" || h.At.IsZero() || h.From == "" || h.To == "" {
			t.Fatalf("incomplete step %+v", h)
		}
	}
	if r := s.Do("GET", "/complaints/"+n, bob, nil); r.Code != 403 {
		t.Fatalf("other manager reading: %d", r.Code)
	}
	if r := s.Do("GET", "/complaints/"+n, fixer, nil); r.Code != 200 {
		t.Fatalf("assigned department reading: %d", r.Code)
	}
	var kinds, staffKinds []string
	for _, m := range mails(s, t) {
		if customerKind(m.Kind) {
			kinds = append(kinds, m.Kind)
		} else {
			staffKinds = append(staffKinds, m.Kind)
		}
		if m.Kind == "complaint-received" {
			trackingURL = regexp.MustCompile(`http\S+/public/complaints/\S+`).FindString(m.Text)
		}
	}
	sort.Strings(kinds)
	if fmt.Sprint(kinds) != "[complaint-accepted complaint-received complaint-replied survey-invitation]" {
		t.Fatalf("customer mails %v", kinds)
	}
	// Staff were told at each step: the new complaint, each investigation
	// report (one was sent back), and the serious complaint awaiting approval.
	sort.Strings(staffKinds)
	if fmt.Sprint(staffKinds) != "[complaint-approval complaint-new complaint-review complaint-review]" {
		t.Fatalf("staff notices %v", staffKinds)
	}
	if trackingURL == "" {
		t.Fatal("the acknowledgement carries no tracking link")
	}
	// The tracking page shows the reply.
	u, _ := url.Parse(trackingURL)
	var v public.TrackingView
	s.Do("GET", u.RequestURI(), "", nil).JSON(t, &v)
	if v.Status != domain.StatusClosed || v.Reply == "" || len(v.Steps) != 11 {
		t.Fatalf("tracking after close: %+v", v)
	}
}

func TestConcurrentStepsOneWins(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	_, out := submit(s, t, validForm())
	const k = 6
	codes := make([]int, k)
	var wg sync.WaitGroup
	for i := 0; i < k; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			action := "accept"
			body := map[string]any{}
			if i%2 == 1 {
				action, body = "reject", map[string]any{"reason": "重复投诉"}
			}
			r := step(s, sue, out.Number, action, body)
			codes[i] = r.Code
			if r.Code == 409 {
				if c := r.ErrCode(t); c != "illegal_step" && c != "version_conflict" {
					t.Errorf("409 with code %q", c)
				}
			}
		}(i)
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 409:
		default:
			t.Fatalf("codes %v", codes)
		}
	}
	if won != 1 {
		t.Fatalf("codes %v: want exactly one 200", codes)
	}
	var c domain.Complaint
	s.Do("GET", "/complaints/"+out.Number, sue, nil).JSON(t, &c)
	if len(c.History) != 2 {
		t.Fatalf("%d steps recorded, want 2", len(c.History))
	}
	if r := s.Do("POST", "/complaints/"+out.Number+"/assign", sue, map[string]any{"department": "repair", "opinion": "x"}, "If-Match", `"1"`); r.Code != 409 {
		t.Fatalf("stale If-Match: %d", r.Code)
	}
}

func TestComplaintListsAndScopes(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	alice := token(t, "alice", "sales", "manager")
	fixer := token(t, "fixer", "repair", "department")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	rec := func() string {
		r := s.Do("POST", "/complaints", alice, map[string]any{"customerId": cu.ID, "contact": map[string]any{"name": "王", "phone": "13800000000"},
			"channel": "visit", "category": "billing", "request": "price-reduction", "description": "账单有误"})
		if r.Code != 201 {
			t.Fatalf("manager recording: %d %s", r.Code, r.Body)
		}
		var c domain.Complaint
		r.JSON(t, &c)
		return c.Number
	}
	a, b := rec(), rec()
	stranger := validForm() // no contact on any file: the web complaint is linked to no account
	stranger["phone"], stranger["email"] = "13900001111", "someone@example.org"
	_, pub := submit(s, t, stranger)
	step(s, sue, a, "accept", nil)
	step(s, sue, a, "assign", map[string]any{"department": "repair", "opinion": "核查"})
	count := func(tok, q string) int {
		r := s.Do("GET", "/complaints"+q, tok, nil)
		if r.Code != 200 {
			t.Fatalf("list %s: %d %s", q, r.Code, r.Body)
		}
		var p domain.Page[domain.Complaint]
		r.JSON(t, &p)
		return len(p.Items)
	}
	if n := count(sue, ""); n != 3 {
		t.Fatalf("open complaints: %d", n)
	}
	if n := count(sue, "?status=assigned"); n != 1 {
		t.Fatalf("assigned: %d", n)
	}
	if n := count(alice, "?customer="+cu.ID); n != 2 {
		t.Fatalf("manager by customer: %d", n)
	}
	if n := count(fixer, ""); n != 1 {
		t.Fatalf("department: %d", n)
	}
	if n := count(sue, "?overdue=true"); n != 0 {
		t.Fatalf("overdue now: %d", n)
	}
	s.Clock.Advance(8 * 24 * time.Hour)
	sue = s.Token(t, "sue", "quality", "supervisor") // a token of the moved clock's day
	alice = s.Token(t, "alice", "sales", "manager")
	if n := count(sue, "?overdue=true"); n != 3 {
		t.Fatalf("overdue after 8 days: %d", n)
	}
	if r := s.Do("GET", "/complaints", alice, nil); r.Code != 400 {
		t.Fatalf("manager without customer: %d", r.Code)
	}
	for _, q := range []string{"?status=lost", "?overdue=maybe", "?month=2026-13", "?limit=500", "?cursor=zzz"} {
		if r := s.Do("GET", "/complaints"+q, sue, nil); r.Code != 400 {
			t.Fatalf("%s: %d %s", q, r.Code, r.Body)
		}
	}
	_ = b
	_ = pub
}

// mails drains the mail queue of this stack.
func mails(s *stackServer, t testing.TB) []mail.Message { return s.Env.DrainMail(t) }

// customerKind reports whether a mail kind goes to customers (not staff).
func customerKind(kind string) bool {
	switch kind {
	case "complaint-received", "complaint-accepted", "complaint-rejected", "complaint-replied", "survey-invitation", "survey-reminder", "handover-notice":
		return true
	}
	return false
}

// customerMails drains the mail queue and keeps what went to customers.
func customerMails(s *stackServer, t testing.TB) []mail.Message {
	var out []mail.Message
	for _, m := range mails(s, t) {
		if customerKind(m.Kind) {
			out = append(out, m)
		}
	}
	return out
}

// After 58 h without a first answer a complaint is overdue, and the overdue
// filter finds it, though its closure is days away; the list says which
// deadline is late.
func TestOverdueCountsTheFirstResponse(t *testing.T) {
	s := newStack(t)
	_, out := submit(s, t, validForm())
	sue := token(t, "sue", "quality", "supervisor")
	s.Clock.Advance(58 * time.Hour)
	var page domain.Page[struct {
		Number  string                   `json:"number"`
		Overdue bool                     `json:"overdue"`
		Late    []domain.PendingDeadline `json:"late"`
	}]
	r := s.Do("GET", "/complaints?overdue=true", sue, nil)
	r.JSON(t, &page)
	if r.Code != 200 || len(page.Items) != 1 || page.Items[0].Number != out.Number || !page.Items[0].Overdue ||
		len(page.Items[0].Late) != 1 || page.Items[0].Late[0].Kind != domain.DeadlineFirstResponse {
		t.Fatalf("overdue list: %d %s", r.Code, r.Body)
	}
}

// Every look at a record card is on the access record (查阅登记), as the
// reads of customer files are; the steps are on the card's own history.
func TestComplaintCardReadsAreRecorded(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	r := s.Do("POST", "/complaints", sue, map[string]any{"customerName": "上海精工机械", "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "phone", "category": "service", "request": "other", "description": "服务态度差"})
	if r.Code != 201 {
		t.Fatalf("entry: %d %s", r.Code, r.Body)
	}
	var c struct{ Number string }
	r.JSON(t, &c)
	audit := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table).Audit()
	count := func() int {
		pg, err := audit.Of(context.Background(), "complaint", c.Number, 50, "")
		if err != nil {
			t.Fatal(err)
		}
		return len(pg.Items)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d entries before anyone looked", n)
	}
	if r := s.Do("POST", "/complaints/"+c.Number+"/accept", sue, nil); r.Code != 200 {
		t.Fatalf("accept: %d %s", r.Code, r.Body)
	}
	if r := s.Do("GET", "/complaints/"+c.Number, token(t, "ceo", "", "executive"), nil); r.Code != 200 {
		t.Fatalf("read: %d", r.Code)
	}
	pg, _ := audit.Of(context.Background(), "complaint", c.Number, 50, "")
	if len(pg.Items) != 1 || pg.Items[0].Actor != "ceo" || pg.Items[0].Action != domain.ActionRead || pg.Items[0].RequestID == "" {
		t.Fatalf("access record %+v", pg.Items)
	}
	if r := s.Do("GET", "/complaints/"+c.Number, token(t, "bob", "sales", "manager"), nil); r.Code != 403 || count() != 1 {
		t.Fatalf("a refused read: %d, %d entries", r.Code, count())
	}
}

// GET /complaints/voids: supervisors read the year's void numbers (none
// here: every submission got its card); a manager is refused, a bad year is
// a 400 naming the field.
func TestVoidNumbersRoute(t *testing.T) {
	s := newStack(t)
	submit(s, t, validForm())
	sue := token(t, "sue", "quality", "supervisor")
	var p domain.Page[domain.RegisterLine]
	r := s.Do("GET", "/complaints/voids", sue, nil)
	if r.Code != 200 {
		t.Fatalf("voids: %d %s", r.Code, r.Body)
	}
	if r.JSON(t, &p); len(p.Items) != 0 {
		t.Fatalf("voids where every number has its card: %s", r.Body)
	}
	if r := s.Do("GET", "/complaints/voids?year=2026", token(t, "alice", "sales", "manager"), nil); r.Code != 403 || r.ErrCode(t) != "forbidden" {
		t.Fatalf("a manager: %d %s", r.Code, r.Body)
	}
	for _, y := range []string{"abc", "1999", "99999999999999999999"} {
		if r := s.Do("GET", "/complaints/voids?year="+y, sue, nil); r.Code != 400 || !strings.Contains(string(r.Body), `"year"`) {
			t.Fatalf("year %s: %d %s", y, r.Code, r.Body)
		}
	}
}
