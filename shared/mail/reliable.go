package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"keycare/shared/domain"
)

// Keeper keeps mail jobs in the table: those that could not be queued and
// those written with the change they report (the transactional outbox).
type Keeper interface {
	Keep(ctx context.Context, p domain.PendingMail) error
	// Kept lists jobs kept before a time, oldest first.
	Kept(ctx context.Context, before time.Time, limit int32) ([]domain.PendingMail, error)
	Drop(ctx context.Context, id string) error
}

// Transactional is how a service sends the mail a change causes: it turns
// each message into a job (Pending), writes the jobs in the same DynamoDB
// transaction as the change, then Dispatches them. A crash between the two
// loses nothing: the hourly run queues what is left (Requeue).
type Transactional interface {
	Outbox
	Dispatch(ctx context.Context, jobs []domain.PendingMail)
}

// MaxJob is the largest job: it must fit one SQS message (256 KiB) and,
// with the rest of its transaction, one DynamoDB item (400 KB).
const MaxJob = 250 << 10

// Pending is m as a job kept in the table at at, to be written with the
// change that sends it.
func Pending(m Message, at time.Time) (domain.PendingMail, error) {
	if err := m.Validate(); err != nil {
		return domain.PendingMail{}, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return domain.PendingMail{}, err
	}
	if len(b) > MaxJob {
		return domain.PendingMail{}, fmt.Errorf("mail: message %s of %d bytes is too large to keep", m.ID, len(b))
	}
	return domain.PendingMail{ID: m.ID, Payload: string(b), At: at.UTC()}, nil
}

// Settle is how old a kept job must be before the hourly run queues it: a
// job just written is being dispatched by the function that wrote it.
const Settle = 5 * time.Minute

// ReliableOutbox queues messages and, when the queue cannot be reached,
// keeps them in the table for the next hourly run: a workflow step that
// succeeded never loses its email.
type ReliableOutbox struct {
	Outbox Outbox
	Keeper Keeper
	Now    func() time.Time
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
	slog.WarnContext(ctx, "mail: queue unavailable, kept for retry", "mailId", m.ID, "kind", m.Kind, "code", ErrorCode(err))
	b, _ := json.Marshal(m)
	if perr := r.Keeper.Keep(ctx, domain.PendingMail{ID: m.ID, Payload: string(b), At: r.Now().UTC()}); perr != nil {
		return fmt.Errorf("mail: queue failed (%v) and keeping it failed: %w", err, perr)
	}
	return nil
}

// Dispatch queues jobs already kept in the table (written with the change
// they report) and drops each once queued. A job that cannot be queued
// stays in the table for the hourly run; nothing is returned, as the change
// is already stored.
func (r ReliableOutbox) Dispatch(ctx context.Context, jobs []domain.PendingMail) {
	for _, p := range jobs {
		if err := r.queue(ctx, p); err != nil {
			slog.WarnContext(ctx, "mail: job kept for the hourly run", "mailId", p.ID, "code", ErrorCode(err))
		}
	}
}

// queue sends one kept job and drops it from the table.
func (r ReliableOutbox) queue(ctx context.Context, p domain.PendingMail) error {
	var m Message
	if err := json.Unmarshal([]byte(p.Payload), &m); err != nil {
		slog.ErrorContext(ctx, "mail: unreadable kept message dropped", "mailId", p.ID)
		return r.Keeper.Drop(ctx, p.ID)
	}
	if err := r.Outbox.Send(ctx, m); err != nil {
		return err
	}
	return r.Keeper.Drop(ctx, p.ID)
}

// Requeue puts kept messages on the queue again (those kept at least
// Settle ago); it returns how many went.
func (r ReliableOutbox) Requeue(ctx context.Context) (int, error) {
	sent := 0
	for range 20 { // at most 2,000 a run; the next run takes the rest
		pending, err := r.Keeper.Kept(ctx, r.Now().Add(-Settle), 100)
		if err != nil {
			return sent, err
		}
		for _, p := range pending {
			if err := r.queue(ctx, p); err != nil {
				return sent, err
			}
			sent++
		}
		if len(pending) < 100 {
			break
		}
	}
	return sent, nil
}
