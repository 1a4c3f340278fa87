package api

import (
	"context"
	"net/http"

	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/survey"
)

// SurveyService is what the staff survey routes call.
type SurveyService interface {
	InviteByHand(ctx context.Context, p domain.Principal, customerID string, reason domain.SurveyReason, contactEmail, base string) (*domain.Invitation, error)
	Satisfaction(ctx context.Context, p domain.Principal, customerID, from, to string) (survey.Satisfaction, error)
	Responses(ctx context.Context, p domain.Principal, q domain.ResponseQuery) (domain.Page[domain.SurveyResponse], error)
}

// Surveys serves the staff survey routes (SurveysFunction).
type Surveys struct {
	Service SurveyService
	Gate    httpx.Gate
	BaseURL string
}

// Router returns the routes of SurveysFunction.
func (h *Surveys) Router() *httpx.Router {
	rt := httpx.NewRouter("surveys")
	rt.HandleFunc("POST /surveys/invitations", httpx.Staff(h.Gate, h.invite))
	rt.HandleFunc("GET /surveys/responses", httpx.Staff(h.Gate, h.responses))
	rt.HandleFunc("GET /customers/{id}/satisfaction", httpx.Staff(h.Gate, h.satisfaction))
	return rt
}

// InvitationInput is the body of POST /surveys/invitations.
type InvitationInput struct {
	CustomerID   string `json:"customerId"`
	Reason       string `json:"reason"`
	ContactEmail string `json:"contactEmail"`
}

// InvitationView is an invitation as staff see it (the token only here and in the mailed link).
type InvitationView struct {
	*domain.Invitation
	Link string `json:"link"`
}

func (h *Surveys) invite(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	var in InvitationInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	base := httpx.BaseURL(r, h.BaseURL)
	inv, err := h.Service.InviteByHand(r.Context(), p, in.CustomerID, domain.SurveyReason(in.Reason), in.ContactEmail, base)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, InvitationView{Invitation: inv, Link: survey.Link(base, inv.Token)})
}

// Satisfaction is a customer's survey results over a range of months.
type Satisfaction = survey.Satisfaction

func (h *Surveys) satisfaction(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	q := r.URL.Query()
	out, err := h.Service.Satisfaction(r.Context(), p, r.PathValue("id"), q.Get("from"), q.Get("to"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *Surveys) responses(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	v := r.URL.Query()
	page, err := h.Service.Responses(r.Context(), p, domain.ResponseQuery{Customer: v.Get("customer"), Month: v.Get("month"), Cursor: v.Get("cursor")})
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, page)
}
