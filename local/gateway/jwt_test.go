package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	secret := []byte("s3cret")
	good, err := Issue(secret, TokenSpec{User: "alice", Roles: []string{"manager", "supervisor"}, Department: "sales"}, now)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := Verify(secret, good, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "alice" || claims["cognito:groups"] != "[manager supervisor]" || claims["custom:department"] != "sales" {
		t.Fatalf("claims %v", claims)
	}
	access, err := Issue(secret, TokenSpec{User: "alice", Roles: []string{"supervisor"}, Department: "sales", Access: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	// As the HTTP API JWT authorizer: an access token's client_id is its audience.
	ac, err := Verify(secret, access, now)
	if err != nil {
		t.Fatalf("access token refused: %v", err)
	}
	if ac["token_use"] != "access" || ac["custom:department"] != "" || ac["aud"] != "" {
		t.Fatalf("access token claims %v", ac)
	}
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "iss": Issuer, "aud": "other-client", "exp": now.Add(time.Hour).Unix()}).SignedString(secret)
	foreignAccess, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "iss": Issuer, "client_id": "other-client", "exp": now.Add(time.Hour).Unix()}).SignedString(secret)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "iss": Issuer, "aud": Audience, "exp": now.Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	other, _ := Issue([]byte("other"), TokenSpec{User: "alice", Roles: []string{"admin"}}, now)
	tests := map[string]struct {
		tok string
		at  time.Time
	}{
		"expired":       {good, now.Add(13 * time.Hour)},
		"other aud":     {foreign, now},
		"other client":  {foreignAccess, now},
		"wrong key":     {other, now},
		"alg none":      {none, now},
		"garbage":       {"abc.def.ghi", now},
		"empty":         {"", now},
		"tampered sig":  {flip(good, len(good)-10), now},
		"tampered body": {flip(good, strings.Index(good, ".")+5), now},
	}
	for name, tt := range tests {
		if _, err := Verify(secret, tt.tok, tt.at); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// flip changes the character at i to another base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
