package survey

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"keycare/shared/domain"
)

// Satisfaction is a customer's survey results over a range of months: the
// figures of the programme's, post-complaint and post-visit invitations
// (what reports and rankings use), and apart from them the answers to
// invitations made by hand.
type Satisfaction struct {
	CustomerID   string              `json:"customerId"`
	From         string              `json:"from"`
	To           string              `json:"to"`
	Months       []SatisfactionMonth `json:"months"`
	Total        SatisfactionMonth   `json:"total"`
	Target       float64             `json:"csatTarget"`
	ByHandMonths []SatisfactionMonth `json:"byHandMonths"`
	ByHand       SatisfactionMonth   `json:"byHand"` // answers to invitations made by hand: not in Total
}

// SatisfactionMonth is one month's figures.
type SatisfactionMonth struct {
	Month string `json:"month,omitempty"`
	domain.Aggregate
	CSAT float64 `json:"csat"`
	NPS  float64 `json:"nps"`
}

// ValidMonth reports whether s is a YYYY-MM month.
func ValidMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// Satisfaction returns the results of customer id for p (who must see the
// file) for months from..to (YYYY-MM; default the last 12 months): CSAT
// against its target and NPS, per month and in total. The read is in the
// file's access record.
func (s *Service) Satisfaction(ctx context.Context, p domain.Principal, id, from, to string) (Satisfaction, error) {
	c, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return Satisfaction{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return Satisfaction{}, err
	}
	now := s.Now().In(set.Location())
	if to == "" {
		to = now.Format("2006-01")
	}
	if from == "" {
		from = domain.MonthOf(now, set.Location()).Add(-11).String() // not AddDate: from the 31st it skips short months
	}
	ve := &domain.ValidationError{}
	if !ValidMonth(from) {
		ve.Add("from", "must be YYYY-MM 格式为 YYYY-MM")
	}
	if !ValidMonth(to) {
		ve.Add("to", "must be YYYY-MM 格式为 YYYY-MM")
	}
	if ve.Err() == nil && from > to {
		ve.Add("from", "must not be after to 起始月份不能晚于结束月份")
	}
	if err := ve.Err(); err != nil {
		return Satisfaction{}, err
	}
	if err := s.Audit.Put(ctx, domain.Entry(ctx, p, s.Now(), "customer", c.ID, domain.ActionReadSatisfaction)); err != nil {
		return Satisfaction{}, err
	}
	out := Satisfaction{CustomerID: c.ID, From: from, To: to, Target: set.Targets.SatisfactionPct}
	if out.Months, out.Total, err = s.months(ctx, "CUST#"+c.ID, from, to); err != nil {
		return Satisfaction{}, err
	}
	if out.ByHandMonths, out.ByHand, err = s.months(ctx, "HAND#CUST#"+c.ID, from, to); err != nil {
		return Satisfaction{}, err
	}
	return out, nil
}

// months are the monthly figures of an aggregate scope, and their total.
func (s *Service) months(ctx context.Context, scope, from, to string) ([]SatisfactionMonth, SatisfactionMonth, error) {
	aggs, err := s.Store.Aggregates(ctx, scope, from, to)
	if err != nil {
		return nil, SatisfactionMonth{}, err
	}
	out := []SatisfactionMonth{}
	var total domain.Aggregate
	for _, g := range aggs {
		out = append(out, SatisfactionMonth{Month: g.Month, Aggregate: g.Aggregate, CSAT: g.CSAT(), NPS: g.NPS()})
		total.Merge(g.Aggregate)
	}
	return out, SatisfactionMonth{Aggregate: total, CSAT: total.CSAT(), NPS: total.NPS()}, nil
}

