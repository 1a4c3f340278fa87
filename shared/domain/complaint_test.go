package domain

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var shanghai = DefaultSLA("Asia/Shanghai").Location()

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		at   string
		seq  int
		want string
		year int
	}{
		{"2026-11-22T02:00:00Z", 99, "261122099", 2026},
		{"2026-11-22T02:00:00Z", 1, "261122001", 2026},
		{"2026-11-22T02:00:00Z", 1234, "2611221234", 2026},
		{"2026-12-31T17:00:00Z", 1, "270101001", 2027}, // 01:00 on 1 Jan in Shanghai
		{"2026-11-21T16:30:00Z", 7, "261122007", 2026}, // 00:30 on the 22nd in Shanghai
	}
	for _, tt := range tests {
		at := ts(tt.at)
		if got := FormatNumber(at, shanghai, tt.seq); got != tt.want {
			t.Errorf("FormatNumber(%s, %d) = %s, want %s", tt.at, tt.seq, got, tt.want)
		}
		if got := NumberYear(at, shanghai); got != tt.year {
			t.Errorf("NumberYear(%s) = %d, want %d", tt.at, got, tt.year)
		}
		if !ValidNumber(tt.want) {
			t.Errorf("ValidNumber(%s) = false", tt.want)
		}
	}
	for _, bad := range []string{"", "26112209", "261322001", "abcdefghi", "2611220991234"} {
		if ValidNumber(bad) {
			t.Errorf("ValidNumber(%q) = true", bad)
		}
	}
	if n, ok := NumberSeq("261122099"); !ok || n != 99 {
		t.Errorf("NumberSeq = %d %v", n, ok)
	}
}

