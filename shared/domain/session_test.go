package domain

import (
	"strings"
	"testing"
	"time"
)

func TestSessionExpiry(t *testing.T) {
	ss := DefaultSessionSettings()
	if ss.Idle() != 8*time.Hour || ss.Max() != 7*24*time.Hour || ss.TouchEvery() != 15*time.Minute {
		t.Fatalf("defaults %+v: idle %v max %v touch %v", ss, ss.Idle(), ss.Max(), ss.TouchEvery())
	}
	signIn := time.Date(2027, 1, 11, 1, 0, 0, 0, time.UTC)
	p := Principal{Sub: "alice", Name: "Alice", Roles: []Role{RoleManager}, Department: "sales"}
	tests := []struct {
		name    string
		seen    time.Duration // last recorded activity after sign-in
		now     time.Duration // after sign-in
		expired bool
		stale   bool
	}{
		{"just signed in", 0, time.Minute, false, false},
		{"idle 7 h 59 min", 0, 8*time.Hour - time.Minute, false, true},
		{"idle 8 h", 0, 8 * time.Hour, true, true},
		{"active, last seen 10 min ago", 3 * time.Hour, 3*time.Hour + 10*time.Minute, false, false},
		{"active, last seen 15 min ago: record it", 3 * time.Hour, 3*time.Hour + 15*time.Minute, false, true},
		{"used daily, 6 days 23 h after sign-in", 6*24*time.Hour + 20*time.Hour, 6*24*time.Hour + 23*time.Hour, false, true},
		{"used every hour, 7 days after sign-in: ends anyway", 7*24*time.Hour - 30*time.Minute, 7 * 24 * time.Hour, true, true},
		{"a clock far behind the sign-in", 0, -time.Hour, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSession(strings.Repeat("a", 64), "csrf", p, "en", SignInLocal, signIn)
			s.SeenAt = signIn.Add(tt.seen)
			now := signIn.Add(tt.now)
			if got := s.Expired(now, ss); got != tt.expired {
				t.Errorf("expired %v, want %v (expires %v)", got, tt.expired, s.ExpiresAt(ss))
			}
			if got := s.Stale(now, ss); got != tt.stale && tt.now >= 0 {
				t.Errorf("stale %v, want %v", got, tt.stale)
			}
		})
	}
	// The session stands for the person who signed in, and nobody else.
	s := NewSession(strings.Repeat("b", 64), "c", p, "fr", SignInCognito, signIn)
	got := s.Principal()
	if got.Sub != "alice" || got.Department != "sales" || !got.Has(RoleManager) || got.Has(RoleSupervisor) || s.Lang != "zh" {
		t.Fatalf("%+v lang %s", got, s.Lang)
	}
	got.Roles[0] = RoleAdmin
	if s.Principal().Has(RoleAdmin) {
		t.Fatal("the principal shares its roles with the session")
	}
	if !ValidSessionKey(strings.Repeat("0f", 32)) || ValidSessionKey("SESSION#x") || ValidSessionKey(strings.Repeat("A", 64)) {
		t.Fatal("session keys are 64 lower-case hex digits")
	}
}

func TestSessionSettingsValidation(t *testing.T) {
	for _, tt := range []struct {
		name  string
		ss    SessionSettings
		field string
	}{
		{"no idle limit", SessionSettings{IdleHours: 0, MaxDays: 7}, "sessions.idleHours"},
		{"a year", SessionSettings{IdleHours: 8, MaxDays: 365}, "sessions.maxDays"},
		{"idle beyond the whole life", SessionSettings{IdleHours: 48, MaxDays: 1}, "sessions.idleHours"},
	} {
		s := Defaults("")
		s.Sessions = tt.ss
		ve, ok := s.Validate().(*ValidationError)
		if !ok || ve.Fields[tt.field] == "" {
			t.Errorf("%s: want an error on %s, got %v", tt.name, tt.field, s.Validate())
		}
	}
	old := Settings{Version: 4}
	old.FillDefaults()
	if old.Sessions != DefaultSessionSettings() {
		t.Fatalf("a record stored before sessions existed: %+v", old.Sessions)
	}
}
