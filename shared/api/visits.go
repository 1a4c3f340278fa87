package api

import (
	"context"
	"net/http"
	"strconv"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/visit"
)

// VisitService is what the visit and follow-up routes call.
type VisitService interface {
	SubmitPlan(ctx context.Context, p domain.Principal, month string, items []domain.PlanItem) (*domain.VisitPlan, error)
	GetPlan(ctx context.Context, p domain.Principal, id string) (*domain.VisitPlan, error)
	EditPlan(ctx context.Context, p domain.Principal, id string, items []domain.PlanItem) (*domain.VisitPlan, error)
	ReviewPlan(ctx context.Context, p domain.Principal, id string, approve bool, comment string) (*domain.VisitPlan, error)
	ListPlans(ctx context.Context, p domain.Principal, manager, month, cursor string) (domain.Page[domain.VisitPlan], error)
	ProposeVisit(ctx context.Context, p domain.Principal, d domain.VisitDraft) (*domain.Visit, error)
	ApproveVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error)
	Cancel(ctx context.Context, p domain.Principal, id, reason string) (*domain.Visit, error)
	ActionDone(ctx context.Context, p domain.Principal, id string, n int) (*domain.Visit, error)
	Report(ctx context.Context, p domain.Principal, id string, in domain.ReportInput, survey bool) (visit.Reported, error)
	GetVisit(ctx context.Context, p domain.Principal, id string) (*domain.Visit, error)
	ListVisits(ctx context.Context, p domain.Principal, q domain.VisitQuery) (domain.Page[visit.Summary], error)
	Coverage(ctx context.Context, p domain.Principal, period string) ([]domain.Coverage, error)
	RecordEvent(ctx context.Context, p domain.Principal, customerID string, e domain.CustomerEvent) (*domain.CustomerEvent, []domain.FollowUp, bool, error)
	ListFollowUps(ctx context.Context, p domain.Principal, q domain.FollowUpQuery) ([]domain.FollowUp, error)
	CompleteFollowUp(ctx context.Context, p domain.Principal, id string, in domain.CompletionInput, base string) (*domain.FollowUp, error)
	PutRelationshipPlan(ctx context.Context, p domain.Principal, id string, in domain.RelationshipInput) (*domain.RelationshipPlan, error)
	GetRelationshipPlan(ctx context.Context, p domain.Principal, id string) (*domain.RelationshipPlan, error)
	ReviewRelationshipPlan(ctx context.Context, p domain.Principal, id string, approve bool, comment string) (*domain.RelationshipPlan, error)
	StartHandover(ctx context.Context, p domain.Principal, in domain.HandoverInput) (*domain.Handover, error)
	GetHandover(ctx context.Context, p domain.Principal, id string) (*domain.Handover, error)
}

// Visits serves visit plans, visits and reports, follow-ups, customer
// events, relationship plans and handovers (VisitsFunction).
type Visits struct {
	Service VisitService
	Gate    httpx.Gate
	BaseURL string
}

// Router returns the routes of VisitsFunction.
func (h *Visits) Router() *httpx.Router {
	rt := httpx.NewRouter("visits")
	rt.HandleFunc("POST /visit-plans", httpx.Staff(h.Gate, h.submitPlan))
	rt.HandleFunc("GET /visit-plans", httpx.Staff(h.Gate, h.listPlans))
	rt.HandleFunc("GET /visit-plans/{id}", httpx.Staff(h.Gate, h.getPlan))
	rt.HandleFunc("PUT /visit-plans/{id}", httpx.Staff(h.Gate, h.editPlan))
	rt.HandleFunc("POST /visit-plans/{id}/review", httpx.Staff(h.Gate, h.reviewPlan))
	rt.HandleFunc("POST /visits", httpx.Staff(h.Gate, h.propose))
	rt.HandleFunc("GET /visits", httpx.Staff(h.Gate, h.listVisits))
	rt.HandleFunc("GET /visits/coverage", httpx.Staff(h.Gate, h.coverage))
	rt.HandleFunc("GET /visits/{id}", httpx.Staff(h.Gate, h.getVisit))
	rt.HandleFunc("POST /visits/{id}/approve", httpx.Staff(h.Gate, h.approve))
	rt.HandleFunc("POST /visits/{id}/report", httpx.Staff(h.Gate, h.report))
	rt.HandleFunc("POST /visits/{id}/cancel", httpx.Staff(h.Gate, h.cancel))
	rt.HandleFunc("POST /visits/{id}/actions/{n}/done", httpx.Staff(h.Gate, h.actionDone))
	rt.HandleFunc("GET /customers/{id}/visits", httpx.Staff(h.Gate, h.customerVisits))
	rt.HandleFunc("POST /customers/{id}/events", httpx.Staff(h.Gate, h.event))
	rt.HandleFunc("GET /customers/{id}/relationship-plan", httpx.Staff(h.Gate, h.getRelPlan))
	rt.HandleFunc("PUT /customers/{id}/relationship-plan", httpx.Staff(h.Gate, h.putRelPlan))
	rt.HandleFunc("POST /customers/{id}/relationship-plan/review", httpx.Staff(h.Gate, h.reviewRelPlan))
	rt.HandleFunc("GET /follow-ups", httpx.Staff(h.Gate, h.listFollowUps))
	rt.HandleFunc("POST /follow-ups/{id}/complete", httpx.Staff(h.Gate, h.complete))
	rt.HandleFunc("POST /handovers", httpx.Staff(h.Gate, h.handover))
	rt.HandleFunc("GET /handovers/{id}", httpx.Staff(h.Gate, h.getHandover))
	return rt
}

