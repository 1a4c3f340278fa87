package complaint

import (
	"context"
	"log/slog"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// Directory tells who receives staff notices.
type Directory interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// Escalator is the hourly run of ComplaintEscalationFunction: it walks the
// open complaints by due time, sends each reminder and escalation that has
// fallen due (domain.Complaint.DueReminders) once, and queues again any
// email that could not be queued earlier.
type Escalator struct {
	Store     Store
	Notifier  mail.Notifier
	Kept      mail.ReliableOutbox // requeues what could not be queued
	Directory Directory
	Settings  Settings
	Now       func() time.Time
	BaseURL   string // of the links in notices
}

// Result counts what a run did.
type Result struct {
	Open, Sent, AlreadySent, Requeued int
}

// Run checks every open complaint once.
func (e *Escalator) Run(ctx context.Context) (Result, error) {
	var res Result
	n, err := e.Kept.Requeue(ctx)
	res.Requeued = n
	if err != nil { // the queue may still be down; the reminders below are kept the same way
		slog.WarnContext(ctx, "escalation: requeue of kept mail failed", "err", err.Error())
	}
	dir, err := e.Directory.Directory(ctx)
	if err != nil {
		return res, err
	}
	set, err := e.Settings.Current(ctx)
	if err != nil {
		return res, err
	}
	now := e.Now().UTC()
	q := domain.ComplaintQuery{Limit: 100}
	for {
		page, err := e.Store.List(ctx, q)
		if err != nil {
			return res, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			res.Open++
			for _, rem := range c.DueReminders(now) {
				sent, err := e.remind(ctx, dir, set, c, rem, now)
				if err != nil {
					return res, err
				}
				if sent {
					res.Sent++
				} else {
					res.AlreadySent++
				}
			}
		}
		if page.NextCursor == "" {
			slog.InfoContext(ctx, "escalation run", "open", res.Open, "sent", res.Sent, "alreadySent", res.AlreadySent, "requeued", res.Requeued)
			return res, nil
		}
		q.Cursor = page.NextCursor
	}
}

func (e *Escalator) remind(ctx context.Context, d *staff.Directory, set domain.Settings, c *domain.Complaint, rem domain.Reminder, now time.Time) (bool, error) {
	to := recipientsOf(d, rem.To, c)
	if c.CopyManager(rem) {
		to = append(to, recipientsOf(d, domain.ToManager, c)...)
	}
	if len(to) == 0 {
		slog.WarnContext(ctx, "escalation: nobody to notify", "number", c.Number, "to", string(rem.To))
		return false, nil
	}
	var msgs []mail.Message
	for lang, addrs := range byLanguage(to) {
		cs := caseOf(d, set, c, e.BaseURL, lang)
		m, err := mail.Compose(mail.Envelope{To: addrs, Lang: lang, Zone: c.SLA.Location(), Now: now}, mail.ComplaintReminder{Case: cs, Reminder: rem})
		if err != nil {
			return false, err
		}
		msgs = append(msgs, m)
	}
	sent, err := e.Notifier.SendOnce(ctx, "complaint/"+c.Number+"/"+rem.Key, now, msgs...)
	if sent {
		slog.InfoContext(ctx, "escalation: reminder queued", "number", c.Number, "key", rem.Key)
	}
	return sent, err
}

// Handle is the scheduled handler: one run.
func (e *Escalator) Handle(ctx context.Context) error {
	_, err := e.Run(ctx)
	return err
}
