// Package audit shows the access record (查阅登记) by person: what one
// member of staff read or changed (GET /audit?actor=). The record of one
// file is shown with the file (customer.Service.AccessRecord).
package audit

import (
	"context"
	"errors"
	"time"

	"keycare/shared/domain"
)

// Store reads and writes the access record.
type Store interface {
	// ByActor returns a page of what actor read or changed, newest first.
	ByActor(ctx context.Context, actor string, limit int32, cursor string) (domain.Page[domain.AuditEntry], error)
	Put(ctx context.Context, e domain.AuditEntry) error
}

// People reads the staff directory (whose department a person is in).
type People interface {
	Get(ctx context.Context, id string) (*domain.StaffMember, error)
}

// Service shows the access record by person.
type Service struct {
	Store  Store
	People People
	Now    func() time.Time
}

// ByActor returns a page of what actor read or changed, for p
// (domain.CanReadActorTrail: domain.ForbiddenError otherwise; an actor that
// is not an id is a domain.ValidationError). Reading it is on the record too.
func (s *Service) ByActor(ctx context.Context, p domain.Principal, actor, cursor string) (domain.Page[domain.AuditEntry], error) {
	if !domain.ValidID(actor) {
		return domain.Page[domain.AuditEntry]{}, &domain.ValidationError{Fields: map[string]string{"actor": "give actor=<user id> 请指定人员标识"}}
	}
	m, err := s.People.Get(ctx, actor)
	if errors.Is(err, domain.ErrNotFound) {
		m, err = nil, nil
	}
	if err != nil {
		return domain.Page[domain.AuditEntry]{}, err
	}
	if !domain.CanReadActorTrail(p, actor, m) {
		return domain.Page[domain.AuditEntry]{}, domain.Forbidden("the record of a person is for executives, admins and the supervisors of their department")
	}
	page, err := s.Store.ByActor(ctx, actor, 100, cursor)
	if err != nil {
		return page, err
	}
	return page, s.Store.Put(ctx, domain.Entry(ctx, p, s.Now(), "audit-actor", actor, domain.ActionReadTrail))
}
