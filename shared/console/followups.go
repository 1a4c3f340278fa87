package console

import (
	"errors"
	"net/http"
	"net/url"

	"keycare/shared/domain"
)

type followUpsData struct {
	Due, Manager string
	Items        []domain.FollowUp
	Managers     []domain.StaffMember
	Form         string // the follow-up whose form failed
}

// followUps lists the callbacks a manager owes, due and overdue first,
// each with its completion form (visit.Service.ListFollowUps: a manager
// their own, a supervisor a manager of their department).
func (c *Console) followUps(w http.ResponseWriter, r *http.Request, s *session) {
	c.showFollowUps(w, r, s, http.StatusOK, "", nil, nil)
}

func (c *Console) showFollowUps(w http.ResponseWriter, r *http.Request, s *session, status int, form string, errs map[string]string, alert error) {
	q := r.URL.Query()
	if r.Method == http.MethodPost { // the list the form was posted from
		if u, err := url.Parse(safeNext(r.PostForm.Get("back"))); err == nil {
			q = u.Query()
		}
	}
	v := c.view(r, s, "follow-ups", nil)
	v.Title = v.T("nav.followUps")
	d := &followUpsData{Due: q.Get("due"), Manager: q.Get("manager"), Form: form}
	if !s.P.Has(domain.RoleManager) || d.Manager != "" {
		d.Managers = c.managers(r, s)
	}
	if d.Manager == "" && !s.P.Has(domain.RoleManager) {
		v.D = d
		c.render(w, r, status, "followups", v)
		return
	}
	items, err := c.Visits.ListFollowUps(r.Context(), s.P, domain.FollowUpQuery{Manager: d.Manager, Due: d.Due})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		v.Errors = fieldErrors(ve, s.Lang, nil)
	} else if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d.Items = items
	if errs != nil {
		v.Errors, v.Values = errs, r.PostForm
	}
	if alert != nil {
		v.Alert = alertOf(v, alert)
	}
	v.D = d
	c.render(w, r, status, "followups", v)
}

// completeFollowUp records how a callback went (a complaint's closing
// callback is the complaint's callback step).
func (c *Console) completeFollowUp(w http.ResponseWriter, r *http.Request, s *session) {
	f, id := r.PostForm, r.PathValue("id")
	in := domain.CompletionInput{Method: f.Get("method"), Result: f.Get("result"), Next: f.Get("next")}
	switch f.Get("satisfied") {
	case "true":
		t := true
		in.Satisfied = &t
	case "false":
		no := false
		in.Satisfied = &no
	}
	_, err := c.Visits.CompleteFollowUp(r.Context(), s.P, id, in, c.base(r))
	back := safeNext(f.Get("back"))
	var ve *domain.ValidationError
	switch {
	case err == nil:
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("done", "completed")
		u.RawQuery = q.Encode()
		c.redirect(w, r, u.String())
	case errors.As(err, &ve):
		c.showFollowUps(w, r, s, http.StatusBadRequest, id, fieldErrors(ve, s.Lang, nil), nil)
	case errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrForbidden):
		c.showFollowUps(w, r, s, http.StatusConflict, "", nil, err)
	default:
		c.fail(w, r, s, err)
	}
}
