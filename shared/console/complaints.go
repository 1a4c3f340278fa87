package console

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"keycare/shared/complaint"
	"keycare/shared/customer"
	"keycare/shared/domain"
)

type queueData struct {
	Status, Department, Customer, Month string
	Overdue                             bool
	Items                               []domain.Complaint
	Next                                string
	Statuses                            []domain.ComplaintStatus
	CanEnter                            bool
	Mine                                bool // a manager's own open complaints (no account chosen)
}

// complaints is the queue: open complaints by next deadline, with filters
// by status, department, account, month and overdue (complaint.Service.List
// and its scope). A manager without an account chosen sees the open
// complaints of their accounts (complaint.Service.Open).
func (c *Console) complaints(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	v := c.view(r, s, "complaints", nil)
	v.Title = v.T("nav.complaints")
	d := &queueData{Status: q.Get("status"), Department: q.Get("department"), Customer: q.Get("customer"), Month: q.Get("month"),
		Overdue: q.Get("overdue") == "true", Statuses: domain.AllStatuses, CanEnter: domain.CanRecordComplaint(s.P)}
	cq := domain.ComplaintQuery{Status: domain.ComplaintStatus(d.Status), Department: d.Department, Customer: d.Customer, Month: d.Month,
		Overdue: d.Overdue, Cursor: q.Get("cursor"), Limit: 50}
	ve := &domain.ValidationError{}
	if cq.Status != "" && !contains(domain.AllStatuses, cq.Status) {
		ve.Add("status", "unknown status 状态无效")
	}
	for f, x := range map[string]string{"department": cq.Department, "customer": cq.Customer} {
		if x != "" && !domain.ValidID(x) {
			ve.Add(f, "not an id 标识无效")
		}
	}
	if _, err := time.Parse("2006-01", cq.Month); cq.Month != "" && err != nil {
		ve.Add("month", "must be YYYY-MM 格式为 YYYY-MM")
	}
	if ve.Err() != nil {
		v.Errors = fieldErrors(ve, v.Lang, nil)
		v.D = d
		c.render(w, r, http.StatusBadRequest, "complaints", v)
		return
	}
	onlyMine := s.P.Has(domain.RoleManager) && !s.P.HasAny(domain.RoleSupervisor, domain.RoleExecutive, domain.RoleAdmin, domain.RoleDepartment) && cq.Customer == ""
	if onlyMine {
		d.Mine = true
		open, err := c.Complaints.Open(r.Context(), s.P, complaint.MaxOpen)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		for _, x := range open {
			if (cq.Status == "" || x.Status == cq.Status) && (!cq.Overdue || len(x.Late(v.now)) > 0) {
				d.Items = append(d.Items, x)
			}
		}
	} else {
		pg, err := c.Complaints.List(r.Context(), s.P, cq)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		d.Items, d.Next = pg.Items, pg.NextCursor
	}
	v.D = d
	c.render(w, r, http.StatusOK, "complaints", v)
}

// cardData is the record card page.
type cardData struct {
	C       *domain.Complaint
	Steps   []domain.Action // the forms offered: domain.Complaint.MayTake
	Correct bool            // domain.CanCorrectComplaint
	Late    []domain.PendingDeadline
	Form    string // the step whose form failed validation (shown again)
	Methods []string
}

func (c *Console) complaintCard(w http.ResponseWriter, r *http.Request, s *session) {
	c.showCard(w, r, s, http.StatusOK, "", nil, nil)
}

// showCard reads the card (on the access record) and renders it; a failed
// step's form is shown again with its values (form) and messages.
func (c *Console) showCard(w http.ResponseWriter, r *http.Request, s *session, status int, form string, errs map[string]string, alert error) {
	cmp, err := c.Complaints.Get(r.Context(), s.P, r.PathValue("number"))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := c.view(r, s, "complaints", nil)
	v.Title = v.Tf("card.title", cmp.Number)
	d := &cardData{C: cmp, Correct: domain.CanCorrectComplaint(s.P), Late: cmp.Late(v.now), Form: form}
	v.Form = form
	for _, a := range domain.AllActions {
		if cmp.MayTake(s.P, a) {
			d.Steps = append(d.Steps, a)
		}
	}
	if errs != nil {
		v.Errors, v.Values = errs, r.PostForm
	}
	if alert != nil {
		v.Alert = alertOf(v, alert)
	}
	v.D = d
	c.render(w, r, status, "card", v)
}

