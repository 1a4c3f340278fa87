package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"keycare/shared/domain"
	"keycare/shared/httpx"
)

// Auth is how people sign in.
type Auth struct {
	// Local turns on the local-only sign-in page (pick a user id, roles and
	// a department, as make token does). Only the local runner sets it: no
	// environment variable does, so a deployed function never has the page.
	Local bool
	// CognitoDomain is the user pool's managed-login domain
	// (<prefix>.auth.<region>.amazoncognito.com).
	CognitoDomain string
	// Issuer is the user pool's issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>).
	Issuer string
	// ClientID is the console's app client; empty: the API stage variable
	// consoleClientId (the template passes it there, because the client's
	// callback URLs derive from the API's URL and a function's environment
	// cannot refer to the API that serves it).
	ClientID string
	// URL is the console's public base (ConsoleUrl, e.g.
	// https://keycare.example.com); empty: the request's own scheme, host
	// and base path, as the app client's derived callback URLs are.
	URL string
	// Endpoints, for tests; empty: Cognito's under CognitoDomain and Issuer.
	AuthURL, TokenURL, LogoutURL, JWKSURL string
	// HTTPClient talks to Cognito; nil: http.DefaultClient.
	HTTPClient *http.Client
}

// Cookie names. __Host- needs Secure, which a browser refuses over
// http://127.0.0.1: the local stack names its cookies without the prefix.
const (
	sessionCookie      = "__Host-keycare_session"
	localSessionCookie = "keycare_session"
	authCookie         = "__Host-keycare_signin"
	// MaxForm bounds a console form post.
	MaxForm = 128 << 10
)

func (c *Console) sessionCookieName() string {
	if c.Auth.Local {
		return localSessionCookie
	}
	return sessionCookie
}

// session is the signed-in person of a request.
type session struct {
	*domain.Session
	P domain.Principal
}

type pageHandler func(w http.ResponseWriter, r *http.Request, s *session)

// page wraps a page: without a live session a GET goes to sign-in (and
// comes back after it) and a POST is refused; a person the directory marks
// inactive is refused and signed out; every POST needs the session's CSRF
// token and the console's own Origin, else 403 and nothing changes.
func (c *Console) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secHeaders(w)
		s, status := c.session(w, r)
		switch status {
		case sessionNone:
			if r.Method == http.MethodGet {
				c.toSignIn(w, r)
				return
			}
			c.failPage(w, r, nil, http.StatusForbidden, "sessionEnded")
			return
		case sessionInactive:
			c.failPage(w, r, nil, http.StatusForbidden, "inactive")
			return
		case sessionError:
			c.failPage(w, r, nil, http.StatusInternalServerError, "internal")
			return
		}
		if r.Method == http.MethodPost {
			if err := c.readForm(w, r); err != nil {
				c.failPage(w, r, s, http.StatusBadRequest, "badForm")
				return
			}
			if !c.sameOrigin(r) || !validCSRF(r.PostForm.Get("csrf"), s.CSRF) {
				slog.WarnContext(r.Context(), "console: post refused (csrf or origin)", "requestId", httpx.RequestID(r))
				c.failPage(w, r, s, http.StatusForbidden, "csrf")
				return
			}
		}
		h(w, r, s)
	}
}

type sessionStatus int

const (
	sessionOK sessionStatus = iota
	sessionNone
	sessionInactive
	sessionError
)

// session reads the request's session: none (no cookie, unknown, expired:
// an expired one is deleted and its cookie cleared), inactive, or live —
// recording the activity when what was recorded has grown stale.
func (c *Console) session(w http.ResponseWriter, r *http.Request) (*session, sessionStatus) {
	ck, err := r.Cookie(c.sessionCookieName())
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, sessionNone
	}
	ctx := r.Context()
	key := keyOf(ck.Value)
	s, err := c.Sessions.Get(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		c.clearSession(w)
		return nil, sessionNone
	}
	if err != nil {
		slog.ErrorContext(ctx, "console: session unreadable", "requestId", httpx.RequestID(r), "err", err.Error())
		return nil, sessionError
	}
	set, err := c.Settings.Current(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "console: settings unreadable", "requestId", httpx.RequestID(r), "err", err.Error())
		return nil, sessionError
	}
	now := c.Now()
	if s.Expired(now, set.Sessions) {
		_ = c.Sessions.Delete(ctx, key)
		c.clearSession(w)
		return nil, sessionNone
	}
	active, err := c.Staff.Active(ctx, s.Sub)
	if err != nil {
		slog.ErrorContext(ctx, "console: directory unreadable", "requestId", httpx.RequestID(r), "err", err.Error())
		return nil, sessionError
	}
	if !active {
		_ = c.Sessions.Delete(ctx, key)
		c.clearSession(w)
		return nil, sessionInactive
	}
	if s.Stale(now, set.Sessions) {
		s.SeenAt = now.UTC()
		if err := c.Sessions.Touch(ctx, key, s.SeenAt, s.ExpiresAt(set.Sessions), ""); errors.Is(err, domain.ErrNotFound) {
			c.clearSession(w)
			return nil, sessionNone // signed out meanwhile
		} else if err != nil {
			slog.WarnContext(ctx, "console: activity not recorded", "requestId", httpx.RequestID(r), "err", err.Error())
		}
	}
	return &session{Session: s, P: s.Principal()}, sessionOK
}

