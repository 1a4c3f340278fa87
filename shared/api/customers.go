package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"keycare/shared/domain"
	"keycare/shared/store"
)

// CustomerStore is what the customer handlers need from storage.
type CustomerStore interface {
	CreateCustomer(ctx context.Context, c *domain.Customer, audit domain.AuditEntry) error
	GetCustomer(ctx context.Context, id string) (*domain.Customer, error)
	UpdateCustomer(ctx context.Context, c *domain.Customer, expectedVersion int, audit domain.AuditEntry) error
	ListCustomers(ctx context.Context, q store.CustomerQuery) (store.Page[domain.Customer], error)
	PutAudit(ctx context.Context, e domain.AuditEntry) error
	ListAudit(ctx context.Context, entity, id string, limit int32, cursor string) (store.Page[domain.AuditEntry], error)
}

// Customers serves the key-account file routes.
type Customers struct {
	Store    CustomerStore
	Now      func() time.Time
	Settings domain.Settings
}

// Handler returns the routes of the CustomersFunction.
func (h *Customers) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /customers", staff(h.create))
	mux.HandleFunc("GET /customers", staff(h.list))
	mux.HandleFunc("GET /customers/export", staff(h.export))
	mux.HandleFunc("GET /customers/{id}", staff(h.get))
	mux.HandleFunc("PATCH /customers/{id}", staff(h.patch))
	mux.HandleFunc("GET /customers/{id}/audit", staff(h.audit))
	mux.HandleFunc("POST /customers/{id}/revenue", staff(h.revenue))
	mux.HandleFunc("/", notFound)
	return withLogging("customers", mux)
}

// CustomerView is a customer file as one viewer may see it.
type CustomerView struct {
	domain.Customer
	ComputedTier domain.Tier       `json:"computedTier,omitempty"`
	ValueScore   domain.ValueScore `json:"valueScore"`
}

func (h *Customers) view(c *domain.Customer, p domain.Principal) CustomerView {
	return CustomerView{Customer: c.ForViewer(p), ComputedTier: c.ComputedTier(h.Settings), ValueScore: domain.Score(c.ScoreInputs, h.Settings)}
}

func (h *Customers) auditEntry(r *http.Request, p domain.Principal, id, action string) domain.AuditEntry {
	return domain.AuditEntry{Entity: "customer", EntityID: id, Action: action, Actor: p.Sub, Role: p.Primary(),
		At: h.Now().UTC(), RequestID: requestID(r)}
}

func setETag(w http.ResponseWriter, version int) {
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(version)))
}

// CustomerInput is the body of POST /customers.
type CustomerInput struct {
	Name          string               `json:"name"`
	Industry      string               `json:"industry"`
	Region        string               `json:"region"`
	Address       string               `json:"address"`
	ServiceLevel  string               `json:"serviceLevel"`
	ManagerID     string               `json:"managerId"`
	Department    string               `json:"department"`
	Contacts      []domain.Contact     `json:"contacts"`
	Contract      *domain.Contract     `json:"contract"`
	Anniversaries []domain.Anniversary `json:"anniversaries"`
	Notes         string               `json:"notes"`
	Status        domain.Status        `json:"status"`
	Tier          domain.Tier          `json:"tier"`
	TierOverride  *OverrideInput       `json:"tierOverride"`
	ScoreInputs   domain.ScoreInputs   `json:"scoreInputs"`
}

// OverrideInput sets a manual tier with its reason.
type OverrideInput struct {
	Tier   domain.Tier `json:"tier"`
	Reason string      `json:"reason"`
}

func (h *Customers) create(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in CustomerInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		fail(w, r, err)
		return
	}
	now := h.Now().UTC()
	c := &domain.Customer{
		ID: store.NewID("c"), Name: strings.TrimSpace(in.Name), Industry: in.Industry, Region: in.Region,
		Address: in.Address, ServiceLevel: in.ServiceLevel, ManagerID: in.ManagerID, Department: in.Department,
		Contacts: in.Contacts, Contract: in.Contract, Anniversaries: in.Anniversaries, Notes: in.Notes,
		Status: in.Status, Tier: in.Tier, ScoreInputs: in.ScoreInputs,
		CreatedBy: p.Sub, CreatedAt: now, UpdatedBy: p.Sub, UpdatedAt: now, Version: 1,
	}
	if c.ManagerID == "" && p.Has(domain.RoleManager) {
		c.ManagerID = p.Sub
	}
	if c.Department == "" {
		c.Department = p.Department
	}
	if c.Status == "" {
		c.Status = domain.StatusActive
	}
	if c.Tier == "" {
		c.Tier = domain.TierOrdinary
	}
	if in.TierOverride != nil {
		c.TierOverride = &domain.TierOverride{Tier: in.TierOverride.Tier, Reason: in.TierOverride.Reason, By: p.Sub, At: now}
	}
	c.ApplyTier(h.Settings)
	if err := c.Validate(); err != nil {
		fail(w, r, err)
		return
	}
	if !domain.CanCreateCustomer(p, c) {
		fail(w, r, domain.Forbidden("you can open files only for your own accounts or department"))
		return
	}
	audit := h.auditEntry(r, p, c.ID, domain.ActionCreate)
	if c.TierOverride != nil {
		audit.Reason = c.TierOverride.Reason
	}
	if err := h.Store.CreateCustomer(r.Context(), c, audit); err != nil {
		fail(w, r, err)
		return
	}
	setETag(w, c.Version)
	w.Header().Set("Location", "/customers/"+c.ID)
	writeJSON(w, http.StatusCreated, h.view(c, p))
}

