package gateway

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Which bodies reach Lambda base64-encoded, as an HTTP API sends them.
func TestEventBodyEncoding(t *testing.T) {
	for _, tt := range []struct {
		contentType string
		base64      bool
	}{
		{"application/json", false},
		{"application/json; charset=utf-8", false},
		{"text/plain", false},
		{"text/html; charset=UTF-8", false},
		{"application/xml", false},
		{"application/javascript", false},
		{"application/x-www-form-urlencoded", true},
		{"multipart/form-data; boundary=x", true},
		{"application/octet-stream", true},
		{"image/png", true},
		{"application/problem+json", true},
		{"", true},
	} {
		body := "name=%E7%8E%8B&x=1"
		r := httptest.NewRequest("POST", "/public/complaints", strings.NewReader(body))
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		ev := Event(r, "POST /public/complaints", []byte(body), nil)
		if ev.IsBase64Encoded != tt.base64 {
			t.Errorf("%q: isBase64Encoded %v, want %v", tt.contentType, ev.IsBase64Encoded, tt.base64)
			continue
		}
		got := ev.Body
		if tt.base64 {
			b, err := base64.StdEncoding.DecodeString(ev.Body)
			if err != nil {
				t.Fatalf("%q: %v", tt.contentType, err)
			}
			got = string(b)
		}
		if got != body {
			t.Errorf("%q: body %q", tt.contentType, got)
		}
	}
}

func echo(status int, body string, headers map[string]string) LambdaHTTP {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		h := map[string]string{"Content-Type": "text/plain", "X-Raw-Path": req.RawPath}
		for k, v := range headers {
			h[k] = v
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: body, Headers: h}, nil
	}
}

func serve(g http.Handler, method, path string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	return w
}

// CORS as an HTTP API with a CORS block answers it: preflights by
// the gateway itself (no authorizer), the configured headers on answers to
// allowed origins, none for others, and the function's own replaced.
func TestCors(t *testing.T) {
	cors := &Cors{AllowOrigins: []string{"https://staff.example.com"}, AllowMethods: []string{"GET", "POST", "PATCH", "OPTIONS"},
		AllowHeaders: []string{"Authorization", "Content-Type"}, ExposeHeaders: []string{"ETag"}, MaxAge: 600}
	routes := []Route{
		{Method: "GET", Path: "/customers", Handler: echo(200, "ok", map[string]string{"Access-Control-Allow-Origin": "*"})},
		{Method: "GET", Path: "/complaint-form", Public: true, Handler: echo(200, "form", nil)},
	}
	g := New([]byte("k"), time.Now, routes, Options{Cors: cors})
	tok, _ := Issue([]byte("k"), TokenSpec{User: "u", Roles: []string{"admin"}}, time.Now())
	for _, tt := range []struct {
		name, method, path, origin string
		auth, preflight            bool
		status                     int
		allowOrigin                string
	}{
		{"preflight from an allowed origin, no token needed", "OPTIONS", "/customers", "https://staff.example.com", false, true, 204, "https://staff.example.com"},
		{"preflight from another origin", "OPTIONS", "/customers", "https://evil.example", false, true, 204, ""},
		{"OPTIONS that is no preflight is routed (no route: 404)", "OPTIONS", "/customers", "", false, false, 404, ""},
		{"GET from an allowed origin", "GET", "/customers", "https://staff.example.com", true, false, 200, "https://staff.example.com"},
		{"GET from another origin: the function's * is not passed on", "GET", "/customers", "https://evil.example", true, false, 200, ""},
		{"GET without Origin", "GET", "/complaint-form", "", false, false, 200, ""},
		{"401 from the authorizer carries CORS headers too", "GET", "/customers", "https://staff.example.com", false, false, 401, "https://staff.example.com"},
	} {
		h := []string{}
		if tt.origin != "" {
			h = append(h, "Origin", tt.origin)
		}
		if tt.preflight {
			h = append(h, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization")
		}
		if tt.auth {
			h = append(h, "Authorization", "Bearer "+tok)
		}
		w := serve(g, tt.method, tt.path, h...)
		if w.Code != tt.status || w.Header().Get("Access-Control-Allow-Origin") != tt.allowOrigin {
			t.Errorf("%s: %d, Allow-Origin %q; want %d, %q", tt.name, w.Code, w.Header().Get("Access-Control-Allow-Origin"), tt.status, tt.allowOrigin)
		}
		if tt.preflight && tt.allowOrigin != "" {
			if w.Header().Get("Access-Control-Allow-Methods") != "GET,POST,PATCH,OPTIONS" || w.Header().Get("Access-Control-Max-Age") != "600" ||
				w.Header().Get("Access-Control-Allow-Headers") != "authorization,content-type" {
				t.Errorf("%s: headers %v", tt.name, w.Header())
			}
		}
		if !tt.preflight && tt.allowOrigin != "" && w.Header().Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("%s: expose headers %q", tt.name, w.Header().Get("Access-Control-Expose-Headers"))
		}
	}
	// Without a CORS block, a preflight is an ordinary request.
	plain := New([]byte("k"), time.Now, routes)
	if w := serve(plain, "OPTIONS", "/customers", "Origin", "https://staff.example.com", "Access-Control-Request-Method", "GET"); w.Code != 404 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no CORS configured: preflight %d %v", w.Code, w.Header())
	}
}

// A custom domain's API mapping: routes answer under the base path and the
// function sees rawPath with it, as in AWS (the function strips it).
func TestBasePath(t *testing.T) {
	g := New([]byte("k"), time.Now, []Route{{Method: "GET", Path: "/complaint-form", Public: true, Handler: echo(200, "form", nil)}}, Options{BasePath: "/keycare/"})
	if w := serve(g, "GET", "/keycare/complaint-form"); w.Code != 200 || w.Header().Get("X-Raw-Path") != "/keycare/complaint-form" {
		t.Errorf("under the base path: %d, rawPath %q", w.Code, w.Header().Get("X-Raw-Path"))
	}
	if w := serve(g, "GET", "/complaint-form"); w.Code != 404 {
		t.Errorf("outside the base path: %d", w.Code)
	}
}

// Lambda's 6 MB limits on the event and on the response.
func TestPayloadLimits(t *testing.T) {
	big := strings.Repeat("x", MaxResponseBytes)
	routes := []Route{
		{Method: "POST", Path: "/echo", Public: true, Handler: echo(200, "ok", nil)},
		{Method: "GET", Path: "/big", Public: true, Handler: echo(200, big, nil)},
		{Method: "GET", Path: "/small", Public: true, Handler: echo(200, big[:MaxResponseBytes-1024], nil)},
	}
	g := New([]byte("k"), time.Now, routes)
	post := func(n int, ct string) int {
		r := httptest.NewRequest("POST", "/echo", strings.NewReader(strings.Repeat("a", n)))
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w.Code
	}
	for _, tt := range []struct {
		name   string
		code   int
		status int
	}{
		{"5 MB of text", post(5<<20, "text/plain"), 200},
		{"6 MB of text: the event exceeds 6 MB", post(6<<20, "text/plain"), 413},
		{"4.6 MB of binary: base64 makes the event exceed 6 MB", post(4700<<10, "application/octet-stream"), 413},
		{"11 MB: API Gateway's own 10 MB limit", post(11<<20, "text/plain"), 413},
		{"a response just under 6 MB", serve(g, "GET", "/small").Code, 200},
		{"a response over 6 MB", serve(g, "GET", "/big").Code, 500},
	} {
		if tt.code != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, tt.code, tt.status)
		}
	}
}
