package domain

import (
	"fmt"
	"strconv"
	"time"
)

// FollowUp is a callback (回访) an account manager owes a customer: after a
// purchase or contract (3/30/60 days), after an event without purchase
// (3/15 days), after a handover (7 days), after a poor survey answer, the
// closing callback of a replied complaint, and greetings (节日 / 纪念日问候).
type FollowUp struct {
	ID              string          `json:"id"`
	Kind            FollowUpKind    `json:"kind"`
	CustomerID      string          `json:"customerId"`
	CustomerName    string          `json:"customerName,omitempty"`
	ManagerID       string          `json:"managerId"`
	Department      string          `json:"department,omitempty"`
	Reason          string          `json:"reason"`
	Token           string          `json:"token,omitempty"`           // no longer set: staff never see survey tokens (InvitationID names the answer)
	InvitationID    string          `json:"invitationId,omitempty"`    // the survey invitation whose poor answer opened it
	EventID         string          `json:"eventId,omitempty"`         // the customer event behind it
	HandoverID      string          `json:"handoverId,omitempty"`      // the handover behind it
	ComplaintNumber string          `json:"complaintNumber,omitempty"` // the complaint whose closing callback it is
	DueAt           time.Time       `json:"dueAt"`
	CreatedAt       time.Time       `json:"createdAt"`
	Status          string          `json:"status"` // open | done
	Result          *FollowUpResult `json:"result,omitempty"`
}

// FollowUpKind says what a follow-up is for.
type FollowUpKind string

// Kinds of follow-up.
const (
	FollowUpPoorAnswer FollowUpKind = "poor-answer"        // a survey answered poorly (overall ≤ 2 or NPS ≤ 6)
	FollowUpPurchase   FollowUpKind = "purchase"           // after a purchase (3/30/60 days)
	FollowUpContract   FollowUpKind = "contract"           // after a contract (3/30/60 days)
	FollowUpEvent      FollowUpKind = "event"              // after an event without purchase (3/15 days)
	FollowUpHandover   FollowUpKind = "handover"           // the new manager's callback after a handover (7 days)
	FollowUpComplaint  FollowUpKind = "complaint-callback" // the closing callback of a replied complaint
	FollowUpGreeting   FollowUpKind = "greeting"           // a festival, anniversary or birthday greeting
)

// Follow-up states.
const (
	FollowUpOpen = "open"
	FollowUpDone = "done"
)

