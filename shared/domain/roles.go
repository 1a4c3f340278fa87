package domain

import "slices"

// Role is a staff group, as carried by the cognito:groups claim.
type Role string

// The groups of the user pool (template.yaml declares the same names).
const (
	RoleAdmin      Role = "admin"      // 管理员: users, tiers, settings
	RoleExecutive  Role = "executive"  // 总经理: approvals, monthly summary
	RoleSupervisor Role = "supervisor" // 主管 / 客服质量部: accept, assign, review
	RoleManager    Role = "manager"    // 客户经理: their own accounts
	RoleDepartment Role = "department" // 受理部门: investigates complaints
)

// AllRoles lists every role in order of precedence (widest first).
var AllRoles = []Role{RoleAdmin, RoleExecutive, RoleSupervisor, RoleManager, RoleDepartment}

// Principal is the authenticated staff member making a request.
type Principal struct {
	Sub        string // user id (JWT sub)
	Name       string // display name, when the token carries one
	Roles      []Role
	Department string // custom:department claim
}

// Has reports whether p belongs to role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// HasAny reports whether p belongs to any of roles.
func (p Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Primary is the widest role p holds, used for audit records.
func (p Principal) Primary() Role {
	for _, r := range AllRoles {
		if p.Has(r) {
			return r
		}
	}
	return ""
}

// ParseRole returns the role named s, or false.
func ParseRole(s string) (Role, bool) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}
