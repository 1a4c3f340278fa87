package domain

import (
	"strings"
	"time"
)

// Handover (交接): when a manager leaves or changes role, all their accounts
// move to another manager in one action. It runs as a job that records its
// progress, account by account, so a retry after a crash finishes it and
// never moves an account twice. Open visits and follow-ups move with the
// accounts, each account's primary contact is told, both managers get the
// list, and the new manager owes each customer a callback within 7 days.

// Handover states.
const (
	HandoverRunning = "running"
	HandoverDone    = "done"
)

// Handover is one handover job.
type Handover struct {
	ID         string     `json:"id"`
	From       string     `json:"from"`
	To         string     `json:"to"`
	Reason     string     `json:"reason"`
	Department string     `json:"department,omitempty"` // the supervisor's, when a supervisor started it
	By         string     `json:"by"`
	Status     string     `json:"status"`
	Accounts   []string   `json:"accounts"` // the accounts of From when the job started
	Moved      []string   `json:"moved"`    // those moved so far
	Notified   []string   `json:"notified"` // those whose contact, open work and callback are done
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// HandoverInput is the body of POST /handovers.
type HandoverInput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// CanHandover: a supervisor (for accounts of their department) or an admin.
func CanHandover(p Principal) bool { return p.HasAny(RoleAdmin, RoleSupervisor) }

// ValidateHandover checks a handover request against the directory entry
// of the new manager (nil when unknown): to must be an active manager.
func ValidateHandover(in HandoverInput, to *StaffMember) error {
	v := &ValidationError{}
	if !ValidID(in.From) {
		v.Add("from", "not a user id 用户标识无效")
	}
	switch {
	case !ValidID(in.To):
		v.Add("to", "not a user id 用户标识无效")
	case in.To == in.From:
		v.Add("to", "hand over to someone else 接手人不能是原客户经理")
	case to == nil:
		v.Add("to", "unknown person: add them to the staff directory first 接手人不在员工名录中")
	case !to.Active:
		v.Add("to", "this person is inactive 接手人已停用")
	case !to.Has(RoleManager):
		v.Add("to", "this person is not an account manager 接手人不是客户经理")
	}
	checkText(v, "reason", in.Reason, MaxTextLen, true)
	return v.Err()
}

// Remaining lists the accounts not yet moved, then those moved but not yet
// notified — the work a run still has.
func (h *Handover) Remaining() (toMove, toNotify []string) {
	moved, notified := set(h.Moved), set(h.Notified)
	for _, a := range h.Accounts {
		if !moved[a] {
			toMove = append(toMove, a)
		}
		if !notified[a] {
			toNotify = append(toNotify, a)
		}
	}
	return toMove, toNotify
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, x := range list {
		m[x] = true
	}
	return m
}

// HandoverCallback is the new manager's callback for account a, due
// HandoverCallbackDays after the handover (one per job and account).
func HandoverCallback(h *Handover, a *Customer, vs VisitSettings, now time.Time) FollowUp {
	return FollowUp{ID: "h-" + h.ID + "-" + a.ID, Kind: FollowUpHandover, CustomerID: a.ID, CustomerName: a.Name, ManagerID: h.To, Department: a.Department,
		HandoverID: h.ID, Reason: "handover from " + h.From + ": call the customer back", Status: FollowUpOpen, CreatedAt: now.UTC(),
		DueAt: h.StartedAt.Add(time.Duration(vs.HandoverCallbackDays) * 24 * time.Hour).UTC()}
}

// PrimaryContact is the account's first contact with an email address.
func (c *Customer) PrimaryContact() (Contact, bool) {
	for _, ct := range c.Contacts {
		if strings.TrimSpace(ct.Email) != "" {
			return ct, true
		}
	}
	return Contact{}, false
}

// RelationshipPlan is an account's relationship development plan
// (客户关系发展计划): written by its manager, approved by the supervisor,
// reviewed at least every RelationshipReviewMonths.
type RelationshipPlan struct {
	CustomerID   string     `json:"customerId"`
	CustomerName string     `json:"customerName"`
	ManagerID    string     `json:"managerId"`
	Department   string     `json:"department"`
	Goals        string     `json:"goals"`
	Actions      []string   `json:"actions"`
	ReviewBy     string     `json:"reviewBy"`
	Status       PlanStatus `json:"status"` // submitted | approved | returned
	SubmittedBy  string     `json:"submittedBy"`
	SubmittedAt  time.Time  `json:"submittedAt"`
	ReviewedBy   string     `json:"reviewedBy,omitempty"`
	ReviewedAt   *time.Time `json:"reviewedAt,omitempty"`
	Comment      string     `json:"comment,omitempty"`
	Version      int        `json:"version"`
}

// RelationshipInput is the body of PUT /customers/{id}/relationship-plan.
type RelationshipInput struct {
	Goals    string   `json:"goals"`
	Actions  []string `json:"actions"`
	ReviewBy string   `json:"reviewBy"`
}

// NewRelationshipPlan is account a's plan as its manager p writes it: a
// review date after today and within the review interval.
func NewRelationshipPlan(in RelationshipInput, a *Customer, p Principal, now time.Time, cal SLA, vs VisitSettings) (*RelationshipPlan, error) {
	if a.ManagerID != p.Sub {
		return nil, Forbidden("the account's manager writes its relationship plan")
	}
	v := &ValidationError{}
	checkText(v, "goals", in.Goals, MaxVisitTextLen, true)
	if len(in.Actions) > MaxRelPlanAction {
		v.Add("actions", "too many actions 行动过多")
	}
	for _, x := range in.Actions {
		checkText(v, "actions", x, MaxTextLen, true)
	}
	today := cal.Today(now)
	t, _ := time.Parse(time.DateOnly, today)
	latest := t.AddDate(0, vs.RelationshipReviewMonths, 0).Format(time.DateOnly)
	switch {
	case !ValidDate(in.ReviewBy):
		v.Add("reviewBy", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	case in.ReviewBy <= today:
		v.Add("reviewBy", "the review must be after today 复核日期须晚于今天")
	case in.ReviewBy > latest:
		v.Add("reviewBy", "review at least every "+itoa(vs.RelationshipReviewMonths)+" months: by "+latest+" at the latest 复核间隔不能超过规定月数")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &RelationshipPlan{CustomerID: a.ID, CustomerName: a.Name, ManagerID: a.ManagerID, Department: a.Department, Goals: in.Goals,
		Actions: in.Actions, ReviewBy: in.ReviewBy, Status: PlanSubmitted, SubmittedBy: p.Sub, SubmittedAt: now.UTC()}, nil
}

// Review approves or returns a submitted relationship plan.
func (r *RelationshipPlan) Review(approve bool, comment string, p Principal, now time.Time) error {
	if !CanReviewPlan(p, r.Department) {
		return Forbidden("the supervisor of the account's department approves its relationship plan")
	}
	if r.Status != PlanSubmitted {
		return &StateError{Entity: "relationship plan", Action: "review", State: string(r.Status)}
	}
	v := &ValidationError{}
	checkText(v, "comment", comment, MaxTextLen, !approve)
	if err := v.Err(); err != nil {
		return err
	}
	now = now.UTC()
	r.Status, r.ReviewedBy, r.ReviewedAt, r.Comment = PlanReturned, p.Sub, &now, comment
	if approve {
		r.Status = PlanApproved
	}
	r.Version++
	return nil
}

// ReviewOverdue reports whether the plan's review date has passed on today.
func (r *RelationshipPlan) ReviewOverdue(today string) bool { return r.ReviewBy < today }
