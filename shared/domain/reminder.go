package domain

import (
	"strings"
	"time"
)

// Reminders and escalation (催办 / 升级). Before a deadline the owner is
// reminded; after it, the supervisor and then the executive are told. Each
// reminder has a key and is sent once per complaint. Reminders reach people
// in their working hours, except for serious complaints and strategic
// accounts, which go at once.

// Audience is who a reminder goes to.
type Audience string

// Audiences.
const (
	ToOwner      Audience = "owner"      // the handling department, or the supervisors before assignment
	ToSupervisor Audience = "supervisor" // 主管 / 客服质量部
	ToExecutive  Audience = "executive"  // 总经理
	ToDepartment Audience = "department" // the handling department (受理部门)
	ToReviewer   Audience = "reviewer"   // the supervisors who review the investigation report
	ToManager    Audience = "manager"    // the account's manager (客户经理)
)

// Reminder is one notice about a complaint's clock.
type Reminder struct {
	Key      string    `json:"key"` // unique per complaint: it is sent once
	To       Audience  `json:"to"`
	Kind     string    `json:"kind"` // first-response-soon, opinion-soon, close-soon, first-response-overdue, opinion-overdue, close-overdue
	Deadline time.Time `json:"deadline"`
}

// Urgent complaints are notified at any hour.
func (c *Complaint) Urgent() bool {
	return c.Severity == SeveritySerious || c.AccountTier == TierStrategic
}

// DueReminders lists the reminders that are due at now and may be sent now
// (working hours unless urgent). Whether one was already sent is the
// store's business: each key is written once.
func (c *Complaint) DueReminders(now time.Time) []Reminder {
	if !c.Status.Open() {
		return nil
	}
	if !c.Urgent() && !c.SLA.InWorkingHours(now) {
		return nil
	}
	var out []Reminder
	d := c.Deadlines
	soon := func(due time.Time, before time.Duration) bool {
		return before > 0 && !now.Before(due.Add(-before)) && !now.After(due)
	}
	if c.FirstResponseAt == nil {
		switch {
		case now.After(d.FirstResponseDue):
			out = append(out, Reminder{Key: "first-response-overdue", To: ToSupervisor, Kind: "first-response-overdue", Deadline: d.FirstResponseDue})
		case soon(d.FirstResponseDue, c.SLA.RemindFirstResponseBefore):
			out = append(out, Reminder{Key: "first-response-soon", To: ToOwner, Kind: "first-response-soon", Deadline: d.FirstResponseDue})
		}
	}
	if d.OpinionDue != nil && c.OpinionAt == nil {
		switch {
		case now.After(*d.OpinionDue):
			out = append(out, Reminder{Key: "opinion-overdue", To: ToSupervisor, Kind: "opinion-overdue", Deadline: *d.OpinionDue})
		case soon(*d.OpinionDue, c.SLA.RemindOpinionBefore):
			out = append(out, Reminder{Key: "opinion-soon", To: ToOwner, Kind: "opinion-soon", Deadline: *d.OpinionDue})
		}
	}
	switch {
	case now.After(d.CloseDue.Add(c.SLA.EscalateExecutive)):
		out = append(out,
			Reminder{Key: "close-overdue-supervisor", To: ToSupervisor, Kind: "close-overdue", Deadline: d.CloseDue},
			Reminder{Key: "close-overdue-executive", To: ToExecutive, Kind: "close-overdue", Deadline: d.CloseDue})
	case now.After(d.CloseDue):
		out = append(out, Reminder{Key: "close-overdue-supervisor", To: ToSupervisor, Kind: "close-overdue", Deadline: d.CloseDue})
	case !now.Before(d.CloseDue.Add(-c.SLA.RemindBefore)):
		out = append(out, Reminder{Key: "close-soon", To: ToOwner, Kind: "close-soon", Deadline: d.CloseDue})
	}
	return out
}

// Deadline kinds: the three clocks of a complaint.
const (
	DeadlineFirstResponse = "first-response" // first answer to the customer (24 h)
	DeadlineOpinion       = "opinion"        // handling opinion (1 working day after acceptance)
	DeadlineClose         = "close"          // closure (7 days)
)

// PendingDeadline is a clock still running.
type PendingDeadline struct {
	Kind string    `json:"kind"`
	Due  time.Time `json:"due"`
}

