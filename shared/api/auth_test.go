package api_test

import (
	"net/http"
	"testing"
	"time"

	"keycare/local/gateway"
	"keycare/shared/httpx"
)

func TestPrincipalFromClaims(t *testing.T) {
	id := map[string]string{"sub": "alice", "token_use": "id", "cognito:groups": "[manager supervisor]", "custom:department": "sales", "name": "Alice"}
	without := func(k string) map[string]string {
		c := map[string]string{}
		for kk, v := range id {
			if kk != k {
				c[kk] = v
			}
		}
		return c
	}
	access := map[string]string{"sub": "alice", "token_use": "access", "client_id": "c", "cognito:groups": "[supervisor]", "scope": "aws.cognito.signin.user.admin"}
	for _, tt := range []struct {
		name   string
		claims map[string]string
		ok     bool
		roles  int
	}{
		{"ID token", id, true, 2},
		{"access token", access, false, 0},
		{"no token_use", without("token_use"), false, 0},
		{"no sub", without("sub"), false, 0},
		{"no claims", nil, false, 0},
	} {
		p, ok := httpx.PrincipalFromClaims(tt.claims)
		if ok != tt.ok || len(p.Roles) != tt.roles {
			t.Errorf("%s: ok=%v roles=%v, want ok=%v and %d roles", tt.name, ok, p.Roles, tt.ok, tt.roles)
		}
		if ok && (p.Department != "sales" || p.Name != "Alice") {
			t.Errorf("%s: %+v", tt.name, p)
		}
	}
}

// The authorizer lets a Cognito access token through (its client_id is the
// audience); the handlers answer 401 id_token_required instead of treating
// the caller as a supervisor without a department.
func TestStaffRoutesWantIDTokens(t *testing.T) {
	s := newStack(t)
	access, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: "sam", Roles: []string{"supervisor"}, Department: "sales", Access: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/customers", "/complaints", "/surveys/responses?month=2026-11"} {
		r := s.Do("GET", path, access, nil)
		if r.Code != http.StatusUnauthorized || r.ErrCode(t) != "id_token_required" {
			t.Errorf("GET %s with an access token: %d %s, want 401 id_token_required", path, r.Code, r.Body)
		}
		if r := s.Do("GET", path, token(t, "sam", "sales", "supervisor"), nil); r.Code != http.StatusOK {
			t.Errorf("GET %s with an ID token: %d %s", path, r.Code, r.Body)
		}
	}
}
