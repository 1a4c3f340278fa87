package domain

import (
	"bytes"
	"testing"
)

func TestTrackingTokens(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	n := NewNonce()
	tok := TrackingToken(k1, n)
	if len(tok) != 43 || tok != TrackingToken(k1, n) {
		t.Fatalf("token %q is not 256 bits, or not the same twice", tok)
	}
	if TrackingToken(k2, n) == tok || TrackingToken(k1, NewNonce()) == tok {
		t.Fatal("another key or nonce gives the same token")
	}
	h := TokenHash(tok)
	if !TokenMatches(tok, h) || TokenMatches(tok+"x", h) || TokenMatches(tok, "") || TokenMatches("", TokenHash("x")) {
		t.Fatal("TokenMatches")
	}
	if bytes.Contains([]byte(h), []byte(tok)) {
		t.Fatal("the hash holds the token")
	}
}
