package domain

import (
	"context"
	"time"
)

// AuditEntry records one look at or change of a record (查阅登记): who, when,
// what, why. Entries are never changed after they are written.
type AuditEntry struct {
	Entity    string    `json:"entity"`   // "customer", "complaint", ...
	EntityID  string    `json:"entityId"` // the record's id
	Action    string    `json:"action"`   // read, create, update, export, revenue, tier-override, ...
	Actor     string    `json:"actor"`
	Role      Role      `json:"role"`
	At        time.Time `json:"at"`
	RequestID string    `json:"requestId"`
	Reason    string    `json:"reason,omitempty"`
	Changes   []string  `json:"changes,omitempty"` // names of the fields changed, never their values
}

// Audit actions.
const (
	ActionRead         = "read"
	ActionList         = "list"
	ActionCreate       = "create"
	ActionUpdate       = "update"
	ActionExport       = "export"
	ActionRevenue      = "revenue"
	ActionTierOverride = "tier-override"
	// Reads of what belongs to a record, written in the record's trail.
	ActionReadSatisfaction = "read-satisfaction" // a customer's survey figures
	ActionReadAnswers      = "read-answers"      // a customer's survey answers
	ActionReadTrail        = "read-access-record"
)

// Entry is the access record entry of p's action on entity id at at, with
// the request id of ctx.
func Entry(ctx context.Context, p Principal, at time.Time, entity, id, action string) AuditEntry {
	return AuditEntry{Entity: entity, EntityID: id, Action: action, Actor: p.Sub, Role: p.Primary(), At: at.UTC(), RequestID: RequestID(ctx)}
}

// CanReadActorTrail reports whether p may read what actor (nil: not in the
// staff directory) read or changed: executives and admins anyone's, a
// supervisor their own and their department's people's.
func CanReadActorTrail(p Principal, actorID string, actor *StaffMember) bool {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return true
	case p.Has(RoleSupervisor):
		return actorID == p.Sub || (actor != nil && p.Department != "" && actor.Department == p.Department)
	}
	return false
}
