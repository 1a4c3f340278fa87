package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestDefaultSettingsAreValidAndMakeDomainMdsClock(t *testing.T) {
	s := Defaults("")
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	sla := s.SLA()
	if sla.FirstResponse != 24*time.Hour || sla.CloseWithin != 7*24*time.Hour || sla.OpinionWorkingDays != 1 ||
		sla.WorkdayStart != 8*60 || sla.WorkdayEnd != 17*60 || sla.LunchStart != 12*60 || sla.LunchEnd != 13*60 {
		t.Fatalf("%+v", sla)
	}
	if s.Survey.Expiry() != 30*24*time.Hour || s.Targets.SatisfactionPct != 90 || s.Retention.ComplaintYears != 3 {
		t.Fatalf("%+v", s)
	}
	v := s.Visits
	if v.StrategicMonths != 1 || v.KeyMonths != 3 || v.OrdinaryMonths != 6 || v.ReportWorkingDays != 2 || v.PlanReminderWorkingDays != 3 ||
		v.GreetingLeadDays != 7 || v.RelationshipReviewMonths != 6 || v.HandoverCallbackDays != 7 || v.DigestHour != 8 ||
		fmt.Sprint(v.PurchaseFollowUpDays) != "[3 30 60]" || fmt.Sprint(v.EventFollowUpDays) != "[3 15]" {
		t.Fatalf("visit defaults %+v", v)
	}
	// A record stored before the visit settings existed gets their defaults.
	old := Settings{Version: 3}
	old.FillDefaults()
	if old.Visits.KeyMonths != 3 || old.Retention.ComplaintYears != 3 {
		t.Fatalf("not filled: %+v %+v", old.Visits, old.Retention)
	}
}

func TestSettingsValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Settings)
		field  string
	}{
		{"target of 140%", func(s *Settings) { s.Targets.SatisfactionPct = 140 }, "targets.satisfactionPct"},
		{"negative clock", func(s *Settings) { s.Clock.FirstResponseHours = -1 }, "clock.firstResponseHours"},
		{"closure in zero days", func(s *Settings) { s.Clock.CloseDays = 0 }, "clock.closeDays"},
		{"key share above strategic", func(s *Settings) { s.Tiers.KeyShare = 0.2 }, "tiers.keyShare"},
		{"share as a percentage", func(s *Settings) { s.Tiers.StrategicShare = 5 }, "tiers.strategicShare"},
		{"negative weight", func(s *Settings) { s.Score.Weights.Credit = -0.1 }, "score.weights.credit"},
		{"all weights zero", func(s *Settings) { s.Score.Weights = ScoreWeights{} }, "score.weights"},
		{"service ends before it starts", func(s *Settings) { s.Clock.ServiceEnd = "07:00" }, "clock.serviceEnd"},
		{"bad hour", func(s *Settings) { s.Clock.ServiceStart = "8am" }, "clock.serviceStart"},
		{"lunch outside service hours", func(s *Settings) { s.Clock.LunchStart, s.Clock.LunchEnd = "18:00", "19:00" }, "clock.lunchStart"},
		{"half a lunch break", func(s *Settings) { s.Clock.LunchEnd = "" }, "clock.lunchEnd"},
		{"bad holiday", func(s *Settings) { s.Clock.Holidays = []string{"10/1"} }, "clock.holidays"},
		{"reminder after expiry", func(s *Settings) { s.Survey.RemindAfterDays = 40 }, "survey.remindAfterDays"},
		{"survey every 13 months", func(s *Settings) { s.Survey.PeriodicMonths = 13 }, "survey.periodicMonths"},
		{"unknown zone", func(s *Settings) { s.TimeZone = "Mars/Base" }, "timeZone"},
		{"visit every 5 months", func(s *Settings) { s.Visits.KeyMonths = 5 }, "visits.keyMonths"},
		{"report due in 0 working days", func(s *Settings) { s.Visits.ReportWorkingDays = 0 }, "visits.reportWorkingDays"},
		{"callbacks out of order", func(s *Settings) { s.Visits.PurchaseFollowUpDays = []int{30, 3} }, "visits.purchaseFollowUpDays"},
		{"no event callbacks", func(s *Settings) { s.Visits.EventFollowUpDays = nil }, "visits.eventFollowUpDays"},
		{"digest at 25:00", func(s *Settings) { s.Visits.DigestHour = 25 }, "visits.digestHour"},
		{"no submissions at all", func(s *Settings) { s.Public.PerIPPerHour = 0 }, "public.perIpPerHour"},
		{"a negative daily cap", func(s *Settings) { s.Public.PerDay = -1 }, "public.perDay"},
		{"form posts after an hour", func(s *Settings) { s.Public.FormMinSeconds = 3600 }, "public.formMinSeconds"},
		{"personal data kept no time", func(s *Settings) { s.Retention.ComplaintYears = 0 }, "retention.complaintYears"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults("")
			tt.mutate(&s)
			err := s.Validate()
			ve, ok := err.(*ValidationError)
			if !ok || ve.Fields[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, err)
			}
		})
	}
	// No lunch break is a valid choice.
	s := Defaults("")
	s.Clock.LunchStart, s.Clock.LunchEnd = "", ""
	if err := s.Validate(); err != nil || s.SLA().LunchStart != -1 {
		t.Fatalf("no lunch: %v %+v", err, s.SLA())
	}
}
