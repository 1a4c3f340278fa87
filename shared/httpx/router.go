package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// Router is a function's routes: a ServeMux that remembers its patterns
// (the registry test compares them with template.yaml) and writes one log
// line per request.
type Router struct {
	name     string
	mux      *http.ServeMux
	patterns []string
}

// NewRouter returns the router of the function named name (for the logs).
func NewRouter(name string) *Router { return &Router{name: name, mux: http.NewServeMux()} }

// Handle serves pattern ("METHOD /path/{param}") with h.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
	rt.patterns = append(rt.patterns, pattern)
}

// HandleFunc serves pattern with f.
func (rt *Router) HandleFunc(pattern string, f http.HandlerFunc) { rt.Handle(pattern, f) }

// Patterns are the routes served, in the order they were added.
func (rt *Router) Patterns() []string { return append([]string(nil), rt.patterns...) }

// Handler is the router with a JSON 404 for unknown routes, the request id
// in the context, panics answered as 500, and one structured log line per
// request: route, status, duration and request id — never a body, a query
// value or personal data.
func (rt *Router) Handler() http.Handler {
	rt.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "no_route", "No such route. 接口不存在。")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = withRequestID(r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				slog.ErrorContext(r.Context(), "panic", "function", rt.name, "requestId", RequestID(r), "panic", v)
				if sw.status == 0 {
					WriteError(sw, http.StatusInternalServerError, "internal", "Something went wrong on our side. 系统错误。")
				}
			}
			_, pattern := rt.mux.Handler(r)
			slog.InfoContext(r.Context(), "request", "function", rt.name, "route", pattern, "status", sw.status,
				"ms", time.Since(start).Milliseconds(), "requestId", RequestID(r))
		}()
		rt.mux.ServeHTTP(sw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
