// Package customer keeps the key-account files (大客户档案): opening,
// reading, changing and listing them, revenue figures and the tier they
// give, exports, and the access record (查阅登记) of every look and change.
package customer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"keycare/shared/domain"
)

// Store keeps the files.
type Store interface {
	// Create stores a new file with its audit entry (and Idempotency-Key,
	// if any: *domain.ReplayError, domain.ErrIdempotencyMismatch); an
	// existing id is domain.ErrConflict.
	Create(ctx context.Context, c *domain.Customer, audit domain.AuditEntry, idem *domain.IdempotencyRecord) error
	// Get reads a file, or domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.Customer, error)
	// Update replaces file prev, still at expectedVersion (else domain.ErrConflict), with c and its audit entry.
	Update(ctx context.Context, prev, c *domain.Customer, expectedVersion int, audit domain.AuditEntry) error
	// List returns a page of files.
	List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error)
}

// AuditLog is the access record.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
	Of(ctx context.Context, entity, id string, limit int32, cursor string) (domain.Page[domain.AuditEntry], error)
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Service is the key-account file service.
type Service struct {
	Store    Store
	Audit    AuditLog
	Settings Settings
	Now      func() time.Time
	NewID    func() string // ids of new files
}

// View is a file as one viewer may see it: contacts masked for roles that
// do not call the customer, with the tier revenue alone gives and the
// value score with its breakdown.
type View struct {
	domain.Customer
	ComputedTier domain.Tier       `json:"computedTier,omitempty"`
	ValueScore   domain.ValueScore `json:"valueScore"`
}

// ViewOf is c as p may see it under settings s.
func ViewOf(c *domain.Customer, p domain.Principal, s domain.Settings) View {
	return View{Customer: c.ForViewer(p), ComputedTier: c.ComputedTier(s), ValueScore: domain.Score(c.ScoreInputs, s)}
}

func (s *Service) entry(ctx context.Context, p domain.Principal, entity, id, action string) domain.AuditEntry {
	return domain.Entry(ctx, p, s.Now(), entity, id, action)
}

// listed is the access record of a listing or an export: one entry in the
// trail of each file shown, and a summary under the reader (what was asked,
// how many rows).
func (s *Service) listed(ctx context.Context, p domain.Principal, summary domain.AuditEntry, files []domain.Customer) error {
	entries := make([]domain.AuditEntry, 0, len(files)+1)
	for i := range files {
		e := s.entry(ctx, p, "customer", files[i].ID, summary.Action)
		e.Reason = summary.Reason
		entries = append(entries, e)
	}
	return s.Audit.PutAll(ctx, append(entries, summary))
}

// Create opens a file for p (domain.ForbiddenError when p may not,
// domain.ValidationError when d is invalid). With an Idempotency-Key, the
// same key and draft within 24 h return the first file (replayed true, the
// look on the access record); the key with another draft is
// domain.ErrIdempotencyMismatch.
func (s *Service) Create(ctx context.Context, p domain.Principal, d domain.CustomerDraft, idemKey string) (View, bool, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return View{}, false, err
	}
	c, err := domain.NewCustomer(d, s.NewID(), p, s.Now(), set)
	if err != nil {
		return View{}, false, err
	}
	audit := s.entry(ctx, p, "customer", c.ID, domain.ActionCreate)
	if c.TierOverride != nil {
		audit.Reason = c.TierOverride.Reason
	}
	var idem *domain.IdempotencyRecord
	if k := domain.IdempotencyKey("customer", &p, idemKey); k != "" {
		b, _ := json.Marshal(d)
		sum := sha256.Sum256(b)
		idem = &domain.IdempotencyRecord{Key: k, Fingerprint: hex.EncodeToString(sum[:]), Result: c.ID, At: s.Now().UTC()}
	}
	err = s.Store.Create(ctx, c, audit, idem)
	var replay *domain.ReplayError
	if errors.As(err, &replay) {
		v, err := s.Get(ctx, p, replay.First.Result)
		return v, true, err
	}
	if err != nil {
		return View{}, false, err
	}
	return ViewOf(c, p, set), false, nil
}