// keyOf is the stored key of a cookie's id: its SHA-256, so that the table
// never holds what would let someone act as the session.
func keyOf(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

func randomID() string {
	b := make([]byte, 32) // 256 bits
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func validCSRF(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// origin is the console's own origin as the browser sees it.
func (c *Console) origin(r *http.Request) string {
	if c.Auth.URL != "" {
		if u, err := url.Parse(c.Auth.URL); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return httpx.BaseURL(r, "")
}

// sameOrigin reports whether a POST comes from the console's own pages:
// its Origin header (or, from a browser that sends none, its Referer) is
// the console's origin.
func (c *Console) sameOrigin(r *http.Request) bool {
	want := c.origin(r)
	if o := r.Header.Get("Origin"); o != "" {
		return strings.EqualFold(o, want)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, want)
	}
	return false
}

// readForm parses a urlencoded form post (bounded).
func (c *Console) readForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return errors.New("not a form")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxForm))
	if err != nil {
		return err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return err
	}
	r.PostForm = v
	r.Form = v
	return nil
}

func (c *Console) setSession(w http.ResponseWriter, id string, ss domain.SessionSettings) {
	http.SetCookie(w, &http.Cookie{Name: c.sessionCookieName(), Value: id, Path: "/", MaxAge: int(ss.Max() / time.Second),
		HttpOnly: true, Secure: !c.Auth.Local, SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.sessionCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: !c.Auth.Local, SameSite: http.SameSiteLaxMode})
}

// safeNext is where to go after sign-in: a console path, never elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, "/console/sign-") || strings.HasPrefix(next, "/console/auth/") {
		return "/console"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/console"
	}
	return next
}

// toSignIn sends a GET without a session to sign-in, to come back after it.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	c.redirect(w, r, "/console/sign-in?next="+url.QueryEscape(safeNext(next)))
}

// startSession makes a new session for p (a new random id at every
// sign-in: an id planted before it is worth nothing) and sets its cookie;
// the request's old session, if any, ends.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, p domain.Principal, via string) error {
	ctx := r.Context()
	set, err := c.Settings.Current(ctx)
	if err != nil {
		return err
	}
	lang := "zh"
	if m, err := c.Staff.Get(ctx, p.Sub); err == nil {
		if m.Language == "en" {
			lang = "en"
		}
		if p.Name == "" {
			p.Name = m.Name // the directory's name when the sign-in gave none
		}
	}
	if old, err := r.Cookie(c.sessionCookieName()); err == nil && old.Value != "" {
		_ = c.Sessions.Delete(ctx, keyOf(old.Value))
	}
	id := randomID()
	s := domain.NewSession(keyOf(id), randomID(), p, lang, via, c.Now())
	if err := c.Sessions.Create(ctx, s, s.ExpiresAt(set.Sessions)); err != nil {
		return err
	}
	c.setSession(w, id, set.Sessions)
	slog.InfoContext(ctx, "console: signed in", "via", via, "requestId", httpx.RequestID(r))
	return nil
}

// signIn starts a sign-in: locally the local-only page; in AWS a redirect
// to Cognito's managed login (authorization code, PKCE S256, state and
// nonce kept in a short-lived cookie for the callback).
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	secHeaders(w)
	next := safeNext(r.URL.Query().Get("next"))
	if r.Method == http.MethodPost && r.PostForm != nil {
		next = safeNext(r.PostForm.Get("next"))
	}
	if c.Auth.Local {
		c.renderLocalSignIn(w, r, next, nil, nil, http.StatusOK)
		return
	}
	cfg, err := c.oauth(r)
	if err != nil {
		slog.ErrorContext(r.Context(), "console: sign-in not configured", "requestId", httpx.RequestID(r), "err", err.Error())
		c.failPage(w, r, nil, http.StatusInternalServerError, "internal")
		return
	}
	st := signInState{State: randomID(), Nonce: randomID(), Verifier: oauth2.GenerateVerifier(), Next: next}
	b, _ := json.Marshal(st)
	http.SetCookie(w, &http.Cookie{Name: authCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/", MaxAge: 600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	lang := "zh-CN"
	if prefersEnglish(r) {
		lang = "en"
	}
	u := cfg.AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier), oauth2.SetAuthURLParam("nonce", st.Nonce),
		oauth2.SetAuthURLParam("lang", lang))
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// signInState is what the sign-in cookie keeps between the redirect to
// Cognito and the callback.
type signInState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next"`
}

