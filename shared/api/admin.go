package api

import (
	"context"
	"net/http"

	"keycare/shared/domain"
	"keycare/shared/httpx"
)

// SettingsService is what the settings routes call.
type SettingsService interface {
	Get(ctx context.Context) (domain.Settings, error)
	Update(ctx context.Context, p domain.Principal, next domain.Settings, ifMatch int) (domain.Settings, error)
}

// StaffService is what the staff directory routes call.
type StaffService interface {
	Put(ctx context.Context, p domain.Principal, m domain.StaffMember, ifMatch int) (*domain.StaffMember, bool, error)
	Get(ctx context.Context, id string) (*domain.StaffMember, error)
	List(ctx context.Context) ([]domain.StaffMember, error)
}

// Admin serves the settings and the staff directory (AdminFunction).
type Admin struct {
	Settings SettingsService
	Staff    StaffService
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
	return rt
}

// GET /settings: every member of staff may read the settings (the
// targets appear on reports); the ETag is the version to send back.
func (h *Admin) getSettings(w http.ResponseWriter, r *http.Request, _ domain.Principal) {
	s, err := h.Settings.Get(r.Context())
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

func (h *Admin) listStaff(w http.ResponseWriter, r *http.Request, _ domain.Principal) {
	all, err := h.Staff.List(r.Context())
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if all == nil {
		all = []domain.StaffMember{}
	}
	httpx.WriteJSON(w, http.StatusOK, domain.Page[domain.StaffMember]{Items: all})
}

func (h *Admin) getStaff(w http.ResponseWriter, r *http.Request, _ domain.Principal) {
	m, err := h.Staff.Get(r.Context(), r.PathValue("id"))
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
