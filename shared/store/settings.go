package store

import (
	"context"

	"keycare/shared/domain"
)

// Settings is the one versioned settings record.
type Settings struct{ t *table }

// Get reads the stored settings; domain.ErrNotFound while none were ever
// stored (the defaults apply).
func (r *Settings) Get(ctx context.Context) (*domain.Settings, error) {
	return get[domain.Settings](ctx, r.t, "SETTINGS", "CURRENT", "settings")
}

// Put stores s (s.Version = expectedVersion+1) if the stored record is
// still at expectedVersion (0: none stored), with its audit entry, in one
// transaction. Otherwise domain.ErrConflict.
func (r *Settings) Put(ctx context.Context, s domain.Settings, expectedVersion int, audit domain.AuditEntry) error {
	item, err := marshal(s, map[string]string{attrPK: "SETTINGS", attrSK: "CURRENT", "type": "settings"})
	if err != nil {
		return err
	}
	return r.t.putVersioned(ctx, item, expectedVersion, audit, "settings")
}
