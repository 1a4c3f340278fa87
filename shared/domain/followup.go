package domain

import "time"

// FollowUp is a callback (回访) an account manager owes a customer.
type FollowUp struct {
	ID         string       `json:"id"`
	Kind       FollowUpKind `json:"kind"`
	CustomerID string       `json:"customerId"`
	ManagerID  string       `json:"managerId"`
	Reason     string       `json:"reason"`
	Token      string       `json:"token,omitempty"` // no longer set: staff never see survey tokens (InvitationID names the answer)
	// InvitationID is the survey invitation whose poor answer opened a
	// poor-answer follow-up.
	InvitationID string    `json:"invitationId,omitempty"`
	DueAt        time.Time `json:"dueAt"`
	CreatedAt    time.Time `json:"createdAt"`
	Status       string    `json:"status"` // open | done
}

// FollowUpKind says what a follow-up is for.
type FollowUpKind string

// Kinds of follow-up.
const (
	FollowUpPoorAnswer FollowUpKind = "poor-answer" // a survey answered poorly (overall ≤ 2 or NPS ≤ 6)
)

// Follow-up states.
const (
	FollowUpOpen = "open"
	FollowUpDone = "done"
)
