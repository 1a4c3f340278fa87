package complaint

import (
	"context"
	"fmt"
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
	Register  Register // nil: the register is not checked
	Notifier  mail.Notifier
	Kept      []Requeuer // what the hourly run queues again
	Directory Directory
	Settings  Settings
	Now       func() time.Time
	BaseURL   string // of the links in notices
}

// Result counts what a run did.
type Result struct {
	Open, Sent, AlreadySent, Requeued, Voided int
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
	set, err := e.Settings.Current(ctx)
	if err != nil {
		return res, err
	}
	now := e.Now().UTC()
	var regErr error // the register check fails the run, after the reminders
	if e.Register != nil {
		// Fill the numbers whose submission died with void records (作废).
		if res.Voided, regErr = CheckRegister(ctx, e.Register, set.Location(), now); regErr != nil {
			regErr = fmt.Errorf("escalation: register check: %w", regErr)
		}
	}
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
			slog.InfoContext(ctx, "escalation run", "open", res.Open, "sent", res.Sent, "alreadySent", res.AlreadySent, "requeued", res.Requeued, "voided", res.Voided)
			return res, regErr
		}
		q.Cursor = page.NextCursor
	}
}

// digest sends the day's one summary of the anonymous web complaints nobody
// has accepted yet to the supervisors, once a day (in the company's zone),
// each reader in their language.
func (e *Escalator) digest(ctx context.Context, d *staff.Directory, web []domain.Complaint, now time.Time) (bool, error) {
	to := d.Supervisors("")
	if len(to) == 0 {
		slog.WarnContext(ctx, "escalation: nobody to send the web complaint summary to")
		return false, nil
	}
	loc := web[0].SLA.Location()
	var cases []mail.Case
	for i := range web {
		cases = append(cases, mail.CaseOf(&web[i], strings.TrimRight(e.BaseURL, "/")+"/console/complaints/"+web[i].Number))
	}
	var msgs []mail.Message
	for lang, addrs := range byLanguage(to) {
		m, err := mail.Compose(mail.Envelope{To: addrs, Lang: lang, Zone: loc, Now: now},
			mail.WebComplaintDigest{Cases: cases, URL: strings.TrimRight(e.BaseURL, "/") + "/console/complaints?status=received"})
		if err != nil {
			return false, err
		}
		msgs = append(msgs, m)
	}
	return e.Notifier.SendOnce(ctx, "complaint-web-digest/"+now.In(loc).Format("2006-01-02"), now, msgs...)
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
