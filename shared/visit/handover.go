package visit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// HandoverBudget is how long one call works on a job before it answers
// with the progress (a later call or the daily run finishes it).
const HandoverBudget = 20 * time.Second

// StartHandover moves every account of in.From to in.To (a supervisor for
// their department's accounts, or an admin): to must be an active manager
// in the directory (domain.ValidationError). While a job for in.From runs,
// the same request resumes it (another in.To is domain.ErrConflict).
func (s *Service) StartHandover(ctx context.Context, p domain.Principal, in domain.HandoverInput) (*domain.Handover, error) {
	if !domain.CanHandover(p) {
		return nil, domain.Forbidden("a supervisor or an admin hands accounts over")
	}
	var to *domain.StaffMember
	if domain.ValidID(in.To) {
		m, err := s.People.Get(ctx, in.To)
		switch {
		case err == nil:
			to = m
		case !errors.Is(err, domain.ErrNotFound):
			return nil, err
		}
	}
	if err := domain.ValidateHandover(in, to); err != nil {
		return nil, err
	}
	var accounts []string
	for q := (domain.CustomerQuery{Manager: in.From, Limit: 100}); ; {
		pg, err := s.Accounts.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, a := range pg.Items {
			if !p.Has(domain.RoleAdmin) && a.Department != p.Department {
				return nil, domain.Forbidden("account %s belongs to another department", a.ID)
			}
			accounts = append(accounts, a.ID)
		}
		if pg.NextCursor == "" {
			break
		}
		q.Cursor = pg.NextCursor
	}
	if len(accounts) == 0 { // all moved: a job left unfinished is resumed, else there is nothing to do
		running, err := s.Handovers.Running(ctx)
		if err != nil {
			return nil, err
		}
		for i := range running {
			if running[i].From == in.From && running[i].To == in.To {
				accounts = running[i].Accounts
			}
		}
	}
	if len(accounts) == 0 {
		return nil, &domain.ValidationError{Fields: map[string]string{"from": "this person manages no accounts: nothing to hand over 该客户经理名下没有客户"}}
	}
	now := s.Now().UTC()
	job := &domain.Handover{ID: s.NewID("h"), From: in.From, To: in.To, Reason: in.Reason, Department: p.Department, By: p.Sub,
		Status: domain.HandoverRunning, Accounts: accounts, Moved: []string{}, Notified: []string{}, StartedAt: now}
	id, created, err := s.Handovers.Start(ctx, job)
	if err != nil {
		return nil, err
	}
	if !created {
		running, err := s.Handovers.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if running.To != in.To {
			return nil, fmt.Errorf("a handover of %s to %s is running: %w", in.From, running.To, domain.ErrConflict)
		}
		job = running
	}
	deadline, cancel := context.WithTimeout(ctx, HandoverBudget)
	defer cancel()
	if err := s.runHandover(deadline, p, job); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	return s.Handovers.Get(ctx, job.ID)
}

// GetHandover shows a job's progress to supervisors, admins and the two managers.
func (s *Service) GetHandover(ctx context.Context, p domain.Principal, id string) (*domain.Handover, error) {
	if !domain.ValidID(id) {
		return nil, notFound("handover", id)
	}
	h, err := s.Handovers.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanHandover(p) && p.Sub != h.From && p.Sub != h.To {
		return nil, domain.Forbidden("handovers are shown to supervisors, admins and the two managers")
	}
	return h, s.shown(ctx, p, "handover", []string{h.ID}, "")
}

// ResumeHandovers finishes the jobs a crash or a timeout left running.
func (s *Service) ResumeHandovers(ctx context.Context) error {
	jobs, err := s.Handovers.Running(ctx)
	if err != nil {
		return err
	}
	for i := range jobs {
		by := domain.Principal{Sub: jobs[i].By, Roles: []domain.Role{domain.RoleSupervisor}, Department: jobs[i].Department}
		if err := s.runHandover(ctx, by, &jobs[i]); err != nil {
			return err
		}
	}
	return nil
}