// Responses returns a page of the stored answers p may see: those of one
// customer whose file p may see, or those of a month whose files p may
// see now (access follows the file after a reassignment; answers of no
// account by domain.CanSeeResponse). Each customer whose answers are shown
// has the read in its access record.
func (s *Service) Responses(ctx context.Context, p domain.Principal, q domain.ResponseQuery) (domain.Page[domain.SurveyResponse], error) {
	if q.Month != "" && !ValidMonth(q.Month) {
		return domain.Page[domain.SurveyResponse]{}, &domain.ValidationError{Fields: map[string]string{"month": "must be YYYY-MM 格式为 YYYY-MM"}}
	}
	switch {
	case q.Customer != "":
		if _, err := s.Files.Visible(ctx, p, q.Customer); err != nil {
			return domain.Page[domain.SurveyResponse]{}, err
		}
	case q.Month == "":
		return domain.Page[domain.SurveyResponse]{}, &domain.ValidationError{Fields: map[string]string{"customer": "give customer= or month= 请指定客户或月份"}}
	case !p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor, domain.RoleManager):
		return domain.Page[domain.SurveyResponse]{}, domain.Forbidden("your role has no access to survey answers")
	}
	page, err := s.Store.ListResponses(ctx, q)
	if err != nil {
		return page, err
	}
	out := domain.Page[domain.SurveyResponse]{Items: []domain.SurveyResponse{}, NextCursor: page.NextCursor}
	customers := map[string]bool{}
	files := map[string]*domain.Customer{} // the files as they are now
	visible := func(x domain.SurveyResponse) (bool, error) {
		if q.Customer != "" {
			return true, nil
		}
		if x.CustomerID == "" {
			return domain.CanSeeResponse(p, x), nil
		}
		c, ok := files[x.CustomerID]
		if !ok {
			f, err := s.Accounts.Get(ctx, x.CustomerID)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return false, err
			}
			c, files[x.CustomerID] = f, f
		}
		return c != nil && domain.CanSeeCustomer(p, c), nil
	}
	var entries []domain.AuditEntry
	for _, x := range page.Items {
		ok, err := visible(x)
		if err != nil {
			return domain.Page[domain.SurveyResponse]{}, err
		}
		if ok {
			out.Items = append(out.Items, x)
			id, entity := x.CustomerID, "customer"
			if id == "" {
				id, entity = "unlinked", "survey-answers" // answers of complainants without an account
			}
			if !customers[id] {
				customers[id] = true
				entries = append(entries, domain.Entry(ctx, p, s.Now(), entity, id, domain.ActionReadAnswers))
			}
		}
	}
	if q.Customer != "" && len(entries) == 0 { // looking, even at nothing, is on the file's record
		entries = append(entries, domain.Entry(ctx, p, s.Now(), "customer", q.Customer, domain.ActionReadAnswers))
	}
	if len(entries) > 0 {
		if err := s.Audit.PutAll(ctx, entries); err != nil {
			return domain.Page[domain.SurveyResponse]{}, err
		}
	}
	return out, nil
}

// HandInvitation is an invitation a member of staff asks for (POST
// /surveys/invitations).
type HandInvitation struct {
	CustomerID      string
	Reason          domain.SurveyReason // manual (default), visit or complaint
	ContactEmail    string              // a contact on the file; default the first with an address
	ComplaintNumber string              // reason complaint: a closed complaint of the account
	IdempotencyKey  string              // optional
	Fingerprint     string              // of the request's content
}

// InviteByHand invites a contact of an account on behalf of p, who must
// see the file (domain.CheckByHand has the rules). Staff never see the
// token or the link: the invitation is returned as a View, and the link
// goes to the contact by mail. The same Idempotency-Key within 24 h returns
// the first invitation (replayed true).
func (s *Service) InviteByHand(ctx context.Context, p domain.Principal, h HandInvitation, base string) (View, bool, error) {
	if h.Reason == "" {
		h.Reason = domain.SurveyManual
	}
	if h.CustomerID == "" {
		return View{}, false, &domain.ValidationError{Fields: map[string]string{"customerId": "required 必填"}}
	}
	c, err := s.Files.Visible(ctx, p, h.CustomerID)
	if errors.Is(err, domain.ErrNotFound) {
		return View{}, false, &domain.ValidationError{Fields: map[string]string{"customerId": "no such customer 客户不存在"}}
	}
	if err != nil {
		return View{}, false, err
	}
	var cmp *domain.Complaint
	if h.Reason == domain.SurveyAfterComplaint && domain.ValidNumber(h.ComplaintNumber) {
		cmp, err = s.Complaints.Get(ctx, h.ComplaintNumber)
		if errors.Is(err, domain.ErrNotFound) {
			cmp, err = nil, nil
		}
		if err != nil {
			return View{}, false, err
		}
	}
	contact, byHand, err := domain.CheckByHand(c, h.Reason, h.ContactEmail, cmp)
	if err != nil {
		return View{}, false, err
	}
	req := InviteRequest{Customer: c, ContactName: contact.Name, ContactEmail: contact.Email, Language: contact.Language, Reason: h.Reason,
		By: p.Sub, ByHand: byHand, BaseURL: base}
	if cmp != nil {
		req.ComplaintNumber = cmp.Number
	}
	if k := domain.IdempotencyKey("invitation", &p, h.IdempotencyKey); k != "" {
		req.Idempotency = &domain.IdempotencyRecord{Key: k, Fingerprint: h.Fingerprint, At: s.Now().UTC()}
	}
	in, err := s.Invite(ctx, req)
	var replay *domain.ReplayError
	if errors.As(err, &replay) {
		var v View
		if err := json.Unmarshal([]byte(replay.First.Result), &v); err != nil {
			return View{}, false, err
		}
		return v, true, nil
	}
	if err != nil {
		return View{}, false, err
	}
	return ViewOf(in), false, nil
}
