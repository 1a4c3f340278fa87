package platform

import (
	"cmp"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"keycare/shared/mail"
)

func TestConfigFrom(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "MAIL_QUEUE_URL": "http://q", "SUPERVISOR_EMAILS": "sue@example.com"}
	c, err := ConfigFrom(func(k string) string { return env[k] })
	if err != nil || c.TimeZone != "Asia/Shanghai" || c.Table != "t" || c.MailQueueURL != "http://q" {
		t.Fatalf("%+v %v", c, err)
	}
	for name, bad := range map[string]map[string]string{
		"no table":        {},
		"bad zone":        {"TABLE_NAME": "t", "TIME_ZONE": "Mars/Base"},
		"rate 0":          {"TABLE_NAME": "t", "SES_SEND_RATE": "0"},
		"rate negative":   {"TABLE_NAME": "t", "SES_SEND_RATE": "-14"},
		"rate words":      {"TABLE_NAME": "t", "SES_SEND_RATE": "fourteen"},
		"rate NaN":        {"TABLE_NAME": "t", "SES_SEND_RATE": "NaN"},
		"rate Inf":        {"TABLE_NAME": "t", "SES_SEND_RATE": "+Inf"},
		"concurrency 0":   {"TABLE_NAME": "t", "MAIL_CONCURRENCY": "0"},
		"concurrency 1.5": {"TABLE_NAME": "t", "MAIL_CONCURRENCY": "1.5"},
	} {
		if _, err := ConfigFrom(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// Each mailer sends at most SES's rate shared by the mailers at once.
func TestSendInterval(t *testing.T) {
	for _, tt := range []struct {
		rate, concurrency string
		want              time.Duration
	}{{"14", "2", time.Second / 7}, {"1", "2", 2 * time.Second}, {"14", "", time.Second / 14}, {"", "2", 0}, {"0.5", "1", 2 * time.Second}} {
		env := map[string]string{"TABLE_NAME": "t", "SES_SEND_RATE": tt.rate, "MAIL_CONCURRENCY": tt.concurrency}
		c, err := ConfigFrom(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SendInterval(); got.Round(time.Millisecond) != tt.want.Round(time.Millisecond) {
			t.Errorf("rate %q, %q mailers: %s between sends, want %s", tt.rate, tt.concurrency, got, tt.want)
		}
	}
}

// A fallback address that is not one stops the cold start instead of being
// dropped.
func TestWireRefusesBadFallbackAddresses(t *testing.T) {
	for _, c := range []Config{
		{Table: "t", TimeZone: "Asia/Shanghai", SupervisorEmails: "not-an-address"},
		{Table: "t", TimeZone: "Asia/Shanghai", DepartmentEmails: "repair"},
	} {
		if _, err := Wire(Deps{Config: c}); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := Wire(Deps{Config: Config{Table: "t", TimeZone: "Asia/Shanghai", SupervisorEmails: "sue@example.com"}}); err != nil {
		t.Fatal(err)
	}
}

// SES_REGION moves the SES client alone; the other clients keep the
// function's region. Without an SES client asked for there is none.
func TestSESRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	for _, tt := range []struct{ sesRegion, want string }{{"", "ap-east-1"}, {"ap-northeast-1", "ap-northeast-1"}} {
		var got string
		c, err := NewAWS(context.Background(), Endpoints{SESRegion: tt.sesRegion}, func(cfg aws.Config, endpoint, region string) mail.SES {
			got = cmp.Or(region, cfg.Region)
			return fakeSES{}
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want || c.SES == nil {
			t.Errorf("SES_REGION %q: SES client in %q, want %q", tt.sesRegion, got, tt.want)
		}
		if got := c.DynamoDB.Options().Region; got != "ap-east-1" {
			t.Errorf("SES_REGION %q moved DynamoDB to %q", tt.sesRegion, got)
		}
		if got := c.SQS.Options().Region; got != "ap-east-1" {
			t.Errorf("SES_REGION %q moved SQS to %q", tt.sesRegion, got)
		}
	}
	if c, err := NewAWS(context.Background(), Endpoints{}, nil); err != nil || c.SES != nil {
		t.Errorf("an SES client nobody asked for: %v %v", c.SES, err)
	}
	if _, err := Registry["MailerFunction"](Deps{Config: Config{Table: "t", TimeZone: "Asia/Shanghai"}}); err == nil || !strings.Contains(err.Error(), "SES") {
		t.Errorf("a mailer without SES was built: %v", err)
	}
	env := map[string]string{"TABLE_NAME": "t", "SES_REGION": "ap-northeast-1", "BASE_PATH": "/keycare"}
	c, err := ConfigFrom(func(k string) string { return env[k] })
	if err != nil || c.SESRegion != "ap-northeast-1" || c.BasePath != "/keycare" {
		t.Fatalf("%+v %v", c, err)
	}
}

type fakeSES struct{}

func (fakeSES) Send(context.Context, string, mail.Message) error { return nil }