// FollowUpResult is how a callback went.
type FollowUpResult struct {
	Method    string    `json:"method"` // phone | visit | email | wechat
	Result    string    `json:"result"`
	Satisfied bool      `json:"satisfied"`
	Next      string    `json:"next,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Late      bool      `json:"late"`
}

// CompletionInput is the body of POST /follow-ups/{id}/complete.
type CompletionInput struct {
	Method    string `json:"method"`
	Result    string `json:"result"`
	Satisfied *bool  `json:"satisfied"`
	Next      string `json:"next"`
}

// Complete records how the callback went: the follow-up's manager (or the
// department's supervisor), once.
func (f *FollowUp) Complete(in CompletionInput, p Principal, now time.Time) error {
	if f.ManagerID != p.Sub && !CanReviewPlan(p, f.Department) {
		return Forbidden("the account's manager records the callback")
	}
	if f.Status == FollowUpDone {
		return &StateError{Entity: "follow-up", Action: "complete", State: f.Status}
	}
	v := &ValidationError{}
	if !oneOf(in.Method, []string{"phone", "visit", "email", "wechat"}) {
		v.Add("method", "method must be phone, visit, email or wechat 回访方式无效")
	}
	checkText(v, "result", in.Result, MaxTextLen, true)
	checkText(v, "next", in.Next, MaxTextLen, false)
	if in.Satisfied == nil {
		v.Add("satisfied", "say whether the customer is satisfied (true/false) 请填写客户是否满意")
	}
	if err := v.Err(); err != nil {
		return err
	}
	now = now.UTC()
	f.Status = FollowUpDone
	f.Result = &FollowUpResult{Method: in.Method, Result: in.Result, Satisfied: *in.Satisfied, Next: in.Next, By: p.Sub, At: now, Late: now.After(f.DueAt.Add(24 * time.Hour))}
	return nil
}

// DueDate is the follow-up's due date in the calendar's zone.
func (f *FollowUp) DueDate(cal SLA) string { return f.DueAt.In(cal.Location()).Format(time.DateOnly) }

// FollowUpQuery selects follow-ups: of a manager, due today, this week or overdue.
type FollowUpQuery struct {
	Manager string
	Due     string // "" (all open), today, week, overdue
}

// ScopeFollowUps: a manager their own; supervisors, executives and admins
// name the manager (a supervisor one of their department, checked per item).
func ScopeFollowUps(p Principal, q FollowUpQuery) (FollowUpQuery, error) {
	switch q.Due {
	case "", "today", "week", "overdue":
	default:
		return q, &ValidationError{Fields: map[string]string{"due": "due must be today, week or overdue 到期筛选无效"}}
	}
	if q.Manager != "" && !ValidID(q.Manager) {
		return q, &ValidationError{Fields: map[string]string{"manager": "not a user id 用户标识无效"}}
	}
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor):
		if q.Manager == "" {
			if p.Has(RoleManager) {
				q.Manager = p.Sub
				return q, nil
			}
			return q, &ValidationError{Fields: map[string]string{"manager": "give manager= 请指定客户经理"}}
		}
		return q, nil
	case p.Has(RoleManager):
		if q.Manager != "" && q.Manager != p.Sub {
			return q, Forbidden("managers list their own follow-ups")
		}
		q.Manager = p.Sub
		return q, nil
	}
	return q, Forbidden("your role has no access to follow-ups")
}

// Selects reports whether open follow-up f belongs in a "due" selection on today.
func (q FollowUpQuery) Selects(f *FollowUp, today string, cal SLA) bool {
	d := f.DueDate(cal)
	switch q.Due {
	case "today":
		return d <= today // today's and what is still open from before
	case "week":
		t, _ := time.Parse(time.DateOnly, today)
		return d <= t.AddDate(0, 0, 7).Format(time.DateOnly)
	case "overdue":
		return d < today
	}
	return true
}

// CustomerEvent is something that happened with a customer that calls for
// callbacks: a purchase or contract (3/30/60 days), an event without
// purchase (3/15 days).
type CustomerEvent struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customerId"`
	Type       string    `json:"type"` // purchase | contract | event
	Date       string    `json:"date"`
	Note       string    `json:"note,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Validate checks an event (not in the future, within the last year).
func (e *CustomerEvent) Validate(today string) error {
	v := &ValidationError{}
	if !oneOf(e.Type, []string{"purchase", "contract", "event"}) {
		v.Add("type", "type must be purchase, contract or event 类型须为 purchase、contract 或 event")
	}
	switch {
	case !ValidDate(e.Date):
		v.Add("date", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	case e.Date > today:
		v.Add("date", "the event has not happened yet 事件尚未发生")
	}
	checkText(v, "note", e.Note, MaxTextLen, false)
	return v.Err()
}

// FollowUps are the callbacks event e of account a schedules (ids derived
// from the event, so recording it twice schedules nothing twice).
func (e *CustomerEvent) FollowUps(a *Customer, cal SLA, vs VisitSettings, now time.Time) []FollowUp {
	daysList, kind := vs.EventFollowUpDays, FollowUpEvent
	switch e.Type {
	case "purchase":
		daysList, kind = vs.PurchaseFollowUpDays, FollowUpPurchase
	case "contract":
		daysList, kind = vs.PurchaseFollowUpDays, FollowUpContract
	}
	d := cal.DateAt(e.Date)
	out := make([]FollowUp, 0, len(daysList))
	for _, n := range daysList {
		out = append(out, FollowUp{ID: "e-" + e.ID + "-" + strconv.Itoa(n), Kind: kind, CustomerID: a.ID, CustomerName: a.Name, ManagerID: a.ManagerID,
			Department: a.Department, EventID: e.ID, Reason: fmt.Sprintf("%s on %s: callback after %d days", e.Type, e.Date, n),
			DueAt: d.In(cal.Location()).AddDate(0, 0, n).UTC(), CreatedAt: now.UTC(), Status: FollowUpOpen})
	}
	return out
}

// ComplaintCallback is the closing callback a replied complaint owes,
// shown among the manager's follow-ups (its id names the complaint).
func ComplaintCallback(c *Complaint, a *Customer) FollowUp {
	f := FollowUp{ID: "cmp-" + c.Number, Kind: FollowUpComplaint, CustomerID: c.CustomerID, CustomerName: c.CustomerName, ComplaintNumber: c.Number,
		Reason: "complaint " + c.Number + " replied: closing callback", Status: FollowUpOpen, DueAt: c.Deadlines.CloseDue}
	if a != nil {
		f.ManagerID, f.Department = a.ManagerID, a.Department
	}
	for _, s := range c.History {
		if s.To == StatusReplied {
			f.CreatedAt = s.At
		}
	}
	return f
}
