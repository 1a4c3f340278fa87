package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"keycare/shared/store"
)

// PendingStore keeps messages that could not be queued.
type PendingStore interface {
	SavePendingMail(ctx context.Context, p store.PendingMail, at time.Time) error
	ListPendingMail(ctx context.Context, limit int32) ([]store.PendingMail, error)
	DeletePendingMail(ctx context.Context, id string) error
}

// ReliableOutbox queues messages and, when the queue cannot be reached,
// keeps them in the table for the next escalation run: a workflow step that
// succeeded never loses its email.
type ReliableOutbox struct {
	Outbox  Outbox
	Pending PendingStore
	Now     func() time.Time
}

// Send queues m, or keeps it for later.
func (r ReliableOutbox) Send(ctx context.Context, m Message) error {
	err := r.Outbox.Send(ctx, m)
	if err == nil {
		return nil
	}
	if verr := m.Validate(); verr != nil {
		return verr
	}
	slog.WarnContext(ctx, "mail: queue unavailable, kept for retry", "mailId", m.ID, "kind", m.Kind, "err", err.Error())
	b, _ := json.Marshal(m)
	if perr := r.Pending.SavePendingMail(ctx, store.PendingMail{ID: m.ID, Payload: string(b)}, r.Now()); perr != nil {
		return fmt.Errorf("mail: queue failed (%v) and keeping it failed: %w", err, perr)
	}
	return nil
}

// Requeue puts kept messages on the queue again; it returns how many went.
func (r ReliableOutbox) Requeue(ctx context.Context) (int, error) {
	pending, err := r.Pending.ListPendingMail(ctx, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pending {
		var m Message
		if err := json.Unmarshal([]byte(p.Payload), &m); err != nil {
			slog.ErrorContext(ctx, "mail: unreadable pending message dropped", "mailId", p.ID)
			_ = r.Pending.DeletePendingMail(ctx, p.ID)
			continue
		}
		if err := r.Outbox.Send(ctx, m); err != nil {
			return sent, err
		}
		if err := r.Pending.DeletePendingMail(ctx, p.ID); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
