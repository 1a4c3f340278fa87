package domain

import "strings"

// Confidentiality rules (信息保护 / 档案查阅).
//
// Who sees a customer file: an executive and an admin all; a supervisor the
// files of their department; a manager the accounts they manage in their
// own department; a handling department none. Seeing a file also allows
// editing it. Access always follows the file as it is now: after a
// reassignment (交接) the old manager no longer sees it.

// CanSeeCustomer reports whether p may read (and edit) c.
func CanSeeCustomer(p Principal, c *Customer) bool {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return true
	case p.Has(RoleSupervisor) && p.Department != "" && c.Department == p.Department:
		return true
	case p.Has(RoleManager) && c.ManagerID == p.Sub && p.Department != "" && c.Department == p.Department:
		return true
	}
	return false
}

// CanCreateCustomer reports whether p may open c's file: admins, executives,
// supervisors for their department and managers for themselves.
func CanCreateCustomer(p Principal, c *Customer) bool {
	return CanSeeCustomer(p, c)
}

// CanReassign reports whether p may move an account to another manager or
// department: supervisors, executives and admins.
func CanReassign(p Principal) bool { return p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor) }

// CanReadAccessRecord reports whether p may read the access record (查阅登记)
// of the files p can see: supervisors, executives and admins.
func CanReadAccessRecord(p Principal) bool { return p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor) }

// ScopeCustomers narrows a listing to the files p may see: an executive or
// admin all, a supervisor their department, a manager their own accounts
// in their department.
// Asking for more than that is forbidden.
func ScopeCustomers(p Principal, q CustomerQuery) (CustomerQuery, error) {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return q, nil
	case p.Has(RoleSupervisor):
		if q.Department != "" && q.Department != p.Department {
			return q, Forbidden("supervisors list their own department")
		}
		if p.Department == "" {
			return q, Forbidden("your account has no department")
		}
		q.Department = p.Department
		return q, nil
	case p.Has(RoleManager):
		if q.Manager != "" && q.Manager != p.Sub {
			return q, Forbidden("managers list their own accounts")
		}
		if q.Department != "" && q.Department != p.Department {
			return q, Forbidden("managers list the accounts of their own department")
		}
		if p.Department == "" {
			return q, Forbidden("your account has no department")
		}
		q.Manager, q.Department = p.Sub, p.Department
		return q, nil
	}
	return q, Forbidden("your role has no access to customer files")
}

// NeedsContactDetails reports whether p needs contacts' phone and email for
// c: the people who call the customer — its manager and the department's
// supervisor. Executives and admins see them masked.
func NeedsContactDetails(p Principal, c *Customer) bool {
	return (p.Has(RoleManager) && c.ManagerID == p.Sub && p.Department != "" && c.Department == p.Department) ||
		(p.Has(RoleSupervisor) && p.Department != "" && c.Department == p.Department)
}

// MaskPhone keeps the first three and last two digits: 138******78.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) <= 5 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}

// MaskEmail keeps the first letter of the local part and the domain: z***@example.com.
func MaskEmail(s string) string {
	at := strings.LastIndex(s, "@")
	if at <= 0 {
		return "***"
	}
	r := []rune(s[:at])
	return string(r[:1]) + "***" + s[at:]
}

// ForViewer returns a copy of c as p may see it, contacts masked when p
// does not need them.
func (c Customer) ForViewer(p Principal) Customer {
	if NeedsContactDetails(p, &c) || len(c.Contacts) == 0 {
		return c
	}
	masked := make([]Contact, len(c.Contacts))
	for i, ct := range c.Contacts {
		if ct.Phone != "" {
			ct.Phone = MaskPhone(ct.Phone)
		}
		if ct.Email != "" {
			ct.Email = MaskEmail(ct.Email)
		}
		masked[i] = ct
	}
	c.Contacts = masked
	return c
}
