package console

import (
	"errors"
	"net/http"
	"strings"

	"keycare/shared/customer"
	"keycare/shared/domain"
	"keycare/shared/survey"
	"keycare/shared/visit"
)

type accountsData struct {
	Q, Tier, Manager, Department string
	Items                        []customer.View
	Next                         string // cursor of the next page
	Managers                     []domain.StaffMember
	CanFilterManager             bool
}

// accounts is the list: search by name, filters by tier, manager and
// department, the caller's files only (customer.Service.List, on the
// access record).
func (c *Console) accounts(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	v := c.view(r, s, "accounts", nil)
	v.Title = v.T("nav.accounts")
	d := &accountsData{Q: strings.TrimSpace(q.Get("q")), Tier: q.Get("tier"), Manager: q.Get("manager"), Department: q.Get("department"),
		CanFilterManager: s.P.HasAny(domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin)}
	cq := domain.CustomerQuery{Name: d.Q, Tier: domain.Tier(d.Tier), Manager: d.Manager, Department: d.Department, Cursor: q.Get("cursor"), Limit: 50}
	if cq.Tier != "" && !cq.Tier.Valid() {
		cq.Tier, d.Tier = "", ""
	}
	for _, f := range []*string{&cq.Manager, &cq.Department} {
		if *f != "" && !domain.ValidID(*f) {
			*f = ""
		}
	}
	pg, err := c.Customers.List(r.Context(), s.P, cq)
	if errors.Is(err, domain.ErrForbidden) && !s.P.HasAny(domain.RoleManager, domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin) {
		v.D = d
		v.Alert = v.T("accounts.noAccess")
		c.render(w, r, http.StatusOK, "accounts", v)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d.Items, d.Next = pg.Items, pg.NextCursor
	if d.CanFilterManager {
		d.Managers = c.managers(r, s)
	}
	v.D = d
	c.render(w, r, http.StatusOK, "accounts", v)
}

// managers are the directory's active managers a person may filter by
// (a supervisor's department's, everyone's for executives and admins).
func (c *Console) managers(r *http.Request, s *session) []domain.StaffMember {
	all, err := c.Staff.List(r.Context())
	if err != nil {
		return nil
	}
	var out []domain.StaffMember
	for _, m := range all {
		if m.Active && m.Has(domain.RoleManager) && (s.P.HasAny(domain.RoleExecutive, domain.RoleAdmin) || m.Department == s.Department) {
			out = append(out, m)
		}
	}
	return out
}

// accountData is the account file page.
type accountData struct {
	A               customer.View
	Visits          []visit.Summary
	FollowUps       []domain.FollowUp
	Complaints      []domain.Complaint
	Satisfaction    *survey.Satisfaction
	RelPlan         *domain.RelationshipPlan
	Access          []domain.AuditEntry
	CanAudit        bool
	Masked          bool
	CanNewComplaint bool
}

// account is the account file (大客户档案): read through
// customer.Service.Get, so the view is on the access record before the file
// is shown, with its visits, callbacks, complaints, satisfaction over 12
// months, the relationship plan and — for those allowed — the access record.
func (c *Console) account(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	id := r.PathValue("id")
	a, err := c.Customers.Get(ctx, s.P, id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := c.view(r, s, "accounts", nil)
	v.Title = a.Name
	d := &accountData{A: a, CanAudit: domain.CanReadAccessRecord(s.P), Masked: !domain.NeedsContactDetails(s.P, &a.Customer),
		CanNewComplaint: domain.CanRecordComplaint(s.P)}
	if pg, err := c.Visits.ListVisits(ctx, s.P, domain.VisitQuery{Customer: a.ID, Limit: 10}); err == nil {
		d.Visits = pg.Items
	} else if !errors.Is(err, domain.ErrForbidden) {
		c.fail(w, r, s, err)
		return
	}
	if fs, err := c.Visits.ListFollowUps(ctx, s.P, domain.FollowUpQuery{Manager: a.ManagerID}); err == nil {
		for _, f := range fs {
			if f.CustomerID == a.ID {
				d.FollowUps = append(d.FollowUps, f)
			}
		}
	} else if !errors.Is(err, domain.ErrForbidden) && !isValidation(err) {
		c.fail(w, r, s, err)
		return
	}
	if pg, err := c.Complaints.List(ctx, s.P, domain.ComplaintQuery{Customer: a.ID, Limit: 20}); err == nil {
		d.Complaints = pg.Items
	} else if !errors.Is(err, domain.ErrForbidden) {
		c.fail(w, r, s, err)
		return
	}
	if sat, err := c.Surveys.Satisfaction(ctx, s.P, a.ID, "", ""); err == nil {
		d.Satisfaction = &sat
	} else if !errors.Is(err, domain.ErrForbidden) {
		c.fail(w, r, s, err)
		return
	}
	if rp, err := c.Visits.GetRelationshipPlan(ctx, s.P, a.ID); err == nil {
		d.RelPlan = rp
	} else if !errors.Is(err, domain.ErrNotFound) && !errors.Is(err, domain.ErrForbidden) {
		c.fail(w, r, s, err)
		return
	}
	if d.CanAudit {
		pg, err := c.Customers.AccessRecord(ctx, s.P, a.ID, "")
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		d.Access = pg.Items[:min(len(pg.Items), 20)]
	}
	v.D = d
	c.render(w, r, http.StatusOK, "account", v)
}

func isValidation(err error) bool {
	var ve *domain.ValidationError
	return errors.As(err, &ve)
}

// Share is a year's revenue share in percent.
func (v *view) Share(r domain.Revenue) string { return v.Pct(r.Share() * 100) }
