package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/store"
	"keycare/shared/survey"
)

// CustomerReader finds the account a staff-entered complaint is linked to.
type CustomerReader interface {
	GetCustomer(ctx context.Context, id string) (*domain.Customer, error)
}

// Complaints serves the staff complaint routes: entry, lists, the record
// card with its history, and one endpoint per workflow step.
type Complaints struct {
	Store     ComplaintStore
	Customers CustomerReader
	Mail      mail.Outbox
	Surveys   Inviter // a survey after closure; nil sends none
	Now       func() time.Time
	SLA       domain.SLA
	BaseURL   string
}

// Handler returns the routes of the ComplaintsFunction.
func (h *Complaints) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /complaints", staff(h.create))
	mux.HandleFunc("GET /complaints", staff(h.list))
	mux.HandleFunc("GET /complaints/{number}", staff(h.get))
	for _, a := range domain.AllActions {
		mux.HandleFunc("POST /complaints/{number}/"+string(a), staff(h.step(a)))
	}
	mux.HandleFunc("/", notFound)
	return withLogging("complaints", mux)
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
	ReceivedAt   *time.Time      `json:"receivedAt"` // when the call or letter came; now when absent
}

func (h *Complaints) create(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	if !p.HasAny(domain.RoleSupervisor, domain.RoleManager, domain.RoleAdmin) {
		fail(w, r, domain.Forbidden("supervisors, managers and admins record complaints"))
		return
	}
	var in StaffComplaintInput
	if err := decodeJSON(w, r, &in, MaxJSONBody); err != nil {
		fail(w, r, err)
		return
	}
	now := h.Now().UTC()
	received := now
	if in.ReceivedAt != nil {
		received = in.ReceivedAt.UTC()
		if received.After(now) || now.Sub(received) > 30*24*time.Hour {
			fail(w, r, &domain.ValidationError{Fields: map[string]string{"receivedAt": "must be within the last 30 days 须为近 30 天内的时间"}})
			return
		}
	}
	if in.Severity == "" {
		in.Severity = domain.SeverityNormal
	}
	l := in.Contact.Language
	if l == "" {
		l = "zh"
	}
	c := &domain.Complaint{CustomerName: strings.TrimSpace(in.CustomerName), Contact: in.Contact, Channel: in.Channel, Category: in.Category,
		Severity: in.Severity, Request: in.Request, Description: strings.TrimSpace(in.Description), ReceivedAt: received, ReceivedBy: p.Sub, Language: l}
	c.Contact.Language = l
	if in.CustomerID == "" && !p.HasAny(domain.RoleSupervisor, domain.RoleAdmin) {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"customerId": "managers record complaints of their own accounts: give customerId 客户经理请指定客户"}})
		return
	}
	if in.CustomerID != "" {
		if !domain.ValidID(in.CustomerID) {
			fail(w, r, &domain.ValidationError{Fields: map[string]string{"customerId": "not a customer id 客户标识无效"}})
			return
		}
		cu, err := h.Customers.GetCustomer(r.Context(), in.CustomerID)
		if errors.Is(err, domain.ErrNotFound) {
			fail(w, r, &domain.ValidationError{Fields: map[string]string{"customerId": "no such customer 客户不存在"}})
			return
		}
		if err != nil {
			fail(w, r, err)
			return
		}
		if p.Has(domain.RoleManager) && !p.HasAny(domain.RoleSupervisor, domain.RoleAdmin) && cu.ManagerID != p.Sub {
			fail(w, r, domain.Forbidden("managers record complaints of their own accounts"))
			return
		}
		c.CustomerID, c.ManagerID, c.AccountDept, c.AccountTier = cu.ID, cu.ManagerID, cu.Department, cu.Tier
		if c.CustomerName == "" {
			c.CustomerName = cu.Name
		}
	}
	if c.Channel == domain.ChannelWeb {
		fail(w, r, &domain.ValidationError{Fields: map[string]string{"channel": "web complaints come through the public form 网页投诉请通过公开表单提交"}})
		return
	}
	if err := c.ValidateNew(); err != nil {
		fail(w, r, err)
		return
	}
	token := newToken()
	c.TrackingToken = token
	c.Open(h.SLA, p.Sub, p.Primary())
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key != "" && !domain.ValidID(key) {
		fail(w, r, badRequest("bad_idempotency_key", "Idempotency-Key must be 1–128 letters, digits or -_. characters. 幂等键格式无效。"))
		return
	}
	fp := hashToken(fmt.Sprintf("%s|%s|%s|%s|%s|%s", p.Sub, c.CustomerName, c.Contact.Name, c.Category, c.Request, c.Description))
	res, err := h.Store.SubmitComplaint(r.Context(), store.Submission{Complaint: c, IdempotencyKey: staffKey(p, key), Fingerprint: fp, Token: token})
	if err != nil {
		fail(w, r, err)
		return
	}
	link := trackingURL(baseURL(r, h.BaseURL), res.Number, res.Token, l)
	if !res.Replayed {
		if err := sendCustomerMail(r.Context(), h.Mail, "complaint-received", c, link); err != nil {
			slog.ErrorContext(r.Context(), "mail not sent", "number", c.Number, "err", err.Error())
		}
	}
	stored, err := h.Store.GetComplaint(r.Context(), res.Number)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/complaints/"+res.Number)
	setETag(w, stored.Version)
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	v := h.view(stored)
	v.TrackingURL = link
	writeJSON(w, status, v)
}