func TestWorkingDays(t *testing.T) {
	sla := nineToSix()
	sla.Official = false // the company's lists alone, as a clock stored before the official calendar (see TestOfficialCalendar2026)
	sla.Holidays = []string{"2026-10-01", "2026-10-02"}
	sla.ExtraWorkingDays = []string{"2026-10-10"} // a Saturday worked (调休)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-20T02:00:00Z", 1, "2026-11-23T02:00:00Z"}, // Friday 10:00 → Monday 10:00
		{"2026-11-18T02:00:00Z", 1, "2026-11-19T02:00:00Z"}, // Wednesday → Thursday
		{"2026-11-21T02:00:00Z", 1, "2026-11-23T02:00:00Z"}, // Saturday → Monday
		{"2026-09-30T02:00:00Z", 1, "2026-10-05T02:00:00Z"}, // Wed → skip Thu/Fri holidays and weekend → Mon
		{"2026-10-09T02:00:00Z", 1, "2026-10-10T02:00:00Z"}, // Friday → the worked Saturday
	}
	for _, tt := range tests {
		if got := sla.AddWorkingDays(ts(tt.from), tt.n); !got.Equal(ts(tt.want)) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	mornings := []struct{ at, want string }{
		{"2026-11-20T03:00:00Z", "2026-11-20T03:00:00Z"}, // Friday 11:00: now
		{"2026-11-20T12:00:00Z", "2026-11-23T01:00:00Z"}, // Friday 20:00 → Monday 09:00
		{"2026-11-19T22:00:00Z", "2026-11-20T01:00:00Z"}, // Friday 06:00 → Friday 09:00
		{"2026-09-30T11:00:00Z", "2026-10-05T01:00:00Z"}, // Wed 19:00 before holidays → Mon 09:00
	}
	for _, tt := range mornings {
		if got := sla.NextWorkingMorning(ts(tt.at)); !got.Equal(ts(tt.want)) {
			t.Errorf("NextWorkingMorning(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
	if err := sla.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := sla
	bad.Holidays = []string{"10/1"}
	if bad.Validate() == nil {
		t.Fatal("bad holiday accepted")
	}
}

func newComplaint(sev Severity) *Complaint {
	c := &Complaint{Number: "261122001", CustomerName: "Acme", Contact: Contact{Name: "王", Email: "w@acme.cn"}, Channel: ChannelWeb,
		Category: CategoryProduct, Severity: sev, Request: RequestExchange, Description: "坏了", Language: "zh",
		ReceivedAt: ts("2026-11-23T02:00:00Z"), ManagerID: "alice"}
	c.Open(nineToSix(), "", "")
	return c
}

// nineToSix is the default clock of a company that works 09:00–18:00 without a lunch break.
func nineToSix() SLA {
	sla := DefaultSLA("Asia/Shanghai")
	sla.WorkdayStart, sla.WorkdayEnd, sla.LunchStart, sla.LunchEnd = 9*60, 18*60, -1, -1
	return sla
}

var (
	yes = true
	no  = false
)

// validInput is a correct input for each action.
func validInput(a Action) StepInput {
	switch a {
	case ActionReject:
		return StepInput{Reason: "不属于本公司服务范围，敬请谅解"}
	case ActionAssign:
		return StepInput{Department: "repair", Opinion: "请维修部 24 小时内上门检测"}
	case ActionInvestigation:
		return StepInput{Investigation: &Investigation{Cause: "零件老化", WhatHappened: "设备停机", Responsible: "维修部", Conclusion: "有责", CompanyAtFault: true, Countermeasures: "更换并加强巡检"}}
	case ActionReview, ActionApprove:
		return StepInput{Approve: &yes}
	case ActionReply:
		return StepInput{Reply: &Reply{Text: "已免费更换设备", Method: "written"}}
	case ActionCallback:
		return StepInput{Callback: &Callback{Method: "phone", Result: "客户满意", Satisfied: true}}
	}
	return StepInput{}
}

// actorFor is a principal allowed to take action a on a complaint assigned to repair.
func actorFor(a Action) Principal {
	switch a {
	case ActionInvestigation:
		return Principal{Sub: "fixer", Roles: []Role{RoleDepartment}, Department: "repair"}
	case ActionApprove:
		return Principal{Sub: "ceo", Roles: []Role{RoleExecutive}}
	}
	return Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "quality"}
}

// The whole table: every state × every action × both severities.
func TestStateMachineExhaustive(t *testing.T) {
	next := map[Action]ComplaintStatus{ActionAccept: StatusAccepted, ActionReject: StatusRejected, ActionAssign: StatusAssigned,
		ActionInvestigation: StatusInvestigated, ActionReview: StatusReviewed, ActionApprove: StatusApproved, ActionReply: StatusReplied,
		ActionCallback: StatusCalledBack, ActionClose: StatusClosed}
	legal := func(s ComplaintStatus, a Action, sev Severity) bool {
		switch a {
		case ActionAccept, ActionReject:
			return s == StatusReceived
		case ActionAssign:
			return s == StatusAccepted || s == StatusAssigned
		case ActionInvestigation:
			return s == StatusAssigned
		case ActionReview:
			return s == StatusInvestigated
		case ActionApprove:
			return s == StatusReviewed && sev == SeveritySerious
		case ActionReply:
			return (s == StatusReviewed && sev == SeverityNormal) || s == StatusApproved
		case ActionCallback:
			return s == StatusReplied
		case ActionClose:
			return s == StatusCalledBack
		}
		return false
	}
	for _, sev := range []Severity{SeverityNormal, SeveritySerious} {
		for _, s := range AllStatuses {
			for _, a := range AllActions {
				t.Run(fmt.Sprintf("%s/%s/%s", sev, s, a), func(t *testing.T) {
					c := newComplaint(sev)
					c.Status, c.Department = s, "repair"
					v := c.Version
					err := c.Apply(a, validInput(a), actorFor(a), ts("2026-11-23T03:00:00Z"))
					if legal(s, a, sev) {
						if err != nil {
							t.Fatalf("legal step refused: %v", err)
						}
						if c.Status != next[a] || c.Version != v+1 || c.History[len(c.History)-1].From != s {
							t.Fatalf("after %s: status %s v%d history %+v", a, c.Status, c.Version, c.History[len(c.History)-1])
						}
						return
					}
					var ise *IllegalStepError
					if !errors.As(err, &ise) || ise.State != s || !errors.Is(err, ErrConflict) {
						t.Fatalf("illegal step: got %v, want IllegalStepError in %s", err, s)
					}
					if c.Status != s || c.Version != v || len(c.History) != 1 {
						t.Fatal("an illegal step changed the complaint")
					}
				})
			}
		}
	}
}

func TestWorkflowHappyPathAndClocks(t *testing.T) {
	c := newComplaint(SeveritySerious)
	if !c.Deadlines.CloseDue.Equal(ts("2026-11-30T02:00:00Z")) || !c.Deadlines.FirstResponseDue.Equal(ts("2026-11-24T02:00:00Z")) {
		t.Fatalf("deadlines %+v", c.Deadlines)
	}
	at := ts("2026-11-23T03:00:00Z") // Monday 11:00 Shanghai
	steps := []Action{ActionAccept, ActionAssign, ActionInvestigation, ActionReview, ActionApprove, ActionReply, ActionCallback, ActionClose}
	for i, a := range steps {
		if err := c.Apply(a, validInput(a), actorFor(a), at.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if c.Status != StatusClosed || len(c.History) != 9 || !c.ClosedOnTime() {
		t.Fatalf("status %s, %d steps, on time %v", c.Status, len(c.History), c.ClosedOnTime())
	}
	if !c.Deadlines.OpinionDue.Equal(ts("2026-11-24T03:00:00Z")) {
		t.Fatalf("opinion due %s, want one working day after acceptance", c.Deadlines.OpinionDue)
	}
	if c.FirstResponseAt == nil || !c.FirstResponseAt.Equal(at) || c.ResponsibleFault == nil || !*c.ResponsibleFault {
		t.Fatalf("first response %v, fault %v", c.FirstResponseAt, c.ResponsibleFault)
	}
}

func TestStepRulesAndInputs(t *testing.T) {
	sue := actorFor(ActionAccept)
	alice := Principal{Sub: "alice", Roles: []Role{RoleManager}}
	otherDept := Principal{Sub: "x", Roles: []Role{RoleDepartment}, Department: "billing"}
	tests := []struct {
		name   string
		status ComplaintStatus
		action Action
		in     StepInput
		who    Principal
		want   string // forbidden | invalid:<field> | ok
	}{
		{"manager cannot accept", StatusReceived, ActionAccept, StepInput{}, alice, "forbidden"},
		{"reject needs reason", StatusReceived, ActionReject, StepInput{}, sue, "invalid:reason"},
		{"assign needs department", StatusAccepted, ActionAssign, StepInput{Opinion: "x"}, sue, "invalid:department"},
		{"assign needs opinion", StatusAccepted, ActionAssign, StepInput{Department: "repair"}, sue, "invalid:opinion"},
		{"other department cannot investigate", StatusAssigned, ActionInvestigation, validInput(ActionInvestigation), otherDept, "forbidden"},
		{"supervisor cannot investigate", StatusAssigned, ActionInvestigation, validInput(ActionInvestigation), sue, "forbidden"},
		{"report needs cause", StatusAssigned, ActionInvestigation, StepInput{Investigation: &Investigation{WhatHappened: "a", Responsible: "b", Conclusion: "c", Countermeasures: "d"}}, actorFor(ActionInvestigation), "invalid:cause"},
		{"review needs a decision", StatusInvestigated, ActionReview, StepInput{}, sue, "invalid:approve"},
		{"send back needs comment", StatusInvestigated, ActionReview, StepInput{Approve: &no}, sue, "invalid:comment"},
		{"send back", StatusInvestigated, ActionReview, StepInput{Approve: &no, Comment: "原因不清"}, sue, "ok"},
		{"reply needs text", StatusReviewed, ActionReply, StepInput{Reply: &Reply{}}, sue, "invalid:text"},
		{"reply method", StatusReviewed, ActionReply, StepInput{Reply: &Reply{Text: "x", Method: "fax"}}, sue, "invalid:method"},
		{"own manager calls back", StatusReplied, ActionCallback, validInput(ActionCallback), alice, "ok"},
		{"other manager cannot call back", StatusReplied, ActionCallback, validInput(ActionCallback), Principal{Sub: "bob", Roles: []Role{RoleManager}}, "forbidden"},
		{"callback needs result", StatusReplied, ActionCallback, StepInput{Callback: &Callback{}}, sue, "invalid:result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newComplaint(SeverityNormal)
			c.Status, c.Department = tt.status, "repair"
			err := c.Apply(tt.action, tt.in, tt.who, ts("2026-11-23T03:00:00Z"))
			var ve *ValidationError
			switch {
			case tt.want == "ok":
				if err != nil {
					t.Fatal(err)
				}
			case tt.want == "forbidden":
				if !errors.Is(err, ErrForbidden) {
					t.Fatalf("got %v, want forbidden", err)
				}
			case errors.As(err, &ve):
				if f := tt.want[len("invalid:"):]; ve.Fields[f] == "" {
					t.Fatalf("got %v, want an error on %s", err, f)
				}
			default:
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if tt.want != "ok" && (c.Status != tt.status || len(c.History) != 1) {
				t.Fatal("a refused step changed the complaint")
			}
		})
	}
	c := newComplaint(SeverityNormal)
	c.Status = StatusInvestigated
	_ = c.Apply(ActionReview, StepInput{Approve: &no, Comment: "重查"}, sue, ts("2026-11-23T03:00:00Z"))
	if c.Status != StatusAssigned || c.SentBack != 1 {
		t.Fatalf("send back: %s %d", c.Status, c.SentBack)
	}
}

func TestValidateNew(t *testing.T) {
	ok := newComplaint(SeverityNormal)
	if err := ok.ValidateNew(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(c *Complaint)
		fields []string
	}{
		{"no contact", func(c *Complaint) { c.Contact.Email = "" }, []string{"contact.phone", "contact.email"}},
		{"bad email", func(c *Complaint) { c.Contact.Email = "x@" }, []string{"contact.email"}},
		{"long description", func(c *Complaint) { c.Description = string(make([]rune, MaxDescription+1)) }, []string{"description"}},
		{"no category", func(c *Complaint) { c.Category = "" }, []string{"category"}},
		{"bad request", func(c *Complaint) { c.Request = "free stuff" }, []string{"request"}},
		{"bad channel", func(c *Complaint) { c.Channel = "pigeon" }, []string{"channel"}},
		{"no name", func(c *Complaint) { c.CustomerName = "" }, []string{"customerName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newComplaint(SeverityNormal)
			tt.mutate(c)
			var ve *ValidationError
			if err := c.ValidateNew(); !errors.As(err, &ve) {
				t.Fatalf("accepted: %v", err)
			}
			for _, f := range tt.fields {
				if ve.Fields[f] == "" {
					t.Errorf("no error on %s: %v", f, ve)
				}
			}
		})
	}
}

func TestDueReminders(t *testing.T) {
	keys := func(rs []Reminder) string {
		s := ""
		for _, r := range rs {
			s += r.Key + "→" + string(r.To) + " "
		}
		return s
	}
	// Received Monday 2026-11-23 10:00 Shanghai: first response due Tue 10:00, close due Mon 30th 10:00.
	tests := []struct {
		name   string
		mutate func(c *Complaint)
		at     string
		want   string
	}{
		{"fresh", func(c *Complaint) {}, "2026-11-23T05:00:00Z", ""},
		{"no first response after 24h", func(c *Complaint) {}, "2026-11-24T03:00:00Z", "first-response-overdue→supervisor "},
		{"answered in time", func(c *Complaint) { x := ts("2026-11-23T06:00:00Z"); c.FirstResponseAt = &x }, "2026-11-24T03:00:00Z", ""},
		{"night: waits for the morning", func(c *Complaint) {}, "2026-11-24T14:00:00Z", ""},
		{"serious: at night too", func(c *Complaint) { c.Severity = SeveritySerious }, "2026-11-24T14:00:00Z", "first-response-overdue→supervisor "},
		{"strategic: at night too", func(c *Complaint) { c.AccountTier = TierStrategic }, "2026-11-24T14:00:00Z", "first-response-overdue→supervisor "},
		{"opinion overdue", func(c *Complaint) {
			x := ts("2026-11-23T03:00:00Z")
			c.FirstResponseAt = &x
			d := ts("2026-11-24T03:00:00Z")
			c.Deadlines.OpinionDue = &d
		}, "2026-11-24T04:00:00Z", "opinion-overdue→supervisor "},
		{"close soon", func(c *Complaint) { x := ts("2026-11-23T03:00:00Z"); c.FirstResponseAt = &x }, "2026-11-27T03:00:00Z", ""},
		{"close soon (Friday 24h before is Sunday; Monday morning)", func(c *Complaint) { x := ts("2026-11-23T03:00:00Z"); c.FirstResponseAt = &x }, "2026-11-30T01:30:00Z", "close-soon→owner "},
		{"overdue", func(c *Complaint) { x := ts("2026-11-23T03:00:00Z"); c.FirstResponseAt = &x }, "2026-11-30T03:00:00Z", "close-overdue-supervisor→supervisor "},
		{"overdue a day: executive too", func(c *Complaint) { x := ts("2026-11-23T03:00:00Z"); c.FirstResponseAt = &x }, "2026-12-01T03:00:00Z", "close-overdue-supervisor→supervisor close-overdue-executive→executive "},
		{"closed: nothing", func(c *Complaint) { c.Status = StatusClosed }, "2026-12-09T03:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newComplaint(SeverityNormal)
			tt.mutate(c)
			if got := keys(c.DueReminders(ts(tt.at))); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// domain.md's service hours: 08:00–17:00 with a 12:00–13:00 lunch break.
func TestDefaultServiceHours(t *testing.T) {
	sla := DefaultSLA("Asia/Shanghai")
	hours := []struct {
		at   string
		want bool
	}{
		{"2026-11-23T23:59:00Z", false}, // Tuesday 07:59
		{"2026-11-24T00:00:00Z", true},  // Tuesday 08:00
		{"2026-11-24T03:59:00Z", true},  // 11:59
		{"2026-11-24T04:00:00Z", false}, // 12:00 lunch
		{"2026-11-24T05:00:00Z", true},  // 13:00
		{"2026-11-24T08:59:00Z", true},  // 16:59
		{"2026-11-24T09:00:00Z", false}, // 17:00
		{"2026-11-28T02:00:00Z", false}, // Saturday 10:00
	}
	for _, h := range hours {
		if got := sla.InWorkingHours(ts(h.at)); got != h.want {
			t.Errorf("InWorkingHours(%s) = %v", h.at, got)
		}
	}
	mornings := []struct{ at, want string }{
		{"2026-11-24T04:30:00Z", "2026-11-24T05:00:00Z"}, // Tuesday 12:30 → 13:00 the same day
		{"2026-11-24T09:30:00Z", "2026-11-25T00:00:00Z"}, // Tuesday 17:30 → Wednesday 08:00
		{"2026-11-27T10:00:00Z", "2026-11-30T00:00:00Z"}, // Friday 18:00 → Monday 08:00
	}
	for _, m := range mornings {
		if got := sla.NextWorkingMorning(ts(m.at)); !got.Equal(ts(m.want)) {
			t.Errorf("NextWorkingMorning(%s) = %s, want %s", m.at, got, m.want)
		}
	}
	// A normal complaint's reminder falling due at lunch waits for 13:00.
	c := &Complaint{Severity: SeverityNormal, ReceivedAt: ts("2026-11-23T02:00:00Z")}
	c.Open(sla, "", "")
	if got := c.DueReminders(ts("2026-11-24T04:30:00Z")); len(got) != 0 {
		t.Errorf("reminder at lunch: %+v", got)
	}
	if got := c.DueReminders(ts("2026-11-24T05:05:00Z")); len(got) != 1 || got[0].Kind != "first-response-overdue" {
		t.Errorf("reminder after lunch: %+v", got)
	}
}

// Overdue counts every deadline: after 58 h without a first response a
// complaint is overdue although its closure is days away; the next deadline
// is the earliest pending one.
func TestEveryDeadlineCounts(t *testing.T) {
	c := newComplaint(SeverityNormal) // received Monday 10:00: first response Tuesday 10:00, closure the next Monday
	at := ts("2026-11-25T12:00:00Z")  // 58 h later
	if !c.Overdue(at) {
		t.Fatal("58 h without a first response is not overdue")
	}
	if late := c.Late(at); len(late) != 1 || late[0].Kind != DeadlineFirstResponse {
		t.Fatalf("late: %+v", late)
	}
	if next, ok := c.NextDeadline(); !ok || next.Kind != DeadlineFirstResponse || !next.Due.Equal(c.Deadlines.FirstResponseDue) {
		t.Fatalf("next: %+v", next)
	}
	// Accepted: the first response is given, the opinion falls due next.
	if err := c.Apply(ActionAccept, StepInput{}, Principal{Sub: "sue", Roles: []Role{RoleSupervisor}}, ts("2026-11-23T03:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if next, _ := c.NextDeadline(); next.Kind != DeadlineOpinion {
		t.Fatalf("after acceptance, next: %+v", next)
	}
	if late := c.Late(at); len(late) != 1 || late[0].Kind != DeadlineOpinion {
		t.Fatalf("after acceptance, late: %+v", late)
	}
	c.Status = StatusClosed
	if c.Overdue(at.Add(30*24*time.Hour)) || len(c.Pending()) != 0 {
		t.Fatal("a closed complaint has no deadlines")
	}
}

// The owner is reminded before the first response and the handling opinion
// fall due, not only before closure.
func TestRemindersBeforeTheFirstClocks(t *testing.T) {
	c := newComplaint(SeverityNormal) // first response due Tuesday 2026-11-24 10:00 Shanghai
	if got := c.DueReminders(ts("2026-11-24T01:30:00Z")); len(got) != 1 || got[0].Key != "first-response-soon" || got[0].To != ToOwner {
		t.Fatalf("09:30, half an hour before: %+v", got)
	}
	if got := c.DueReminders(ts("2026-11-23T09:00:00Z")); len(got) != 0 {
		t.Fatalf("17:00 the day before: %+v", got)
	}
	d := ts("2026-11-24T08:00:00Z") // opinion due Tuesday 16:00
	c.FirstResponseAt = &d
	c.Deadlines.OpinionDue = &d
	if got := c.DueReminders(ts("2026-11-24T06:00:00Z")); len(got) != 1 || got[0].Key != "opinion-soon" {
		t.Fatalf("14:00, two hours before the opinion: %+v", got)
	}
}

// Who is told of each step (domain.md: every new complaint is forwarded at
// once to the handling side and copied to the supervising leader).
func TestNoticesAfterEachStep(t *testing.T) {
	kinds := func(ns []StaffNotice) string {
		s := ""
		for _, n := range ns {
			s += n.Kind + "→" + string(n.To) + " "
		}
		return s
	}
	c := newComplaint(SeverityNormal)
	if got := kinds(NoticesAfter(ActionReceive, c)); got != "complaint-new→supervisor complaint-new→manager " {
		t.Errorf("new, linked: %q", got)
	}
	c.ManagerID = ""
	if got := kinds(NoticesAfter(ActionReceive, c)); got != "complaint-new→supervisor " {
		t.Errorf("new, unlinked: %q", got)
	}
	if got := kinds(NoticesAfter(ActionAssign, c)); got != "complaint-assigned→department " {
		t.Errorf("assign: %q", got)
	}
	if got := kinds(NoticesAfter(ActionInvestigation, c)); got != "complaint-review→reviewer " {
		t.Errorf("investigation: %q", got)
	}
	c.Status = StatusReviewed
	if got := kinds(NoticesAfter(ActionReview, c)); got != "" {
		t.Errorf("normal complaint reviewed: %q", got)
	}
	c.Severity = SeveritySerious
	if got := kinds(NoticesAfter(ActionReview, c)); got != "complaint-approval→executive " {
		t.Errorf("serious complaint reviewed: %q", got)
	}
	c.ManagerID = "alice"
	if !c.CopyManager(Reminder{Kind: "close-overdue", To: ToSupervisor}) || c.CopyManager(Reminder{Kind: "close-soon", To: ToOwner}) {
		t.Error("the manager is copied on missed deadlines only")
	}
}

func TestCorrectLinksAndRecords(t *testing.T) {
	sue := Principal{Sub: "sue", Roles: []Role{RoleSupervisor}}
	acct := &Customer{ID: "c9", Name: "Acme", ManagerID: "bob", Department: "sales", Tier: TierStrategic}
	id, serious, reason := "c9", SeveritySerious, "来电确认"
	c := newComplaint(SeverityNormal)
	c.ManagerID, c.CustomerID = "", ""
	if _, err := c.Correct(Correction{CustomerID: &id, Reason: reason}, acct, Principal{Sub: "alice", Roles: []Role{RoleManager}}, c.ReceivedAt); err == nil {
		t.Fatal("a manager corrected")
	}
	if _, err := c.Correct(Correction{CustomerID: &id}, acct, sue, c.ReceivedAt); err == nil {
		t.Fatal("no reason accepted")
	}
	if _, err := c.Correct(Correction{CustomerID: &id, Reason: reason}, nil, sue, c.ReceivedAt); err == nil {
		t.Fatal("an unknown account accepted")
	}
	v := c.Version
	relinked, err := c.Correct(Correction{CustomerID: &id, Severity: &serious, Reason: reason}, acct, sue, c.ReceivedAt)
	if err != nil || !relinked || c.ManagerID != "bob" || !c.Urgent() || c.Severity != SeveritySerious || c.Version != v+1 || c.MatchedBy != "supervisor" {
		t.Fatalf("correct: %v %+v", err, c)
	}
	if last := c.History[len(c.History)-1]; last.Action != ActionCorrect || last.From != c.Status || last.To != c.Status {
		t.Fatalf("history: %+v", last)
	}
	if relinked, _ := c.Correct(Correction{CustomerID: &id, Reason: reason}, acct, sue, c.ReceivedAt); relinked || c.Version != v+1 {
		t.Fatal("a correction that changes nothing was recorded")
	}
}

// The forms a page offers (MayTake) are exactly the steps Apply takes:
// every state × every action × people of every role.
func TestMayTakeAgreesWithApply(t *testing.T) {
	people := []Principal{
		{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "quality"},
		{Sub: "ceo", Roles: []Role{RoleExecutive}},
		{Sub: "root", Roles: []Role{RoleAdmin}},
		{Sub: "alice", Roles: []Role{RoleManager}, Department: "sales"},
		{Sub: "bob", Roles: []Role{RoleManager}, Department: "sales"},
		{Sub: "fixer", Roles: []Role{RoleDepartment}, Department: "repair"},
		{Sub: "billing", Roles: []Role{RoleDepartment}, Department: "billing"},
	}
	offered := 0
	for _, sev := range []Severity{SeverityNormal, SeveritySerious} {
		for _, s := range AllStatuses {
			for _, a := range AllActions {
				for _, p := range people {
					c := newComplaint(sev)
					c.Status, c.Department = s, "repair"
					may := c.MayTake(p, a)
					err := c.Apply(a, validInput(a), p, ts("2026-11-23T03:00:00Z"))
					if may != (err == nil) {
						t.Errorf("%s/%s/%s by %s: MayTake %v, Apply %v", sev, s, a, p.Sub, may, err)
					}
					if may {
						offered++
					}
				}
			}
		}
	}
	if offered == 0 {
		t.Fatal("no step offered to anyone")
	}
	if !CanCorrectComplaint(Principal{Roles: []Role{RoleSupervisor}}) || CanCorrectComplaint(Principal{Roles: []Role{RoleExecutive, RoleManager}}) {
		t.Fatal("corrections are for supervisors")
	}
}

// A late complaint tells the customer when they will hear from us: the end
// of the working day after the missed deadline, or after now once that has
// passed too (over the weekend to Monday).
func TestLateReplyBy(t *testing.T) {
	c := newComplaint(SeverityNormal) // first response due Tuesday 10:00 (Shanghai), working 09:00–18:00
	for _, tt := range []struct{ now, want string }{
		{"2026-11-24T01:00:00Z", ""},                     // Tuesday 09:00: nothing late yet
		{"2026-11-24T03:00:00Z", "2026-11-25T10:00:00Z"}, // Tuesday 11:00: by Wednesday 18:00
		{"2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z"}, // Wednesday 17:00: still Wednesday 18:00
		{"2026-11-25T12:00:00Z", "2026-11-26T10:00:00Z"}, // Wednesday 20:00: that passed, Thursday 18:00
		{"2026-11-27T12:00:00Z", "2026-11-30T10:00:00Z"}, // Friday 20:00: Monday 18:00
	} {
		got := c.LateReplyBy(ts(tt.now))
		if tt.want == "" && !got.IsZero() || tt.want != "" && !got.Equal(ts(tt.want)) {
			t.Errorf("at %s: %v, want %s", tt.now, got, tt.want)
		}
	}
	c.Status = StatusClosed
	if !c.LateReplyBy(ts("2026-12-30T12:00:00Z")).IsZero() {
		t.Error("a closed complaint is never late")
	}
}
