package domain

import "time"

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
)
