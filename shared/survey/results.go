package survey

import (
	"context"
	"errors"
	"time"

	"keycare/shared/domain"
)

// Satisfaction is a customer's survey results over a range of months.
type Satisfaction struct {
	CustomerID string              `json:"customerId"`
	From       string              `json:"from"`
	To         string              `json:"to"`
	Months     []SatisfactionMonth `json:"months"`
	Total      SatisfactionMonth   `json:"total"`
	Target     float64             `json:"csatTarget"`
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
		from = now.AddDate(0, -11, 0).Format("2006-01")
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
	aggs, err := s.Store.Aggregates(ctx, "CUST#"+c.ID, from, to)
	if err != nil {
		return Satisfaction{}, err
	}
	out := Satisfaction{CustomerID: c.ID, From: from, To: to, Months: []SatisfactionMonth{}, Target: set.Targets.SatisfactionPct}
	var total domain.Aggregate
	for _, g := range aggs {
		out.Months = append(out.Months, SatisfactionMonth{Month: g.Month, Aggregate: g.Aggregate, CSAT: g.CSAT(), NPS: g.NPS()})
		total.Merge(g.Aggregate)
	}
	out.Total = SatisfactionMonth{Aggregate: total, CSAT: total.CSAT(), NPS: total.NPS()}
	return out, nil
}

// Responses returns a page of the stored answers p may see: those of one
// customer whose file p may see, or those of a month within p's scope
// (domain.CanSeeResponse). Each customer whose answers are shown has the
// read in its access record.
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
	var entries []domain.AuditEntry
	for _, x := range page.Items {
		if q.Customer != "" || domain.CanSeeResponse(p, x) {
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

// InviteByHand invites a contact of customer id on behalf of p, who must
// see the file: reason is manual (default), visit, complaint or periodic;
// contactEmail picks the contact (default: the first with an email).
func (s *Service) InviteByHand(ctx context.Context, p domain.Principal, id string, reason domain.SurveyReason, contactEmail, base string) (*domain.Invitation, error) {
	if reason == "" {
		reason = domain.SurveyManual
	}
	switch reason {
	case domain.SurveyManual, domain.SurveyAfterVisit, domain.SurveyAfterComplaint, domain.SurveyPeriodic:
	default:
		return nil, &domain.ValidationError{Fields: map[string]string{"reason": "must be manual, visit, complaint or periodic 原因无效"}}
	}
	if id == "" {
		return nil, &domain.ValidationError{Fields: map[string]string{"customerId": "required 必填"}}
	}
	c, err := s.Files.Visible(ctx, p, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, &domain.ValidationError{Fields: map[string]string{"customerId": "no such customer 客户不存在"}}
	}
	if err != nil {
		return nil, err
	}
	return s.Invite(ctx, InviteRequest{Customer: c, ContactEmail: contactEmail, Reason: reason, By: p.Sub, BaseURL: base})
}
