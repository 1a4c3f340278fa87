package api

import (
	"context"
	"net/http"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/settings"
)

// SettingsService is what the settings routes call.
type SettingsService interface {
	Read(ctx context.Context, p domain.Principal, audit settings.AuditLog) (domain.Settings, error)
	Update(ctx context.Context, p domain.Principal, next domain.Settings, ifMatch int) (domain.Settings, error)
}

// StaffService is what the staff directory routes call.
type StaffService interface {
	Put(ctx context.Context, p domain.Principal, m domain.StaffMember, ifMatch int) (*domain.StaffMember, bool, error)
	Read(ctx context.Context, p domain.Principal, id string) (*domain.StaffMember, error)
	ReadAll(ctx context.Context, p domain.Principal) ([]domain.StaffMember, error)
}

// AuditService shows the access record by person.
type AuditService interface {
	ByActor(ctx context.Context, p domain.Principal, actor, cursor string) (domain.Page[domain.AuditEntry], error)
}

// Admin serves the settings, the staff directory and the access record by
// person (AdminFunction).
type Admin struct {
	Settings SettingsService
	Staff    StaffService
	Audit    AuditService
	AuditLog settings.AuditLog // where reads of the settings are recorded
	Gate     httpx.Gate
}

// Router returns the routes of AdminFunction.
func (h *Admin) Router() *httpx.Router {
	rt := httpx.NewRouter("admin")
	rt.HandleFunc("GET /settings", httpx.Staff(h.Gate, h.getSettings))
	rt.HandleFunc("PUT /settings", httpx.Staff(h.Gate, h.putSettings))
	rt.HandleFunc("GET /staff", httpx.Staff(h.Gate, h.listStaff))
	rt.HandleFunc("GET /staff/{id}", httpx.Staff(h.Gate, h.getStaff))
	rt.HandleFunc("PUT /staff/{id}", httpx.Staff(h.Gate, h.putStaff))
	rt.HandleFunc("GET /audit", httpx.Staff(h.Gate, h.auditByActor))
	return rt
}

// GET /audit?actor=<id>&cursor=: what one person read or changed, newest
// first (supervisors for their department's people, executives, admins).
func (h *Admin) auditByActor(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	page, err := h.Audit.ByActor(r.Context(), p, q.Get("actor"), q.Get("cursor"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}

// GET /settings: every member of staff may read the settings (the
// targets appear on reports); the ETag is the version to send back.
func (h *Admin) getSettings(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	s, err := h.Settings.Read(r.Context(), p, h.AuditLog)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, s.Version)
	httpx.WriteJSON(w, http.StatusOK, s)
}

// PUT /settings: the whole record, If-Match required (admins only).
func (h *Admin) putSettings(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	if !domain.CanChangeSettings(p) {
		httpx.Fail(w, r, domain.Forbidden("settings are changed by admins"))
		return
	}
	version, err := httpx.IfMatch(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var in domain.Settings
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	s, err := h.Settings.Update(r.Context(), p, in, version)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, s.Version)
	httpx.WriteJSON(w, http.StatusOK, s)
}

func (h *Admin) listStaff(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	all, err := h.Staff.ReadAll(r.Context(), p)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if all == nil {
		all = []domain.StaffMember{}
	}
	httpx.WriteJSON(w, http.StatusOK, domain.Page[domain.StaffMember]{Items: all})
}

func (h *Admin) getStaff(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	m, err := h.Staff.Read(r.Context(), p, r.PathValue("id"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, m.Version)
	httpx.WriteJSON(w, http.StatusOK, m)
}

// StaffInput is the body of PUT /staff/{id}.
type StaffInput struct {
	Name       string        `json:"name"`
	Email      string        `json:"email"`
	Department string        `json:"department"`
	Roles      []domain.Role `json:"roles"`
	Language   string        `json:"language"`
	Active     *bool         `json:"active"` // default true
}

// PUT /staff/{id}: a new entry needs no If-Match; a change needs the version.
func (h *Admin) putStaff(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	if !domain.CanManageStaff(p) {
		httpx.Fail(w, r, domain.Forbidden("the staff directory is kept by admins"))
		return
	}
	version := 0
	if r.Header.Get("If-Match") != "" {
		v, err := httpx.IfMatch(r)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		version = v
	}
	var in StaffInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	active := in.Active == nil || *in.Active
	m, created, err := h.Staff.Put(r.Context(), p, domain.StaffMember{ID: r.PathValue("id"), Name: in.Name, Email: in.Email,
		Department: in.Department, Roles: in.Roles, Language: in.Language, Active: active}, version)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, m.Version)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, m)
}