// load reads the customer of the path and checks that p may see it.
func (h *Customers) load(r *http.Request, p domain.Principal) (*domain.Customer, error) {
	return visibleCustomer(r.Context(), h.Store, p, r.PathValue("id"))
}

// visibleCustomer reads a customer file that p may see (domain.CanSeeCustomer).
func visibleCustomer(ctx context.Context, st CustomerReader, p domain.Principal, id string) (*domain.Customer, error) {
	if !domain.ValidID(id) {
		return nil, fmt.Errorf("customer id %q: %w", id, domain.ErrNotFound)
	}
	c, err := st.GetCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeCustomer(p, c) {
		return nil, domain.Forbidden("this file belongs to another manager or department")
	}
	return c, nil
}

func (h *Customers) get(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	c, err := h.load(r, p)
	if err != nil {
		fail(w, r, err)
		return
	}
	// 查阅登记: the read is on record before the file is shown.
	if err := h.Store.PutAudit(r.Context(), h.auditEntry(r, p, c.ID, domain.ActionRead)); err != nil {
		fail(w, r, err)
		return
	}
	setETag(w, c.Version)
	writeJSON(w, http.StatusOK, h.view(c, p))
}

// CustomerPatch is the body of PATCH /customers/{id}: only the fields
// present change. "tierOverride": null removes an override.
type CustomerPatch struct {
	Name          *string               `json:"name"`
	Industry      *string               `json:"industry"`
	Region        *string               `json:"region"`
	Address       *string               `json:"address"`
	ServiceLevel  *string               `json:"serviceLevel"`
	ManagerID     *string               `json:"managerId"`
	Department    *string               `json:"department"`
	Contacts      *[]domain.Contact     `json:"contacts"`
	Contract      *domain.Contract      `json:"contract"`
	Anniversaries *[]domain.Anniversary `json:"anniversaries"`
	Notes         *string               `json:"notes"`
	Status        *domain.Status        `json:"status"`
	Tier          *domain.Tier          `json:"tier"`
	TierOverride  json.RawMessage       `json:"tierOverride"`
	ScoreInputs   *domain.ScoreInputs   `json:"scoreInputs"`
}

func parseIfMatch(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" {
		return 0, &decodeError{http.StatusPreconditionRequired, "if_match_required",
			"Send If-Match with the version you edited (the ETag of GET). 请在 If-Match 中提供所编辑的版本号。"}
	}
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badRequest("bad_if_match", "If-Match must hold a version number such as \"3\". If-Match 须为版本号。")
	}
	return n, nil
}

func (h *Customers) patch(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	version, err := parseIfMatch(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	var in CustomerPatch
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		fail(w, r, err)
		return
	}
	c, err := h.load(r, p)
	if err != nil {
		fail(w, r, err)
		return
	}
	if c.Version != version {
		fail(w, r, fmt.Errorf("customer %s is at version %d, not %d: %w", c.ID, c.Version, version, domain.ErrConflict))
		return
	}
	now := h.Now().UTC()
	changes, reason, err := applyPatch(c, in, p, now)
	if err != nil {
		fail(w, r, err)
		return
	}
	if len(changes) == 0 {
		setETag(w, c.Version)
		writeJSON(w, http.StatusOK, h.view(c, p))
		return
	}
	c.ApplyTier(h.Settings)
	if err := c.Validate(); err != nil {
		fail(w, r, err)
		return
	}
	if !domain.CanSeeCustomer(p, c) {
		fail(w, r, domain.Forbidden("the change would move the file out of your reach; ask a supervisor (交接)"))
		return
	}
	c.UpdatedBy, c.UpdatedAt, c.Version = p.Sub, now, version+1
	audit := h.auditEntry(r, p, c.ID, domain.ActionUpdate)
	audit.Changes, audit.Reason = changes, reason
	if reason != "" {
		audit.Action = domain.ActionTierOverride
	}
	if err := h.Store.UpdateCustomer(r.Context(), c, version, audit); err != nil {
		fail(w, r, err)
		return
	}
	setETag(w, c.Version)
	writeJSON(w, http.StatusOK, h.view(c, p))
}

