package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"keycare/local/gateway"
	"keycare/local/runner"
	"keycare/shared/platform"
)

// Server is the whole template served as API Gateway would (the local
// runner: every route of every function, /_local/ too), on a fresh table,
// with a clock the test controls.
type Server struct {
	T     testing.TB
	H     http.Handler
	Env   *Env
	Clock *runner.Clock
}

// NewServer serves template.yaml on a fresh env.
func NewServer(t testing.TB) *Server {
	t.Helper()
	env := New(t)
	clock := runner.NewClock()
	r, err := runner.New(env.Template, env.Resources, env.AWS, clock, platform.Registry)
	if err != nil {
		t.Fatal(err)
	}
	r.SESURL = env.Emu.SES
	return &Server{T: t, H: r.Handler(), Env: env, Clock: clock}
}

// Token issues a staff token (the shape of a Cognito ID token) valid now,
// in real time: the gateway checks expiry as API Gateway does, whatever the
// stack's clock says.
func Token(t testing.TB, user, dept string, roles ...string) string {
	t.Helper()
	tok, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: user, Roles: roles, Department: dept}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Token issues a staff token (see Token).
func (s *Server) Token(t testing.TB, user, dept string, roles ...string) string {
	t.Helper()
	return Token(t, user, dept, roles...)
}

// Resp is an answer.
type Resp struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Resp) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// ErrCode is the error shape's code.
func (r Resp) ErrCode(t testing.TB) string {
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.JSON(t, &e)
	return e.Error.Code
}

// Do sends a request; body may be a string (sent as is) or a value (JSON).
// headers are name, value pairs.
func (s *Server) Do(method, path, tok string, body any, headers ...string) Resp {
	s.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	return Resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}