func staffKey(p domain.Principal, key string) string {
	if key == "" {
		return ""
	}
	return "staff." + p.Sub + "." + key
}

type complaintView struct {
	*domain.Complaint
	TrackingURL string          `json:"trackingUrl,omitempty"`
	Overdue     bool            `json:"overdue"`
	Allowed     []domain.Action `json:"allowedActions"`
}

func (h *Complaints) view(c *domain.Complaint) complaintView {
	v := complaintView{Complaint: c, Overdue: c.Overdue(h.Now()), Allowed: []domain.Action{}}
	for _, a := range domain.AllActions {
		if c.Allowed(a) {
			v.Allowed = append(v.Allowed, a)
		}
	}
	return v
}

func (h *Complaints) load(r *http.Request, p domain.Principal) (*domain.Complaint, error) {
	n := r.PathValue("number")
	if !domain.ValidNumber(n) {
		return nil, fmt.Errorf("complaint %q: %w", n, domain.ErrNotFound)
	}
	c, err := h.Store.GetComplaint(r.Context(), n)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeComplaint(p, c) {
		return nil, domain.Forbidden("this complaint is not one of yours")
	}
	return c, nil
}

func (h *Complaints) get(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	c, err := h.load(r, p)
	if err != nil {
		fail(w, r, err)
		return
	}
	setETag(w, c.Version)
	writeJSON(w, http.StatusOK, h.view(c))
}

