package platform

import "testing"

func TestConfigFrom(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "MAIL_QUEUE_URL": "http://q", "SUPERVISOR_EMAILS": "sue@example.com"}
	c, err := ConfigFrom(func(k string) string { return env[k] })
	if err != nil || c.TimeZone != "Asia/Shanghai" || c.Table != "t" || c.MailQueueURL != "http://q" {
		t.Fatalf("%+v %v", c, err)
	}
	for name, bad := range map[string]map[string]string{
		"no table": {},
		"bad zone": {"TABLE_NAME": "t", "TIME_ZONE": "Mars/Base"},
	} {
		if _, err := ConfigFrom(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s accepted", name)
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
