package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"keycare/shared/domain"
)

// Keeper keeps messages that could not be queued, in the table.
type Keeper interface {
	Keep(ctx context.Context, p domain.PendingMail) error
	Kept(ctx context.Context, limit int32) ([]domain.PendingMail, error)
	Drop(ctx context.Context, id string) error
}

// ReliableOutbox queues messages and, when the queue cannot be reached,
// keeps them in the table for the next hourly run: a workflow step that
// succeeded never loses its email.
type ReliableOutbox struct {
	Outbox Outbox
	Keeper Keeper
	Now    func() time.Time

	// Parts keeps the attachments of a message too large for the queue
	// (mail.Fit); nil: such a message is refused.
	Parts Parts
}

// Send queues m, or keeps it for later. A message too large for the queue
// first has its largest attachments kept apart (Fit).
func (r ReliableOutbox) Send(ctx context.Context, m Message) error {
	if len(m.Attachments) > 0 {
		if err := m.Validate(); err != nil {
			return err
		}
		fitted, err := Fit(ctx, r.Parts, m, r.Now())
		if err != nil {
			return err
		}
		m = fitted
	}
	err := r.Outbox.Send(ctx, m)
	if err == nil {
		return nil
	}
	if verr := m.Validate(); verr != nil {
		return verr
	}
	slog.WarnContext(ctx, "mail: queue unavailable, kept for retry", "mailId", m.ID, "kind", m.Kind, "err", err.Error())
	b, _ := json.Marshal(m)
	if perr := r.Keeper.Keep(ctx, domain.PendingMail{ID: m.ID, Payload: string(b), At: r.Now().UTC()}); perr != nil {
		return fmt.Errorf("mail: queue failed (%v) and keeping it failed: %w", err, perr)
	}
	return nil
}

// Requeue puts kept messages on the queue again; it returns how many went.
func (r ReliableOutbox) Requeue(ctx context.Context) (int, error) {
	pending, err := r.Keeper.Kept(ctx, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pending {
		var m Message
		if err := json.Unmarshal([]byte(p.Payload), &m); err != nil {
			slog.ErrorContext(ctx, "mail: unreadable kept message dropped", "mailId", p.ID)
			_ = r.Keeper.Drop(ctx, p.ID)
			continue
		}
		if err := r.Outbox.Send(ctx, m); err != nil {
			return sent, err
		}
		if err := r.Keeper.Drop(ctx, p.ID); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
