// Package escalation is the ComplaintEscalationFunction: every hour it walks
// the open complaints by due time, sends each reminder and escalation that
// has fallen due (once: the store records each before it is queued), and
// queues again any email that could not be queued earlier.
package escalation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/store"
)

// Store is what the escalation run needs from storage.
type Store interface {
	ListComplaints(ctx context.Context, q store.ComplaintQuery) (store.Page[domain.Complaint], error)
	RecordReminder(ctx context.Context, number, key string, at time.Time) (bool, error)
	ForgetReminder(ctx context.Context, number, key string) error
}

// Directory says where staff notices go.
type Directory struct {
	Supervisors []string
	Executives  []string
	Departments map[string][]string // handling department -> addresses
	Language    string              // staff mail language (zh by default)
}

// ParseDirectory reads SUPERVISOR_EMAILS, EXECUTIVE_EMAILS (comma-separated)
// and DEPARTMENT_EMAILS ("repair=a@x.cn;b@x.cn,billing=c@x.cn").
func ParseDirectory(supervisors, executives, departments, lang string) (Directory, error) {
	d := Directory{Supervisors: split(supervisors, ","), Executives: split(executives, ","), Departments: map[string][]string{}, Language: lang}
	for _, part := range split(departments, ",") {
		dept, addrs, ok := strings.Cut(part, "=")
		if !ok || !domain.ValidID(strings.TrimSpace(dept)) {
			return d, fmt.Errorf("escalation: DEPARTMENT_EMAILS entry %q is not dept=address", part)
		}
		d.Departments[strings.TrimSpace(dept)] = split(addrs, ";")
	}
	for _, a := range append(append([]string{}, d.Supervisors...), d.Executives...) {
		if !domain.ValidEmail(a) {
			return d, fmt.Errorf("escalation: %q is not an email address", a)
		}
	}
	return d, nil
}

func split(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// recipients of a reminder: the owner is the handling department, or the
// supervisors while none is assigned.
func (d Directory) recipients(to domain.Audience, c *domain.Complaint) []string {
	switch to {
	case domain.ToExecutive:
		return d.Executives
	case domain.ToOwner:
		if addrs := d.Departments[c.Department]; len(addrs) > 0 {
			return addrs
		}
	}
	return d.Supervisors
}

// Escalator runs the hourly check.
type Escalator struct {
	Store     Store
	Mail      mail.ReliableOutbox
	Directory Directory
	Now       func() time.Time
	BaseURL   string // of the links to each complaint; empty: the route alone
}

// Result counts what a run did.
type Result struct {
	Open, Sent, AlreadySent, Requeued int
}

// Handle is the scheduled Lambda handler.
func (e *Escalator) Handle(ctx context.Context, _ events.CloudWatchEvent) error {
	res, err := e.Run(ctx)
	slog.InfoContext(ctx, "escalation run", "open", res.Open, "sent", res.Sent, "alreadySent", res.AlreadySent, "requeued", res.Requeued, "ok", err == nil)
	return err
}

// Run checks every open complaint once.
func (e *Escalator) Run(ctx context.Context) (Result, error) {
	var res Result
	n, err := e.Mail.Requeue(ctx)
	res.Requeued = n
	if err != nil { // the queue may still be down; the reminders below are kept the same way
		slog.WarnContext(ctx, "escalation: requeue of kept mail failed", "err", err.Error())
	}
	now := e.Now().UTC()
	q := store.ComplaintQuery{Limit: 100}
	for {
		page, err := e.Store.ListComplaints(ctx, q)
		if err != nil {
			return res, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			res.Open++
			for _, rem := range c.DueReminders(now) {
				sent, err := e.remind(ctx, c, rem, now)
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
			return res, nil
		}
		q.Cursor = page.NextCursor
	}
}

func (e *Escalator) remind(ctx context.Context, c *domain.Complaint, rem domain.Reminder, now time.Time) (bool, error) {
	to := e.Directory.recipients(rem.To, c)
	if len(to) == 0 {
		slog.WarnContext(ctx, "escalation: nobody to notify", "number", c.Number, "to", string(rem.To))
		return false, nil
	}
	first, err := e.Store.RecordReminder(ctx, c.Number, rem.Key, now)
	if err != nil || !first {
		return false, err
	}
	l := e.Directory.Language
	loc := c.SLA.Location()
	link := strings.TrimRight(e.BaseURL, "/") + "/complaints/" + c.Number // the API route until the console exists
	m, err := mail.Compose(mail.Envelope{To: to, Lang: l, Zone: loc, Now: now}, mail.ComplaintReminder{Case: mail.CaseOf(c, link), Reminder: rem})
	if err == nil {
		err = e.Mail.Send(ctx, m)
	}
	if err != nil {
		// Not queued and not kept: forget the record so the next run tries again.
		if ferr := e.Store.ForgetReminder(ctx, c.Number, rem.Key); ferr != nil {
			return false, fmt.Errorf("escalation: %v; and forgetting the reminder failed: %w", err, ferr)
		}
		return false, err
	}
	slog.InfoContext(ctx, "escalation: reminder queued", "number", c.Number, "key", rem.Key)
	return true, nil
}
