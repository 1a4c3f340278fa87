package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keycare/shared/complaint"
	"keycare/shared/domain"
	"keycare/shared/httpx"
)

// ComplaintService is what the staff complaint routes call.
type ComplaintService interface {
	Submit(ctx context.Context, in complaint.Intake) (complaint.Submitted, error)
	Get(ctx context.Context, p domain.Principal, number string) (*domain.Complaint, error)
	List(ctx context.Context, p domain.Principal, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error)
	Step(ctx context.Context, p domain.Principal, number string, a domain.Action, in domain.StepInput, ifMatch *int, base string) (*domain.Complaint, error)
	Correct(ctx context.Context, p domain.Principal, number string, in domain.Correction, ifMatch *int, base string) (*domain.Complaint, error)
	Voids(ctx context.Context, p domain.Principal, year int, cursor string) (domain.Page[domain.RegisterLine], error)
}

// Complaints serves the staff complaint routes (ComplaintsFunction): entry,
// lists, the record card with its history, and one route per workflow step.
type Complaints struct {
	Service ComplaintService
	Gate    httpx.Gate
	Now     func() time.Time
	BaseURL string
}

// Router returns the routes of ComplaintsFunction.
func (h *Complaints) Router() *httpx.Router {
	rt := httpx.NewRouter("complaints")
	rt.HandleFunc("POST /complaints", httpx.Staff(h.Gate, h.create))
	rt.HandleFunc("GET /complaints", httpx.Staff(h.Gate, h.list))
	rt.HandleFunc("GET /complaints/voids", httpx.Staff(h.Gate, h.voids))
	rt.HandleFunc("GET /complaints/{number}", httpx.Staff(h.Gate, h.get))
	for _, a := range domain.AllActions {
		rt.HandleFunc("POST /complaints/{number}/"+string(a), httpx.Staff(h.Gate, h.step(a)))
	}
	rt.HandleFunc("POST /complaints/{number}/correct", httpx.Staff(h.Gate, h.correct))
	return rt
}

// StaffComplaintInput is the body of POST /complaints (phone, letter, email, visit).
type StaffComplaintInput struct {
	CustomerID   string          `json:"customerId"`
	CustomerName string          `json:"customerName"`
	Contact      domain.Contact  `json:"contact"`
	Channel      domain.Channel  `json:"channel"`
	Category     domain.Category `json:"category"`
	Severity     domain.Severity `json:"severity"`
	Request      domain.Request  `json:"request"`
	Description  string          `json:"description"`
	Product      *domain.Product `json:"product"`    // product-quality complaints: type, batch, production and arrival dates
	ReceivedAt   *time.Time      `json:"receivedAt"` // when the call or letter came; now when absent
}

// ComplaintView is a record card as staff see it: its next deadline,
// whether any deadline is missed and which, and the steps allowed now. The
// tracking link goes to the customer alone: staff see neither it nor what
// it is made from.
type ComplaintView struct {
	*domain.Complaint
	NextDeadline *domain.PendingDeadline  `json:"nextDeadline,omitempty"`
	Overdue      bool                     `json:"overdue"`
	Late         []domain.PendingDeadline `json:"late"`
	Allowed      []domain.Action          `json:"allowedActions"`
	// These shadow the card's fields of the same names, always empty.
	TrackingNonce string `json:"trackingNonce,omitempty"`
	TrackingHash  string `json:"trackingHash,omitempty"`
}

func (h *Complaints) view(c *domain.Complaint) ComplaintView {
	v := ComplaintView{Complaint: c, Late: c.Late(h.Now()), Allowed: c.AllowedActions()}
	if v.Late == nil {
		v.Late = []domain.PendingDeadline{}
	}
	v.Overdue = len(v.Late) > 0
	if next, ok := c.NextDeadline(); ok {
		v.NextDeadline = &next
	}
	return v
}

func (h *Complaints) create(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	if !domain.CanRecordComplaint(p) {
		httpx.Fail(w, r, domain.Forbidden("supervisors, managers and admins record complaints"))
		return
	}
	var in StaffComplaintInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	key, err := httpx.IdempotencyKey(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	c := &domain.Complaint{CustomerName: strings.TrimSpace(in.CustomerName), Contact: in.Contact, Channel: in.Channel, Category: in.Category,
		Severity: in.Severity, Request: in.Request, Description: strings.TrimSpace(in.Description), Product: in.Product, Language: in.Contact.Language}
	if in.ReceivedAt != nil {
		c.ReceivedAt = in.ReceivedAt.UTC()
	}
	fp := fingerprint(p.Sub, c.CustomerName, c.Contact.Name, string(c.Category), string(c.Request), c.Description)
	res, err := h.Service.Submit(r.Context(), complaint.Intake{Complaint: c, CustomerID: in.CustomerID, By: &p, IdempotencyKey: key,
		Fingerprint: fp, BaseURL: httpx.BaseURL(r, h.BaseURL)})
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/complaints/"+res.Number)
	httpx.SetETag(w, res.Complaint.Version)
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, h.view(res.Complaint))
}

