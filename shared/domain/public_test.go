package domain

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The day's quota is full once the counter of that day reached it; a new
// day starts empty; a counter already on a later day counts there.
func TestDayFull(t *testing.T) {
	day := Quota{Key: "all|2026-11-24", Limit: 3}
	for _, tt := range []struct {
		c    Counter
		full bool
	}{
		{Counter{}, false},
		{Counter{DayKey: "all|2026-11-24", DayCount: 2}, false},
		{Counter{DayKey: "all|2026-11-24", DayCount: 3}, true},
		{Counter{DayKey: "all|2026-11-23", DayCount: 900}, false},
		{Counter{DayKey: "all|2026-11-25", DayCount: 3}, true},
		{Counter{DayKey: "all|2026-11-25", DayCount: 1}, false},
	} {
		if got := tt.c.DayFull(day); got != tt.full {
			t.Errorf("%+v: full %v, want %v", tt.c, got, tt.full)
		}
	}
}

func TestPublicQuotas(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 23, 17, 30, 0, 0, time.UTC) // 01:30 on the 24th in Shanghai
	q := append(DefaultPublicLimits.Quotas("203.0.113.9", "Wang@Acme.cn ", now, sh), DefaultPublicLimits.DayQuota(now, sh))
	if len(q) != 3 || q[0].Limit != 20 || q[1].Limit != 10 || q[2].Limit != 1000 {
		t.Fatalf("quotas %+v", q)
	}
	if q[2].Key != "all|2026-11-24" || q[1].End != q[2].End {
		t.Fatalf("the day's quota %+v, the address's %+v", q[2], q[1])
	}
	if !q[0].End.Equal(time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)) || !q[2].End.Equal(time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("windows end %s and %s", q[0].End, q[2].End)
	}
	for _, x := range q {
		if strings.Contains(x.Key, "203.0.113") || strings.Contains(strings.ToLower(x.Key), "wang") {
			t.Fatalf("a key names the client: %s", x.Key)
		}
	}
	if other := DefaultPublicLimits.Quotas("203.0.113.9", "wang@acme.cn", now, sh); other[1].Key != q[1].Key {
		t.Fatal("the same address in another case is another client")
	}
	if len(DefaultPublicLimits.Quotas("203.0.113.9", "", now, sh)) != 1 {
		t.Fatal("no address, yet an address quota")
	}
	for a, b := range map[string]string{"2001:db8:1:2::1": "2001:db8:1:2:ffff::9", "::ffff:198.51.100.7": "198.51.100.7"} {
		if IPBlock(a) != IPBlock(b) {
			t.Errorf("%s and %s are one client: %s vs %s", a, b, IPBlock(a), IPBlock(b))
		}
	}
	if IPBlock("2001:db8:1:2::1") == IPBlock("2001:db8:1:3::1") || IPBlock("198.51.100.7") == IPBlock("198.51.100.8") {
		t.Error("two clients are one")
	}
}

func TestFormToken(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	p := DefaultPublicLimits
	issued := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	tok := FormToken(key, issued)
	for _, tt := range []struct {
		name  string
		token string
		at    time.Duration
		ok    bool
	}{
		{"after 3 s", tok, 3 * time.Second, true},
		{"after 23 h", tok, 23 * time.Hour, true},
		{"at once", tok, time.Second, false},
		{"after 25 h", tok, 25 * time.Hour, false},
		{"another key", FormToken(bytes.Repeat([]byte{4}, 32), issued), time.Minute, false},
		{"a later time with the old mac", strconv.FormatInt(issued.Add(-time.Hour).Unix(), 10) + tok[strings.Index(tok, "."):], time.Minute, false},
		{"none", "", time.Minute, false},
		{"no mac", strconv.FormatInt(issued.Unix(), 10), time.Minute, false},
		{"signed number", "+" + tok, time.Minute, false},
	} {
		if err := p.CheckFormToken(key, tt.token, issued.Add(tt.at)); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// FuzzFormToken: no input panics CheckFormToken or passes it except a
// token FormToken made for a time in the window.
func FuzzFormToken(f *testing.F) {
	key := bytes.Repeat([]byte{3}, 32)
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	good := FormToken(key, now.Add(-time.Minute))
	f.Add(good)
	f.Add(FormToken(key, now))
	f.Add("")
	f.Add(".")
	f.Add("99999999999999999999.x")
	f.Add("-1." + good[strings.Index(good, ".")+1:])
	f.Fuzz(func(t *testing.T, token string) {
		if DefaultPublicLimits.CheckFormToken(key, token, now) != nil {
			return
		}
		ts, _, _ := strings.Cut(token, ".")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || FormToken(key, time.Unix(sec, 0)) != token {
			t.Fatalf("accepted %q, which FormToken did not make", token)
		}
		if age := now.Sub(time.Unix(sec, 0)); age < 3*time.Second || age > 24*time.Hour {
			t.Fatalf("accepted %q, %s old", token, age)
		}
	})
}
