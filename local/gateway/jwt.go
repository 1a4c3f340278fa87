// Package gateway plays API Gateway for the local runner and for tests: it
// verifies bearer JWTs as the HTTP API JWT authorizer would, turns each HTTP
// request into the events.APIGatewayV2HTTPRequest that Lambda would receive,
// invokes the function's real Lambda handler with it and writes back the
// response. Tokens are signed with a local key (HS256); in AWS, Cognito
// signs them and API Gateway verifies them.
package gateway

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer and Audience of local tokens.
const (
	Issuer   = "keycare-local"
	Audience = "keycare-local"
)

// defaultSecret signs local tokens when KEYCARE_JWT_SECRET is unset. It is
// for the local stack only; AWS uses Cognito's keys.
const defaultSecret = "keycare-local-development-only-secret"

// Secret is the local signing key.
func Secret() []byte {
	if s := os.Getenv("KEYCARE_JWT_SECRET"); s != "" {
		return []byte(s)
	}
	return []byte(defaultSecret)
}

// TokenSpec describes the staff member a token is for.
type TokenSpec struct {
	User       string
	Roles      []string
	Department string
	Name       string
	TTL        time.Duration
	// Access issues a token shaped like a Cognito access token (client_id
	// instead of aud, no department or name) instead of an ID token.
	Access bool
}

// Issue signs a token shaped like a Cognito ID token (or access token).
func Issue(secret []byte, s TokenSpec, now time.Time) (string, error) {
	if s.User == "" {
		return "", errors.New("gateway: token needs a user")
	}
	if s.TTL == 0 {
		s.TTL = 12 * time.Hour
	}
	claims := jwt.MapClaims{
		"sub": s.User, "iss": Issuer, "aud": Audience, "token_use": "id",
		"iat": now.Unix(), "exp": now.Add(s.TTL).Unix(),
		"cognito:groups": s.Roles, "cognito:username": s.User,
	}
	if s.Access {
		delete(claims, "aud")
		delete(claims, "cognito:username")
		claims["token_use"], claims["client_id"], claims["username"] = "access", Audience, s.User
		claims["scope"] = "aws.cognito.signin.user.admin"
		return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	}
	if s.Department != "" {
		claims["custom:department"] = s.Department
	}
	if s.Name != "" {
		claims["name"] = s.Name
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// Verify checks a bearer token as the HTTP API JWT authorizer does and
// returns its claims flattened to strings, the way API Gateway hands them to
// Lambda (arrays as "[a b]"). Like the authorizer, it accepts a token whose
// aud or, lacking aud, client_id is the audience: Cognito access tokens pass
// (the handlers refuse them; they want ID tokens).
func Verify(secret []byte, token string, now time.Time) (map[string]string, error) {
	tok, err := jwt.Parse(token, func(t *jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	mc, _ := tok.Claims.(jwt.MapClaims)
	aud, _ := mc.GetAudience()
	if len(aud) > 0 {
		if !slices.Contains(aud, Audience) {
			return nil, errors.New("gateway: token has another audience")
		}
	} else if cid, _ := mc["client_id"].(string); cid != Audience {
		return nil, errors.New("gateway: token has neither aud nor client_id of this API")
	}
	out := map[string]string{}
	for k, v := range mc {
		switch x := v.(type) {
		case string:
			out[k] = x
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		case float64:
			out[k] = fmt.Sprintf("%.0f", x)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out, nil
}
