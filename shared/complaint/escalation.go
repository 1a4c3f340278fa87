package complaint

import (
	"context"
	"log/slog"
	"strings"
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
	var web []domain.Complaint // unaccepted anonymous web complaints: one daily summary
	webDue := false
	for {
		page, err := e.Store.List(ctx, q)
		if err != nil {
			return res, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			res.Open++
			if c.InDailyDigest() {
				web = append(web, *c)
				webDue = webDue || len(c.DueReminders(now)) > 0
				continue
			}
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
			if webDue {
				sent, err := e.digest(ctx, dir, web, now)
				if err != nil {
					return res, err
				}
				if sent {
					res.Sent++
				} else {
					res.AlreadySent++
				}
			}
			slog.InfoContext(ctx, "escalation run", "open", res.Open, "sent", res.Sent, "alreadySent", res.AlreadySent, "requeued", res.Requeued)
			return res, nil
		}
		q.Cursor = page.NextCursor
	}
}

// digest sends the day's one summary of the anonymous web complaints nobody
// has accepted yet to the supervisors, once a day (in the company's zone).
func (e *Escalator) digest(ctx context.Context, d *staff.Directory, web []domain.Complaint, now time.Time) (bool, error) {
	to := d.Supervisors("")
	if len(to) == 0 {
		slog.WarnContext(ctx, "escalation: nobody to send the web complaint summary to")
		return false, nil
	}
	l := to[0].Language
	loc := web[0].SLA.Location()
	f := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	var lines, numbers []string
	for i := range web {
		c := &web[i]
		line := c.Number + " " + map[bool]string{true: "received ", false: "收到 "}[l == "en"] + f(c.ReceivedAt) + map[bool]string{true: ", first answer due ", false: "，首次答复期限 "}[l == "en"] + f(c.Deadlines.FirstResponseDue)
		if now.After(c.Deadlines.FirstResponseDue) {
			line += map[bool]string{true: " (overdue)", false: "（已超时）"}[l == "en"]
		}
		lines = append(lines, line)
		if i < 10 {
			numbers = append(numbers, c.Number)
		}
	}
	if len(web) > 10 {
		numbers = append(numbers, "…")
	}
	addrs := make([]string, len(to))
	for i, r := range to {
		addrs[i] = r.Email
	}
	m, err := mail.Render("web-complaint-digest", l, addrs, mail.DigestMail{Date: f(now), Count: len(web), Numbers: strings.Join(numbers, ", "), List: strings.Join(lines, "; ")})
	if err != nil {
		return false, err
	}
	return e.Notifier.SendOnce(ctx, "complaint-web-digest/"+now.In(loc).Format("2006-01-02"), now, m)
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
