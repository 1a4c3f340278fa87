package visit

import (
	"context"
	"sort"
	"strings"
	"time"

	"keycare/shared/domain"
)

// FollowUps lists the open callbacks manager q.Manager owes: the stored
// follow-ups (events, handovers, poor survey answers, greetings) and the
// closing callbacks of their replied complaints, by due time.
func (s *Service) ListFollowUps(ctx context.Context, p domain.Principal, q domain.FollowUpQuery) ([]domain.FollowUp, error) {
	q, err := domain.ScopeFollowUps(p, q)
	if err != nil {
		return nil, err
	}
	_, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	today := cal.Today(now)
	stored, err := s.FollowUps.OpenOf(ctx, q.Manager, time.Time{})
	if err != nil {
		return nil, err
	}
	callbacks, err := s.complaintCallbacks(ctx, map[string]bool{q.Manager: true}, nil)
	if err != nil {
		return nil, err
	}
	out := []domain.FollowUp{}
	for _, f := range append(stored, callbacks...) {
		if f.ManagerID != q.Manager || !q.Selects(&f, today, cal) {
			continue
		}
		if f.ManagerID != p.Sub && !domain.CanReviewPlan(p, f.Department) {
			continue // a supervisor sees their department's
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	return out, s.shown(ctx, p, "follow-up", ids, "manager="+q.Manager)
}

// complaintCallbacks are the closing callbacks of replied complaints whose
// account's current manager is one of managers (nil: any). With known, the
// accounts are taken from it (and complaints of others left out) instead of
// read one by one.
func (s *Service) complaintCallbacks(ctx context.Context, managers map[string]bool, known map[string]*domain.Customer) ([]domain.FollowUp, error) {
	cs, err := s.Store.RepliedComplaints(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.FollowUp
	for i := range cs {
		c := &cs[i]
		if c.CustomerID == "" {
			continue
		}
		a, ok := known[c.CustomerID]
		if known == nil {
			a, err = s.Accounts.Get(ctx, c.CustomerID)
			ok = err == nil
		}
		if !ok {
			continue
		}
		if managers != nil && !managers[a.ManagerID] {
			continue
		}
		out = append(out, domain.ComplaintCallback(c, a))
	}
	return out, nil
}

// CompleteFollowUp records how callback id went. A complaint's closing
// callback ("cmp-<number>") is the complaint's callback step.
func (s *Service) CompleteFollowUp(ctx context.Context, p domain.Principal, id string, in domain.CompletionInput, base string) (*domain.FollowUp, error) {
	if number, ok := strings.CutPrefix(id, "cmp-"); ok && s.Complaints != nil {
		if !domain.ValidNumber(number) {
			return nil, notFound("follow-up", id)
		}
		if in.Method == "wechat" {
			return nil, &domain.ValidationError{Fields: map[string]string{"method": "a complaint's callback is by phone, visit or email 投诉回访方式须为电话、拜访或邮件"}}
		}
		sat := in.Satisfied != nil && *in.Satisfied
		c, err := s.Complaints.Step(ctx, p, number, domain.ActionCallback, domain.StepInput{Callback: &domain.Callback{Method: in.Method, Result: in.Result, Satisfied: sat}}, nil, base)
		if err != nil {
			return nil, err
		}
		f := domain.ComplaintCallback(c, nil)
		f.ManagerID, f.Status = p.Sub, domain.FollowUpDone
		f.Result = &domain.FollowUpResult{Method: in.Method, Result: in.Result, Satisfied: sat, Next: in.Next, By: p.Sub, At: s.Now().UTC()}
		return &f, nil
	}
	if !domain.ValidID(id) {
		return nil, notFound("follow-up", id)
	}
	f, err := s.FollowUps.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.ManagerID != p.Sub && !domain.CanReviewPlan(p, f.Department) {
		return nil, domain.Forbidden("this follow-up is another manager's")
	}
	if err := f.Complete(in, p, s.Now()); err != nil {
		return nil, err
	}
	audit := s.entry(ctx, p, "follow-up", f.ID, "complete")
	return f, s.FollowUps.Complete(ctx, f, audit)
}