// prefersEnglish reports whether the browser's first language is English.
func prefersEnglish(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "en")
}

// consoleURL is the console's public base: Auth.URL, else the request's
// scheme and host with the base path.
func (c *Console) consoleURL(r *http.Request) string {
	if c.Auth.URL != "" {
		return strings.TrimRight(c.Auth.URL, "/")
	}
	return httpx.BaseURL(r, "") + c.BasePath
}

func (c *Console) clientID(r *http.Request) string {
	if c.Auth.ClientID != "" {
		return c.Auth.ClientID
	}
	if sv, ok := core.GetStageVarsFromContextV2(r.Context()); ok {
		return sv["consoleClientId"]
	}
	return ""
}

func (c *Console) endpoint(set, def string) string {
	if set != "" {
		return set
	}
	return def
}

// oauth is the OAuth 2.0 client of the console's app client.
func (c *Console) oauth(r *http.Request) (*oauth2.Config, error) {
	id := c.clientID(r)
	if id == "" || (c.Auth.CognitoDomain == "" && c.Auth.AuthURL == "") {
		return nil, errors.New("no Cognito domain or app client (COGNITO_DOMAIN, stage variable consoleClientId)")
	}
	d := "https://" + c.Auth.CognitoDomain
	return &oauth2.Config{ClientID: id, RedirectURL: c.consoleURL(r) + "/console/auth/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: c.endpoint(c.Auth.AuthURL, d+"/oauth2/authorize"), TokenURL: c.endpoint(c.Auth.TokenURL, d+"/oauth2/token"),
			AuthStyle: oauth2.AuthStyleInParams}}, nil
}

func (c *Console) httpContext(ctx context.Context) context.Context {
	hc := c.Auth.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, hc), hc)
}

// keySet is the user pool's signing keys, fetched on first use and again
// when a token names a key not seen yet (go-oidc's RemoteKeySet).
type keySet = *oidc.RemoteKeySet

func (c *Console) verifier(clientID string) *oidc.IDTokenVerifier {
	c.keysOnce.Do(func() {
		jwks := c.endpoint(c.Auth.JWKSURL, strings.TrimRight(c.Auth.Issuer, "/")+"/.well-known/jwks.json")
		c.keys = oidc.NewRemoteKeySet(c.httpContext(context.Background()), jwks)
	})
	return oidc.NewVerifier(c.Auth.Issuer, c.keys, &oidc.Config{ClientID: clientID, Now: c.Now})
}