// Pending lists the deadlines still to be met, earliest first: the first
// response until the customer first hears from us, the handling opinion
// until it is given, the closure until the complaint is closed. A closed or
// rejected complaint has none.
func (c *Complaint) Pending() []PendingDeadline {
	if !c.Status.Open() {
		return nil
	}
	var out []PendingDeadline
	if c.FirstResponseAt == nil {
		out = append(out, PendingDeadline{DeadlineFirstResponse, c.Deadlines.FirstResponseDue})
	}
	if c.Deadlines.OpinionDue != nil && c.OpinionAt == nil {
		out = append(out, PendingDeadline{DeadlineOpinion, *c.Deadlines.OpinionDue})
	}
	out = append(out, PendingDeadline{DeadlineClose, c.Deadlines.CloseDue})
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Due.Before(out[j-1].Due); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// NextDeadline is the earliest pending deadline; false for a closed or
// rejected complaint. Open complaints are listed by it.
func (c *Complaint) NextDeadline() (PendingDeadline, bool) {
	p := c.Pending()
	if len(p) == 0 {
		return PendingDeadline{}, false
	}
	return p[0], true
}

// Late lists the pending deadlines already missed at now.
func (c *Complaint) Late(now time.Time) []PendingDeadline {
	var out []PendingDeadline
	for _, d := range c.Pending() {
		if now.After(d.Due) {
			out = append(out, d)
		}
	}
	return out
}

// Overdue reports whether the complaint is open past any of its deadlines:
// the first response, the handling opinion or the closure.
func (c *Complaint) Overdue(now time.Time) bool { return len(c.Late(now)) > 0 }

// LateReplyBy is when a customer whose complaint is late at now will hear
// from us (the tracking page says it, with an apology): by the end of
// service hours of the working day after the earliest missed deadline (the
// supervisors are told of a missed deadline at once); when that has passed
// too, of the working day after now. Zero when nothing is late.
func (c *Complaint) LateReplyBy(now time.Time) time.Time {
	late := c.Late(now)
	if len(late) == 0 {
		return time.Time{}
	}
	endOfNextWorkingDay := func(t time.Time) time.Time {
		loc := c.SLA.Location()
		d := c.SLA.AddWorkingDays(t, 1).In(loc)
		return time.Date(d.Year(), d.Month(), d.Day(), c.SLA.WorkdayEnd/60, c.SLA.WorkdayEnd%60, 0, 0, loc).UTC()
	}
	by := endOfNextWorkingDay(late[0].Due)
	if !by.After(now) {
		by = endOfNextWorkingDay(now)
	}
	return by
}

// StaffNotice is one notice a step sends staff: its mail kind and who reads it.
type StaffNotice struct {
	Kind string
	To   Audience
}

// NoticesAfter lists the notices complaint c sends staff after action a
// (ActionReceive for a new complaint): a new complaint is copied at once to
// the supervising leader and, for a linked account, to its manager; an
// assignment tells the handling department; an investigation report tells
// the reviewer; a serious complaint reviewed and awaiting approval tells the
// executive.
func NoticesAfter(a Action, c *Complaint) []StaffNotice {
	switch a {
	case ActionReceive:
		out := []StaffNotice{{"complaint-new", ToSupervisor}}
		if c.ManagerID != "" {
			out = append(out, StaffNotice{"complaint-new", ToManager})
		}
		return out
	case ActionAssign:
		return []StaffNotice{{"complaint-assigned", ToDepartment}}
	case ActionInvestigation:
		return []StaffNotice{{"complaint-review", ToReviewer}}
	case ActionReview:
		if c.Status == StatusReviewed && c.Allowed(ActionApprove) {
			return []StaffNotice{{"complaint-approval", ToExecutive}}
		}
	case ActionCorrect: // linked to an account by a supervisor: its manager is told
		if c.ManagerID != "" {
			return []StaffNotice{{"complaint-new", ToManager}}
		}
	}
	return nil
}

// CopyManager reports whether the account's manager is copied on reminder
// r: every missed deadline of a linked account.
func (c *Complaint) CopyManager(r Reminder) bool {
	return c.ManagerID != "" && strings.HasSuffix(r.Kind, "-overdue") && r.To != ToExecutive
}

// InDailyDigest reports whether c's reminders and escalations go in one
// daily summary to the supervisors instead of one mail each: an anonymous
// web complaint (from the public form, linked to no account) that nobody
// has accepted yet. Anyone can file one; a flood of them must not become
// a flood of mail.
func (c *Complaint) InDailyDigest() bool {
	return c.Channel == ChannelWeb && c.CustomerID == "" && c.Status == StatusReceived
}
