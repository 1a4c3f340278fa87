package domain

import (
	"time"
)

// Console sessions (the staff console's sign-in). A session is made at each
// sign-in — after Cognito's authorization-code flow in AWS, after the
// local-only sign-in page locally — and named by a random id that only the
// browser's cookie holds; the table keeps its SHA-256 (Key). It ends at
// sign-out, after SessionSettings.IdleHours without activity, and at the
// latest SessionSettings.MaxDays after sign-in, whatever the activity.
type Session struct {
	Key        string    `json:"key"` // hex SHA-256 of the cookie's id
	Sub        string    `json:"sub"`
	Name       string    `json:"name,omitempty"`
	Roles      []Role    `json:"roles"`
	Department string    `json:"department,omitempty"`
	Lang       string    `json:"lang"` // zh or en: the directory's language at sign-in, then the person's switch
	CSRF       string    `json:"csrf"` // the per-session token every form carries
	Via        string    `json:"via"`  // cognito | local
	CreatedAt  time.Time `json:"createdAt"`
	SeenAt     time.Time `json:"seenAt"` // last recorded activity (recorded at most every SessionSettings.TouchEvery)
}

// How a session was signed in.
const (
	SignInCognito = "cognito"
	SignInLocal   = "local"
)

// SessionSettings are the console session's limits.
type SessionSettings struct {
	IdleHours int `json:"idleHours"` // a session unused for 8 hours ends
	MaxDays   int `json:"maxDays"`   // and every session ends 7 days after sign-in
}

// DefaultSessionSettings are the limits of issue 12: 8 hours idle, 7 days in all.
func DefaultSessionSettings() SessionSettings { return SessionSettings{IdleHours: 8, MaxDays: 7} }

// Idle is how long a session may go unused.
func (ss SessionSettings) Idle() time.Duration { return time.Duration(ss.IdleHours) * time.Hour }

// Max is how long a session may last at all.
func (ss SessionSettings) Max() time.Duration { return time.Duration(ss.MaxDays) * 24 * time.Hour }

// TouchEvery is how stale the recorded activity may grow before a request
// records it again: 1/32 of the idle limit (15 minutes of 8 hours), so that
// most page views only read, and the idle limit holds to within it.
func (ss SessionSettings) TouchEvery() time.Duration { return ss.Idle() / 32 }

func (ss SessionSettings) check(v *ValidationError, prefix string) {
	between(v, prefix+"idleHours", ss.IdleHours, 1, 24*7)
	between(v, prefix+"maxDays", ss.MaxDays, 1, 90)
	if ss.IdleHours > 0 && ss.MaxDays > 0 && ss.Idle() > ss.Max() {
		v.Add(prefix+"idleHours", "must not exceed the session's whole life 不得超过会话的最长期限")
	}
}

// NewSession is a session of p signed in at now (key and csrf come from
// the caller's random source).
func NewSession(key, csrf string, p Principal, lang, via string, now time.Time) *Session {
	if lang != "en" {
		lang = "zh"
	}
	now = now.UTC()
	return &Session{Key: key, CSRF: csrf, Sub: p.Sub, Name: p.Name, Roles: append([]Role(nil), p.Roles...), Department: p.Department,
		Lang: lang, Via: via, CreatedAt: now, SeenAt: now}
}

// Principal is the staff member the session stands for, as the API sees
// the same person from their ID token.
func (s *Session) Principal() Principal {
	return Principal{Sub: s.Sub, Name: s.Name, Roles: append([]Role(nil), s.Roles...), Department: s.Department}
}

// ExpiresAt is when the session ends unless used again: the idle limit
// after its last recorded activity, never later than the whole life after
// sign-in.
func (s *Session) ExpiresAt(ss SessionSettings) time.Time {
	idle, end := s.SeenAt.Add(ss.Idle()), s.CreatedAt.Add(ss.Max())
	if idle.Before(end) {
		return idle
	}
	return end
}

// Expired reports whether the session has ended by now.
func (s *Session) Expired(now time.Time, ss SessionSettings) bool {
	return !now.Before(s.ExpiresAt(ss)) || now.Before(s.CreatedAt.Add(-time.Minute))
}

// Stale reports whether a request at now should record the activity.
func (s *Session) Stale(now time.Time, ss SessionSettings) bool {
	return now.Sub(s.SeenAt) >= ss.TouchEvery()
}

var sessionKeyRE = lazyRE(`^[0-9a-f]{64}$`)

// ValidSessionKey reports whether k is a session's key (64 hex digits).
func ValidSessionKey(k string) bool { return sessionKeyRE().MatchString(k) }