// callback ends Cognito's sign-in: the state must be the one this browser
// was sent with, the code is exchanged with the PKCE verifier, the ID token
// is verified (issuer, audience, expiry, signature, nonce), and the person
// it names gets a new session.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	secHeaders(w)
	if c.Auth.Local {
		c.failPage(w, r, nil, http.StatusNotFound, "notFound")
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	if q.Get("state") == "" && q.Get("code") == "" && q.Get("error") == "" {
		c.redirect(w, r, "/console/sign-in") // not from Cognito (a bookmark): sign in
		return
	}
	ck, err := r.Cookie(authCookie)
	var st signInState
	if err == nil {
		b, derr := base64.RawURLEncoding.DecodeString(ck.Value)
		err = errors.Join(derr, json.Unmarshal(b, &st))
	}
	http.SetCookie(w, &http.Cookie{Name: authCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	if err != nil || st.State == "" || !validCSRF(q.Get("state"), st.State) {
		c.failPage(w, r, nil, http.StatusBadRequest, "signInAgain")
		return
	}
	if e := q.Get("error"); e != "" || q.Get("code") == "" {
		slog.WarnContext(ctx, "console: sign-in refused by Cognito", "error", e, "requestId", httpx.RequestID(r))
		c.failPage(w, r, nil, http.StatusForbidden, "signInAgain")
		return
	}
	cfg, err := c.oauth(r)
	if err != nil {
		c.failPage(w, r, nil, http.StatusInternalServerError, "internal")
		return
	}
	hctx := c.httpContext(ctx)
	tok, err := cfg.Exchange(hctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		slog.WarnContext(ctx, "console: code exchange failed", "requestId", httpx.RequestID(r), "err", err.Error())
		c.failPage(w, r, nil, http.StatusBadRequest, "signInAgain")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := c.verifier(cfg.ClientID).Verify(hctx, raw)
	if err != nil || !validCSRF(idt.Nonce, st.Nonce) {
		slog.WarnContext(ctx, "console: ID token refused", "requestId", httpx.RequestID(r), "err", fmt.Sprint(err))
		c.failPage(w, r, nil, http.StatusBadRequest, "signInAgain")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		c.failPage(w, r, nil, http.StatusBadRequest, "signInAgain")
		return
	}
	p, ok := httpx.PrincipalFromClaims(flatten(claims))
	c.admit(w, r, p, ok, domain.SignInCognito, st.Next)
}

// admit starts the session of p (who signed in through via) and sends them
// to next, unless p is nobody keycare knows or the directory marks inactive.
func (c *Console) admit(w http.ResponseWriter, r *http.Request, p domain.Principal, ok bool, via, next string) {
	if !ok || len(p.Roles) == 0 {
		c.failPage(w, r, nil, http.StatusForbidden, "noRole")
		return
	}
	active, err := c.Staff.Active(r.Context(), p.Sub)
	if err != nil {
		c.failPage(w, r, nil, http.StatusInternalServerError, "internal")
		return
	}
	if !active {
		c.failPage(w, r, nil, http.StatusForbidden, "inactive")
		return
	}
	if err := c.startSession(w, r, p, via); err != nil {
		slog.ErrorContext(r.Context(), "console: session not stored", "requestId", httpx.RequestID(r), "err", err.Error())
		c.failPage(w, r, nil, http.StatusInternalServerError, "internal")
		return
	}
	c.redirect(w, r, safeNext(next))
}

// flatten gives verified ID-token claims the shape API Gateway's JWT
// authorizer hands the API (strings; a list as JSON), so that the console
// reads the person with the API's own httpx.PrincipalFromClaims.
func flatten(claims map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range claims {
		switch x := v.(type) {
		case string:
			out[k] = x
		case []any:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// localSignIn is the local-only page's form post: the person as make token
// would name them, then the same session as after Cognito. In AWS there is
// no such page: a post here only starts Cognito's sign-in, whatever it
// names.
func (c *Console) localSignIn(w http.ResponseWriter, r *http.Request) {
	if !c.Auth.Local {
		c.signIn(w, r)
		return
	}
	secHeaders(w)
	if err := c.readForm(w, r); err != nil || !c.sameOrigin(r) {
		c.failPage(w, r, nil, http.StatusForbidden, "csrf")
		return
	}
	f := r.PostForm
	p := domain.Principal{Sub: strings.TrimSpace(f.Get("user")), Name: strings.TrimSpace(f.Get("name")), Department: strings.TrimSpace(f.Get("department"))}
	for _, s := range f["role"] {
		if role, ok := domain.ParseRole(s); ok {
			p.Roles = append(p.Roles, role)
		}
	}
	errs := map[string]string{}
	if !domain.ValidID(p.Sub) {
		errs["user"] = "user"
	}
	if len(p.Roles) == 0 {
		errs["role"] = "role"
	}
	if p.Department != "" && !domain.ValidID(p.Department) {
		errs["department"] = "department"
	}
	if len(errs) > 0 {
		c.renderLocalSignIn(w, r, safeNext(f.Get("next")), f, errs, http.StatusBadRequest)
		return
	}
	c.admit(w, r, p, true, domain.SignInLocal, f.Get("next"))
}

// signOut ends the session (its item is deleted at once) and, in AWS,
// Cognito's too, through its logout endpoint.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.Sessions.Delete(r.Context(), s.Key); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.clearSession(w)
	slog.InfoContext(r.Context(), "console: signed out", "requestId", httpx.RequestID(r))
	if c.Auth.Local || s.Via == domain.SignInLocal {
		c.redirect(w, r, "/console/signed-out")
		return
	}
	d := "https://" + c.Auth.CognitoDomain + "/logout"
	u := c.endpoint(c.Auth.LogoutURL, d) + "?client_id=" + url.QueryEscape(c.clientID(r)) +
		"&logout_uri=" + url.QueryEscape(c.consoleURL(r)+"/console/signed-out")
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// language switches the session's language.
func (c *Console) language(w http.ResponseWriter, r *http.Request, s *session) {
	l := "zh"
	if r.PostForm.Get("lang") == "en" {
		l = "en"
	}
	set, err := c.Settings.Current(r.Context())
	if err == nil {
		s.SeenAt = c.Now().UTC()
		err = c.Sessions.Touch(r.Context(), s.Key, s.SeenAt, s.ExpiresAt(set.Sessions), l)
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.redirect(w, r, safeNext(r.PostForm.Get("next")))
}
