package httpx

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

// Claim names as Cognito puts them in an ID token.
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

// splitGroups reads the cognito:groups claim exactly: a JSON array, or
// API Gateway's flattening "[a b]" (one pair of brackets, names separated
// by spaces, which Cognito group names cannot contain). A comma belongs to
// the name: a group called "x,admin" is not the admin group.
func splitGroups(s string) []string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[\"") {
		var out []string
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
		return nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	return strings.Fields(s)
}

// claims are the JWT claims the API Gateway authorizer passed, or nil.
func claims(r *http.Request) map[string]string {
	gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || gw.Authorizer == nil || gw.Authorizer.JWT == nil {
		return nil
	}
	return gw.Authorizer.JWT.Claims
}

// Caller returns the staff member as the API Gateway JWT authorizer saw them.
func Caller(r *http.Request) (domain.Principal, bool) {
	return PrincipalFromClaims(claims(r))
}

// RequestID is the request's id: API Gateway's, or one made up for a
// direct call.
func RequestID(r *http.Request) string {
	if id := domain.RequestID(r.Context()); id != "" {
		return id
	}
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.RequestID != "" {
		return gw.RequestID
	}
	return ""
}

// withRequestID puts the request id in the context, where services find it
// for the audit record.
func withRequestID(r *http.Request) *http.Request {
	id := RequestID(r)
	if id == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = "local-" + hex.EncodeToString(b)
	}
	return r.WithContext(domain.WithRequestID(r.Context(), id))
}

// Gate tells whether a signed-in person may still act (the staff directory:
// an inactive person has no access).
type Gate interface {
	Active(ctx context.Context, id string) (bool, error)
}

// StaffHandler is a handler for a signed-in member of staff.
type StaffHandler func(w http.ResponseWriter, r *http.Request, p domain.Principal)

// Staff wraps h: 401 without a caller, 403 for a caller with no keycare
// role or marked inactive in the directory (gate; nil checks nothing).
func Staff(gate Gate, h StaffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c := claims(r); c != nil && c["sub"] != "" && c[ClaimTokenUse] != "id" {
			WriteError(w, http.StatusUnauthorized, "id_token_required",
				"Send the Cognito ID token as the bearer token, not the access token. 请使用 ID 令牌（而非访问令牌）。")
			return
		}
		p, ok := Caller(r)
		if !ok {
			WriteError(w, http.StatusUnauthorized, "unauthorized", "Sign in first. 请先登录。")
			return
		}
		if len(p.Roles) == 0 {
			WriteError(w, http.StatusForbidden, "forbidden", "Your account has no keycare role. 您的账号没有 keycare 角色。")
			return
		}
		if gate != nil {
			active, err := gate.Active(r.Context(), p.Sub)
			if err != nil {
				Fail(w, r, err)
				return
			}
			if !active {
				WriteError(w, http.StatusForbidden, "account_inactive", "Your account is no longer active. 您的账号已停用。")
				return
			}
		}
		h(w, r, p)
	}
}
