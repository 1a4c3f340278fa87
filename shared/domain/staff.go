package domain

import "time"

// StaffMember is a person in the staff directory (GET/PUT /staff/{id}):
// where notices, digests and reports reach them, and whether they may still
// act. ID is the JWT's `sub` claim, the same id customer files name as
// their manager.
type StaffMember struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Department string    `json:"department,omitempty"`
	Roles      []Role    `json:"roles"`
	Language   string    `json:"language"` // zh or en: the language of their mail and pages
	Active     bool      `json:"active"`   // an inactive person gets no mail and no access
	Version    int       `json:"version"`
	UpdatedBy  string    `json:"updatedBy,omitempty"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
}

// Has reports whether m holds role r.
func (m *StaffMember) Has(r Role) bool {
	for _, x := range m.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Validate checks a directory entry.
func (m *StaffMember) Validate() error {
	v := &ValidationError{}
	if !ValidID(m.ID) {
		v.Add("id", "not a user id 用户标识无效")
	}
	checkText(v, "name", m.Name, MaxNameLen, true)
	if !ValidEmail(m.Email) {
		v.Add("email", "not an email address 邮箱格式无效")
	}
	if m.Department != "" && !ValidID(m.Department) {
		v.Add("department", "not a department id 部门标识无效")
	}
	if len(m.Roles) == 0 {
		v.Add("roles", "give at least one role 请至少指定一个角色")
	}
	seen := map[Role]bool{}
	for _, r := range m.Roles {
		if _, ok := ParseRole(string(r)); !ok || seen[r] {
			v.Add("roles", "roles are admin, executive, supervisor, manager or department, each once 角色无效或重复")
		}
		seen[r] = true
	}
	if (seen[RoleSupervisor] || seen[RoleDepartment]) && m.Department == "" {
		v.Add("department", "supervisors and handling departments belong to a department 主管和受理部门须指定部门")
	}
	if m.Language != "zh" && m.Language != "en" {
		v.Add("language", "must be zh or en 语言须为 zh 或 en")
	}
	return v.Err()
}

// CanManageStaff: admins keep the directory.
func CanManageStaff(p Principal) bool { return p.Has(RoleAdmin) }
