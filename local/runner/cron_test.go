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
		expr, zone string
		last, now  string
		due        string // "" when not due
	}{
		{"rate(1 hour)", "", "2026-11-22T09:59:00Z", "2026-11-22T10:00:01Z", "2026-11-22T10:00:00Z"},
		{"rate(1 hour)", "", "2026-11-22T10:00:01Z", "2026-11-22T10:59:59Z", ""},
		{"rate(5 minutes)", "", "2026-11-22T10:04:59Z", "2026-11-22T10:05:00Z", "2026-11-22T10:05:00Z"},
		{"rate(1 day)", "", "2026-11-22T10:00:00Z", "2026-11-22T23:00:00Z", ""},
		{"cron(0 1 1 * ? *)", "", "2026-11-30T23:59:00Z", "2026-12-01T01:00:30Z", "2026-12-01T01:00:00Z"},
		{"cron(0 1 1 * ? *)", "", "2026-12-01T01:00:30Z", "2026-12-01T02:00:00Z", ""},
		{"cron(0 9 ? * MON-FRI *)", "", "2026-11-22T08:59:00Z", "2026-11-22T09:01:00Z", ""}, // a Sunday
		{"cron(0 9 ? * MON-FRI *)", "", "2026-11-23T08:59:00Z", "2026-11-23T09:01:00Z", "2026-11-23T09:00:00Z"},
		{"cron(0 2 1 1,4,7,10 ? *)", "", "2026-12-31T23:00:00Z", "2027-01-01T02:00:00Z", "2027-01-01T02:00:00Z"},
		{"cron(0/15 * * * ? *)", "", "2026-11-22T10:14:00Z", "2026-11-22T10:15:00Z", "2026-11-22T10:15:00Z"},
		// ScheduleExpressionTimezone: 09:00 on the 1st in Shanghai is 01:00 UTC.
		{"cron(0 9 1 * ? *)", "Asia/Shanghai", "2026-12-01T00:59:00Z", "2026-12-01T01:00:30Z", "2026-12-01T01:00:00Z"},
		{"cron(0 9 1 * ? *)", "Asia/Shanghai", "2026-12-01T08:59:00Z", "2026-12-01T09:00:30Z", ""},
		{"cron(0 9 1 * ? *)", "", "2026-12-01T08:59:00Z", "2026-12-01T09:00:30Z", "2026-12-01T09:00:00Z"},
		// 10:00 daily in Shanghai, after a clock jump of days: the latest run once.
		{"cron(0 10 * * ? *)", "Asia/Shanghai", "2026-11-20T00:00:00Z", "2026-11-23T03:00:00Z", "2026-11-23T02:00:00Z"},
		// New York springs forward on 8 March 2026: 02:30 local does not exist that day...
		{"cron(30 2 * * ? *)", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T09:00:00Z", ""},
		// ...and is 06:30 UTC (EDT) the next day, 07:30 UTC (EST) the day before.
		{"cron(30 2 * * ? *)", "America/New_York", "2026-03-09T05:00:00Z", "2026-03-09T09:00:00Z", "2026-03-09T06:30:00Z"},
		{"cron(30 2 * * ? *)", "America/New_York", "2026-03-07T05:00:00Z", "2026-03-07T09:00:00Z", "2026-03-07T07:30:00Z"},
	}
	for _, tt := range tests {
		loc := time.UTC
		if tt.zone != "" {
			var err error
			if loc, err = time.LoadLocation(tt.zone); err != nil {
				t.Fatal(err)
			}
		}
		due, err := ParseExpressionIn(tt.expr, loc)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		got, ok := due(at(tt.last), at(tt.now))
		switch {
		case tt.due == "" && ok:
			t.Errorf("%s (%s) in (%s, %s] due at %s, want not due", tt.expr, tt.zone, tt.last, tt.now, got)
		case tt.due != "" && (!ok || !got.Equal(at(tt.due))):
			t.Errorf("%s (%s) in (%s, %s] = %s %v, want due at %s", tt.expr, tt.zone, tt.last, tt.now, got, ok, tt.due)
		}
	}
	for _, bad := range []string{"rate(0 hours)", "rate(1 fortnight)", "cron(0 1 *)", "at(2026-01-01T00:00:00)", "cron(x 1 1 * ? *)"} {
		if _, err := ParseExpression(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