// PlanInput is the body of POST /visit-plans and PUT /visit-plans/{id}.
type PlanInput struct {
	Month string            `json:"month"`
	Items []domain.PlanItem `json:"items"`
}

// ReviewInput is the body of a review: approve or return with a comment.
type ReviewInput struct {
	Approve *bool  `json:"approve"`
	Comment string `json:"comment"`
}

func (in ReviewInput) check() error {
	if in.Approve == nil {
		return &domain.ValidationError{Fields: map[string]string{"approve": "say whether it is approved (true) or returned (false) 请选择通过或退回"}}
	}
	return nil
}

// ReportBody is the body of POST /visits/{id}/report.
type ReportBody struct {
	domain.ReportInput
	SendSurvey bool `json:"sendSurvey"` // invite the account's contact to rate the visit (30-day rule)
}

// CancelInput is the body of POST /visits/{id}/cancel.
type CancelInput struct {
	Reason string `json:"reason"`
}

// EventInput is the body of POST /customers/{id}/events.
type EventInput struct {
	Type string `json:"type"`
	Date string `json:"date"`
	Note string `json:"note"`
}

// EventView is a recorded event with the callbacks it scheduled.
type EventView struct {
	*domain.CustomerEvent
	FollowUps []domain.FollowUp `json:"followUps"`
}

type handler[T any] func(w http.ResponseWriter, r *http.Request, p domain.Principal, in T)

// decoded decodes the body as T before calling h.
func decoded[T any](h handler[T]) httpx.StaffHandler {
	return func(w http.ResponseWriter, r *http.Request, p domain.Principal) {
		var in T
		if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
			httpx.Fail(w, r, err)
			return
		}
		h(w, r, p, in)
	}
}

func answer[T any](w http.ResponseWriter, r *http.Request, status int, v T, err error) {
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, v)
}

func (h *Visits) submitPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in PlanInput) {
		plan, err := h.Service.SubmitPlan(r.Context(), p, in.Month, in.Items)
		if err == nil {
			w.Header().Set("Location", "/visit-plans/"+plan.ID)
		}
		answer(w, r, http.StatusCreated, plan, err)
	})(w, r, p)
}

func (h *Visits) listPlans(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	pg, err := h.Service.ListPlans(r.Context(), p, q.Get("manager"), q.Get("month"), q.Get("cursor"))
	answer(w, r, http.StatusOK, pg, err)
}

func (h *Visits) getPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	plan, err := h.Service.GetPlan(r.Context(), p, r.PathValue("id"))
	answer(w, r, http.StatusOK, plan, err)
}

func (h *Visits) editPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in PlanInput) {
		plan, err := h.Service.EditPlan(r.Context(), p, r.PathValue("id"), in.Items)
		answer(w, r, http.StatusOK, plan, err)
	})(w, r, p)
}

func (h *Visits) reviewPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in ReviewInput) {
		if err := in.check(); err != nil {
			httpx.Fail(w, r, err)
			return
		}
		plan, err := h.Service.ReviewPlan(r.Context(), p, r.PathValue("id"), *in.Approve, in.Comment)
		answer(w, r, http.StatusOK, plan, err)
	})(w, r, p)
}

func (h *Visits) propose(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in domain.VisitDraft) {
		v, err := h.Service.ProposeVisit(r.Context(), p, in)
		if err == nil {
			w.Header().Set("Location", "/visits/"+v.ID)
		}
		answer(w, r, http.StatusCreated, v, err)
	})(w, r, p)
}