// complaintStep takes one workflow step (or a correction) from its form:
// the card's version goes with it, so that a step someone else took first
// is a clear message on the fresh card, as is a step no longer possible.
func (c *Console) complaintStep(w http.ResponseWriter, r *http.Request, s *session) {
	number, step := r.PathValue("number"), r.PathValue("step")
	f := r.PostForm
	var version *int
	if n, err := strconv.Atoi(f.Get("version")); err == nil {
		version = &n
	}
	base := c.base(r)
	var err error
	if step == "correct" {
		in := domain.Correction{Reason: strings.TrimSpace(f.Get("reason"))}
		if x := strings.TrimSpace(f.Get("customerId")); x != "" {
			in.CustomerID = &x
		}
		if x := domain.Category(f.Get("category")); x != "" {
			in.Category = &x
		}
		if x := domain.Severity(f.Get("severity")); x != "" {
			in.Severity = &x
		}
		_, err = c.Complaints.Correct(r.Context(), s.P, number, in, version, base)
	} else {
		a := domain.Action(step)
		if !contains(domain.AllActions, a) {
			c.failPage(w, r, s, http.StatusNotFound, "notFound")
			return
		}
		_, err = c.Complaints.Step(r.Context(), s.P, number, a, stepInput(a, f), version, base)
	}
	var ve *domain.ValidationError
	switch {
	case err == nil:
		c.redirect(w, r, "/console/complaints/"+url.PathEscape(number)+"?done="+step)
	case errors.As(err, &ve):
		c.showCard(w, r, s, http.StatusBadRequest, step, fieldErrors(ve, s.Lang, map[string]string{"settlement.kind": "settlementKind",
			"settlement.amount": "settlementAmount", "settlement.borneBy": "settlementBorneBy"}), nil)
	case errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrForbidden) && !errors.Is(err, domain.ErrNotFound):
		status := http.StatusConflict
		if errors.Is(err, domain.ErrForbidden) {
			status = http.StatusForbidden
		}
		c.showCard(w, r, s, status, "", nil, err)
	default:
		c.fail(w, r, s, err)
	}
}

// stepInput reads a step's form as the API reads its JSON (api.StepBody).
func stepInput(a domain.Action, f url.Values) domain.StepInput {
	in := domain.StepInput{Reason: f.Get("reason"), Department: strings.TrimSpace(f.Get("department")), Opinion: f.Get("opinion"), Comment: f.Get("comment")}
	switch f.Get("approve") {
	case "true":
		t := true
		in.Approve = &t
	case "false":
		no := false
		in.Approve = &no
	}
	switch a {
	case domain.ActionInvestigation:
		in.Investigation = &domain.Investigation{Cause: f.Get("cause"), WhatHappened: f.Get("whatHappened"), Responsible: f.Get("responsible"),
			Conclusion: f.Get("conclusion"), CompanyAtFault: f.Get("companyAtFault") == "true", Countermeasures: f.Get("countermeasures")}
	case domain.ActionReply:
		in.Reply = &domain.Reply{Text: f.Get("text"), Method: f.Get("method")}
		if k := f.Get("settlementKind"); k != "" {
			in.Reply.Settlement = &domain.Settlement{Kind: k, Amount: strings.TrimSpace(f.Get("settlementAmount")), BorneBy: f.Get("settlementBorneBy")}
		}
	case domain.ActionCallback:
		in.Callback = &domain.Callback{Method: f.Get("method"), Result: f.Get("result"), Satisfied: f.Get("satisfied") == "true"}
	}
	return in
}

type entryData struct {
	Accounts []customer.View
	Key      string
}

// newComplaint is the staff entry form (phone, letter, email, visit).
func (c *Console) newComplaint(w http.ResponseWriter, r *http.Request, s *session) {
	if !domain.CanRecordComplaint(s.P) {
		c.failPage(w, r, s, http.StatusForbidden, "forbidden")
		return
	}
	v := c.view(r, s, "complaints", nil)
	v.Values = url.Values{"channel": {"phone"}, "severity": {"normal"}, "contactLanguage": {"zh"}}
	if id := r.URL.Query().Get("customer"); id != "" {
		v.Values.Set("customerId", id)
	}
	c.renderEntry(w, r, s, v, http.StatusOK, randomID())
}