// applyPatch changes c and returns the names of the fields changed and, for
// a tier override, its reason.
func applyPatch(c *domain.Customer, in CustomerPatch, p domain.Principal, now time.Time) ([]string, string, error) {
	var changes []string
	setStr := func(name string, dst *string, v *string) {
		if v != nil && *dst != *v {
			*dst = *v
			changes = append(changes, name)
		}
	}
	setStr("name", &c.Name, in.Name)
	setStr("industry", &c.Industry, in.Industry)
	setStr("region", &c.Region, in.Region)
	setStr("address", &c.Address, in.Address)
	setStr("serviceLevel", &c.ServiceLevel, in.ServiceLevel)
	setStr("notes", &c.Notes, in.Notes)
	if (in.ManagerID != nil && *in.ManagerID != c.ManagerID) || (in.Department != nil && *in.Department != c.Department) {
		if !p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor) {
			return nil, "", domain.Forbidden("only a supervisor, executive or admin reassigns an account")
		}
	}
	setStr("managerId", &c.ManagerID, in.ManagerID)
	setStr("department", &c.Department, in.Department)
	if in.Contacts != nil {
		c.Contacts = *in.Contacts
		changes = append(changes, "contacts")
	}
	if in.Contract != nil {
		c.Contract = in.Contract
		changes = append(changes, "contract")
	}
	if in.Anniversaries != nil {
		c.Anniversaries = *in.Anniversaries
		changes = append(changes, "anniversaries")
	}
	if in.Status != nil && *in.Status != c.Status {
		c.Status = *in.Status
		changes = append(changes, "status")
	}
	if in.Tier != nil && *in.Tier != c.Tier {
		if len(c.Revenue) > 0 || c.TierOverride != nil {
			return nil, "", badRequest("tier_computed", "The tier is computed from revenue; set tierOverride with a reason instead. 分级由收入计算，如需调整请设置 tierOverride 并说明理由。")
		}
		c.Tier = *in.Tier
		changes = append(changes, "tier")
	}
	if in.ScoreInputs != nil {
		c.ScoreInputs = *in.ScoreInputs
		changes = append(changes, "scoreInputs")
	}
	var reason string
	if len(in.TierOverride) > 0 {
		if string(in.TierOverride) == "null" {
			if c.TierOverride != nil {
				c.TierOverride = nil
				changes = append(changes, "tierOverride")
				reason = "override removed"
			}
		} else {
			var o OverrideInput
			dec := json.NewDecoder(strings.NewReader(string(in.TierOverride)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&o); err != nil {
				return nil, "", badRequest("bad_json", "tierOverride must be {\"tier\",\"reason\"} or null. tierOverride 格式错误。")
			}
			if !utf8.ValidString(o.Reason) || strings.TrimSpace(o.Reason) == "" {
				return nil, "", &domain.ValidationError{Fields: map[string]string{"tierOverride.reason": "a reason is required 必须说明理由"}}
			}
			c.TierOverride = &domain.TierOverride{Tier: o.Tier, Reason: o.Reason, By: p.Sub, At: now}
			changes = append(changes, "tierOverride")
			reason = o.Reason
		}
	}
	return changes, reason, nil
}

// RevenueInput is one year's revenue figures.
type RevenueInput struct {
	Year           int   `json:"year"`
	Amount         int64 `json:"amount"`
	CompanyRevenue int64 `json:"companyRevenue"`
}

func (h *Customers) revenue(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in RevenueInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		fail(w, r, err)
		return
	}
	rev := domain.Revenue(in)
	if err := rev.Validate(); err != nil {
		fail(w, r, err)
		return
	}
	// Figures are added, not edited against a version the user saw, so a
	// concurrent change is retried on the fresh file.
	for attempt := 0; ; attempt++ {
		c, err := h.load(r, p)
		if err != nil {
			fail(w, r, err)
			return
		}
		before := c.Tier
		version := c.Version
		c.SetRevenue(rev, h.Settings)
		now := h.Now().UTC()
		c.UpdatedBy, c.UpdatedAt, c.Version = p.Sub, now, version+1
		audit := h.auditEntry(r, p, c.ID, domain.ActionRevenue)
		audit.Changes = []string{"revenue." + strconv.Itoa(rev.Year)}
		if c.Tier != before {
			audit.Changes = append(audit.Changes, "tier")
		}
		err = h.Store.UpdateCustomer(r.Context(), c, version, audit)
		if errors.Is(err, domain.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			fail(w, r, err)
			return
		}
		setETag(w, c.Version)
		writeJSON(w, http.StatusOK, h.view(c, p))
		return
	}
}

