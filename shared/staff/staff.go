// Package staff keeps the staff directory (GET/PUT /staff): who people are,
// where their mail goes, in which language, and whether they may still act.
// Notices, digests and reports address people through Directory; the
// SupervisorEmails, ExecutiveEmails and DepartmentEmails deployment
// parameters are the fallback while the directory names nobody.
package staff

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"keycare/shared/domain"
)

// Store keeps the directory.
type Store interface {
	// Get returns one person, or domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.StaffMember, error)
	// Put stores m if the stored entry is at expectedVersion (0 = new), else domain.ErrConflict.
	Put(ctx context.Context, m *domain.StaffMember, expectedVersion int, audit domain.AuditEntry) error
	// List returns a page of the directory.
	List(ctx context.Context, limit int32, cursor string) (domain.Page[domain.StaffMember], error)
}

// AuditLog is the access record: reads of the directory (people's
// addresses) are on it.
type AuditLog interface {
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
}

// Service keeps the directory and answers who receives what.
type Service struct {
	Store    Store
	Audit    AuditLog
	Fallback Fallback
	Now      func() time.Time
	TTL      time.Duration // how long Directory reuses what it read; 0 = 30 s

	mu     sync.Mutex
	dir    *Directory
	readAt time.Time
}

// Put creates or replaces the entry of person id on behalf of p (an admin:
// domain.ForbiddenError otherwise), who edited version ifMatch (0 for a new
// entry; a stale one is domain.ErrConflict). It reports whether the entry is new.
func (s *Service) Put(ctx context.Context, p domain.Principal, m domain.StaffMember, ifMatch int) (*domain.StaffMember, bool, error) {
	if !domain.CanManageStaff(p) {
		return nil, false, domain.Forbidden("the staff directory is kept by admins")
	}
	m.Name, m.Email = strings.TrimSpace(m.Name), strings.TrimSpace(m.Email)
	if m.Language == "" {
		m.Language = "zh"
	}
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	cur, err := s.Store.Get(ctx, m.ID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		if ifMatch != 0 {
			return nil, false, fmt.Errorf("staff member %s does not exist yet (send no If-Match): %w", m.ID, domain.ErrConflict)
		}
	case err != nil:
		return nil, false, err
	case cur.Version != ifMatch:
		return nil, false, fmt.Errorf("staff member %s is at version %d, not %d: %w", m.ID, cur.Version, ifMatch, domain.ErrConflict)
	}
	now := s.Now().UTC()
	m.Version, m.UpdatedBy, m.UpdatedAt = ifMatch+1, p.Sub, now
	action := domain.ActionUpdate
	if ifMatch == 0 {
		action = domain.ActionCreate
	}
	audit := domain.AuditEntry{Entity: "staff", EntityID: m.ID, Action: action, Actor: p.Sub, Role: p.Primary(), At: now, RequestID: domain.RequestID(ctx)}
	if err := s.Store.Put(ctx, &m, ifMatch, audit); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	s.dir = nil // the next Directory reads the change
	s.mu.Unlock()
	return &m, ifMatch == 0, nil
}

// Get returns one person's entry (domain.ErrNotFound when unknown).
func (s *Service) Get(ctx context.Context, id string) (*domain.StaffMember, error) {
	if !domain.ValidID(id) {
		return nil, fmt.Errorf("staff member %q: %w", id, domain.ErrNotFound)
	}
	return s.Store.Get(ctx, id)
}

// Read returns person id's entry for p (GET /staff/{id}); the read is on
// the access record.
func (s *Service) Read(ctx context.Context, p domain.Principal, id string) (*domain.StaffMember, error) {
	m, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return m, s.Audit.PutAll(ctx, []domain.AuditEntry{domain.Entry(ctx, p, s.Now(), "staff", m.ID, domain.ActionRead)})
}

// ReadAll returns the whole directory for p (GET /staff); each entry shown
// is on the access record.
func (s *Service) ReadAll(ctx context.Context, p domain.Principal) ([]domain.StaffMember, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	entries := []domain.AuditEntry{domain.Entry(ctx, p, s.Now(), "staff-list", p.Sub, domain.ActionList)}
	for _, m := range all {
		entries = append(entries, domain.Entry(ctx, p, s.Now(), "staff", m.ID, domain.ActionList))
	}
	return all, s.Audit.PutAll(ctx, entries)
}

