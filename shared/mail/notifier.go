package mail

import (
	"context"
	"fmt"
	"time"
)

// Once records that a notice went out, so that it goes only once: Claim
// returns false when it already did; Release forgets a claim whose message
// could not be queued, so that the next run sends it.
type Once interface {
	Claim(ctx context.Context, key string, at time.Time) (bool, error)
	Release(ctx context.Context, key string) error
}

// Notifier sends each notice once: complaint reminders and escalations,
// survey reminders, digests and reports all go through it, each under a key
// that names the notice (e.g. "complaint/261122001/close-soon").
type Notifier struct {
	Once   Once
	Outbox Outbox
}

// SendOnce sends the messages of notice key (one per language of its
// readers) unless it was already sent; it reports whether it sent them now.
// When one cannot be queued (nor kept), the claim is released and the error
// returned, so a rerun tries again.
func (n Notifier) SendOnce(ctx context.Context, key string, at time.Time, msgs ...Message) (bool, error) {
	first, err := n.Once.Claim(ctx, key, at)
	if err != nil || !first {
		return false, err
	}
	for _, m := range msgs {
		if err := n.Outbox.Send(ctx, m); err != nil {
			if rerr := n.Once.Release(ctx, key); rerr != nil {
				return false, fmt.Errorf("mail: %v; and releasing notice %s failed: %w", err, key, rerr)
			}
			return false, err
		}
	}
	return true, nil
}
