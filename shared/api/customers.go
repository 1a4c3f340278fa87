package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"keycare/shared/customer"
	"keycare/shared/domain"
	"keycare/shared/httpx"
)

// CustomerService is what the key-account routes call.
type CustomerService interface {
	Create(ctx context.Context, p domain.Principal, d domain.CustomerDraft, idemKey string) (customer.View, bool, error)
	Get(ctx context.Context, p domain.Principal, id string) (customer.View, error)
	Update(ctx context.Context, p domain.Principal, id string, ifMatch int, patch domain.CustomerPatch) (customer.View, error)
	AddRevenue(ctx context.Context, p domain.Principal, id string, rev domain.Revenue) (customer.View, error)
	List(ctx context.Context, p domain.Principal, q domain.CustomerQuery) (domain.Page[customer.View], error)
	Export(ctx context.Context, p domain.Principal, q domain.CustomerQuery, reason string) ([]customer.View, error)
	AccessRecord(ctx context.Context, p domain.Principal, id, cursor string) (domain.Page[domain.AuditEntry], error)
}

// Customers serves the key-account file routes (CustomersFunction).
type Customers struct {
	Service CustomerService
	Gate    httpx.Gate
}

// Router returns the routes of CustomersFunction.
func (h *Customers) Router() *httpx.Router {
	rt := httpx.NewRouter("customers")
	rt.HandleFunc("POST /customers", httpx.Staff(h.Gate, h.create))
	rt.HandleFunc("GET /customers", httpx.Staff(h.Gate, h.list))
	rt.HandleFunc("GET /customers/export", httpx.Staff(h.Gate, h.export))
	rt.HandleFunc("GET /customers/{id}", httpx.Staff(h.Gate, h.get))
	rt.HandleFunc("PATCH /customers/{id}", httpx.Staff(h.Gate, h.patch))
	rt.HandleFunc("GET /customers/{id}/audit", httpx.Staff(h.Gate, h.audit))
	rt.HandleFunc("POST /customers/{id}/revenue", httpx.Staff(h.Gate, h.revenue))
	return rt
}

// CustomerView is a customer file as one viewer may see it.
type CustomerView = customer.View

func (h *Customers) create(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	key, err := httpx.IdempotencyKey(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var in domain.CustomerDraft
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	v, replayed, err := h.Service.Create(r.Context(), p, in, key)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, v.Version)
	w.Header().Set("Location", "/customers/"+v.ID)
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, v)
}

func (h *Customers) get(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v, err := h.Service.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, v.Version)
	httpx.WriteJSON(w, http.StatusOK, v)
}

// customerPatch is the body of PATCH /customers/{id}: only the fields
// present change; "tierOverride": null removes an override.
type customerPatch struct {
	domain.CustomerPatch
	TierOverride json.RawMessage `json:"tierOverride"`
}

func (h *Customers) patch(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	version, err := httpx.IfMatch(r)
	if err == nil && version < 1 {
		err = httpx.BadRequest("bad_if_match", "If-Match must hold a version number such as \"3\". If-Match 须为版本号。")
	}
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var in customerPatch
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	patch := in.CustomerPatch
	if len(in.TierOverride) > 0 {
		if string(in.TierOverride) == "null" {
			patch.TierOverride = &domain.OverridePatch{Remove: true}
		} else {
			var o domain.OverrideInput
			if err := httpx.DecodeJSONBody(strings.NewReader(string(in.TierOverride)), &o); err != nil {
				httpx.Fail(w, r, httpx.BadRequest("bad_json", "tierOverride must be {\"tier\",\"reason\"} or null. tierOverride 格式错误。"))
				return
			}
			patch.TierOverride = &domain.OverridePatch{OverrideInput: o}
		}
	}
	v, err := h.Service.Update(r.Context(), p, r.PathValue("id"), version, patch)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, v.Version)
	httpx.WriteJSON(w, http.StatusOK, v)
}

func (h *Customers) revenue(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in domain.Revenue
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	v, err := h.Service.AddRevenue(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, v.Version)
	httpx.WriteJSON(w, http.StatusOK, v)
}

func listQuery(r *http.Request) (domain.CustomerQuery, error) {
	v := r.URL.Query()
	q := domain.CustomerQuery{Manager: v.Get("manager"), Tier: domain.Tier(v.Get("tier")), Department: v.Get("department"), Cursor: v.Get("cursor")}
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
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	page, err := h.Service.List(r.Context(), p, q)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}

func (h *Customers) export(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q, err := listQuery(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	l := r.URL.Query().Get("lang")
	switch l {
	case "":
		l = "zh"
	case "zh", "en":
	default:
		httpx.Fail(w, r, &domain.ValidationError{Fields: map[string]string{"lang": "must be zh or en 语言须为 zh 或 en"}})
		return
	}
	rows, err := h.Service.Export(r.Context(), p, q, r.URL.Query().Get("reason"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="customers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	// The UTF-8 byte order mark: without it Excel on Chinese Windows reads
	// the file as GBK and garbles every Chinese name.
	_, _ = w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	_ = cw.Write(exportHeaders[l])
	label := func(table map[string][2]string, code string) string {
		if t, ok := table[code]; ok {
			return t[map[string]int{"zh": 0, "en": 1}[l]]
		}
		return code
	}
	for _, c := range rows {
		renewal, end := "", ""
		if c.Contract != nil {
			renewal, end = label(renewalLabels, string(c.Contract.Renewal)), c.Contract.End
		}
		row := []string{c.ID, c.Name, c.Tier.Label(l), label(tierSourceLabels, string(c.TierSource)), c.ManagerID, c.Department,
			c.Region, c.Industry, label(statusLabels, string(c.Status)), renewal, end, strconv.FormatFloat(c.ValueScore.Total, 'f', 1, 64)}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

// exportHeaders are the export's column headers per language (?lang=, zh by default).
var exportHeaders = map[string][]string{
	"zh": {"客户编号", "客户名称", "客户分级", "分级依据", "客户经理", "所属部门", "地区", "行业", "客户状态", "续约状态", "合同到期日", "客户价值评分"},
	"en": {"ID", "Name", "Tier", "Tier source", "Account manager", "Department", "Region", "Industry", "Status", "Renewal", "Contract end", "Value score"},
}

var (
	tierSourceLabels = map[string][2]string{string(domain.TierFromInput): {"录入", "Entered"}, string(domain.TierFromRevenue): {"按收入计算", "From revenue"},
		string(domain.TierFromOverride): {"人工调整", "Manual override"}}
	statusLabels = map[string][2]string{string(domain.StatusActive): {"活跃", "Active"}, string(domain.StatusDormant): {"休眠", "Dormant"},
		string(domain.StatusLost): {"流失", "Lost"}}
	renewalLabels = map[string][2]string{string(domain.RenewalPending): {"待续约", "Pending"}, string(domain.RenewalRenewed): {"已续约", "Renewed"},
		string(domain.RenewalLost): {"未续约", "Lost"}}
)

// csvSafe stops spreadsheet formula injection in every column: a cell that
// starts with a formula character, or with white space a spreadsheet skips
// before one, is quoted with a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n \u3000", []rune(s)[0]) {
		return "'" + s
	}
	return s
}

func (h *Customers) audit(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	page, err := h.Service.AccessRecord(r.Context(), p, r.PathValue("id"), r.URL.Query().Get("cursor"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}
