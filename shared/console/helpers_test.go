package console_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"keycare/local/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// origin is the console's own origin as the test server's requests see it
// (httptest's host, https: not a loopback address).
const origin = "https://example.com"

// user is a browser: its cookies, and the CSRF token of the last page.
type user struct {
	t    testing.TB
	s    *testenv.Server
	jar  map[string]string
	csrf string
}

func newUser(t testing.TB, s *testenv.Server) *user {
	return &user{t: t, s: s, jar: map[string]string{}}
}

// page is an answer.
type page struct {
	Code   int
	Header http.Header
	Body   string
}

// Location is where a redirect goes.
func (p page) Location() string { return p.Header.Get("Location") }

func (u *user) send(req *http.Request) page {
	u.t.Helper()
	for k, v := range u.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	u.s.H.ServeHTTP(w, req)
	res := w.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(u.jar, c.Name)
		} else {
			u.jar[c.Name] = c.Value
		}
	}
	body := w.Body.String()
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		u.csrf = html.UnescapeString(m[1])
	}
	return page{Code: w.Code, Header: w.Header(), Body: body}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path.
func (u *user) get(path string) page {
	u.t.Helper()
	return u.send(httptest.NewRequest("GET", path, nil))
}

// post sends a form from the console's own page: the CSRF token and the
// Origin, unless headers say otherwise (name, value pairs).
func (u *user) post(path string, form url.Values, headers ...string) page {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && u.csrf != "" {
		form.Set("csrf", u.csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return u.send(req)
}

// signIn signs in on the local-only page as make token would name the person.
func signIn(t testing.TB, s *testenv.Server, sub, dept string, roles ...string) *user {
	t.Helper()
	u := newUser(t, s)
	f := url.Values{"user": {sub}, "department": {dept}, "role": roles}
	p := u.post("/console/sign-in", f)
	if p.Code != http.StatusSeeOther || p.Location() != "/console" {
		t.Fatalf("sign-in as %s: %d %s %.300s", sub, p.Code, p.Location(), p.Body)
	}
	if d := u.get("/console"); d.Code != 200 {
		t.Fatalf("My day of %s: %d %.2000s", sub, d.Code, d.Body)
	}
	return u
}
