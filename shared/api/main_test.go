package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"keycare/local/gateway"
	"keycare/local/runner"
	"keycare/local/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// stackServer is the whole template served as API Gateway would, on a fresh
// table, with a clock the test controls.
type stackServer struct {
	t     testing.TB
	h     http.Handler
	env   *testenv.Env
	clock *runner.Clock
}

func newStack(t testing.TB) *stackServer {
	t.Helper()
	env := testenv.New(t)
	clock := runner.NewClock()
	r, err := runner.New(env.Template, env.Resources, env.Clients, clock, runner.Registry)
	if err != nil {
		t.Fatal(err)
	}
	r.SESURL = env.Emu.SES
	return &stackServer{t: t, h: r.Handler(), env: env, clock: clock}
}

func token(t testing.TB, user, dept string, roles ...string) string {
	t.Helper()
	tok, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: user, Roles: roles, Department: dept}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// token issues a token valid at the stack's (possibly moved) clock.
func (s *stackServer) token(t testing.TB, user, dept string, roles ...string) string {
	t.Helper()
	tok, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: user, Roles: roles, Department: dept}, s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type resp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

func (r resp) errCode(t testing.TB) string {
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &e)
	return e.Error.Code
}

// do sends a request; body may be a string (sent as is) or a value (JSON).
func (s *stackServer) do(method, path, tok string, body any, headers ...string) resp {
	s.t.Helper()
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
	s.h.ServeHTTP(w, req)
	return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}