// Visible reads file id if p may see it: domain.ErrNotFound for an unknown
// id, domain.ForbiddenError for another manager's or department's file.
// It records nothing; other services use it to check access.
func (s *Service) Visible(ctx context.Context, p domain.Principal, id string) (*domain.Customer, error) {
	if !domain.ValidID(id) {
		return nil, fmt.Errorf("customer id %q: %w", id, domain.ErrNotFound)
	}
	c, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeCustomer(p, c) {
		return nil, domain.Forbidden("this file belongs to another manager or department")
	}
	return c, nil
}

// Get reads file id for p; the read is on the access record before the
// file is shown.
func (s *Service) Get(ctx context.Context, p domain.Principal, id string) (View, error) {
	c, err := s.Visible(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if err := s.Audit.Put(ctx, s.entry(ctx, p, "customer", c.ID, domain.ActionRead)); err != nil {
		return View{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return View{}, err
	}
	return ViewOf(c, p, set), nil
}

// Update changes file id by patch on behalf of p, who edited version
// ifMatch: domain.ErrConflict when the file has moved on, and the rules of
// domain.Customer.Apply. A patch that changes nothing returns the file as is.
func (s *Service) Update(ctx context.Context, p domain.Principal, id string, ifMatch int, patch domain.CustomerPatch) (View, error) {
	c, err := s.Visible(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if c.Version != ifMatch {
		return View{}, fmt.Errorf("customer %s is at version %d, not %d: %w", c.ID, c.Version, ifMatch, domain.ErrConflict)
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return View{}, err
	}
	prev := *c
	changes, reason, err := c.Apply(patch, p, s.Now(), set)
	if err != nil {
		return View{}, err
	}
	if len(changes) == 0 { // nothing changed, but the file is shown: a read
		read := s.entry(ctx, p, "customer", c.ID, domain.ActionRead)
		read.Reason = "PATCH without changes"
		if err := s.Audit.Put(ctx, read); err != nil {
			return View{}, err
		}
		return ViewOf(c, p, set), nil
	}
	audit := s.entry(ctx, p, "customer", c.ID, domain.ActionUpdate)
	audit.Changes, audit.Reason = changes, reason
	if reason != "" {
		audit.Action = domain.ActionTierOverride
	}
	if err := s.Store.Update(ctx, &prev, c, ifMatch, audit); err != nil {
		return View{}, err
	}
	return ViewOf(c, p, set), nil
}

// AddRevenue records one year's revenue figures; the tier follows the
// revenue share. Figures are added, not edited against a version the user
// saw, so a concurrent change is retried on the fresh file.
func (s *Service) AddRevenue(ctx context.Context, p domain.Principal, id string, rev domain.Revenue) (View, error) {
	if err := rev.Validate(); err != nil {
		return View{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return View{}, err
	}
	for attempt := 0; ; attempt++ {
		c, err := s.Visible(ctx, p, id)
		if err != nil {
			return View{}, err
		}
		before, version, prev := c.Tier, c.Version, *c
		c.SetRevenue(rev, set)
		c.UpdatedBy, c.UpdatedAt, c.Version = p.Sub, s.Now().UTC(), version+1
		audit := s.entry(ctx, p, "customer", c.ID, domain.ActionRevenue)
		audit.Changes = []string{"revenue." + strconv.Itoa(rev.Year)}
		if c.Tier != before {
			audit.Changes = append(audit.Changes, "tier")
		}
		err = s.Store.Update(ctx, &prev, c, version, audit)
		if errors.Is(err, domain.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return View{}, err
		}
		return ViewOf(c, p, set), nil
	}
}

// List returns a page of the files p may see (domain.ScopeCustomers); the
// listing is on the access record: in each file's trail, and under the
// reader with what was asked and how many were shown.
func (s *Service) List(ctx context.Context, p domain.Principal, q domain.CustomerQuery) (domain.Page[View], error) {
	q, err := domain.ScopeCustomers(p, q)
	if err != nil {
		return domain.Page[View]{}, err
	}
	page, err := s.list(ctx, q)
	if err != nil {
		return domain.Page[View]{}, err
	}
	audit := s.entry(ctx, p, "customer-list", p.Sub, domain.ActionList)
	audit.Changes = []string{fmt.Sprintf("manager=%s tier=%s department=%s rows=%d", q.Manager, q.Tier, q.Department, len(page.Items))}
	if q.Name != "" {
		audit.Changes[0] += " search=name"
	}
	if err := s.listed(ctx, p, audit, page.Items); err != nil {
		return domain.Page[View]{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return domain.Page[View]{}, err
	}
	out := domain.Page[View]{Items: make([]View, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		out.Items = append(out.Items, ViewOf(&page.Items[i], p, set))
	}
	return out, nil
}

// MaxSearchRead bounds the files one name search reads before it answers
// what it found (with a cursor to read on).
const MaxSearchRead = 2000

// list is a page of q; with a name, the matching files of as many pages as
// make a page of them (at most MaxSearchRead files read).
func (s *Service) list(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error) {
	if q.Name == "" {
		return s.Store.List(ctx, q)
	}
	want := int(q.Limit)
	if want <= 0 || want > 100 {
		want = 50
	}
	q.Limit = 100
	out := domain.Page[domain.Customer]{Items: []domain.Customer{}}
	for read := 0; ; {
		pg, err := s.Store.List(ctx, q)
		if err != nil {
			return out, err
		}
		read += len(pg.Items)
		for _, c := range pg.Items {
			if domain.NameMatches(c.Name, q.Name) {
				out.Items = append(out.Items, c)
			}
		}
		out.NextCursor = pg.NextCursor
		if pg.NextCursor == "" || len(out.Items) >= want || read >= MaxSearchRead {
			return out, nil
		}
		q.Cursor = pg.NextCursor
	}
}

// MaxExportRows bounds one export.
const MaxExportRows = 10000

// Export returns every file p may see that q selects (at most
// MaxExportRows), for a CSV export. An export needs a reason (≤ 500
// characters) and is on the access record with it, in each exported file's
// trail and under the reader.
func (s *Service) Export(ctx context.Context, p domain.Principal, q domain.CustomerQuery, reason string) ([]View, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > 500 {
		return nil, &domain.ValidationError{Fields: map[string]string{"reason": "an export needs a reason (≤ 500 characters) 导出须说明理由"}}
	}
	q, err := domain.ScopeCustomers(p, q)
	if err != nil {
		return nil, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	q.Limit = 100
	var rows []View
	var files []domain.Customer
	for {
		page, err := s.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			rows = append(rows, ViewOf(&page.Items[i], p, set))
		}
		files = append(files, page.Items...)
		if page.NextCursor == "" || len(rows) >= MaxExportRows {
			break
		}
		q.Cursor = page.NextCursor
	}
	audit := s.entry(ctx, p, "customer-export", p.Sub, domain.ActionExport)
	audit.Reason = reason
	audit.Changes = []string{fmt.Sprintf("rows=%d", len(rows))}
	if err := s.listed(ctx, p, audit, files); err != nil {
		return nil, err
	}
	return rows, nil
}

// AccessRecord returns the access record of file id (newest first), for
// supervisors, executives and admins who may see the file.
func (s *Service) AccessRecord(ctx context.Context, p domain.Principal, id, cursor string) (domain.Page[domain.AuditEntry], error) {
	if !domain.CanReadAccessRecord(p) {
		return domain.Page[domain.AuditEntry]{}, domain.Forbidden("the access record is for supervisors, executives and admins")
	}
	c, err := s.Visible(ctx, p, id)
	if err != nil {
		return domain.Page[domain.AuditEntry]{}, err
	}
	page, err := s.Audit.Of(ctx, "customer", c.ID, 100, cursor)
	if err != nil {
		return page, err
	}
	// Reading the record is on it too (after the page was read, so the
	// entry shows on the next look).
	return page, s.Audit.Put(ctx, s.entry(ctx, p, "customer", c.ID, domain.ActionReadTrail))
}
