package store

import (
	"context"

	"keycare/shared/domain"
)

// Staff is the staff directory: one item per person, all in one index
// partition (a company has hundreds of staff, not millions).
type Staff struct{ t *table }

func staffPK(id string) string { return "STAFF#" + id }

// Get reads one person (domain.ErrNotFound when unknown).
func (r *Staff) Get(ctx context.Context, id string) (*domain.StaffMember, error) {
	return get[domain.StaffMember](ctx, r.t, staffPK(id), "PERSON", "staff member "+id)
}

// Put stores m (m.Version = expectedVersion+1) if the stored entry is still
// at expectedVersion (0: new), with its audit entry. Otherwise
// domain.ErrConflict.
func (r *Staff) Put(ctx context.Context, m *domain.StaffMember, expectedVersion int, audit domain.AuditEntry) error {
	item, err := marshal(m, map[string]string{attrPK: staffPK(m.ID), attrSK: "PERSON", "type": "staff",
		"GSI1PK": "STAFF", "GSI1SK": m.ID})
	if err != nil {
		return err
	}
	return r.t.putVersioned(ctx, item, expectedVersion, audit, "staff member "+m.ID)
}

// List returns a page of the directory, by id.
func (r *Staff) List(ctx context.Context, limit int32, cursor string) (domain.Page[domain.StaffMember], error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return page[domain.StaffMember](ctx, r.t, query{index: "GSI1", pk: "STAFF", limit: limit, cursor: cursor})
}
