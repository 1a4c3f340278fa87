package platform

import (
	"context"
	"testing"
	"time"
)

func TestConfigFrom(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "HOLIDAYS": "2026-10-01, 2026-10-02", "WORKING_WEEKEND_DAYS": "2026-10-10", "STRATEGIC_SURVEY_MONTHS": "1"}
	c, err := ConfigFrom(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	sla := c.SLA()
	if c.TimeZone != "Asia/Shanghai" || len(sla.Holidays) != 2 || c.StrategicSurveyMonths != 1 {
		t.Fatalf("%+v", c)
	}
	// Wednesday 30 September + 1 working day skips the holidays and the weekend.
	if got := sla.AddWorkingDays(time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC), 1); got.Day() != 5 {
		t.Fatalf("holidays not applied: %s", got)
	}
	for name, bad := range map[string]map[string]string{
		"no table":     {},
		"bad zone":     {"TABLE_NAME": "t", "TIME_ZONE": "Mars/Base"},
		"bad holiday":  {"TABLE_NAME": "t", "HOLIDAYS": "1 Oct"},
		"bad interval": {"TABLE_NAME": "t", "STRATEGIC_SURVEY_MONTHS": "13"},
	} {
		if _, err := ConfigFrom(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// SES_REGION moves the SES client alone; the other clients keep the
// function's region.
func TestSESRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-east-1")
	for _, tt := range []struct{ sesRegion, want string }{{"", "ap-east-1"}, {"ap-northeast-1", "ap-northeast-1"}} {
		c, err := NewClients(context.Background(), Endpoints{SESRegion: tt.sesRegion})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SES.Options().Region; got != tt.want {
			t.Errorf("SES_REGION %q: SES client in %q, want %q", tt.sesRegion, got, tt.want)
		}
		if got := c.DynamoDB.Options().Region; got != "ap-east-1" {
			t.Errorf("SES_REGION %q moved DynamoDB to %q", tt.sesRegion, got)
		}
		if got := c.SQS.Options().Region; got != "ap-east-1" {
			t.Errorf("SES_REGION %q moved SQS to %q", tt.sesRegion, got)
		}
	}
	env := map[string]string{"TABLE_NAME": "t", "SES_REGION": "ap-northeast-1", "BASE_PATH": "/keycare"}
	c, err := ConfigFrom(func(k string) string { return env[k] })
	if err != nil || c.SESRegion != "ap-northeast-1" || c.BasePath != "/keycare" {
		t.Fatalf("%+v %v", c, err)
	}
}