func (h *Complaints) get(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	c, err := h.Service.Get(r.Context(), p, r.PathValue("number"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, c.Version)
	httpx.WriteJSON(w, http.StatusOK, h.view(c))
}

// voids lists a year's void records (作废): ?year= (this year in the
// company's zone by default) and ?cursor=.
func (h *Complaints) voids(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	year := 0
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			httpx.Fail(w, r, &domain.ValidationError{Fields: map[string]string{"year": "a year such as 2026 年份格式如 2026"}})
			return
		}
		year = n
	}
	page, err := h.Service.Voids(r.Context(), p, year, r.URL.Query().Get("cursor"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}

func (h *Complaints) list(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v := r.URL.Query()
	q := domain.ComplaintQuery{Customer: v.Get("customer"), Department: v.Get("department"), Month: v.Get("month"),
		Status: domain.ComplaintStatus(v.Get("status")), Cursor: v.Get("cursor")}
	ve := &domain.ValidationError{}
	switch v.Get("overdue") {
	case "", "false":
	case "true":
		q.Overdue = true
	default:
		ve.Add("overdue", "must be true or false 须为 true 或 false")
	}
	if q.Status != "" && !validStatus(q.Status) {
		ve.Add("status", "unknown status 状态无效")
	}
	if q.Customer != "" && !domain.ValidID(q.Customer) {
		ve.Add("customer", "not a customer id 客户标识无效")
	}
	if q.Department != "" && !domain.ValidID(q.Department) {
		ve.Add("department", "not a department id 部门标识无效")
	}
	if q.Month != "" {
		if _, err := time.Parse("2006-01", q.Month); err != nil {
			ve.Add("month", "must be YYYY-MM 格式为 YYYY-MM")
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			ve.Add("limit", "must be 1 to 100 须为 1–100")
		}
		q.Limit = int32(n)
	}
	if err := ve.Err(); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	page, err := h.Service.List(r.Context(), p, q)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	out := domain.Page[ComplaintView]{Items: make([]ComplaintView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		out.Items = append(out.Items, h.view(&page.Items[i]))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func validStatus(s domain.ComplaintStatus) bool {
	for _, x := range domain.AllStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// ifMatch reads an optional If-Match.
func ifMatch(r *http.Request) (*int, error) {
	if r.Header.Get("If-Match") == "" {
		return nil, nil
	}
	v, err := httpx.IfMatch(r)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// POST /complaints/{number}/correct {"customerId","category","severity","reason"}.
func (h *Complaints) correct(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in domain.Correction
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	im, err := ifMatch(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	c, err := h.Service.Correct(r.Context(), p, r.PathValue("number"), in, im, httpx.BaseURL(r, h.BaseURL))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetETag(w, c.Version)
	httpx.WriteJSON(w, http.StatusOK, h.view(c))
}

// StepBody is the body of a workflow step; each step reads its own fields.
type StepBody struct {
	Reason          string             `json:"reason"`
	Department      string             `json:"department"`
	Opinion         string             `json:"opinion"`
	Cause           string             `json:"cause"`
	WhatHappened    string             `json:"whatHappened"`
	Responsible     string             `json:"responsible"`
	Conclusion      string             `json:"conclusion"`
	CompanyAtFault  bool               `json:"companyAtFault"`
	Countermeasures string             `json:"countermeasures"`
	Approve         *bool              `json:"approve"`
	Comment         string             `json:"comment"`
	Text            string             `json:"text"`
	Method          string             `json:"method"`
	Result          string             `json:"result"`
	Satisfied       bool               `json:"satisfied"`
	Settlement      *domain.Settlement `json:"settlement"` // reply: how a disputed quality case ends
}

func (b StepBody) input(a domain.Action) domain.StepInput {
	in := domain.StepInput{Reason: b.Reason, Department: b.Department, Opinion: b.Opinion, Approve: b.Approve, Comment: b.Comment}
	switch a {
	case domain.ActionInvestigation:
		in.Investigation = &domain.Investigation{Cause: b.Cause, WhatHappened: b.WhatHappened, Responsible: b.Responsible,
			Conclusion: b.Conclusion, CompanyAtFault: b.CompanyAtFault, Countermeasures: b.Countermeasures}
	case domain.ActionReply:
		in.Reply = &domain.Reply{Text: b.Text, Method: b.Method, Settlement: b.Settlement}
	case domain.ActionCallback:
		in.Callback = &domain.Callback{Method: b.Method, Result: b.Result, Satisfied: b.Satisfied}
	}
	return in
}

func (h *Complaints) step(a domain.Action) httpx.StaffHandler {
	return func(w http.ResponseWriter, r *http.Request, p domain.Principal) {
		var body StepBody
		if r.ContentLength != 0 {
			if err := httpx.DecodeJSON(w, r, &body, httpx.MaxJSONBody); err != nil {
				httpx.Fail(w, r, err)
				return
			}
		}
		im, err := ifMatch(r)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		c, err := h.Service.Step(r.Context(), p, r.PathValue("number"), a, body.input(a), im, httpx.BaseURL(r, h.BaseURL))
		if err != nil {
			httpx.Fail(w, r, fmt.Errorf("%s: %w", a, err)) // an illegal step is a 409 with the current state
			return
		}
		httpx.SetETag(w, c.Version)
		httpx.WriteJSON(w, http.StatusOK, h.view(c))
	}
}
