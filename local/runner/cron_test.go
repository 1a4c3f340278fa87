package runner

import (
	"testing"
	"time"
)

func TestParseExpression(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		expr      string
		last, now string
		due       bool
	}{
		{"rate(1 hour)", "2026-11-22T09:59:00Z", "2026-11-22T10:00:01Z", true},
		{"rate(1 hour)", "2026-11-22T10:00:01Z", "2026-11-22T10:59:59Z", false},
		{"rate(5 minutes)", "2026-11-22T10:04:59Z", "2026-11-22T10:05:00Z", true},
		{"rate(1 day)", "2026-11-22T10:00:00Z", "2026-11-22T23:00:00Z", false},
		{"cron(0 1 1 * ? *)", "2026-11-30T23:59:00Z", "2026-12-01T01:00:30Z", true},
		{"cron(0 1 1 * ? *)", "2026-12-01T01:00:30Z", "2026-12-01T02:00:00Z", false},
		{"cron(0 9 ? * MON-FRI *)", "2026-11-22T08:59:00Z", "2026-11-22T09:01:00Z", false}, // a Sunday
		{"cron(0 9 ? * MON-FRI *)", "2026-11-23T08:59:00Z", "2026-11-23T09:01:00Z", true},
		{"cron(0 2 1 1,4,7,10 ? *)", "2026-12-31T23:00:00Z", "2027-01-01T02:00:00Z", true},
		{"cron(0/15 * * * ? *)", "2026-11-22T10:14:00Z", "2026-11-22T10:15:00Z", true},
	}
	for _, tt := range tests {
		due, err := ParseExpression(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := due(at(tt.last), at(tt.now)); got != tt.due {
			t.Errorf("%s in (%s, %s] = %v, want %v", tt.expr, tt.last, tt.now, got, tt.due)
		}
	}
	for _, bad := range []string{"rate(0 hours)", "rate(1 fortnight)", "cron(0 1 *)", "at(2026-01-01T00:00:00)", "cron(x 1 1 * ? *)"} {
		if _, err := ParseExpression(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
