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
	InviteByHand(ctx context.Context, p domain.Principal, h survey.HandInvitation, base string) (survey.View, bool, error)
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
	CustomerID      string `json:"customerId"`
	Reason          string `json:"reason"`
	ContactEmail    string `json:"contactEmail"`
	ComplaintNumber string `json:"complaintNumber"`
}

// InvitationView is an invitation as staff see it: its id, who made it,
// whether its answer counts — never its token or link, which go to the
// contact by mail alone.
type InvitationView = survey.View

func (h *Surveys) invite(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	key, err := httpx.IdempotencyKey(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var in InvitationInput
	if err := httpx.DecodeJSON(w, r, &in, httpx.MaxJSONBody); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	v, replayed, err := h.Service.InviteByHand(r.Context(), p, survey.HandInvitation{CustomerID: in.CustomerID, Reason: domain.SurveyReason(in.Reason),
		ContactEmail: in.ContactEmail, ComplaintNumber: in.ComplaintNumber, IdempotencyKey: key,
		Fingerprint: fingerprint(in.CustomerID, in.Reason, in.ContactEmail, in.ComplaintNumber)}, httpx.BaseURL(r, h.BaseURL))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, v)
}

// ResponseView is a stored answer as staff see it: the invitation's id
// names it, never its token.
type ResponseView struct {
	*domain.SurveyResponse
	Token string `json:"token,omitempty"` // shadows the answer's token: always empty
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
	out := domain.Page[ResponseView]{Items: make([]ResponseView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		out.Items = append(out.Items, ResponseView{SurveyResponse: &page.Items[i]})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
