package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"keycare/local/testenv"
	"keycare/shared/console"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// awsConsole is ConsoleFunction as deployed (no local sign-in), its
// Cognito played by a fake with the same endpoints and tokens.
type awsConsole struct {
	t       *testing.T
	h       http.Handler
	cognito *testenv.FakeCognito
	st      *store.Store
	clock   *clock
}

func newAWSConsole(t *testing.T) *awsConsole {
	t.Helper()
	env := testenv.New(t)
	ck := &clock{t: time.Date(2027, 1, 11, 1, 0, 0, 0, time.UTC)}
	fc := testenv.NewFakeCognito(t)
	fc.Now = ck.Now
	a := env.App(t, "ConsoleFunction", ck.Now)
	if a.Deps.Config.LocalSignIn {
		t.Fatal("ConsoleFunction wired from template.yaml's environment has the local sign-in")
	}
	c := a.Console()
	c.Auth.Issuer, c.Auth.ClientID = fc.Issuer(), fc.ClientID
	c.Auth.AuthURL, c.Auth.TokenURL = fc.URL+"/oauth2/authorize", fc.URL+"/oauth2/token"
	c.Auth.JWKSURL, c.Auth.LogoutURL = fc.URL+"/.well-known/jwks.json", fc.URL+"/logout"
	c.Auth.CognitoDomain = "keycare-test.auth.ap-northeast-1.amazoncognito.com"
	return &awsConsole{t: t, h: c.Router().Handler(), cognito: fc, st: a.Store, clock: ck}
}

// browser is a browser's cookie jar against the console.
type browser struct {
	c   *awsConsole
	jar map[string]string
}

func (c *awsConsole) browser() *browser { return &browser{c: c, jar: map[string]string{}} }

func (b *browser) do(method, target string, form url.Values, headers ...string) *http.Response {
	b.c.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	b.c.h.ServeHTTP(w, req)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(b.jar, ck.Name)
		} else {
			b.jar[ck.Name] = ck.Value
		}
	}
	return res
}

// signIn walks Cognito's sign-in from a page that needs it: the redirect
// to sign-in, to Cognito (PKCE), back to the callback, and to the page.
func (b *browser) signIn(page, sub, dept string, roles ...string) *http.Response {
	t := b.c.t
	t.Helper()
	r := b.do("GET", page, nil)
	start := r.Header.Get("Location")
	switch {
	case r.StatusCode == http.StatusOK: // signed in already: sign in again
		start = "/console/sign-in?next=" + url.QueryEscape(page)
	case r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(start, "/console/sign-in?next="):
		t.Fatalf("%s without a session: %d %s", page, r.StatusCode, start)
	}
	r = b.do("GET", start, nil)
	authorize := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(authorize, b.c.cognito.URL+"/oauth2/authorize?") {
		t.Fatalf("sign-in did not go to Cognito: %d %s", r.StatusCode, authorize)
	}
	cb, err := b.c.cognito.SignIn(authorize, sub, dept, roles...)
	if err != nil {
		t.Fatalf("managed login: %v", err)
	}
	u, _ := url.Parse(cb)
	if u.Host != "example.com" || u.Path != "/console/auth/callback" {
		t.Fatalf("redirect_uri %s", cb)
	}
	r = b.do("GET", u.RequestURI(), nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
		t.Fatalf("callback: %d to %q, want %q", r.StatusCode, r.Header.Get("Location"), page)
	}
	return r
}

func sessionCookieOf(r *http.Response) string {
	for _, h := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "__Host-keycare_session=") {
			return h
		}
	}
	return ""
}

