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

func TestContactCutComparesCalendarMonths(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	s := Defaults("").Survey // 30 days
	at := func(v string) time.Time { x, _ := time.ParseInLocation("2006-01-02 15:04", v, sh); return x }
	for _, tt := range []struct {
		gap        int
		now, last  string
		surveyable bool
	}{
		{30, "2027-03-01 09:00", "2027-02-01 09:00", true}, // February is short: March still goes
		{30, "2027-03-20 09:00", "2027-03-01 09:00", false},
		{30, "2027-03-01 00:30", "2027-02-28 23:59", true},
		{60, "2027-03-01 09:00", "2027-02-01 09:00", false},
		{60, "2027-03-01 09:00", "2027-01-31 09:00", true},
		{14, "2027-03-10 09:00", "2027-03-01 09:00", false},
		{14, "2027-03-20 09:00", "2027-03-01 09:00", true},
	} {
		s.ContactGapDays = tt.gap
		cut := s.ContactCut(at(tt.now), sh)
		if got := at(tt.last).Before(cut); got != tt.surveyable {
			t.Errorf("gap %d, now %s, last %s: surveyable %v (cut %s)", tt.gap, tt.now, tt.last, got, cut.In(sh))
		}
	}
	s.ContactGapDays = 0
	if !s.ContactCut(time.Now(), sh).IsZero() {
		t.Error("no gap is no cut")
	}
}

func TestCheckByHand(t *testing.T) {
	c := &Customer{ID: "c1", Contacts: []Contact{{Name: "王", Phone: "13800000000"}, {Name: "李", Email: "li@acme.cn", Language: "en"}}}
	closed := &Complaint{Number: "261101001", CustomerID: "c1", Status: StatusClosed, Contact: Contact{Name: "赵", Email: "zhao@acme.cn"}, Language: "zh"}
	open := &Complaint{Number: "261101002", CustomerID: "c1", Status: StatusAssigned}
	other := &Complaint{Number: "261101003", CustomerID: "c2", Status: StatusClosed}
	for _, tt := range []struct {
		name   string
		reason SurveyReason
		email  string
		cmp    *Complaint
		ok     bool
		to     string
		byHand bool
	}{
		{"first contact with an address", SurveyManual, "", nil, true, "li@acme.cn", true},
		{"a contact on the file", SurveyAfterVisit, "LI@acme.cn", nil, true, "li@acme.cn", true},
		{"an address not on the file", SurveyManual, "me@evil.example", nil, false, "", false},
		{"after a closed complaint", SurveyAfterComplaint, "", closed, true, "li@acme.cn", false},
		{"the complainant", SurveyAfterComplaint, "zhao@acme.cn", closed, true, "zhao@acme.cn", false},
		{"complaint not named", SurveyAfterComplaint, "", nil, false, "", false},
		{"complaint open", SurveyAfterComplaint, "", open, false, "", false},
		{"another account's complaint", SurveyAfterComplaint, "", other, false, "", false},
		{"the programme by hand", SurveyPeriodic, "", nil, false, "", false},
		{"a made-up reason", "whim", "", nil, false, "", false},
	} {
		ct, byHand, err := CheckByHand(c, tt.reason, tt.email, tt.cmp)
		if (err == nil) != tt.ok || (tt.ok && (ct.Email != tt.to || byHand != tt.byHand)) {
			t.Errorf("%s: %+v byHand %v err %v", tt.name, ct, byHand, err)
		}
	}
	inv := Invitation{ByHand: true}
	if inv.Counted() {
		t.Error("an invitation made by hand counts")
	}
}
