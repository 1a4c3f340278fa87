package domain

import "testing"

func TestIdempotencyKeysOfCallersNeverMeet(t *testing.T) {
	alice, aliceX := &Principal{Sub: "alice"}, &Principal{Sub: "alice.x"}
	seen := map[string]string{}
	for name, k := range map[string]string{
		"alice x.y":   IdempotencyKey("complaint", alice, "x.y"),
		"alice.x y":   IdempotencyKey("complaint", aliceX, "y"),
		"public":      IdempotencyKey("complaint", nil, "staff:5:alice|x.y"),
		"public x.y":  IdempotencyKey("complaint", nil, "x.y"),
		"customer":    IdempotencyKey("customer", alice, "x.y"),
		"odd sub":     IdempotencyKey("complaint", &Principal{Sub: "a|b"}, "c"),
		"odd sub too": IdempotencyKey("complaint", &Principal{Sub: "a"}, "b|c"),
	} {
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share %q", name, other, k)
		}
		seen[k] = name
	}
	if IdempotencyKey("complaint", alice, "") != "" {
		t.Error("no key sent, yet a stored key")
	}
}
