package testenv

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FakeCognito plays a Cognito user pool's managed login for tests of the
// console's sign-in: the authorize step (who signs in is the test's
// choice), the token endpoint (an authorization code once, only with the
// PKCE verifier of its challenge), the signing keys and the logout
// endpoint. Its ID tokens have Cognito's shape (token_use id,
// cognito:groups as a list, custom:department), signed RS256.
type FakeCognito struct {
	*httptest.Server
	ClientID string
	Now      func() time.Time // the tokens' iat and exp; nil: time.Now

	key   *rsa.PrivateKey
	mu    sync.Mutex
	codes map[string]grant
	// Exchanged counts the codes exchanged for tokens.
	Exchanged int
}

type grant struct {
	challenge, nonce, redirect string
	claims                     jwt.MapClaims
}

// NewFakeCognito starts one for the test.
func NewFakeCognito(t testing.TB) *FakeCognito {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &FakeCognito{ClientID: "fake-console-client", key: k, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", f.token)
	mux.HandleFunc("GET /.well-known/jwks.json", f.jwks)
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// Issuer is the pool's issuer (its base URL).
func (f *FakeCognito) Issuer() string { return f.URL }

func (f *FakeCognito) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// SignIn plays the managed login page for the redirect the console sent
// the browser to (authorizeURL): it checks the request (code flow, this
// client, PKCE S256) and answers the callback URL, with a code that gets
// an ID token for sub with roles and dept.
func (f *FakeCognito) SignIn(authorizeURL, sub, dept string, roles ...string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	switch {
	case q.Get("response_type") != "code":
		return "", fmt.Errorf("response_type %q", q.Get("response_type"))
	case q.Get("client_id") != f.ClientID:
		return "", fmt.Errorf("client_id %q", q.Get("client_id"))
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		return "", fmt.Errorf("no PKCE S256 challenge")
	case q.Get("state") == "" || q.Get("nonce") == "" || q.Get("redirect_uri") == "":
		return "", fmt.Errorf("no state, nonce or redirect_uri")
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	claims := jwt.MapClaims{"sub": sub, "token_use": "id", "cognito:groups": roles, "email": sub + "@example.cn", "name": sub}
	if dept != "" {
		claims["custom:department"] = dept
	}
	f.mu.Lock()
	f.codes[code] = grant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri"), claims: claims}
	f.mu.Unlock()
	cb, _ := url.Parse(q.Get("redirect_uri"))
	cq := url.Values{"code": {code}, "state": {q.Get("state")}}
	cb.RawQuery = cq.Encode()
	return cb.String(), nil
}

func (f *FakeCognito) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	g, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code")) // a code works once
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok, r.PostForm.Get("grant_type") != "authorization_code", r.PostForm.Get("client_id") != f.ClientID,
		r.PostForm.Get("redirect_uri") != g.redirect, base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	now := f.now()
	claims := jwt.MapClaims{"iss": f.URL, "aud": f.ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(), "nonce": g.nonce}
	for k, v := range g.claims {
		claims[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "fake-key"
	id, err := tok.SignedString(f.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.mu.Lock()
	f.Exchanged++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id_token": id, "access_token": "fake-access", "token_type": "Bearer", "expires_in": 3600})
}

func (f *FakeCognito) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := f.key.PublicKey
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "fake-key", "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
}
