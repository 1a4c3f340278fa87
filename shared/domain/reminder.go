package domain

import "time"

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
)

// Reminder is one notice about a complaint's clock.
type Reminder struct {
	Key      string    `json:"key"` // unique per complaint: it is sent once
	To       Audience  `json:"to"`
	Kind     string    `json:"kind"` // close-soon, first-response-overdue, opinion-overdue, close-overdue
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
	if c.FirstResponseAt == nil && now.After(d.FirstResponseDue) {
		out = append(out, Reminder{Key: "first-response-overdue", To: ToSupervisor, Kind: "first-response-overdue", Deadline: d.FirstResponseDue})
	}
	if d.OpinionDue != nil && c.OpinionAt == nil && now.After(*d.OpinionDue) {
		out = append(out, Reminder{Key: "opinion-overdue", To: ToSupervisor, Kind: "opinion-overdue", Deadline: *d.OpinionDue})
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

// InDailyDigest reports whether c's reminders and escalations go in one
// daily summary to the supervisors instead of one mail each: an anonymous
// web complaint (from the public form, linked to no account) that nobody
// has accepted yet. Anyone can file one; a flood of them must not become
// a flood of mail.
func (c *Complaint) InDailyDigest() bool {
	return c.Channel == ChannelWeb && c.CustomerID == "" && c.Status == StatusReceived
}

// Overdue reports whether the complaint is open past its closing deadline.
func (c *Complaint) Overdue(now time.Time) bool {
	return c.Status.Open() && now.After(c.Deadlines.CloseDue)
}