func (h *Visits) listVisits(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	pg, err := h.Service.ListVisits(r.Context(), p, domain.VisitQuery{Manager: q.Get("manager"), From: q.Get("from"), To: q.Get("to"),
		Status: domain.VisitStatus(q.Get("status")), Cursor: q.Get("cursor")})
	answer(w, r, http.StatusOK, pg, err)
}

func (h *Visits) customerVisits(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	pg, err := h.Service.ListVisits(r.Context(), p, domain.VisitQuery{Customer: r.PathValue("id"), From: q.Get("from"), To: q.Get("to"),
		Status: domain.VisitStatus(q.Get("status")), Cursor: q.Get("cursor")})
	answer(w, r, http.StatusOK, pg, err)
}

func (h *Visits) coverage(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	rows, err := h.Service.Coverage(r.Context(), p, r.URL.Query().Get("period"))
	answer(w, r, http.StatusOK, map[string]any{"period": r.URL.Query().Get("period"), "items": rows}, err)
}

func (h *Visits) getVisit(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v, err := h.Service.GetVisit(r.Context(), p, r.PathValue("id"))
	answer(w, r, http.StatusOK, v, err)
}

func (h *Visits) approve(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v, err := h.Service.ApproveVisit(r.Context(), p, r.PathValue("id"))
	answer(w, r, http.StatusOK, v, err)
}

func (h *Visits) report(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in ReportBody) {
		v, err := h.Service.Report(r.Context(), p, r.PathValue("id"), in.ReportInput, in.SendSurvey)
		answer(w, r, http.StatusOK, v, err)
	})(w, r, p)
}

func (h *Visits) cancel(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in CancelInput) {
		v, err := h.Service.Cancel(r.Context(), p, r.PathValue("id"), in.Reason)
		answer(w, r, http.StatusOK, v, err)
	})(w, r, p)
}

func (h *Visits) actionDone(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		httpx.Fail(w, r, domain.ErrNoSuchAction)
		return
	}
	v, err := h.Service.ActionDone(r.Context(), p, r.PathValue("id"), n)
	answer(w, r, http.StatusOK, v, err)
}

func (h *Visits) event(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in EventInput) {
		e, fs, created, err := h.Service.RecordEvent(r.Context(), p, r.PathValue("id"), domain.CustomerEvent{Type: in.Type, Date: in.Date, Note: in.Note})
		status := http.StatusCreated
		if !created {
			status = http.StatusOK
		}
		answer(w, r, status, EventView{CustomerEvent: e, FollowUps: fs}, err)
	})(w, r, p)
}

func (h *Visits) getRelPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	plan, err := h.Service.GetRelationshipPlan(r.Context(), p, r.PathValue("id"))
	answer(w, r, http.StatusOK, plan, err)
}

func (h *Visits) putRelPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in domain.RelationshipInput) {
		plan, err := h.Service.PutRelationshipPlan(r.Context(), p, r.PathValue("id"), in)
		answer(w, r, http.StatusOK, plan, err)
	})(w, r, p)
}

func (h *Visits) reviewRelPlan(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in ReviewInput) {
		if err := in.check(); err != nil {
			httpx.Fail(w, r, err)
			return
		}
		plan, err := h.Service.ReviewRelationshipPlan(r.Context(), p, r.PathValue("id"), *in.Approve, in.Comment)
		answer(w, r, http.StatusOK, plan, err)
	})(w, r, p)
}

func (h *Visits) listFollowUps(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	items, err := h.Service.ListFollowUps(r.Context(), p, domain.FollowUpQuery{Manager: q.Get("manager"), Due: q.Get("due")})
	answer(w, r, http.StatusOK, domain.Page[domain.FollowUp]{Items: items}, err)
}

func (h *Visits) complete(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in domain.CompletionInput) {
		f, err := h.Service.CompleteFollowUp(r.Context(), p, r.PathValue("id"), in, httpx.BaseURL(r, h.BaseURL))
		answer(w, r, http.StatusOK, f, err)
	})(w, r, p)
}

func (h *Visits) handover(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	decoded(func(w http.ResponseWriter, r *http.Request, p domain.Principal, in domain.HandoverInput) {
		job, err := h.Service.StartHandover(r.Context(), p, in)
		status := http.StatusCreated
		if err == nil {
			w.Header().Set("Location", "/handovers/"+job.ID)
			if job.Status != domain.HandoverDone {
				status = http.StatusAccepted // still running: POST again or GET it
			}
		}
		answer(w, r, status, job, err)
	})(w, r, p)
}

func (h *Visits) getHandover(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	job, err := h.Service.GetHandover(r.Context(), p, r.PathValue("id"))
	answer(w, r, http.StatusOK, job, err)
}
