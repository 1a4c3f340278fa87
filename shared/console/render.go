package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/report"
	"keycare/shared/staff"
)

//go:embed web/*.html web/console.css web/console.js
var webFS embed.FS

// assets are the stylesheet and the script, named by their content's hash
// so that browsers keep them for a year and a new release is fetched anew.
type asset struct {
	name, ctype string
	body        []byte
}

var assets = sync.OnceValue(func() map[string]asset {
	out := map[string]asset{}
	for _, f := range []struct{ file, ctype string }{{"console.css", "text/css; charset=utf-8"}, {"console.js", "text/javascript; charset=utf-8"}} {
		b, err := webFS.ReadFile("web/" + f.file)
		if err != nil {
			panic(err)
		}
		h := sha256.Sum256(b)
		dot := strings.LastIndex(f.file, ".")
		name := f.file[:dot] + "." + hex.EncodeToString(h[:5]) + f.file[dot:]
		out[f.file] = asset{name: name, ctype: f.ctype, body: b}
	}
	return out
})

func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	for plain, a := range assets() {
		if a.name == file || plain == file {
			w.Header().Set("Content-Type", a.ctype)
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			if plain == file { // the unversioned name: revalidate
				w.Header().Set("Cache-Control", "public, max-age=300")
			}
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write(a.body)
			return
		}
	}
	secHeaders(w)
	c.failPage(w, r, nil, http.StatusNotFound, "notFound")
}

// pages are parsed on first use, not at cold start.
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"add":   func(a, b int) int { return a + b },
		"slice": func(xs ...string) []string { return xs },
		"join":  strings.Join,
		"has":   func(xs []string, x string) bool { return contains(xs, x) },
	}).ParseFS(webFS, "web/*.html"))
})

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// secHeaders are the headers of every page: nothing cached, nothing framed,
// nothing loaded from elsewhere.
func secHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

func (c *Console) csp() string {
	form := "'self'"
	if !c.Auth.Local && c.Auth.CognitoDomain != "" {
		form += " https://" + c.Auth.CognitoDomain // sign-out goes on to Cognito's logout
	}
	return "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action " + form +
		"; base-uri 'none'; frame-ancestors 'none'"
}

// view is what every page template gets: the person, their language and
// the page's own data (D), with helpers for words, links, dates, numbers.
type view struct {
	c      *Console
	Lang   string
	Title  string
	Nav    string
	S      *session
	Path   string // this page, for "come back here"
	Flash  string // what the last step did
	Alert  string // why the last step did not happen
	Errors map[string]string
	Values url.Values
	Form   string // the form of a page with several whose post failed
	D      any
	now    time.Time
	loc    *time.Location
	set    domain.Settings
	ctx    context.Context
	dir    *staff.Directory // read on the first name a page shows
}

func (c *Console) view(r *http.Request, s *session, nav string, d any) *view {
	v := &view{c: c, Lang: "zh", Nav: nav, S: s, D: d, now: c.Now(), Errors: map[string]string{}, Values: url.Values{}}
	if s != nil {
		v.Lang = s.Lang
	} else if r.URL.Query().Get("lang") == "en" || (r.URL.Query().Get("lang") == "" && prefersEnglish(r)) {
		v.Lang = "en"
	}
	v.ctx = r.Context()
	v.Path = r.URL.Path
	if r.URL.RawQuery != "" {
		v.Path += "?" + r.URL.RawQuery
	}
	v.Path = strings.TrimPrefix(v.Path, c.BasePath)
	v.set, _ = c.Settings.Current(r.Context())
	v.loc = v.set.Location()
	if done := r.URL.Query().Get("done"); done != "" {
		v.Flash = v.T("done." + done)
		if strings.HasPrefix(v.Flash, "done.") {
			v.Flash = v.T("done")
		}
	}
	return v
}

