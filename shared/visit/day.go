package visit

import (
	"context"

	"keycare/shared/domain"
	"keycare/shared/mail"
)

// Day is p's day as the staff console's landing page shows it (My day):
// the sections of p's daily email — a manager's own items, a supervisor's
// department's overdue items and what waits for their approval — computed
// now by the same rules (digest.go) over p's accounts only, on any day.
// Links are the items' console paths. Executives and admins, who get no
// daily email, get no sections. It only reads: the greeting tasks are the
// daily run's.
func (s *Service) Day(ctx context.Context, p domain.Principal, lang string) ([]mail.DigestSection, error) {
	if !p.HasAny(domain.RoleManager, domain.RoleSupervisor) || p.HasAny(domain.RoleAdmin, domain.RoleExecutive) {
		return nil, nil
	}
	scope, err := domain.ScopeCustomers(p, domain.CustomerQuery{})
	if err != nil {
		return nil, err
	}
	set, cal, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	ag, err := s.agenda(ctx, set, cal, s.Now(), &scope)
	if err != nil {
		return nil, err
	}
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		return nil, err
	}
	var secs []mail.DigestSection
	if p.Has(domain.RoleManager) {
		mine, _ := s.managerSections(ag, p.Sub, dir.Name(p.Sub), lang, set, "/")
		secs = append(secs, mine...)
	}
	if p.Has(domain.RoleSupervisor) && p.Department != "" {
		secs = append(secs, s.supervisorSections(ag, p.Department, lang, dir, set, "/")...)
	}
	return secs, nil
}

// accountsOf reads every account q selects (a manager's, a department's).
func (s *Service) accountsOf(ctx context.Context, q domain.CustomerQuery) ([]domain.Customer, error) {
	var out []domain.Customer
	q.Limit = 100
	for {
		pg, err := s.Accounts.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.NextCursor == "" {
			return out, nil
		}
		q.Cursor = pg.NextCursor
	}
}
