package platform

import (
	"context"
	"strings"
	"testing"
)

// The SDK configuration comes from the environment Lambda sets; without
// one of its variables there is none (NewAWS says which are missing).
func TestEnvConfig(t *testing.T) {
	lambda := map[string]string{"AWS_REGION": "ap-northeast-1",
		"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
	for _, c := range []struct {
		name    string
		without string
		ok      bool
	}{
		{"in Lambda", "", true},
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

// Without the environment Lambda sets (and without local endpoints) there
// is no configuration to guess: NewAWS names what is missing.
func TestNewAWSWithoutEnvironment(t *testing.T) {
	for _, k := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	if _, err := NewAWS(context.Background(), Endpoints{}, nil); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("err %v", err)
	}
	if _, err := NewAWS(context.Background(), Endpoints{DynamoDB: "http://127.0.0.1:8000"}, nil); err != nil {
		t.Fatalf("local endpoints: %v", err)
	}
}
