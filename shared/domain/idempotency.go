package domain

import (
	"strconv"
	"time"
)

// IdempotencyKey is the stored name of an Idempotency-Key sent with a
// request of kind ("complaint", "customer", "invitation") by p (nil for the
// public site). The caller is part of it, its id length-prefixed, so that
// keys of different callers never meet: neither the public form and a
// member of staff, nor staff members "alice.x" sending "y" and "alice"
// sending "x.y". "" when no key was sent.
func IdempotencyKey(kind string, p *Principal, key string) string {
	if key == "" {
		return ""
	}
	who := "public"
	if p != nil {
		who = "staff:" + strconv.Itoa(len(p.Sub)) + ":" + p.Sub
	}
	return kind + "|" + who + "|" + key
}

// IdempotencyRecord is an Idempotency-Key stored with what its first
// request made, kept IdempotencyWindow.
type IdempotencyRecord struct {
	Key         string    `json:"key"` // IdempotencyKey's name
	Fingerprint string    `json:"fingerprint"`
	Result      string    `json:"result"` // what the first request made: an id, or its answer
	At          time.Time `json:"at"`
}

// ReplayError is a request whose Idempotency-Key came back within the
// window with the same content: First is what the first one made. (The same
// key with other content is ErrIdempotencyMismatch.)
type ReplayError struct{ First IdempotencyRecord }

func (e *ReplayError) Error() string { return "idempotency key replayed: " + e.First.Key }
