package platform

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestHTTPStripsBasePathAndStage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /customers/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) })
	for _, tt := range []struct {
		name, basePath, stage, rawPath string
		status                         int
	}{
		{"$default stage, no mapping", "", "$default", "/customers/c1", 200},
		{"custom domain mapping", "/keycare", "$default", "/keycare/customers/c1", 200},
		{"mapping configured with a trailing slash", "/keycare/", "$default", "/keycare/customers/c1", 200},
		{"named stage", "", "prod", "/prod/customers/c1", 200},
		{"mapping is a whole segment only", "/keycare", "$default", "/keycarex/customers/c1", 404},
		{"without the mapping's prefix", "/keycare", "$default", "/customers/c1", 200},
		{"prefix not configured: 404 as before", "", "$default", "/keycare/customers/c1", 404},
	} {
		h := Deps{Config: Config{BasePath: tt.basePath}}.HTTP(mux)
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: tt.rawPath, RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: tt.stage, DomainName: "api.example.com", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: tt.rawPath}}}
		resp, err := h(context.Background(), ev)
		if err != nil || resp.StatusCode != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.name, resp.StatusCode, err, tt.status)
		}
		if tt.status == 200 && resp.Body != "/customers/c1" {
			t.Errorf("%s: the handler saw %q", tt.name, resp.Body)
		}
	}
}
