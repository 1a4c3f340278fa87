package platform

import (
	"context"
	"testing"
)

// Inside Lambda the SDK configuration comes from the environment Lambda
// sets; without one of its variables (or outside Lambda) the default chain
// is used instead.
func TestEnvConfig(t *testing.T) {
	lambda := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "keycare-dev-AdminFunction", "AWS_REGION": "ap-northeast-1",
		"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
	for _, c := range []struct {
		name    string
		without string
		ok      bool
	}{
		{"in Lambda", "", true},
		{"outside Lambda", "AWS_LAMBDA_FUNCTION_NAME", false},
		{"no region", "AWS_REGION", false},
		{"no key id", "AWS_ACCESS_KEY_ID", false},
		{"no secret", "AWS_SECRET_ACCESS_KEY", false},
	} {
		cfg, ok := envConfig(func(k string) string {
			if k == c.without {
				return ""
			}
			return lambda[k]
		})
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		creds, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil || cfg.Region != "ap-northeast-1" || creds.AccessKeyID != "ASIAEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
			t.Errorf("%s: region %q, credentials %+v %v", c.name, cfg.Region, creds, err)
		}
	}
}

func TestEndpointsFromEnv(t *testing.T) {
	env := map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
	ep := Endpoints{SES: "http://127.0.0.1:8005"}.fromEnv(func(k string) string { return env[k] })
	if ep.DynamoDB != "http://127.0.0.1:8000" || ep.SQS != "http://127.0.0.1:4566" || ep.SES != "http://127.0.0.1:8005" {
		t.Fatalf("%+v", ep)
	}
	env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
	if ep := (Endpoints{}).fromEnv(func(k string) string { return env[k] }); ep.DynamoDB != "" || ep.SQS != "" {
		t.Fatalf("ignored endpoints used: %+v", ep)
	}
}