func (c *Console) renderEntry(w http.ResponseWriter, r *http.Request, s *session, v *view, status int, key string) {
	v.Title = v.T("entry.title")
	d := &entryData{Key: key}
	if s.P.Has(domain.RoleManager) && !s.P.HasAny(domain.RoleSupervisor, domain.RoleAdmin) {
		if pg, err := c.Customers.List(r.Context(), s.P, domain.CustomerQuery{Limit: 100}); err == nil {
			d.Accounts = pg.Items
		}
	}
	v.D = d
	c.render(w, r, status, "entry", v)
}

// enterComplaint records a complaint received by phone, letter, email or
// visit (complaint.Service.Submit with the person as By, as POST
// /complaints does); the form's key makes a repeated post the same complaint.
func (c *Console) enterComplaint(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	v := c.view(r, s, "complaints", nil)
	cmp := &domain.Complaint{CustomerName: strings.TrimSpace(f.Get("customerName")),
		Contact: domain.Contact{Name: strings.TrimSpace(f.Get("contactName")), Phone: strings.TrimSpace(f.Get("contactPhone")),
			Email: strings.TrimSpace(f.Get("contactEmail")), Language: f.Get("contactLanguage")},
		Channel: domain.Channel(f.Get("channel")), Category: domain.Category(f.Get("category")), Severity: domain.Severity(f.Get("severity")),
		Request: domain.Request(f.Get("request")), Description: strings.TrimSpace(f.Get("description")), Language: f.Get("contactLanguage")}
	if pt := strings.TrimSpace(f.Get("productType")); pt != "" || f.Get("productBatch") != "" || f.Get("producedOn") != "" || f.Get("arrivedOn") != "" {
		cmp.Product = &domain.Product{Type: pt, Batch: strings.TrimSpace(f.Get("productBatch")), ProducedOn: f.Get("producedOn"), ArrivedOn: f.Get("arrivedOn")}
	}
	errs := map[string]string{}
	if at := f.Get("receivedAt"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, v.loc)
		if err != nil {
			errs["receivedAt"] = v.T("entry.badTime")
		}
		cmp.ReceivedAt = t.UTC()
	}
	key := f.Get("key")
	if key == "" || !domain.ValidID(key) {
		key = randomID()
	}
	var res complaint.Submitted
	var err error
	if len(errs) == 0 {
		res, err = c.Complaints.Submit(r.Context(), complaint.Intake{Complaint: cmp, CustomerID: strings.TrimSpace(f.Get("customerId")), By: &s.P,
			IdempotencyKey: "console." + key, Fingerprint: fingerprint(f), BaseURL: c.base(r)})
	}
	var ve *domain.ValidationError
	switch {
	case len(errs) > 0 || errors.As(err, &ve):
		if ve != nil {
			for k, m := range fieldErrors(ve, v.Lang, map[string]string{"contact.name": "contactName", "contact.phone": "contactPhone",
				"contact.email": "contactEmail", "product.type": "productType", "product.batch": "productBatch", "product": "productType",
				"product.producedOn": "producedOn", "product.arrivedOn": "arrivedOn", "language": "contactLanguage"}) {
				errs[k] = m
			}
		}
		v.Errors, v.Values = errs, f
		c.renderEntry(w, r, s, v, http.StatusBadRequest, key)
	case err != nil:
		c.fail(w, r, s, err)
	default:
		c.redirect(w, r, "/console/complaints/"+url.PathEscape(res.Number)+"?done=entered")
	}
}

// fingerprint is the entry's content, so that its key with other content is refused.
func fingerprint(f url.Values) string {
	h := sha256.New()
	for _, k := range []string{"customerId", "customerName", "contactName", "contactPhone", "contactEmail", "channel", "category", "severity", "request", "description"} {
		fmt.Fprintf(h, "%s=%q;", k, f.Get(k))
	}
	return hex.EncodeToString(h.Sum(nil))
}
