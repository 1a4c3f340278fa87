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
	"strconv"
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
	// Lambda's synchronous invocation limits: the event JSON and the
	// function's response JSON (6 MB; the response's is 100 bytes more).
	MaxEvent, MaxResponse int
	opt                   Options
	mux                   *http.ServeMux
}

// Options are what the template says about the API beyond its routes.
type Options struct {
	// BasePath is a custom domain's API mapping ("/keycare"): routes answer
	// under it and the event's rawPath keeps it, as in AWS.
	BasePath string
	// Cors is the API's CORS block (x-amazon-apigateway-cors); nil: none.
	Cors *Cors
}

// Cors is an HttpApi's CORS block, resolved.
type Cors struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	MaxAge                                                  int
	AllowCredentials                                        bool
}

// Lambda's payload limits for synchronous invocations, in bytes.
const (
	MaxEventBytes    = 6 * 1024 * 1024
	MaxResponseBytes = 6*1024*1024 + 100
)

// New builds a gateway over routes.
func New(secret []byte, now func() time.Time, routes []Route, opts ...Options) *Gateway {
	g := &Gateway{Secret: secret, Now: now, MaxBody: 10 << 20, MaxEvent: MaxEventBytes, MaxResponse: MaxResponseBytes, mux: http.NewServeMux()}
	if len(opts) > 0 {
		g.opt = opts[0]
		g.opt.BasePath = strings.TrimSuffix(g.opt.BasePath, "/")
	}
	for _, rt := range routes {
		g.mux.Handle(rt.Method+" "+g.opt.BasePath+rt.Path, g.route(rt))
	}
	g.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeMessage(w, http.StatusNotFound, "Not Found")
	})
	return g
}

// ServeHTTP answers CORS preflights itself, as API Gateway does when the API
// has a CORS block (no route, no authorizer), and puts the CORS
// headers of the configuration on every other answer, replacing any the
// function set.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := g.opt.Cors
	if c == nil {
		g.mux.ServeHTTP(w, r)
		return
	}
	origin := r.Header.Get("Origin")
	allowed := g.allowOrigin(origin)
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		if allowed != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", allowed)
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
			if len(c.AllowHeaders) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(c.AllowHeaders, ",")))
			}
			if c.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
			}
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	g.mux.ServeHTTP(&corsWriter{ResponseWriter: w, cors: c, origin: allowed}, r)
}

// allowOrigin is the Access-Control-Allow-Origin value for origin, or "".
func (g *Gateway) allowOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range g.opt.Cors.AllowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return origin
		}
	}
	return ""
}

// corsWriter sets the configured CORS headers just before the status line.
type corsWriter struct {
	http.ResponseWriter
	cors   *Cors
	origin string
	wrote  bool
}

func (c *corsWriter) WriteHeader(status int) {
	if !c.wrote {
		c.wrote = true
		h := c.Header()
		for k := range h {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				h.Del(k)
			}
		}
		if c.origin != "" {
			h.Set("Access-Control-Allow-Origin", c.origin)
			if len(c.cors.ExposeHeaders) > 0 {
				h.Set("Access-Control-Expose-Headers", strings.Join(c.cors.ExposeHeaders, ","))
			}
			if c.cors.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

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
		if b, _ := json.Marshal(ev); len(b) > g.MaxEvent {
			// Lambda refuses the invocation (RequestEntityTooLargeException).
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		resp, err := rt.Handler(r.Context(), ev)
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		if b, _ := json.Marshal(resp); len(b) > g.MaxResponse {
			// Lambda fails the invocation: the response exceeds its payload limit.
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

// Textual tells whether an HTTP API passes a body of this content type as
// text. Everything else, a form post (application/x-www-form-urlencoded) and
// a body without a content type included, reaches Lambda base64-encoded with
// isBase64Encoded: true (observed against AWS; the docs name no list).
func Textual(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" || mt == "application/javascript"
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
		if Textual(r.Header.Get("Content-Type")) {
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
