// Package settings serves the admin-editable numbers of domain.md (one
// versioned record in the table, domain.md's defaults while none is
// stored): GET and PUT /settings, and what every other service reads.
package settings

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"keycare/shared/domain"
)

// Store keeps the settings record.
type Store interface {
	// Get returns the stored record, or domain.ErrNotFound while none is.
	Get(ctx context.Context) (*domain.Settings, error)
	// Put stores s if the stored record is at expectedVersion, else domain.ErrConflict.
	Put(ctx context.Context, s domain.Settings, expectedVersion int, audit domain.AuditEntry) error
}

// DefaultTTL is how long a function reuses the settings it read: a change
// reaches every function within this time.
const DefaultTTL = 30 * time.Second

// Service reads and changes the settings.
type Service struct {
	Store    Store
	TimeZone string // the deployment's TimeZone parameter
	Now      func() time.Time
	TTL      time.Duration // 0 means DefaultTTL

	mu     sync.Mutex
	cached *domain.Settings
	readAt time.Time
}

// New returns the settings of a deployment in time zone tz.
func New(st Store, tz string, now func() time.Time) *Service {
	return &Service{Store: st, TimeZone: tz, Now: now}
}

// Current returns the settings in force: the stored record, else the
// defaults, reread at most every TTL.
func (s *Service) Current(ctx context.Context) (domain.Settings, error) {
	ttl := s.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	now := s.Now()
	s.mu.Lock()
	if s.cached != nil && now.Sub(s.readAt) < ttl && !now.Before(s.readAt) {
		c := *s.cached
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	cur, err := s.read(ctx)
	if err != nil {
		return domain.Settings{}, err
	}
	s.remember(cur, now)
	return cur, nil
}

func (s *Service) read(ctx context.Context) (domain.Settings, error) {
	got, err := s.Store.Get(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Defaults(s.TimeZone), nil
	}
	if err != nil {
		return domain.Settings{}, fmt.Errorf("settings: %w", err)
	}
	got.TimeZone = s.TimeZone
	got.FillDefaults()
	return *got, nil
}

func (s *Service) remember(cur domain.Settings, at time.Time) {
	s.mu.Lock()
	s.cached, s.readAt = &cur, at
	s.mu.Unlock()
}

// Get returns the settings as stored now (no cache), for the admin page.
func (s *Service) Get(ctx context.Context) (domain.Settings, error) { return s.read(ctx) }

// AuditLog is the access record.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
}

// Read returns the settings as stored now for p (GET /settings), a read on
// the access record like every staff read.
func (s *Service) Read(ctx context.Context, p domain.Principal, audit AuditLog) (domain.Settings, error) {
	cur, err := s.read(ctx)
	if err != nil {
		return cur, err
	}
	return cur, audit.Put(ctx, domain.Entry(ctx, p, s.Now(), "settings", "current", domain.ActionRead))
}

// Update replaces the settings with next on behalf of p, who edited
// version ifMatch (0 = the defaults). Only admins change settings
// (domain.ForbiddenError); next must be valid (domain.ValidationError) and
// keep the deployment's time zone; a stale ifMatch is domain.ErrConflict.
// The change is on the audit record with the names of the sections changed.
func (s *Service) Update(ctx context.Context, p domain.Principal, next domain.Settings, ifMatch int) (domain.Settings, error) {
	if !domain.CanChangeSettings(p) {
		return domain.Settings{}, domain.Forbidden("settings are changed by admins")
	}
	if next.TimeZone == "" {
		next.TimeZone = s.TimeZone
	}
	next.FillDefaults()
	if next.TimeZone != s.TimeZone {
		return domain.Settings{}, &domain.ValidationError{Fields: map[string]string{"timeZone": "the time zone is the deployment's TimeZone parameter (the schedules fire in it) 时区由部署参数 TimeZone 决定"}}
	}
	if err := next.Validate(); err != nil {
		return domain.Settings{}, err
	}
	cur, err := s.read(ctx)
	if err != nil {
		return domain.Settings{}, err
	}
	if cur.Version != ifMatch {
		return domain.Settings{}, fmt.Errorf("settings are at version %d, not %d: %w", cur.Version, ifMatch, domain.ErrConflict)
	}
	now := s.Now().UTC()
	next.Version, next.UpdatedBy, next.UpdatedAt = ifMatch+1, p.Sub, now
	audit := domain.AuditEntry{Entity: "settings", EntityID: "current", Action: domain.ActionUpdate, Actor: p.Sub, Role: p.Primary(),
		At: now, RequestID: domain.RequestID(ctx), Changes: changedSections(cur, next)}
	if err := s.Store.Put(ctx, next, ifMatch, audit); err != nil {
		return domain.Settings{}, err
	}
	s.remember(next, s.Now())
	return next, nil
}

func changedSections(a, b domain.Settings) []string {
	var out []string
	if a.Tiers != b.Tiers {
		out = append(out, "tiers")
	}
	if a.Score != b.Score {
		out = append(out, "score")
	}
	if fmt.Sprint(a.Clock) != fmt.Sprint(b.Clock) {
		out = append(out, "clock")
	}
	if a.Survey != b.Survey {
		out = append(out, "survey")
	}
	if a.Targets != b.Targets {
		out = append(out, "targets")
	}
	if a.Brand != b.Brand {
		out = append(out, "brand")
	}
	if fmt.Sprint(a.Departments) != fmt.Sprint(b.Departments) {
		out = append(out, "departments")
	}
	if fmt.Sprint(a.Visits) != fmt.Sprint(b.Visits) {
		out = append(out, "visits")
	}
	if a.Public != b.Public {
		out = append(out, "public")
	}
	return out
}
