package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// LambdaHTTP is an HTTP API Lambda handler (what lambda.Start receives).
type LambdaHTTP func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Route binds one HttpApi event to its function.
type Route struct {
	Function string
	Method   string
	Path     string // with {param} placeholders, as in template.yaml
	Public   bool   // no authorizer
	Handler  LambdaHTTP
}

// Gateway serves routes as API Gateway would.
type Gateway struct {
	Secret  []byte
	Now     func() time.Time
	MaxBody int64 // API Gateway's payload limit (10 MB)
	mux     *http.ServeMux
}

// New builds a gateway over routes.
func New(secret []byte, now func() time.Time, routes []Route) *Gateway {
	g := &Gateway{Secret: secret, Now: now, MaxBody: 10 << 20, mux: http.NewServeMux()}
	for _, rt := range routes {
		g.mux.Handle(rt.Method+" "+rt.Path, g.route(rt))
	}
	g.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeMessage(w, http.StatusNotFound, "Not Found")
	})
	return g
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (g *Gateway) route(rt Route) http.Handler {
	params := pathParams(rt.Path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var claims map[string]string
		if !rt.Public {
			auth := r.Header.Get("Authorization")
			tok, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				tok = auth
			}
			c, err := Verify(g.Secret, strings.TrimSpace(tok), g.Now())
			if tok == "" || err != nil {
				writeMessage(w, http.StatusUnauthorized, "Unauthorized")
				return
			}
			claims = c
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.MaxBody))
		if err != nil {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		ev := Event(r, rt.Method+" "+rt.Path, body, claims)
		ev.PathParameters = map[string]string{}
		for _, p := range params {
			ev.PathParameters[p] = r.PathValue(p)
		}
		resp, err := rt.Handler(r.Context(), ev)
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		WriteResponse(w, resp)
	})
}

func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "+"))
		}
	}
	return out
}

func textual(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return ct == "" || strings.HasPrefix(mt, "text/") || mt == "application/json" ||
		mt == "application/x-www-form-urlencoded" || strings.HasSuffix(mt, "+json") || mt == "application/xml"
}

// Event builds the HTTP API (payload 2.0) event of r.
func Event(r *http.Request, routeKey string, body []byte, claims map[string]string) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.String())
	}
	delete(headers, "cookie")
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	idb := make([]byte, 8)
	_, _ = rand.Read(idb)
	now := time.Now()
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: routeKey, AccountID: "000000000000", Stage: "$default", RequestID: "local-" + hex.EncodeToString(idb),
			APIID: "local", DomainName: r.Host, DomainPrefix: "local", Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent()},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: nil},
		}
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// WriteResponse writes a Lambda proxy response to w.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		w.Header().Del(k)
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err == nil {
			_, _ = w.Write(b)
		}
		return
	}
	_, _ = io.WriteString(w, resp.Body)
}
