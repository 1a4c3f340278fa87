package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
)

// Logs must hold no personal data (DESIGN.md: no phone, email or complaint
// text in logs). Every test binary that uses Main runs all its log output,
// at every level, through PII; a hit fails the binary.

var (
	emailRE  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	mobileRE = regexp.MustCompile(`(^|[^0-9])(1[3-9][0-9]{9})([^0-9]|$)`) // Chinese mobile numbers
	runRE    = regexp.MustCompile(`[A-Za-z0-9_-]{32,}`)                   // base64url runs: tracking and survey tokens
	upperRE  = regexp.MustCompile(`[A-Z]`)
	lowerRE  = regexp.MustCompile(`[a-z]`)
	digitRE  = regexp.MustCompile(`[0-9]`)
)

// idKeys are log attributes that hold ids keycare or AWS make up (hex
// request ids, message ids), never anything a person typed.
var idKeys = map[string]bool{"time": true, "requestId": true, "messageId": true, "mailId": true}

// PII lists what in one log line looks like personal data: an email
// address, a Chinese mobile number (1[3-9] and 9 more digits) or a token
// (a run of 32 or more base64url characters mixing upper case, lower case
// and digits, as random tokens do and hex ids and our own ids do not).
func PII(line string) []string {
	var m map[string]any
	if json.Unmarshal([]byte(line), &m) != nil {
		return scan(line)
	}
	var out []string
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case string:
			if !idKeys[k] {
				out = append(out, scan(x)...)
			}
		case map[string]any:
			for kk, vv := range x {
				walk(kk, vv)
			}
		case []any:
			for _, vv := range x {
				walk(k, vv)
			}
		}
	}
	walk("", m)
	return out
}

func scan(s string) []string {
	var out []string
	for _, e := range emailRE.FindAllString(s, -1) {
		out = append(out, "email "+e)
	}
	for _, m := range mobileRE.FindAllStringSubmatch(s, -1) {
		out = append(out, "mobile "+m[2])
	}
	for _, r := range runRE.FindAllString(s, -1) {
		if upperRE.MatchString(r) && lowerRE.MatchString(r) && digitRE.MatchString(r) {
			out = append(out, "token "+r)
		}
	}
	return out
}

// piiCheck is a slog handler that checks every record, whatever its level,
// and passes those at or above the shown level on to show.
type piiCheck struct {
	show  slog.Handler
	mu    *sync.Mutex
	hits  *[]string
	attrs []slog.Attr
	group string
}

func newPIICheck(show slog.Handler) *piiCheck {
	return &piiCheck{show: show, mu: &sync.Mutex{}, hits: &[]string{}}
}

func (h *piiCheck) Enabled(context.Context, slog.Level) bool { return true }

func (h *piiCheck) Handle(ctx context.Context, r slog.Record) error {
	line := map[string]any{"msg": r.Message}
	add := func(a slog.Attr) bool { line[a.Key] = a.Value.Resolve().String(); return true }
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b, _ := json.Marshal(line)
	if found := PII(string(b)); len(found) > 0 {
		h.mu.Lock()
		*h.hits = append(*h.hits, fmt.Sprintf("%v in %s", found, b))
		h.mu.Unlock()
	}
	if h.show.Enabled(ctx, r.Level) {
		return h.show.Handle(ctx, r)
	}
	return nil
}

func (h *piiCheck) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	c.show = h.show.WithAttrs(as)
	return &c
}

func (h *piiCheck) WithGroup(name string) slog.Handler {
	c := *h
	c.show = h.show.WithGroup(name)
	return &c
}

// Hits is what the check found so far.
func (h *piiCheck) Hits() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), *h.hits...)
}
