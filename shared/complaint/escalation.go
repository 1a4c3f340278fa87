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

// Requeuer queues again what was kept in the table when its queue could
// not take it (mail jobs, survey answers); it returns how many went.
type Requeuer interface {
	Requeue(ctx context.Context) (int, error)
}

// Escalator is the hourly run of ComplaintEscalationFunction: it walks the
// open complaints by due time, sends each reminder and escalation that has
// fallen due (domain.Complaint.DueReminders) once, and queues again what
// was kept in the table: mail that could not be queued or that a crash
// left in the outbox, and survey answers the survey page kept.
type Escalator struct {
	Store     Store
	Notifier  mail.Notifier
	Kept      []Requeuer // what the hourly run queues again
	Directory Directory
	Now       func() time.Time
}

// Result counts what a run did.
type Result struct {
	Open, Sent, AlreadySent, Requeued int
}

// Run checks every open complaint once.
func (e *Escalator) Run(ctx context.Context) (Result, error) {
	var res Result
	for _, k := range e.Kept {
		n, err := k.Requeue(ctx)
		res.Requeued += n
		if err != nil { // the queue may still be down; the reminders below are kept the same way
			slog.WarnContext(ctx, "escalation: requeue of kept messages failed", "code", mail.ErrorCode(err))
		}
	}
	dir, err := e.Directory.Directory(ctx)
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
				sent, err := e.remind(ctx, dir, c, rem, now)
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

// recipients of a reminder: the owner is the handling department, or the
// supervisors while none is assigned; escalations go to the supervisors of
// the account's department (all supervisors for an unlinked complaint),
// then the executives.
func recipients(d *staff.Directory, to domain.Audience, c *domain.Complaint) []staff.Recipient {
	switch to {
	case domain.ToExecutive:
		return d.Executives()
	case domain.ToOwner:
		if r := d.Department(c.Department); len(r) > 0 {
			return r
		}
	}
	return d.Supervisors(c.AccountDept)
}

func (e *Escalator) remind(ctx context.Context, d *staff.Directory, c *domain.Complaint, rem domain.Reminder, now time.Time) (bool, error) {
	to := recipients(d, rem.To, c)
	if len(to) == 0 {
		slog.WarnContext(ctx, "escalation: nobody to notify", "number", c.Number, "to", string(rem.To))
		return false, nil
	}
	l := to[0].Language
	addrs := make([]string, len(to))
	for i, r := range to {
		addrs[i] = r.Email
	}
	loc := c.SLA.Location()
	m, err := mail.Complaint("complaint-reminder", mail.ComplaintMail{Lang: l, To: addrs, Number: c.Number, CustomerName: c.CustomerName,
		Kind: mail.ReminderKindLabel(rem.Kind, l), Deadline: rem.Deadline.In(loc).Format("2006-01-02 15:04"), Status: c.Status.Label(l),
		Department: orDash(c.Department), Severity: string(c.Severity)})
	if err != nil {
		return false, err
	}
	sent, err := e.Notifier.SendOnce(ctx, "complaint/"+c.Number+"/"+rem.Key, now, m)
	if sent {
		slog.InfoContext(ctx, "escalation: reminder queued", "number", c.Number, "key", rem.Key)
	}
	return sent, err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Handle is the scheduled handler: one run.
func (e *Escalator) Handle(ctx context.Context) error {
	_, err := e.Run(ctx)
	return err
}
