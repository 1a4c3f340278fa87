package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// The public complaint form (公开投诉表单) is open to anyone: these are the
// rules that keep it from being a mail relay or a flood — per-client
// limits, the signed form token of browser posts, and how often an
// address gets an acknowledgement.

// PublicLimits are the public form's limits (settings).
type PublicLimits struct {
	PerIPPerHour   int `json:"perIpPerHour"`   // submissions from one source IP (IPv6: its /64) in an hour
	PerEmailPerDay int `json:"perEmailPerDay"` // submissions giving one email address in a day (company zone)
	PerDay         int `json:"perDay"`         // web complaints in a day, all senders together
	AckGapMinutes  int `json:"ackGapMinutes"`  // an address gets at most one acknowledgement in this time
	FormMinSeconds int `json:"formMinSeconds"` // a browser form post comes at least this long after the page …
	FormMaxHours   int `json:"formMaxHours"`   // … and at most this long
}

// DefaultPublicLimits are the limits while an admin sets none.
var DefaultPublicLimits = PublicLimits{PerIPPerHour: 20, PerEmailPerDay: 10, PerDay: 1000, AckGapMinutes: 60, FormMinSeconds: 3, FormMaxHours: 24}

func (p PublicLimits) validate(v *ValidationError) {
	between(v, "public.perIpPerHour", p.PerIPPerHour, 1, 100000)
	between(v, "public.perEmailPerDay", p.PerEmailPerDay, 1, 100000)
	between(v, "public.perDay", p.PerDay, 1, 10000000)
	between(v, "public.ackGapMinutes", p.AckGapMinutes, 0, 7*24*60)
	between(v, "public.formMinSeconds", p.FormMinSeconds, 0, 600)
	between(v, "public.formMaxHours", p.FormMaxHours, 1, 7*24)
}

// Quota is one counter a public submission counts against: at most Limit
// in the window that ends at End. Key names the client without naming it
// (a hash: no IP or address is stored).
type Quota struct {
	Key   string
	Limit int
	End   time.Time
}

// Quotas are the per-client counters a public submission at now from
// source ip, giving email ("" for none), counts against: the IP's clock
// hour and the address's day (days in the company zone loc). Each request
// counts, whatever comes of it.
func (p PublicLimits) Quotas(ip, email string, now time.Time, loc *time.Location) []Quota {
	hour := now.UTC().Truncate(time.Hour)
	q := []Quota{{Key: "ip|" + clientHash(IPBlock(ip)) + "|" + hour.Format("2006010215"), Limit: p.PerIPPerHour, End: hour.Add(time.Hour)}}
	if email != "" {
		day, dayEnd := dayOf(now, loc)
		q = append(q, Quota{Key: "email|" + clientHash(strings.ToLower(strings.TrimSpace(email))) + "|" + day, Limit: p.PerEmailPerDay, End: dayEnd})
	}
	return q
}

// DayQuota is the day's quota of web complaints, all senders together
// (PerDay, the day of now in the company zone loc). It counts the numbers
// web complaints take: it is counted with the number, in the same write
// (Register), so a complaint refused by it takes no number, and a request
// that takes none — refused by its client's limits, a replay of its
// idempotency key, a bot's decoy — uses none of the day. (A single client
// over its own limit can therefore not use up everyone's day.)
func (p PublicLimits) DayQuota(now time.Time, loc *time.Location) Quota {
	day, dayEnd := dayOf(now, loc)
	return Quota{Key: "all|" + day, Limit: p.PerDay, End: dayEnd}
}

// dayOf is now's day in loc (YYYY-MM-DD) and its end.
func dayOf(now time.Time, loc *time.Location) (string, time.Time) {
	l := now.In(loc)
	return l.Format("2006-01-02"), time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).UTC()
}

// ErrQuotaFull is a write refused because the quota it counts against is
// full (the day's web complaints): the caller answers with a LimitedError.
var ErrQuotaFull = errors.New("quota full")

// IPBlock is the client an address stands for: an IPv4 address itself, an
// IPv6 address its /64 (one household or host gets a whole /64).
func IPBlock(ip string) string {
	a := net.ParseIP(strings.TrimSpace(ip))
	switch {
	case a == nil:
		return "unknown"
	case a.To4() != nil:
		return a.To4().String()
	}
	return a.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func clientHash(s string) string {
	h := sha256.Sum256([]byte("keycare-client\x00" + s))
	return hex.EncodeToString(h[:16])
}

// LimitedError is a submission over a limit: the client may try again
// after RetryAfter (HTTP 429 with Retry-After).
type LimitedError struct{ RetryAfter time.Duration }

func (e *LimitedError) Error() string {
	return fmt.Sprintf("too many submissions: retry after %s", e.RetryAfter)
}

// AckKey names the acknowledgements of one address (AckGapMinutes apart).
func AckKey(email string) string {
	return "ack|" + clientHash(strings.ToLower(strings.TrimSpace(email)))
}

// AckGap is the least time between two acknowledgements to one address.
func (p PublicLimits) AckGap() time.Duration { return time.Duration(p.AckGapMinutes) * time.Minute }

// The form token: the complaint form carries, in a hidden field, the time
// it was issued and an HMAC of it under the stack's "form" key. A browser
// post needs one at least FormMinSeconds and at most FormMaxHours old: a
// bot that posts the form without loading it, or at once, is refused. JSON
// clients are held by the per-client limits instead.

// ErrFormToken is a form post without a valid, timely form token.
var ErrFormToken = errors.New("form token missing, forged, too fresh or too old")

// FormToken is the token of a form issued at issued: "<unix>.<mac>".
func FormToken(key []byte, issued time.Time) string {
	ts := strconv.FormatInt(issued.Unix(), 10)
	return ts + "." + formMAC(key, ts)
}

func formMAC(key []byte, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("complaint-form\x00" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckFormToken reports whether token is one FormToken made under key
// between FormMaxHours and FormMinSeconds before now (ErrFormToken if not).
func (p PublicLimits) CheckFormToken(key []byte, token string, now time.Time) error {
	if len(token) > 100 {
		return ErrFormToken
	}
	ts, mac, ok := strings.Cut(token, ".")
	if !ok || len(ts) == 0 || len(ts) > 12 || strings.TrimLeft(ts, "0123456789") != "" {
		return ErrFormToken
	}
	if !hmac.Equal([]byte(mac), []byte(formMAC(key, ts))) {
		return ErrFormToken
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrFormToken
	}
	age := now.Sub(time.Unix(sec, 0))
	if age < time.Duration(p.FormMinSeconds)*time.Second || age > time.Duration(p.FormMaxHours)*time.Hour {
		return ErrFormToken
	}
	return nil
}