// runHandover does what job still has to do, each step safe to repeat:
// move the accounts (conditional on their manager), then per account move
// its open visits and follow-ups, create the new manager's callback and
// tell the primary contact (once), then send both managers the list.
func (s *Service) runHandover(ctx context.Context, p domain.Principal, job *domain.Handover) error {
	set, _, err := s.settings(ctx)
	if err != nil {
		return err
	}
	toMove, toNotify := job.Remaining()
	for _, id := range toMove {
		if err := ctx.Err(); err != nil {
			return err
		}
		audit := s.entry(ctx, p, "customer", id, "handover")
		audit.Reason, audit.Changes = job.Reason, []string{"managerId"}
		if _, err := s.Handovers.MoveAccount(ctx, job, id, audit); err != nil {
			return err
		}
	}
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		return err
	}
	for _, id := range toNotify {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := s.Accounts.Get(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			_ = s.Handovers.Notified(ctx, job.ID, id)
			continue
		}
		if err != nil {
			return err
		}
		if err := s.moveOpenWork(ctx, job, a, set.Visits); err != nil {
			return err
		}
		if err := s.tellContact(ctx, job, a, dir); err != nil {
			return err
		}
		if err := s.Handovers.Notified(ctx, job.ID, id); err != nil {
			return err
		}
	}
	if err := s.tellManagers(ctx, job, dir); err != nil {
		return err
	}
	return s.Handovers.Finish(ctx, job, s.Now())
}

func (s *Service) moveOpenWork(ctx context.Context, job *domain.Handover, a *domain.Customer, vs domain.VisitSettings) error {
	visits, err := s.Store.OpenVisitsOf(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, v := range visits {
		if v.ManagerID == job.From {
			if err := s.Store.MoveVisit(ctx, v.ID, job.From, job.To); err != nil {
				return err
			}
		}
	}
	fs, err := s.FollowUps.OpenOfCustomer(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.ManagerID == job.From {
			if err := s.FollowUps.Move(ctx, f.ID, job.From, job.To); err != nil {
				return err
			}
		}
	}
	cb := domain.HandoverCallback(job, a, vs, s.Now())
	_, err = s.FollowUps.Create(ctx, &cb)
	return err
}

func (s *Service) tellContact(ctx context.Context, job *domain.Handover, a *domain.Customer, dir *staff.Directory) error {
	ct, ok := a.PrimaryContact()
	if !ok {
		return nil
	}
	lang := ct.Language
	if lang == "" {
		lang = a.PreferredLanguage()
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
	}
	newManager := mail.Person{Name: dir.Name(job.To)}
	if r, ok := dir.Person(job.To); ok {
		newManager.Email = r.Email
	}
	if newManager.Email == "" {
		newManager.Email = set.Brand.ReplyTo // the company's address while the directory names none
	}
	m, err := mail.Compose(mail.Envelope{To: []string{ct.Email}, Lang: lang, Name: ct.Name, Zone: set.Location(), Now: s.Now(), Brand: set.Brand},
		mail.HandoverNotice{Account: a.Name, NewManager: newManager, PreviousManager: dir.Name(job.From), EffectiveAt: job.StartedAt,
			CallWithinDays: set.Visits.HandoverCallbackDays})
	if err != nil {
		return err
	}
	_, err = s.Notifier.SendOnce(ctx, "handover/"+job.ID+"/"+a.ID, s.Now(), m)
	return err
}

func (s *Service) tellManagers(ctx context.Context, job *domain.Handover, dir *staff.Directory) error {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
	}
	var accounts []mail.HandoverAccount
	for _, id := range job.Accounts {
		a := mail.HandoverAccount{Name: id, URL: link(s.BaseURL, "/console/accounts/"+id)}
		if c, err := s.Accounts.Get(ctx, id); err == nil {
			a.Name = c.Name
			if ct, ok := c.PrimaryContact(); ok {
				a.Contact = ct.Name
			}
		}
		accounts = append(accounts, a)
	}
	for _, person := range []string{job.From, job.To} {
		r, ok := dir.Person(person)
		if !ok {
			continue
		}
		m, err := mail.Compose(mail.Envelope{To: []string{r.Email}, Lang: r.Language, Zone: set.Location(), Now: s.Now()},
			mail.HandoverList{From: dir.Name(job.From), To: dir.Name(job.To), Reason: job.Reason, At: job.StartedAt, Accounts: accounts,
				CallbackDays: set.Visits.HandoverCallbackDays, ForNew: person == job.To})
		if err != nil {
			return err
		}
		if _, err := s.Notifier.SendOnce(ctx, "handover/"+job.ID+"/list/"+person, s.Now(), m); err != nil {
			return err
		}
	}
	slog.InfoContext(ctx, "handover done", "handover", job.ID, "accounts", len(job.Accounts))
	return nil
}