// Who is a person's name from the staff directory (their id while the
// directory names nobody for it).
func (v *view) Who(id string) string {
	if id == "" {
		return ""
	}
	if v.dir == nil {
		d, err := v.c.Staff.Directory(v.ctx)
		if err != nil {
			return id
		}
		v.dir = d
	}
	return v.dir.Name(id)
}

// HTMLLang is the page's lang attribute.
func (v *view) HTMLLang() string {
	if v.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// T is the word key in the page's language (the key itself when missing).
func (v *view) T(key string) string {
	if w, ok := words()[key]; ok {
		if v.Lang == "en" {
			return w[1]
		}
		return w[0]
	}
	return key
}

// Tf formats the word key with args.
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(v.T(key), args...) }

// Label is the word of a code under a prefix ("status.received").
func (v *view) Label(prefix string, code any) string {
	k := prefix + "." + fmt.Sprint(code)
	if _, ok := words()[k]; ok {
		return v.T(k)
	}
	return fmt.Sprint(code)
}

// U is a console path as the browser asks for it.
func (v *view) U(p string) string { return v.c.path(p) }

// Asset is the URL of an embedded asset.
func (v *view) Asset(name string) string { return v.c.path("/console/assets/" + assets()[name].name) }

// Local reports whether this is the local stack.
func (v *view) Local() bool { return v.c.Auth.Local }

// CSRF is the session's token for the forms.
func (v *view) CSRF() string {
	if v.S == nil {
		return ""
	}
	return v.S.CSRF
}

// Has reports whether the person holds role.
func (v *view) Has(role string) bool { return v.S != nil && v.S.P.Has(domain.Role(role)) }

// Me is the person's display name.
func (v *view) Me() string {
	if v.S == nil {
		return ""
	}
	if v.S.Name != "" {
		return v.S.Name
	}
	return v.S.Sub
}

// Roles are the person's roles in words.
func (v *view) Roles() string {
	if v.S == nil {
		return ""
	}
	var out []string
	for _, r := range v.S.Roles {
		out = append(out, v.Label("role", r))
	}
	return strings.Join(out, "、")
}

// Dept is a department's name (settings), or its id.
func (v *view) Dept(id string) string {
	if id == "" {
		return "—"
	}
	return v.set.DepartmentName(id, v.Lang)
}

// Departments are the settings' departments, for selects.
func (v *view) Departments() []domain.Department { return v.set.Departments }

// Date is t's day in the company's zone.
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(v.loc).Format("2006-01-02")
}

// When is t's day and time in the company's zone.
func (v *view) When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(v.loc).Format("2006-01-02 15:04")
}

// WhenP is When of a pointer ("—" for none).
func (v *view) WhenP(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return v.When(*t)
}

// ISO is t for a <time datetime>.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Today is today's date in the company's zone.
func (v *view) Today() string { return v.now.In(v.loc).Format("2006-01-02") }

// Num writes a number with thousands separators (both languages group by
// thousands; Chinese pages too).
func (v *view) Num(x any) string {
	switch n := x.(type) {
	case int:
		return report.Thousands(strconv.Itoa(n))
	case int64:
		return report.Thousands(strconv.FormatInt(n, 10))
	case float64:
		if math.IsNaN(n) {
			return "—"
		}
		s := strconv.FormatFloat(n, 'f', 1, 64)
		i, f, _ := strings.Cut(s, ".")
		if f == "0" {
			return report.Thousands(i)
		}
		return report.Thousands(i) + "." + f
	}
	return fmt.Sprint(x)
}

// Pct is a percentage with one decimal.
func (v *view) Pct(x float64) string { return v.Num(x) + "%" }

// Badge is a deadline as people read it: "due in 5 h", "overdue 1 day" —
// the words carry the meaning, the colour (class) only repeats it.
type Badge struct{ Class, Text, Title string }

// Due is the badge of a deadline at due.
func (v *view) Due(due time.Time) Badge {
	d := due.Sub(v.now)
	b := Badge{Title: v.When(due)}
	switch {
	case d < 0:
		b.Class, b.Text = "late", v.Tf("badge.overdue", v.span(-d))
	case d < 24*time.Hour:
		b.Class, b.Text = "soon", v.Tf("badge.dueIn", v.span(d))
	default:
		b.Class, b.Text = "later", v.Tf("badge.dueIn", v.span(d))
	}
	return b
}

