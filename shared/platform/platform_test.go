package platform

import (
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
