package api

import (
	"log/slog"
	"net/http"
	"time"
)

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

// withLogging writes one structured line per request: route, status,
// duration and request id; never a body, query value or personal data.
func withLogging(fn string, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = withRequestID(r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				slog.ErrorContext(r.Context(), "panic", "function", fn, "requestId", requestID(r), "panic", v)
				if sw.status == 0 {
					writeError(sw, http.StatusInternalServerError, "internal", "Something went wrong on our side. 系统错误。")
				}
			}
			_, pattern := mux.Handler(r)
			slog.InfoContext(r.Context(), "request", "function", fn, "route", pattern, "status", sw.status,
				"ms", time.Since(start).Milliseconds(), "requestId", requestID(r))
		}()
		mux.ServeHTTP(sw, r)
	})
}

// notFound answers unknown routes inside a function the same way as the API.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no_route", "No such route. 接口不存在。")
}