// span is a duration in the largest whole unit: minutes, hours, days.
func (v *view) span(d time.Duration) string {
	switch {
	case d < time.Hour:
		return v.Tf("unit.min", max(1, int(d.Minutes()+0.5)))
	case d < 48*time.Hour:
		return v.Tf("unit.h", int(d.Hours()+0.5))
	}
	return v.Tf("unit.day", int(d.Hours()/24))
}

// Val is a form value shown again after a failed post.
func (v *view) Val(name string) string { return v.Values.Get(name) }

// Vals are all values of a field.
func (v *view) Vals(name string) []string { return v.Values[name] }

// Err is the message beside a field.
func (v *view) Err(name string) string { return v.Errors[name] }

// ErrorList are the messages in the page's order, for the summary.
func (v *view) ErrorList() []string {
	keys := make([]string, 0, len(v.Errors))
	for k := range v.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, v.Errors[k])
	}
	return out
}

// Msg is a domain message (bilingual "english 中文") in the page's language.
func (v *view) Msg(s string) string { return inLang(s, v.Lang) }

// inLang picks the page's half of a bilingual message: the Chinese from
// its first Chinese character on, the English before it.
func inLang(s, lang string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	if i <= 0 {
		return s
	}
	if lang == "en" {
		return strings.TrimRight(strings.TrimSpace(s[:i]), "(（:：")
	}
	return strings.TrimSpace(s[i:])
}

// fieldErrors localizes a validation error's messages, field by field.
func fieldErrors(ve *domain.ValidationError, lang string, rename map[string]string) map[string]string {
	out := map[string]string{}
	for k, m := range ve.Fields {
		if n, ok := rename[k]; ok {
			k = n
		}
		out[k] = inLang(m, lang)
	}
	return out
}

// render writes page name with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	var b bytes.Buffer
	if err := pages().ExecuteTemplate(&b, name, v); err != nil {
		slog.ErrorContext(r.Context(), "console: page not rendered", "page", name, "requestId", httpx.RequestID(r), "err", err.Error())
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	secHeaders(w)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", c.csp())
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// problem is what an error page says.
type problem struct{ Heading, Text string }

// failPage answers an error page in the person's language: key names the
// words (problem.<key>, problem.<key>.text).
func (c *Console) failPage(w http.ResponseWriter, r *http.Request, s *session, status int, key string) {
	v := c.view(r, s, "", nil)
	v.Title = v.T("problem." + key)
	v.D = problem{Heading: v.Title, Text: v.T("problem." + key + ".text")}
	c.render(w, r, status, "problem", v)
}

// fail answers err: 404, 403, 409 (the record moved on, or the step is not
// possible in its state) with its own page, anything else 500 (logged).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	var ve *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		c.failPage(w, r, s, http.StatusNotFound, "notFound")
	case errors.Is(err, domain.ErrForbidden):
		c.failPage(w, r, s, http.StatusForbidden, "forbidden")
	case errors.Is(err, domain.ErrConflict):
		c.failPage(w, r, s, http.StatusConflict, "conflict")
	case errors.Is(err, domain.ErrBadCursor):
		c.failPage(w, r, s, http.StatusBadRequest, "badForm")
	case errors.As(err, &ve):
		v := c.view(r, s, "", nil)
		v.Title = v.T("problem.badForm")
		text := make([]string, 0, len(ve.Fields))
		for _, m := range fieldErrors(ve, v.Lang, nil) {
			text = append(text, m)
		}
		sort.Strings(text)
		v.D = problem{Heading: v.Title, Text: strings.Join(text, " ")}
		c.render(w, r, http.StatusBadRequest, "problem", v)
	default:
		slog.ErrorContext(r.Context(), "console: request failed", "requestId", httpx.RequestID(r), "err", err.Error())
		c.failPage(w, r, s, http.StatusInternalServerError, "internal")
	}
}