// List returns the whole directory, by id.
func (s *Service) List(ctx context.Context) ([]domain.StaffMember, error) {
	var out []domain.StaffMember
	cursor := ""
	for {
		page, err := s.Store.List(ctx, 200, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

// Active reports whether person id may act: everyone Cognito signs in
// unless the directory marks them inactive. It reads the entry each time,
// so a deactivation takes effect at once.
func (s *Service) Active(ctx context.Context, id string) (bool, error) {
	m, err := s.Store.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return m.Active, nil
}

// Directory returns who receives what, read at most every TTL.
func (s *Service) Directory(ctx context.Context) (*Directory, error) {
	ttl := s.TTL
	if ttl == 0 {
		ttl = 30 * time.Second
	}
	now := s.Now()
	s.mu.Lock()
	if s.dir != nil && now.Sub(s.readAt) < ttl && !now.Before(s.readAt) {
		d := s.dir
		s.mu.Unlock()
		return d, nil
	}
	s.mu.Unlock()
	all, err := s.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("staff: directory: %w", err)
	}
	d := &Directory{fallback: s.Fallback, byID: map[string]domain.StaffMember{}}
	for _, m := range all {
		d.byID[m.ID] = m
		if m.Active {
			d.active = append(d.active, m)
		}
	}
	s.mu.Lock()
	s.dir, s.readAt = d, now
	s.mu.Unlock()
	return d, nil
}

// Recipient is where one person's mail goes.
type Recipient struct {
	ID       string // "" for a fallback address
	Name     string
	Email    string
	Language string
}

// Directory answers who receives a notice. Inactive people receive nothing.
type Directory struct {
	active   []domain.StaffMember
	byID     map[string]domain.StaffMember
	fallback Fallback
}

// NewDirectory builds a directory from entries and a fallback (tests, tools).
func NewDirectory(members []domain.StaffMember, fb Fallback) *Directory {
	d := &Directory{fallback: fb, byID: map[string]domain.StaffMember{}}
	for _, m := range members {
		d.byID[m.ID] = m
		if m.Active {
			d.active = append(d.active, m)
		}
	}
	return d
}

func (d *Directory) with(keep func(m domain.StaffMember) bool) []Recipient {
	var out []Recipient
	for _, m := range d.active {
		if keep(m) {
			out = append(out, Recipient{ID: m.ID, Name: m.Name, Email: m.Email, Language: m.Language})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func addresses(list []string) []Recipient {
	out := make([]Recipient, 0, len(list))
	for _, a := range list {
		out = append(out, Recipient{Email: a, Language: "zh"})
	}
	return out
}

// Supervisors are the supervisors of dept, or all supervisors when none
// belongs to it (or dept is ""), or the SupervisorEmails fallback.
func (d *Directory) Supervisors(dept string) []Recipient {
	if dept != "" {
		if r := d.with(func(m domain.StaffMember) bool { return m.Has(domain.RoleSupervisor) && m.Department == dept }); len(r) > 0 {
			return r
		}
	}
	if r := d.with(func(m domain.StaffMember) bool { return m.Has(domain.RoleSupervisor) }); len(r) > 0 {
		return r
	}
	return addresses(d.fallback.Supervisors)
}

// Executives are the executives, or the ExecutiveEmails fallback.
func (d *Directory) Executives() []Recipient {
	if r := d.with(func(m domain.StaffMember) bool { return m.Has(domain.RoleExecutive) }); len(r) > 0 {
		return r
	}
	return addresses(d.fallback.Executives)
}

// Department is the handling department dept's people, or its
// DepartmentEmails fallback.
func (d *Directory) Department(dept string) []Recipient {
	if dept == "" {
		return nil
	}
	if r := d.with(func(m domain.StaffMember) bool { return m.Has(domain.RoleDepartment) && m.Department == dept }); len(r) > 0 {
		return r
	}
	return addresses(d.fallback.Departments[dept])
}

// Managers are the active account managers, by id.
func (d *Directory) Managers() []Recipient {
	return d.with(func(m domain.StaffMember) bool { return m.Has(domain.RoleManager) })
}

// Person is one active person's address, when the directory knows them.
func (d *Directory) Person(id string) (Recipient, bool) {
	m, ok := d.byID[id]
	if !ok || !m.Active {
		return Recipient{}, false
	}
	return Recipient{ID: m.ID, Name: m.Name, Email: m.Email, Language: m.Language}, true
}

// Name is how person id is shown: their name, else the id.
func (d *Directory) Name(id string) string {
	if m, ok := d.byID[id]; ok && m.Name != "" {
		return m.Name
	}
	return id
}

// Fallback are the addresses of the SupervisorEmails, ExecutiveEmails and
// DepartmentEmails deployment parameters, used while the directory names
// nobody for a role.
type Fallback struct {
	Supervisors []string
	Executives  []string
	Departments map[string][]string // handling department -> addresses
}

// ParseFallback reads the parameters: comma-separated addresses, and
// departments as "repair=a@x.cn;b@x.cn,billing=c@x.cn".
func ParseFallback(supervisors, executives, departments string) (Fallback, error) {
	f := Fallback{Supervisors: split(supervisors, ","), Executives: split(executives, ","), Departments: map[string][]string{}}
	for _, part := range split(departments, ",") {
		dept, addrs, ok := strings.Cut(part, "=")
		if !ok || !domain.ValidID(strings.TrimSpace(dept)) {
			return f, fmt.Errorf("staff: DEPARTMENT_EMAILS entry %q is not dept=address", part)
		}
		f.Departments[strings.TrimSpace(dept)] = split(addrs, ";")
	}
	all := append(append([]string{}, f.Supervisors...), f.Executives...)
	for _, list := range f.Departments {
		all = append(all, list...)
	}
	for _, a := range all {
		if !domain.ValidEmail(a) {
			return f, fmt.Errorf("staff: %q is not an email address", a)
		}
	}
	return f, nil
}

func split(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
