package runner

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/platform"
)

const limitsTemplate = `
Parameters:
  BasePath: {Type: String, Default: ""}
  Origins: {Type: String, Default: "https://staff.example.com"}
Globals:
  Function:
    Timeout: 15
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        BASE_PATH: !Ref BasePath
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        paths: {}
        x-amazon-apigateway-cors:
          allowOrigins: !Split [",", !Ref Origins]
          allowMethods: [GET]
  Quick:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 1
      Events:
        Fast: {Type: HttpApi, Properties: {Method: GET, Path: /fast, Auth: {Authorizer: NONE}}}
        Slow: {Type: HttpApi, Properties: {Method: GET, Path: /slow, Auth: {Authorizer: NONE}}}
`

// newLocal builds a runner on a template without emulators (HTTP only).
func newLocal(t *testing.T, src string, params map[string]string, h http.Handler) *Runner {
	t.Helper()
	tpl, err := template.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := template.Resolver{Params: tpl.Parameters, Refs: map[string]string{"Table": "local-table"}, Attrs: map[string]string{}}
	for k, v := range params {
		r.Params[k] = v
	}
	res := &stack.Resources{Table: "local-table", QueueURLs: map[string]string{}, QueueARNs: map[string]string{}, Resolver: r}
	run, err := New(tpl, res, platform.AWS{}, NewClock(), map[string]platform.Factory{"Quick": func(d platform.Deps) (platform.Function, error) { return platform.Function{HTTP: h}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func quickHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fast", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done(): // the deadline reaches the handler's context too
		}
		time.Sleep(500 * time.Millisecond) // a handler that ignores it a little
		_, _ = w.Write([]byte("late"))
	})
	return mux
}

// Each function's Timeout applies: past it the invocation fails and API
// Gateway answers 500, without waiting for the handler.
func TestFunctionTimeout(t *testing.T) {
	h := newLocal(t, limitsTemplate, nil, quickHandler()).Handler()
	start := time.Now()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/slow", nil))
	if took := time.Since(start); w.Code != 500 || took > 1400*time.Millisecond {
		t.Errorf("a handler past its 1 s Timeout: %d after %s, want 500 after about 1 s", w.Code, took)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/fast", nil))
	if w.Code != 200 {
		t.Errorf("fast: %d", w.Code)
	}
}

// With BasePath (a custom domain's API mapping) the routes answer under it
// and the handler, as in Lambda, sees its path without it; CORS comes from
// the template's CORS block (x-amazon-apigateway-cors in the API's
// DefinitionBody, as template.yaml has it) with its parameter resolved.
func TestBasePathAndCorsFromTemplate(t *testing.T) {
	h := newLocal(t, limitsTemplate, map[string]string{"BasePath": "/keycare"}, quickHandler()).Handler()
	for _, tt := range []struct {
		path   string
		status int
		body   string
	}{{"/keycare/fast", 200, "/fast"}, {"/fast", 404, ""}, {"/_local/clock", 200, ""}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tt.path, nil)
		r.Header.Set("Origin", "https://staff.example.com")
		h.ServeHTTP(w, r)
		if w.Code != tt.status || (tt.body != "" && w.Body.String() != tt.body) {
			t.Errorf("GET %s: %d %q, want %d %q", tt.path, w.Code, w.Body, tt.status, tt.body)
		}
		if tt.path == "/keycare/fast" && w.Header().Get("Access-Control-Allow-Origin") != "https://staff.example.com" {
			t.Errorf("GET %s: no CORS header from the template's configuration: %v", tt.path, w.Header())
		}
	}
}