// alertOf is the sentence shown above a form whose post failed on the
// record's state: another step came first, or this one is not possible now.
func alertOf(v *view, err error) string {
	var ise *domain.IllegalStepError
	var ste *domain.StateError
	switch {
	case errors.As(err, &ise):
		return v.Tf("alert.illegal", v.StatusL(ise.State))
	case errors.As(err, &ste):
		return v.Tf("alert.state", v.Label("state", ste.State))
	case errors.Is(err, domain.ErrConflict):
		return v.T("alert.conflict")
	case errors.Is(err, domain.ErrForbidden):
		return v.T("problem.forbidden.text")
	}
	return ""
}

// renderLocalSignIn is the local-only sign-in page.
func (c *Console) renderLocalSignIn(w http.ResponseWriter, r *http.Request, next string, values url.Values, errs map[string]string, status int) {
	v := c.view(r, nil, "", next)
	v.Title = v.T("signin.local.title")
	if values != nil {
		v.Values = values
	} else {
		v.Values = url.Values{"role": {"manager"}}
	}
	for k := range errs {
		v.Errors[k] = v.T("signin.local.err." + k)
	}
	c.render(w, r, status, "signin", v)
}

// signedOut is the page after sign-out.
func (c *Console) signedOut(w http.ResponseWriter, r *http.Request) {
	v := c.view(r, nil, "", nil)
	v.Title = v.T("signedOut")
	c.render(w, r, http.StatusOK, "signedout", v)
}

// fieldArgs are what the "field" template draws: a labelled input with its
// value and the message beside it.
type fieldArgs struct {
	V                            *view
	ID, Name, Label, Type, Value string
	Error                        string
	Req                          bool
}

// F is a field of the page's form.
func (v *view) F(name, label, typ string, req bool) fieldArgs {
	return fieldArgs{V: v, ID: "f-" + name, Name: name, Label: label, Type: typ, Req: req, Value: v.Val(name), Error: v.Err(name)}
}

// SF is a field of one of several forms on a page (form): its id is the
// form's own, and only the failed form gets its values and messages back.
func (v *view) SF(form any, name, label, typ string, req bool) fieldArgs {
	f := fmt.Sprint(form)
	return fieldArgs{V: v, ID: "f-" + f + "-" + name, Name: name, Label: label, Type: typ, Req: req, Value: v.SV(f, name), Error: v.SE(f, name)}
}

// SV is a value of form's field, if form is the one that failed.
func (v *view) SV(form any, name string) string {
	if fmt.Sprint(form) != v.Form {
		return ""
	}
	return v.Val(name)
}

// SE is the message of form's field, if form is the one that failed.
func (v *view) SE(form any, name string) string {
	if fmt.Sprint(form) != v.Form {
		return ""
	}
	return v.Err(name)
}

// stepArgs are a step's form on a record card.
type stepArgs struct {
	V    *view
	Name string
	Open bool
}

// Step is step a's form (open when it is the only one offered).
func (v *view) Step(a any) stepArgs {
	d, _ := v.D.(*cardData)
	open := d != nil && len(d.Steps) == 1 && !d.Correct
	return stepArgs{V: v, Name: fmt.Sprint(a), Open: open}
}

// itemArgs are a complaint in a list.
type itemArgs struct {
	V *view
	C domain.Complaint
}

// Item is complaint c in a list.
func (v *view) Item(c domain.Complaint) itemArgs { return itemArgs{V: v, C: c} }

// figArgs are a report's headline figures.
type figArgs struct {
	V *view
	P *ReportPage
}

// Fig is p's figures.
func (v *view) Fig(p ReportPage) figArgs { return figArgs{V: v, P: &p} }

// DueP is Due of a pointer.
func (v *view) DueP(t *time.Time) *Badge {
	if t == nil {
		return nil
	}
	b := v.Due(*t)
	return &b
}
