package domain

import "strconv"

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
