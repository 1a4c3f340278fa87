package platform

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// HTTPHandler is an HTTP API (payload 2.0) Lambda handler.
type HTTPHandler = func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// HTTP is how every API function runs, in Lambda (its main.go) and in the
// local runner alike: h behind httpadapter, with the prefixes API Gateway
// leaves in rawPath stripped first, so that routes match as in template.yaml:
// a custom domain's API mapping (BASE_PATH) and a named stage (/<stage>;
// the $default stage has none).
func (d Deps) HTTP(h http.Handler) HTTPHandler {
	adapter := httpadapter.NewV2(h)
	base := strings.TrimSuffix(d.Config.BasePath, "/")
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ev.RawPath = StripPrefixes(ev.RawPath, base, stagePrefix(ev.RequestContext.Stage))
		return adapter.ProxyWithContext(ctx, ev)
	}
}

func stagePrefix(stage string) string {
	if stage == "" || stage == "$default" {
		return ""
	}
	return "/" + stage
}

// StripPrefixes removes each non-empty prefix in turn from path where it is
// a whole leading path segment ("/keycare" from "/keycare/customers", not
// from "/keycarex").
func StripPrefixes(path string, prefixes ...string) string {
	for _, p := range prefixes {
		if p == "" || p == "/" {
			continue
		}
		if path == p {
			path = "/"
		} else if strings.HasPrefix(path, p+"/") {
			path = path[len(p):]
		}
	}
	return path
}