func (h *Complaints) list(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v := r.URL.Query()
	q := store.ComplaintQuery{Customer: v.Get("customer"), Department: v.Get("department"), Month: v.Get("month"),
		Status: domain.ComplaintStatus(v.Get("status")), Cursor: v.Get("cursor"), Now: h.Now()}
	ve := &domain.ValidationError{}
	switch v.Get("overdue") {
	case "", "false":
	case "true":
		q.Overdue = true
	default:
		ve.Add("overdue", "must be true or false 须为 true 或 false")
	}
	if q.Status != "" && !oneOfStatus(q.Status) {
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
		fail(w, r, err)
		return
	}
	switch {
	case p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor):
	case p.Has(domain.RoleDepartment):
		if q.Department != "" && q.Department != p.Department {
			fail(w, r, domain.Forbidden("departments list their own complaints"))
			return
		}
		q.Department = p.Department
	case p.Has(domain.RoleManager):
		if q.Customer == "" {
			fail(w, r, &domain.ValidationError{Fields: map[string]string{"customer": "managers list complaints per account: give customer= 客户经理请按客户查询"}})
			return
		}
	default:
		fail(w, r, domain.Forbidden("your role has no access to complaints"))
		return
	}
	page, err := h.Store.ListComplaints(r.Context(), q)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := store.Page[complaintView]{Items: []complaintView{}, NextCursor: page.NextCursor}
	for i := range page.Items {
		if domain.CanSeeComplaint(p, &page.Items[i]) {
			out.Items = append(out.Items, h.view(&page.Items[i]))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func oneOfStatus(s domain.ComplaintStatus) bool {
	for _, x := range domain.AllStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// StepBody is the body of a workflow step; each step reads its own fields.
type StepBody struct {
	Reason          string `json:"reason"`
	Department      string `json:"department"`
	Opinion         string `json:"opinion"`
	Cause           string `json:"cause"`
	WhatHappened    string `json:"whatHappened"`
	Responsible     string `json:"responsible"`
	Conclusion      string `json:"conclusion"`
	CompanyAtFault  bool   `json:"companyAtFault"`
	Countermeasures string `json:"countermeasures"`
	Approve         *bool  `json:"approve"`
	Comment         string `json:"comment"`
	Text            string `json:"text"`
	Method          string `json:"method"`
	Result          string `json:"result"`
	Satisfied       bool   `json:"satisfied"`
}

func (b StepBody) input(a domain.Action) domain.StepInput {
	in := domain.StepInput{Reason: b.Reason, Department: b.Department, Opinion: b.Opinion, Approve: b.Approve, Comment: b.Comment}
	switch a {
	case domain.ActionInvestigation:
		in.Investigation = &domain.Investigation{Cause: b.Cause, WhatHappened: b.WhatHappened, Responsible: b.Responsible,
			Conclusion: b.Conclusion, CompanyAtFault: b.CompanyAtFault, Countermeasures: b.Countermeasures}
	case domain.ActionReply:
		in.Reply = &domain.Reply{Text: b.Text, Method: b.Method}
	case domain.ActionCallback:
		in.Callback = &domain.Callback{Method: b.Method, Result: b.Result, Satisfied: b.Satisfied}
	}
	return in
}

// customerMailOf is the email a step sends to the customer.
var customerMailOf = map[domain.Action]string{
	domain.ActionAccept: "complaint-accepted", domain.ActionReject: "complaint-rejected", domain.ActionReply: "complaint-replied",
}

func (h *Complaints) step(a domain.Action) func(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p domain.Principal) {
		var body StepBody
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &body, MaxJSONBody); err != nil {
				fail(w, r, err)
				return
			}
		}
		c, err := h.load(r, p)
		if err != nil {
			fail(w, r, err)
			return
		}
		version := c.Version
		if im := r.Header.Get("If-Match"); im != "" {
			v, err := parseIfMatch(r)
			if err != nil {
				fail(w, r, err)
				return
			}
			if v != version {
				fail(w, r, fmt.Errorf("complaint %s is at version %d, not %d: %w", c.Number, version, v, domain.ErrConflict))
				return
			}
		}
		if err := c.Apply(a, body.input(a), p, h.Now()); err != nil {
			fail(w, r, err) // an illegal step is a 409 with the current state
			return
		}
		if err := h.Store.SaveComplaintStep(r.Context(), c, version); err != nil {
			fail(w, r, err) // someone else's step won: 409
			return
		}
		if kind, ok := customerMailOf[a]; ok {
			link := trackingURL(baseURL(r, h.BaseURL), c.Number, c.TrackingToken, c.Language)
			if err := sendCustomerMail(r.Context(), h.Mail, kind, c, link); err != nil {
				slog.ErrorContext(r.Context(), "mail not sent", "kind", kind, "number", c.Number, "err", err.Error())
			}
		}
		if a == domain.ActionClose {
			h.surveyAfterClose(r, c)
		}
		setETag(w, c.Version)
		writeJSON(w, http.StatusOK, h.view(c))
	}
}

// surveyAfterClose invites the customer to rate the handling (domain.md:
// after closure the customer receives a satisfaction survey).
func (h *Complaints) surveyAfterClose(r *http.Request, c *domain.Complaint) {
	if h.Surveys == nil || c.Contact.Email == "" {
		return
	}
	req := survey.InviteRequest{CustomerName: c.CustomerName, ContactName: c.Contact.Name, ContactEmail: c.Contact.Email, Language: c.Language,
		Reason: domain.SurveyAfterComplaint, ComplaintNumber: c.Number, By: "complaint-close", BaseURL: baseURL(r, h.BaseURL)}
	if c.CustomerID != "" {
		if cu, err := h.Customers.GetCustomer(r.Context(), c.CustomerID); err == nil {
			req.Customer = cu
		}
	}
	if _, err := h.Surveys.Invite(r.Context(), req); err != nil {
		slog.ErrorContext(r.Context(), "survey after closure not created", "number", c.Number, "err", err.Error())
	}
}
