package domain

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Secret links. A complaint's tracking token is never stored: the card
// keeps a random nonce and the token's SHA-256. The token is the HMAC of
// the nonce under the stack's "tracking" key, so the service can put the
// link in each mail to the customer, while a copy of the table (or of a
// card in a staff answer) holds no working link.

// NewNonce returns 128 random bits, base64url.
func NewNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TrackingToken is the tracking token of nonce under key: 256 bits, base64url.
func TrackingToken(key []byte, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tracking\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TokenHash is what the store keeps of a token: its SHA-256, hex.
func TokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// TokenMatches reports, in constant time, whether token has hash.
func TokenMatches(token, hash string) bool {
	return hash != "" && hmac.Equal([]byte(TokenHash(token)), []byte(hash))
}
