package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"keycare/shared/domain"
)

// Claim names as Cognito puts them in an ID or access token.
const (
	ClaimGroups     = "cognito:groups"
	ClaimDepartment = "custom:department"
	ClaimName       = "name"
	ClaimTokenUse   = "token_use"
)

// PrincipalFromClaims reads the staff member from JWT claims as API
// Gateway's JWT authorizer passes them (every value a string; an array such
// as cognito:groups arrives as "[a b]"). Only a Cognito ID token (token_use
// "id") names a member of staff: an access token passes the authorizer too
// (its client_id matches the audience) but lacks custom:department and name,
// so it is refused here rather than read as a member without a department.
func PrincipalFromClaims(claims map[string]string) (domain.Principal, bool) {
	p := domain.Principal{Sub: claims["sub"], Name: claims[ClaimName], Department: claims[ClaimDepartment]}
	if p.Sub == "" || claims[ClaimTokenUse] != "id" {
		return domain.Principal{}, false
	}
	for _, g := range splitGroups(claims[ClaimGroups]) {
		if r, ok := domain.ParseRole(g); ok {
			p.Roles = append(p.Roles, r)
		}
	}
	return p, true
}

func splitGroups(s string) []string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[\"") {
		var out []string
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
	}
	s = strings.Trim(s, "[]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// claims are the JWT claims the API Gateway authorizer passed, or nil.
func claims(r *http.Request) map[string]string {
	gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || gw.Authorizer == nil || gw.Authorizer.JWT == nil {
		return nil
	}
	return gw.Authorizer.JWT.Claims
}

// principal returns the caller as the API Gateway JWT authorizer saw it.
func principal(r *http.Request) (domain.Principal, bool) {
	return PrincipalFromClaims(claims(r))
}

// requestID is API Gateway's request id, or one made up for direct calls.
func requestID(r *http.Request) string {
	if v, ok := r.Context().Value(requestIDKey{}).(string); ok {
		return v
	}
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.RequestID != "" {
		return gw.RequestID
	}
	return ""
}

type requestIDKey struct{}

func withRequestID(r *http.Request) *http.Request {
	if requestID(r) != "" {
		return r
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return r.WithContext(context.WithValue(r.Context(), requestIDKey{}, "local-"+hex.EncodeToString(b)))
}

// staff wraps a handler that needs a signed-in member of staff.
func staff(h func(w http.ResponseWriter, r *http.Request, p domain.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c := claims(r); c != nil && c["sub"] != "" && c[ClaimTokenUse] != "id" {
			writeError(w, http.StatusUnauthorized, "id_token_required",
				"Send the Cognito ID token as the bearer token, not the access token. 请使用 ID 令牌（而非访问令牌）。")
			return
		}
		p, ok := principal(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "unauthorized", "Sign in first. 请先登录。")
			return
		}
		if len(p.Roles) == 0 {
			writeError(w, http.StatusForbidden, "forbidden", "Your account has no keycare role. 您的账号没有 keycare 角色。")
			return
		}
		h(w, r, p)
	}
}
