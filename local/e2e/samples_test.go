package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"keycare/local/gateway"
	"keycare/local/testenv"
)

// The HTTP sample events have the shape API Gateway gives Lambda: payload
// 2.0, a route of their function, claims as strings (cognito:groups as
// "[a b]") of an ID token on staff routes and none on public ones, and a
// body base64-encoded exactly when its content type is not text (form posts
// are).
func TestHTTPSamplesAreAWSShaped(t *testing.T) {
	tpl := loadTemplate(t)
	root := testenv.Root(t)
	checked := 0
	for _, f := range tpl.Functions {
		if len(f.Routes) == 0 {
			continue
		}
		public := map[string]bool{}
		for _, rt := range f.Routes {
			public[rt.Method+" "+rt.Path] = rt.Public
		}
		files, _ := filepath.Glob(filepath.Join(root, "events", f.LogicalID, "*.json"))
		for _, file := range files {
			name := f.LogicalID + "/" + filepath.Base(file)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Errorf("%s: not an HTTP API event with string claims: %v", name, err)
				continue
			}
			checked++
			isPublic, ok := public[ev.RouteKey]
			switch {
			case ev.Version != "2.0":
				t.Errorf("%s: version %q", name, ev.Version)
			case !ok:
				t.Errorf("%s: routeKey %q is not a route of %s", name, ev.RouteKey, f.LogicalID)
			case ev.RequestContext.RouteKey != ev.RouteKey || ev.RequestContext.HTTP.Method != strings.Fields(ev.RouteKey)[0]:
				t.Errorf("%s: requestContext disagrees with routeKey", name)
			case ev.RawPath != ev.RequestContext.HTTP.Path:
				t.Errorf("%s: rawPath %q, http.path %q", name, ev.RawPath, ev.RequestContext.HTTP.Path)
			}
			auth := ev.RequestContext.Authorizer
			if isPublic && auth != nil {
				t.Errorf("%s: a public route with an authorizer context", name)
			}
			if !isPublic {
				if auth == nil || auth.JWT == nil {
					t.Errorf("%s: a staff route without JWT claims", name)
				} else if c := auth.JWT.Claims; c["token_use"] != "id" || !strings.HasPrefix(c["cognito:groups"], "[") {
					t.Errorf("%s: claims %v, want an ID token's with groups as \"[a b]\"", name, c)
				}
			}
			if ev.Body != "" {
				ct := ev.Headers["content-type"]
				if want := !gateway.Textual(ct); ev.IsBase64Encoded != want {
					t.Errorf("%s: content-type %q with isBase64Encoded %v; API Gateway sends %v", name, ct, ev.IsBase64Encoded, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no HTTP sample events")
	}
}

// Every HttpApi route of template.yaml has a sample event whose routeKey is
// that route, and every sample names a route of its own function: the
// samples are what the IAM test replays, so a route without one is a route
// whose calls no policy was derived from (AccessDenied in AWS).
func TestEveryRouteHasASample(t *testing.T) {
	tpl := loadTemplate(t)
	root := testenv.Root(t)
	for _, f := range tpl.Functions {
		if len(f.Routes) == 0 {
			continue
		}
		routes := map[string]bool{}
		for _, rt := range f.Routes {
			routes[rt.Method+" "+rt.Path] = true
		}
		sampled := map[string]bool{}
		files, _ := filepath.Glob(filepath.Join(root, "events", f.LogicalID, "*.json"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ev struct {
				RouteKey string `json:"routeKey"`
			}
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Errorf("%s/%s: %v", f.LogicalID, filepath.Base(file), err)
				continue
			}
			if !routes[ev.RouteKey] {
				t.Errorf("%s/%s: routeKey %q names no route of %s", f.LogicalID, filepath.Base(file), ev.RouteKey, f.LogicalID)
			}
			sampled[ev.RouteKey] = true
		}
		for _, rt := range f.Routes {
			if k := rt.Method + " " + rt.Path; !sampled[k] {
				t.Errorf("%s: route %q (%s) has no sample event in events/%s/", f.LogicalID, k, rt.Event, f.LogicalID)
			}
		}
	}
}
