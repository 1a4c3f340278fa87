package api

import (
	"context"
	"net/http"
	"strings"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/report"
	"keycare/shared/staff"
)

// ReportService is what the report routes call.
type ReportService interface {
	Monthly(ctx context.Context, p domain.Principal, month, scope, format string) (report.View, error)
	Verify(ctx context.Context, p domain.Principal, month, scope string) (domain.Verification, error)
	Kept(ctx context.Context, p domain.Principal, scope, before string) ([]domain.KeptReport, error)
	ComplaintTable(ctx context.Context, p domain.Principal, month, format string) (report.TableView, error)
	AddContract(ctx context.Context, p domain.Principal, id string, in domain.ContractInput) (*domain.ContractRecord, error)
	SetVolume(ctx context.Context, p domain.Principal, id, month string, in domain.VolumeInput) (*domain.Volume, error)
}

// Names shows staff ids as names on pages and files.
type Names interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// Reports serves the monthly report, the complaint statistics table and
// the account figures reports count (ReportsFunction).
type Reports struct {
	Service ReportService
	Gate    httpx.Gate
	Names   Names
}

// Router returns the routes of ReportsFunction.
func (h *Reports) Router() *httpx.Router {
	rt := httpx.NewRouter("reports")
	rt.HandleFunc("GET /reports/monthly/{month}", httpx.Staff(h.Gate, h.monthly))
	rt.HandleFunc("GET /reports/monthly/{month}/verify", httpx.Staff(h.Gate, h.verify))
	rt.HandleFunc("GET /reports/snapshots", httpx.Staff(h.Gate, h.snapshots))
	rt.HandleFunc("GET /reports/complaints/{month}", httpx.Staff(h.Gate, h.complaints))
	rt.HandleFunc("POST /customers/{id}/contracts", httpx.Staff(h.Gate, h.contract))
	rt.HandleFunc("PUT /customers/{id}/volume/{month}", httpx.Staff(h.Gate, h.volume))
	return rt
}

// format is what the caller asked for: ?format=json|html|csv|xlsx, else
// HTML for a browser (Accept: text/html), else JSON.
func format(r *http.Request, allowed ...string) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			f = "html"
		} else {
			f = "json"
		}
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", &domain.ValidationError{Fields: map[string]string{"format": "must be " + strings.Join(allowed, ", ") + " 格式无效"}}
}

// language of pages and files: ?lang=, else the browser's, else Chinese.
func language(r *http.Request) string {
	switch l := r.URL.Query().Get("lang"); {
	case l == "en" || l == "zh":
		return l
	case strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en"):
		return "en"
	}
	return "zh"
}

func (h *Reports) names(r *http.Request) func(string) string {
	d, err := h.Names.Directory(r.Context())
	if err != nil {
		return func(id string) string { return id }
	}
	return d.Name
}

func download(w http.ResponseWriter, contentType, name string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// GET /reports/monthly/{month}?scope=&format=&lang=: a month that has ended
// is its snapshot (ETag: its hash); the month in progress its figures so far.
func (h *Reports) monthly(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	f, err := format(r, "json", "html", "csv", "xlsx")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	how := map[string]string{"json": report.ReadJSON, "html": report.ReadHTML, "csv": report.ReadCSV, "xlsx": report.ReadXLSX}[f]
	v, err := h.Service.Monthly(r.Context(), p, r.PathValue("month"), r.URL.Query().Get("scope"), how)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+v.Hash+`"`)
	lang := language(r)
	name := "keycare-" + v.Month + "-" + strings.ReplaceAll(v.Scope, ":", "-")
	switch f {
	case "html":
		page, err := report.Page(v.Snapshot, lang, h.names(r))
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		_, _ = w.Write(page)
	case "csv":
		download(w, "text/csv; charset=utf-8", name+".csv", report.CSV(v.Report, lang, h.names(r)))
	case "xlsx":
		b, err := report.ReportXLSX(v.Report, lang, h.names(r))
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		download(w, xlsxType, name+".xlsx", b)
	default:
		httpx.WriteJSON(w, http.StatusOK, v)
	}
}

// GET /reports/monthly/{month}/verify?scope=: recount and compare.
func (h *Reports) verify(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v, err := h.Service.Verify(r.Context(), p, r.PathValue("month"), r.URL.Query().Get("scope"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// keptPage is a page of kept months: Before, when there may be older ones,
// is the ?before= of the next page.
type keptPage struct {
	Items  []domain.KeptReport `json:"items"`
	Before string              `json:"before,omitempty"`
}

// GET /reports/snapshots?scope=&before=YYYY-MM: the months kept for a
// scope, newest first, each with its hash and when it was made.
func (h *Reports) snapshots(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	kept, err := h.Service.Kept(r.Context(), p, r.URL.Query().Get("scope"), r.URL.Query().Get("before"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	out := keptPage{Items: kept}
	if len(kept) == report.KeptLimit {
		out.Before = kept[len(kept)-1].Month
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// GET /reports/complaints/{month}?format=json|csv|xlsx: the complaint
// statistics table (投诉统计表).
func (h *Reports) complaints(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	f := r.URL.Query().Get("format")
	if f == "" {
		f = "json"
	}
	if f != "json" && f != "csv" && f != "xlsx" {
		httpx.Fail(w, r, &domain.ValidationError{Fields: map[string]string{"format": "must be json, csv or xlsx 格式无效"}})
		return
	}
	how := map[string]string{"json": report.ReadJSON, "csv": report.ReadCSV, "xlsx": report.ReadXLSX}[f]
	v, err := h.Service.ComplaintTable(r.Context(), p, r.PathValue("month"), how)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if v.Hash != "" {
		w.Header().Set("ETag", `"`+v.Hash+`"`)
	}
	lang := language(r)
	switch f {
	case "csv":
		download(w, "text/csv; charset=utf-8", "complaints-"+v.Month+".csv", report.TableCSV(v.ComplaintTable, lang))
	case "xlsx":
		b, err := report.TableXLSX(v.ComplaintTable, lang)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		download(w, xlsxType, "complaints-"+v.Month+".xlsx", b)
	default:
		httpx.WriteJSON(w, http.StatusOK, v)
	}
}

// POST /customers/{id}/contracts {"start","end","value","renews"?}.
func (h *Reports) contract(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in domain.ContractInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	k, err := h.Service.AddContract(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, k)
}

// PUT /customers/{id}/volume/{month} {"amount"}.
func (h *Reports) volume(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in domain.VolumeInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	v, err := h.Service.SetVolume(r.Context(), p, r.PathValue("id"), r.PathValue("month"), in)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}
