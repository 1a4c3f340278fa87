package domain

import (
	"testing"
	"time"
)

func TestScoring(t *testing.T) {
	tests := []struct {
		a         Answer
		satisfied bool
		group     string
		poor      bool
	}{
		{Answer{Overall: 5, Recommend: 10}, true, "promoter", false},
		{Answer{Overall: 4, Recommend: 9}, true, "promoter", false},
		{Answer{Overall: 4, Recommend: 8}, true, "passive", false},
		{Answer{Overall: 3, Recommend: 7}, false, "passive", false},
		{Answer{Overall: 3, Recommend: 6}, false, "detractor", true},
		{Answer{Overall: 2, Recommend: 9}, false, "promoter", true},
		{Answer{Overall: 1, Recommend: 0}, false, "detractor", true},
	}
	var g Aggregate
	for _, tt := range tests {
		if tt.a.Satisfied() != tt.satisfied || tt.a.NPSGroup() != tt.group || tt.a.Poor() != tt.poor {
			t.Errorf("%+v: satisfied %v group %s poor %v", tt.a, tt.a.Satisfied(), tt.a.NPSGroup(), tt.a.Poor())
		}
		g.Add(tt.a)
	}
	// 3 satisfied of 7 = 42.9%; promoters 3, detractors 2: NPS = 14.3
	if g.Answers != 7 || g.CSAT() != 42.9 || g.NPS() != 14.3 || g.Passives != 2 || g.SumOverall != 22 {
		t.Fatalf("aggregate %+v CSAT %v NPS %v", g, g.CSAT(), g.NPS())
	}
	var empty Aggregate
	if empty.CSAT() != 0 || empty.NPS() != 0 {
		t.Fatal("empty aggregate")
	}
	var m Aggregate
	m.Merge(g)
	m.Merge(g)
	if m.Answers != 14 || m.CSAT() != g.CSAT() {
		t.Fatalf("merge %+v", m)
	}
}

func TestAnswerValidate(t *testing.T) {
	ok := Answer{Overall: 5, Recommend: 0, Quality: 3, Comment: "  好  "}
	if err := ok.Validate(); err != nil || ok.Comment != "好" {
		t.Fatalf("%v %q", err, ok.Comment)
	}
	for _, bad := range []Answer{{Overall: 0, Recommend: 5}, {Overall: 6, Recommend: 5}, {Overall: 3, Recommend: 11}, {Overall: 3, Recommend: -1},
		{Overall: 3, Recommend: 5, Responsiveness: 6}, {Overall: 3, Recommend: 5, Comment: string(make([]rune, MaxSurveyComment+1))}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestInvitationStateAndReminder(t *testing.T) {
	s := Defaults("").Survey
	created := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	in := &Invitation{CreatedAt: created, ExpiresAt: created.Add(s.Expiry())}
	if in.State(created.Add(time.Hour)) != InvitationOpen || in.ReminderDue(created.Add(6*24*time.Hour), s) || !in.ReminderDue(created.Add(7*24*time.Hour), s) {
		t.Fatal("open / reminder timing")
	}
	if in.State(created.Add(30*24*time.Hour)) != InvitationExpired || in.ReminderDue(created.Add(31*24*time.Hour), s) {
		t.Fatal("expiry")
	}
	r := created.Add(8 * 24 * time.Hour)
	in.RemindedAt = &r
	if in.ReminderDue(created.Add(9*24*time.Hour), s) {
		t.Fatal("reminded twice")
	}
	in.AnsweredAt = &r
	if in.State(created.Add(40*24*time.Hour)) != InvitationAnswered {
		t.Fatal("answered")
	}
}

func TestPeriodicDue(t *testing.T) {
	s := Defaults("").Survey
	due := ""
	for m := time.January; m <= time.December; m++ {
		if s.PeriodicDue(m, TierKey) {
			due += m.String()[:3] + " "
		}
	}
	if due != "Jan Apr Jul Oct " {
		t.Fatalf("quarterly: %s", due)
	}
	s.StrategicMonths = 1
	if !s.PeriodicDue(time.February, TierStrategic) || s.PeriodicDue(time.February, TierKey) {
		t.Fatal("strategic monthly")
	}
}