func keyOf(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// In AWS: Cognito's code flow with PKCE lands on the page asked for, with a
// __Host- cookie that is Secure, HttpOnly and SameSite=Lax and holds a
// random id whose SHA-256 alone is stored.
func TestCognitoSignInAndTheSessionCookie(t *testing.T) {
	c := newAWSConsole(t)
	b := c.browser()
	r := b.signIn("/console/accounts?tier=key", "alice", "sales", "manager")
	set := sessionCookieOf(r)
	for _, want := range []string{"__Host-keycare_session=", "Path=/", "Max-Age=604800", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(strings.ToLower(set), "domain=") {
		t.Errorf("a __Host- cookie names no Domain: %q", set)
	}
	id := b.jar["__Host-keycare_session"]
	if len(id) < 43 {
		t.Fatalf("session id %q: want 256 random bits", id)
	}
	s, err := c.st.Sessions().Get(context.Background(), keyOf(id))
	if err != nil || s.Sub != "alice" || s.Department != "sales" || !s.Principal().Has(domain.RoleManager) || s.Via != domain.SignInCognito {
		t.Fatalf("stored session %+v %v", s, err)
	}
	if s.Key == id || s.CSRF == id {
		t.Fatal("the table holds the cookie's id")
	}
	if r := b.do("GET", "/console/accounts", nil); r.StatusCode != 200 {
		t.Fatalf("signed in, the page answers %d", r.StatusCode)
	}
	// The sign-in cookie (state, nonce, verifier) is gone, and its code spent.
	if _, ok := b.jar["__Host-keycare_signin"]; ok {
		t.Fatal("the sign-in cookie outlives the callback")
	}
	if c.cognito.Exchanged != 1 {
		t.Fatalf("%d codes exchanged", c.cognito.Exchanged)
	}
}

// A sign-in whose state is not this browser's, or whose code was already
// used, makes no session.
func TestCallbackRefusesForeignStateAndSpentCodes(t *testing.T) {
	c := newAWSConsole(t)
	victim, attacker := c.browser(), c.browser()
	// The attacker starts a sign-in and gets a code for their own account…
	r := attacker.do("GET", "/console/sign-in", nil)
	cb, err := c.cognito.SignIn(r.Header.Get("Location"), "mallory", "sales", "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	// …and sends the victim the callback link (login CSRF): refused.
	r = victim.do("GET", u.RequestURI(), nil)
	if r.StatusCode != http.StatusBadRequest || sessionCookieOf(r) != "" {
		t.Fatalf("a callback without this browser's state: %d %q", r.StatusCode, sessionCookieOf(r))
	}
	// The victim's own sign-in in flight does not accept the attacker's state either.
	victim.do("GET", "/console/sign-in", nil)
	if r = victim.do("GET", u.RequestURI(), nil); r.StatusCode != http.StatusBadRequest || sessionCookieOf(r) != "" {
		t.Fatalf("another sign-in's state: %d", r.StatusCode)
	}
	// The attacker's callback works once; the code cannot be replayed.
	if r = attacker.do("GET", u.RequestURI(), nil); r.StatusCode != http.StatusSeeOther || sessionCookieOf(r) == "" {
		t.Fatalf("the attacker's own callback: %d", r.StatusCode)
	}
	again := c.browser()
	again.jar["__Host-keycare_signin"] = "" // no cookie
	if r = again.do("GET", u.RequestURI(), nil); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("a replayed callback: %d", r.StatusCode)
	}
	// A callback opened from a bookmark (no state) just starts a sign-in.
	if r = c.browser().do("GET", "/console/auth/callback", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/console/sign-in" {
		t.Fatalf("bookmarked callback: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// No session fixation: an id planted before sign-in is replaced and worth
// nothing; every sign-in makes a new id and ends the old session.
func TestSessionIDIsNewAtEverySignIn(t *testing.T) {
	c := newAWSConsole(t)
	b := c.browser()
	planted := "planted-by-an-attacker-0123456789abcdefghijkl"
	b.jar["__Host-keycare_session"] = planted
	b.signIn("/console", "alice", "sales", "manager")
	first := b.jar["__Host-keycare_session"]
	if first == planted || first == "" {
		t.Fatalf("the session kept the planted id %q", first)
	}
	if _, err := c.st.Sessions().Get(context.Background(), keyOf(planted)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the planted id names a session: %v", err)
	}
	attacker := c.browser()
	attacker.jar["__Host-keycare_session"] = planted
	if r := attacker.do("GET", "/console", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the planted id opens the console: %d", r.StatusCode)
	}
	b.signIn("/console", "alice", "sales", "manager")
	second := b.jar["__Host-keycare_session"]
	if second == first {
		t.Fatal("a second sign-in kept the id")
	}
	if _, err := c.st.Sessions().Get(context.Background(), keyOf(first)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the first session outlives the second sign-in: %v", err)
	}
}

// Idle 8 hours ends a session; so do 7 days, however active; both are
// settings. Activity is recorded at most every 15 minutes.
func TestSessionExpiresIdleAndAbsolute(t *testing.T) {
	c := newAWSConsole(t)
	b := c.browser()
	b.signIn("/console", "alice", "sales", "manager")
	key := keyOf(b.jar["__Host-keycare_session"])
	page := func() int { return b.do("GET", "/console", nil).StatusCode }

	c.clock.add(7*time.Hour + 50*time.Minute)
	if code := page(); code != 200 {
		t.Fatalf("7 h 50 min idle: %d", code)
	}
	s, _ := c.st.Sessions().Get(context.Background(), key)
	if !s.SeenAt.Equal(c.clock.Now()) {
		t.Fatalf("the activity was not recorded: seen %v, now %v", s.SeenAt, c.clock.Now())
	}
	c.clock.add(10 * time.Minute)
	page()
	if s2, _ := c.st.Sessions().Get(context.Background(), key); !s2.SeenAt.Equal(s.SeenAt) {
		t.Fatal("activity recorded again within 15 minutes: a write per page")
	}
	c.clock.add(8 * time.Hour)
	if code := page(); code != http.StatusSeeOther {
		t.Fatalf("8 h idle: %d, want the sign-in", code)
	}
	if _, err := c.st.Sessions().Get(context.Background(), key); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("an expired session is kept: %v", err)
	}
	if _, ok := b.jar["__Host-keycare_session"]; ok {
		t.Fatal("an expired session's cookie is kept")
	}

	// Active every few hours, the session still ends 7 days after sign-in.
	b.signIn("/console", "alice", "sales", "manager")
	for i := 0; i < 6*24/4; i++ {
		c.clock.add(4 * time.Hour)
		if code := page(); code != 200 {
			t.Fatalf("active, %d h after sign-in: %d", (i+1)*4, code)
		}
	}
	c.clock.add(24 * time.Hour)
	if code := page(); code != http.StatusSeeOther {
		t.Fatalf("7 days after sign-in: %d", code)
	}

	// Shorter limits are a setting.
	root := c.browser()
	root.signIn("/console", "root", "", "admin")
	var form = url.Values{"version": {"0"}, "sessions.idleHours": {"1"}, "sessions.maxDays": {"7"}}
	if r := root.post(t, "/console/admin/settings", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", r.StatusCode)
	}
	c.clock.add(31 * time.Second) // the settings are reread every 30 s
	b.signIn("/console", "alice", "sales", "manager")
	c.clock.add(61 * time.Minute)
	if code := page(); code != http.StatusSeeOther {
		t.Fatalf("idle past the 1 hour setting: %d", code)
	}
}

// post sends a form with the session's CSRF token (read from a page).
func (b *browser) post(t *testing.T, path string, form url.Values, headers ...string) *http.Response {
	t.Helper()
	s, err := b.c.st.Sessions().Get(context.Background(), keyOf(b.jar["__Host-keycare_session"]))
	if err != nil {
		t.Fatalf("no session: %v", err)
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", s.CSRF)
	}
	return b.do("POST", path, form, headers...)
}

// Sign-out deletes the session at once and goes on to Cognito's logout; a
// post without the CSRF token or from another origin changes nothing.
func TestSignOutAndCSRF(t *testing.T) {
	c := newAWSConsole(t)
	b := c.browser()
	b.signIn("/console", "alice", "sales", "manager")
	id := b.jar["__Host-keycare_session"]
	for name, r := range map[string]*http.Response{
		"no token":             b.do("POST", "/console/sign-out", url.Values{}),
		"a wrong token":        b.do("POST", "/console/sign-out", url.Values{"csrf": {"guess"}}),
		"another origin":       b.post(t, "/console/sign-out", url.Values{}, "Origin", "https://evil.example"),
		"no origin, referer":   b.post(t, "/console/sign-out", url.Values{}, "Origin", ""),
		"a cross-site referer": b.post(t, "/console/sign-out", url.Values{}, "Origin", "", "Referer", "https://evil.example/x"),
	} {
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("sign-out with %s: %d, want 403", name, r.StatusCode)
		}
	}
	if _, err := c.st.Sessions().Get(context.Background(), keyOf(id)); err != nil {
		t.Fatalf("a refused sign-out ended the session: %v", err)
	}
	// A browser that sends no Origin but its own page as Referer is believed.
	r := b.post(t, "/console/language", url.Values{"lang": {"en"}, "next": {"/console"}}, "Origin", "", "Referer", origin+"/console")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin Referer: %d", r.StatusCode)
	}
	r = b.post(t, "/console/sign-out", url.Values{})
	loc, _ := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || loc.Path != "/logout" || loc.Query().Get("client_id") != c.cognito.ClientID ||
		loc.Query().Get("logout_uri") != "https://example.com/console/signed-out" {
		t.Fatalf("sign-out: %d %s", r.StatusCode, loc)
	}
	if !strings.Contains(sessionCookieOf(r), "Max-Age=0") {
		t.Fatalf("the cookie is not cleared: %q", sessionCookieOf(r))
	}
	if _, err := c.st.Sessions().Get(context.Background(), keyOf(id)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the session outlives sign-out: %v", err)
	}
	stolen := c.browser()
	stolen.jar["__Host-keycare_session"] = id
	if r := stolen.do("GET", "/console", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the signed-out id still opens the console: %d", r.StatusCode)
	}
}

// The deployed function has no local sign-in: posting a person to it only
// starts Cognito's sign-in, and no variable of the template turns it on.
func TestNoLocalSignInInAWS(t *testing.T) {
	c := newAWSConsole(t)
	b := c.browser()
	r := b.do("POST", "/console/sign-in", url.Values{"user": {"root"}, "role": {"admin"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), c.cognito.URL+"/oauth2/authorize?") || sessionCookieOf(r) != "" {
		t.Fatalf("a local sign-in post in AWS: %d %s %q", r.StatusCode, r.Header.Get("Location"), sessionCookieOf(r))
	}
	if r := b.do("GET", "/console", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed in by a post: %d", r.StatusCode)
	}
	cfg, err := platform.ConfigFrom(func(k string) string {
		return map[string]string{"TABLE_NAME": "t", "CONSOLE_LOCAL_SIGNIN": "1", "LOCAL_SIGNIN": "true", "KEYCARE_LOCAL": "1"}[k]
	})
	if err != nil || cfg.LocalSignIn {
		t.Fatalf("an environment variable turns the local sign-in on: %+v %v", cfg, err)
	}
	_ = console.Auth{}
}

// Locally the session cookie cannot be Secure (http://127.0.0.1), so it
// has no __Host- prefix; it is HttpOnly and SameSite=Lax all the same.
func TestLocalSessionCookie(t *testing.T) {
	s := testenv.NewServer(t)
	u := newUser(t, s)
	req := httptest.NewRequest("POST", "/console/sign-in", strings.NewReader(url.Values{"user": {"alice"}, "role": {"manager"}, "department": {"sales"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	set := strings.Join(w.Header().Values("Set-Cookie"), "\n")
	if w.Code != http.StatusSeeOther || !strings.Contains(set, "keycare_session=") || strings.Contains(set, "__Host-") ||
		!strings.Contains(set, "HttpOnly") || !strings.Contains(set, "SameSite=Lax") || strings.Contains(set, "Secure") {
		t.Fatalf("local sign-in: %d %q", w.Code, set)
	}
	// The local page says it is local only.
	if p := u.get("/console/sign-in"); p.Code != 200 || !strings.Contains(p.Body, "仅限本地开发") || !strings.Contains(p.Body, `class="local-banner"`) {
		t.Fatalf("local sign-in page: %d", p.Code)
	}
	// A sign-in post from another site is refused.
	if p := u.post("/console/sign-in", url.Values{"user": {"root"}, "role": {"admin"}}, "Origin", "https://evil.example"); p.Code != http.StatusForbidden {
		t.Fatalf("cross-site local sign-in: %d", p.Code)
	}
}