// scope turns the caller's role and the query into the listing they may see.
func scope(p domain.Principal, q store.CustomerQuery) (store.CustomerQuery, error) {
	switch {
	case p.HasAny(domain.RoleAdmin, domain.RoleExecutive):
		return q, nil
	case p.Has(domain.RoleSupervisor):
		if q.Department != "" && q.Department != p.Department {
			return q, domain.Forbidden("supervisors list their own department")
		}
		if p.Department == "" {
			return q, domain.Forbidden("your account has no department")
		}
		q.Department = p.Department
		return q, nil
	case p.Has(domain.RoleManager):
		if q.Manager != "" && q.Manager != p.Sub {
			return q, domain.Forbidden("managers list their own accounts")
		}
		q.Manager = p.Sub
		return q, nil
	}
	return q, domain.Forbidden("your role has no access to customer files")
}

func listQuery(r *http.Request) (store.CustomerQuery, error) {
	v := r.URL.Query()
	q := store.CustomerQuery{Manager: v.Get("manager"), Tier: domain.Tier(v.Get("tier")), Department: v.Get("department"), Cursor: v.Get("cursor")}
	if q.Tier != "" && !q.Tier.Valid() {
		return q, &domain.ValidationError{Fields: map[string]string{"tier": "must be strategic, key or ordinary 分级无效"}}
	}
	if q.Manager != "" && !domain.ValidID(q.Manager) {
		return q, &domain.ValidationError{Fields: map[string]string{"manager": "not a user id 用户标识无效"}}
	}
	if q.Department != "" && !domain.ValidID(q.Department) {
		return q, &domain.ValidationError{Fields: map[string]string{"department": "not a department id 部门标识无效"}}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return q, &domain.ValidationError{Fields: map[string]string{"limit": "must be 1 to 100 须为 1–100"}}
		}
		q.Limit = int32(n)
	}
	return q, nil
}

func (h *Customers) list(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q, err := listQuery(r)
	if err == nil {
		q, err = scope(p, q)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	page, err := h.Store.ListCustomers(r.Context(), q)
	if err != nil {
		fail(w, r, err)
		return
	}
	// A listing shows files too: it is on record, with what was asked and how many were shown.
	audit := h.auditEntry(r, p, p.Sub, domain.ActionList)
	audit.Entity = "customer-list"
	audit.Changes = []string{fmt.Sprintf("manager=%s tier=%s department=%s rows=%d", q.Manager, q.Tier, q.Department, len(page.Items))}
	if err := h.Store.PutAudit(r.Context(), audit); err != nil {
		fail(w, r, err)
		return
	}
	out := store.Page[CustomerView]{Items: make([]CustomerView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		out.Items = append(out.Items, h.view(&page.Items[i], p))
	}
	writeJSON(w, http.StatusOK, out)
}

// MaxExportRows bounds one export.
const MaxExportRows = 10000

func (h *Customers) export(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if reason == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > 500 {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"reason": "an export needs a reason (≤ 500 characters) 导出须说明理由"}})
		return
	}
	q, err := listQuery(r)
	if err == nil {
		q, err = scope(p, q)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	q.Limit = 100
	var rows []domain.Customer
	for {
		page, err := h.Store.ListCustomers(r.Context(), q)
		if err != nil {
			fail(w, r, err)
			return
		}
		rows = append(rows, page.Items...)
		if page.NextCursor == "" || len(rows) >= MaxExportRows {
			break
		}
		q.Cursor = page.NextCursor
	}
	audit := h.auditEntry(r, p, p.Sub, domain.ActionExport)
	audit.Entity, audit.Reason = "customer-export", reason
	audit.Changes = []string{fmt.Sprintf("rows=%d", len(rows))}
	if err := h.Store.PutAudit(r.Context(), audit); err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name", "tier", "tierSource", "managerId", "department", "region", "industry", "status", "renewal", "contractEnd", "valueScore"})
	for _, c := range rows {
		renewal, end := "", ""
		if c.Contract != nil {
			renewal, end = string(c.Contract.Renewal), c.Contract.End
		}
		_ = cw.Write([]string{c.ID, csvSafe(c.Name), string(c.Tier), string(c.TierSource), c.ManagerID, c.Department,
			csvSafe(c.Region), csvSafe(c.Industry), string(c.Status), renewal, end,
			strconv.FormatFloat(domain.Score(c.ScoreInputs, h.Settings).Total, 'f', 1, 64)})
	}
	cw.Flush()
}

// csvSafe stops spreadsheet formula injection.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (h *Customers) audit(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	if !p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor) {
		fail(w, r, domain.Forbidden("the access record is for supervisors, executives and admins"))
		return
	}
	c, err := h.load(r, p)
	if err != nil {
		fail(w, r, err)
		return
	}
	page, err := h.Store.ListAudit(r.Context(), "customer", c.ID, 100, r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}
