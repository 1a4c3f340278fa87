// Package complaint drives complaints (客户投诉) through their numbered,
// audited workflow: intake from the public form and from staff (one Submit
// for both), the tracking page's view, the record card, each workflow step
// and what it sends the customer, and — in escalation.go — the hourly run
// that reminds owners and escalates missed deadlines.
package complaint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
)

// Store keeps the record cards.
type Store interface {
	// Submit numbers and stores a new complaint, with the mail jobs mails
	// gives for the numbered card in the same transaction; a repeated
	// idempotency key returns the first receipt (domain.ErrIdempotencyMismatch
	// for other content). domain.SubmitOptions says what the caller settled.
	Submit(ctx context.Context, c *domain.Complaint, idemKey, fingerprint string, mails func(c *domain.Complaint) ([]domain.PendingMail, error), o ...domain.SubmitOptions) (domain.Receipt, error)
	// Receipt is the receipt idempotency key idemKey keeps from a
	// submission within domain.IdempotencyWindow before at, or nil.
	Receipt(ctx context.Context, idemKey string, at time.Time) (*domain.Receipt, error)
	// Get reads a card, or domain.ErrNotFound.
	Get(ctx context.Context, number string) (*domain.Complaint, error)
	// SaveStep writes a card still at expectedVersion, else
	// domain.ErrConflict, with the step's mail jobs in the same transaction.
	SaveStep(ctx context.Context, c *domain.Complaint, expectedVersion int, mails []domain.PendingMail) error
	// List returns a page of cards.
	List(ctx context.Context, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error)
}

// Accounts reads the key-account files complaints are linked to.
type Accounts interface {
	Get(ctx context.Context, id string) (*domain.Customer, error)
	// Lookup lists the files found under a lookup key (domain.EmailKey, PhoneKey, NameKey).
	Lookup(ctx context.Context, key string) ([]string, error)
	// List reads a page of the accounts q selects (by manager: Open).
	List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error)
}

// Surveys invites a complainant to rate the handling after closure.
type Surveys interface {
	AfterComplaint(ctx context.Context, c *domain.Complaint, account *domain.Customer) error
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// AuditLog is the access record (查阅登记): reads of record cards are on it.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
}

// Limits counts public submissions per client (domain.PublicLimits.Quotas)
// and marks what may happen at most once in a while (acknowledgements).
type Limits interface {
	// Take counts one request against each quota; it returns the quota
	// already full, or nil.
	Take(ctx context.Context, quotas []domain.Quota) (*domain.Quota, error)
	// Once marks key unless marked within gap; false when it was.
	Once(ctx context.Context, key string, now time.Time, gap time.Duration) (bool, error)
	// Forget removes a mark whose action did not happen.
	Forget(ctx context.Context, key string) error
}

// Keys gives the stack's keys; tracking links use the "tracking" key.
type Keys interface {
	Key(ctx context.Context, use string) ([]byte, error)
}

// Service is the complaint workflow.
type Service struct {
	Store     Store
	Accounts  Accounts
	Mail      mail.Transactional // customer mail is written with the change, then queued
	Surveys   Surveys            // nil sends no survey after closure
	Directory Directory          // staff notices; nil sends none
	Settings  Settings
	Keys      Keys
	Audit     AuditLog // reads of record cards
	Limits    Limits   // the public form's per-client limits
	Register  Register // the register's void records
	Now       func() time.Time
	BaseURL   string // public base URL of the tracking links; a call's base overrides it when this is empty
}

// Intake is a complaint as it arrives, from the public form (By nil) or
// entered by staff from a phone call, letter, email or visit.
type Intake struct {
	Complaint      *domain.Complaint // the card as entered: no number, not opened
	CustomerID     string            // staff: link to this account
	By             *domain.Principal // nil for the public form
	IdempotencyKey string            // optional: the same key within 24 h returns the first receipt
	Fingerprint    string            // of the submitted content
	BaseURL        string            // of the links, when the service has none configured
	ClientIP       string            // the public form: the source IP API Gateway reports
	Honeypot       bool              // the public form: a bot filled the hidden field
}

// Submitted is the outcome of a submission.
type Submitted struct {
	domain.Receipt
	Complaint   *domain.Complaint // as stored (staff: the caller sees the card)
	TrackingURL string
}

// trackingToken is the token of a card's tracking link (domain.TrackingToken).
func (s *Service) trackingToken(ctx context.Context, nonce string) (string, error) {
	k, err := s.Keys.Key(ctx, "tracking")
	if err != nil {
		return "", err
	}
	return domain.TrackingToken(k, nonce), nil
}

func (s *Service) base(override string) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	return strings.TrimRight(override, "/")
}

// TrackingURL is the customer's link to follow complaint number.
func TrackingURL(base, number, token, lang string) string {
	return base + "/public/complaints/" + number + "?token=" + url.QueryEscape(token) + "&lang=" + lang
}

// Submit numbers, opens and stores a new complaint under the clock now in
// force, and acknowledges it to the customer by email. Staff entry follows
// domain.CheckStaffEntry (an unknown customerId is a validation error);
// the card must pass domain.Complaint.ValidateNew. Idempotency keys of
// the public form and of each staff member are kept apart. A public
// submission counts against its client's limits, and its number against
// the day's web complaints (domain.PublicLimits.DayQuota; a
// domain.LimitedError when one is full); an address gets at most one
// acknowledgement per AckGapMinutes; a bot's submission (Honeypot) is
// answered as a real one and stores nothing.
func (s *Service) Submit(ctx context.Context, in Intake) (Submitted, error) {
	c := in.Complaint
	now := s.Now().UTC()
	if c.ReceivedAt.IsZero() {
		c.ReceivedAt = now
	}
	c.ReceivedAt = c.ReceivedAt.UTC()
	if c.Language != "en" {
		c.Language = "zh"
	}
	c.Contact.Language = c.Language
	if c.Severity == "" {
		c.Severity = domain.SeverityNormal
	}
	actor, role := "", domain.Role("")
	idem := domain.IdempotencyKey("complaint", in.By, in.IdempotencyKey)
	if p := in.By; p != nil {
		var account *domain.Customer
		if in.CustomerID != "" {
			a, err := s.account(ctx, in.CustomerID)
			if err != nil {
				return Submitted{}, err
			}
			account = a
		}
		if err := domain.CheckStaffEntry(*p, c, account, now); err != nil {
			return Submitted{}, err
		}
		if account != nil {
			c.LinkAccount(account, "entered")
		}
		c.ReceivedBy = p.Sub
		actor, role = p.Sub, p.Primary()
	} else {
		c.Channel = domain.ChannelWeb
	}
	if err := c.ValidateNew(); err != nil {
		return Submitted{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return Submitted{}, err
	}
	public, matching, readKey := in.By == nil, !in.Honeypot && c.CustomerID == "", idem != "" && !in.Honeypot
	// What does not depend on anything else goes at once: the sender's
	// contacts looked up, the client's limits counted, the key read.
	var byEmail, byPhone []string
	var full *domain.Quota
	var prev *domain.Receipt
	err = together(
		when(matching && c.Contact.Email != "", func() (err error) {
			byEmail, err = s.Accounts.Lookup(ctx, domain.EmailKey(c.Contact.Email))
			return err
		}),
		when(matching && c.Contact.Phone != "", func() (err error) {
			byPhone, err = s.Accounts.Lookup(ctx, domain.PhoneKey(c.Contact.Phone))
			return err
		}),
		when(public, func() (err error) {
			full, err = s.Limits.Take(ctx, set.Public.Quotas(in.ClientIP, c.Contact.Email, now, set.Location()))
			return err
		}),
		when(readKey, func() (err error) {
			prev, err = s.Store.Receipt(ctx, idem, c.ReceivedAt)
			return err
		}),
	)
	if err != nil {
		return Submitted{}, err
	}
	if full != nil {
		return Submitted{}, &domain.LimitedError{RetryAfter: max(full.End.Sub(now), time.Second)}
	}
	var day *domain.Quota // a web complaint counts against the day's, with its number
	if public {
		q := set.Public.DayQuota(now, set.Location())
		day = &q
	}
	if in.Honeypot {
		if day != nil { // the day's count is a person's answer too: read, not counted
			counter, err := s.Register.Counter(ctx, domain.NumberYear(now, set.Location()))
			if err != nil {
				return Submitted{}, err
			}
			if counter.DayFull(*day) {
				return Submitted{}, &domain.LimitedError{RetryAfter: max(day.End.Sub(now), time.Second)}
			}
		}
		return s.decoy(c, set, now, in.BaseURL), nil
	}
	if prev != nil { // the same submission again: the first one's receipt and link
		return s.replayed(ctx, in, c, *prev)
	}
	// Then the account (by the contacts, else the name's suggestion) beside
	// the acknowledgement's mark.
	ackOK, ackKey := c.Contact.Email != "", ""
	if public && ackOK && set.Public.AckGapMinutes > 0 {
		ackKey = domain.AckKey(c.Contact.Email)
	}
	err = together(
		when(matching, func() error { return s.match(ctx, c, append(byEmail, byPhone...)) }),
		when(ackKey != "", func() (err error) {
			ackOK, err = s.Limits.Once(ctx, ackKey, now, set.Public.AckGap())
			return err
		}),
	)
	if err != nil {
		if ackKey != "" && ackOK {
			s.forgetAck(ctx, ackKey)
		}
		return Submitted{}, err
	}
	c.TrackingNonce = domain.NewNonce()
	token, err := s.trackingToken(ctx, c.TrackingNonce)
	if err != nil {
		return Submitted{}, err
	}
	c.TrackingHash = domain.TokenHash(token)
	c.Open(set.SLA(), actor, role)
	var jobs []domain.PendingMail // the acknowledgement, written with the complaint
	ack := func(c *domain.Complaint) ([]domain.PendingMail, error) {
		if ackOK {
			jobs = s.customerMail(ctx, "complaint-received", c, TrackingURL(s.base(in.BaseURL), c.Number, token, c.Language))
		}
		return jobs, nil
	}
	rec, err := s.Store.Submit(ctx, c, idem, in.Fingerprint, ack, domain.SubmitOptions{KeyRead: readKey, Day: day})
	if ackKey != "" && ackOK && (err != nil || rec.Replayed) { // no acknowledgement went: the address may have the next
		s.forgetAck(ctx, ackKey)
	}
	if errors.Is(err, domain.ErrQuotaFull) {
		return Submitted{}, &domain.LimitedError{RetryAfter: max(day.End.Sub(now), time.Second)}
	}
	if err != nil {
		return Submitted{}, err
	}
	if rec.Replayed { // the first submission's link
		if token, err = s.trackingToken(ctx, rec.TrackingNonce); err != nil {
			return Submitted{}, err
		}
	} else {
		s.Mail.Dispatch(ctx, jobs)
		s.tellStaff(ctx, domain.ActionReceive, c, in.BaseURL)
	}
	out := Submitted{Receipt: rec, TrackingURL: TrackingURL(s.base(in.BaseURL), rec.Number, token, c.Language)}
	if in.By != nil {
		stored, err := s.Store.Get(ctx, rec.Number)
		if err != nil {
			return Submitted{}, err
		}
		out.Complaint = stored
	}
	return out, nil
}

// replayed answers a submission whose idempotency key holds prev: the
// first submission's receipt and tracking link (staff: its card), or
// domain.ErrIdempotencyMismatch for other content. Nothing is stored,
// counted or sent again.
func (s *Service) replayed(ctx context.Context, in Intake, c *domain.Complaint, prev domain.Receipt) (Submitted, error) {
	if prev.Fingerprint != in.Fingerprint {
		return Submitted{}, domain.ErrIdempotencyMismatch
	}
	prev.Replayed = true
	token, err := s.trackingToken(ctx, prev.TrackingNonce)
	if err != nil {
		return Submitted{}, err
	}
	out := Submitted{Receipt: prev, TrackingURL: TrackingURL(s.base(in.BaseURL), prev.Number, token, c.Language)}
	if in.By != nil {
		if out.Complaint, err = s.Store.Get(ctx, prev.Number); err != nil {
			return Submitted{}, err
		}
	}
	return out, nil
}

// forgetAck removes an acknowledgement's mark when no acknowledgement
// went: the address may have the next one.
func (s *Service) forgetAck(ctx context.Context, ackKey string) {
	if err := s.Limits.Forget(ctx, ackKey); err != nil {
		slog.WarnContext(ctx, "acknowledgement mark not removed", "err", err.Error())
	}
}

// when is f if cond holds, else nil (nothing to run).
func when(cond bool, f func() error) func() error {
	if cond {
		return f
	}
	return nil
}

// together runs the calls fs (nil ones are skipped) at once, each
// independent of the others, and returns the first one's error, in the
// order given. One call runs on the caller's goroutine.
func together(fs ...func() error) error {
	var run []func() error
	for _, f := range fs {
		if f != nil {
			run = append(run, f)
		}
	}
	if len(run) == 1 {
		return run[0]()
	}
	errs := make([]error, len(run))
	var wg sync.WaitGroup
	for i, f := range run {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// decoy is what a bot that filled the honeypot gets: a receipt shaped like
// a real one (a plausible number and link, the real deadlines); nothing is
// stored or sent.
func (s *Service) decoy(c *domain.Complaint, set domain.Settings, now time.Time, base string) Submitted {
	loc := set.Location()
	number := domain.FormatNumber(now, loc, 100+mrand.IntN(900))
	d := set.SLA().DeadlinesFor(now)
	return Submitted{Receipt: domain.Receipt{Number: number, ReceivedAt: now, FirstResponseDue: d.FirstResponseDue, CloseDue: d.CloseDue},
		TrackingURL: TrackingURL(s.base(base), number, domain.TrackingToken([]byte(domain.NewNonce()), domain.NewNonce()), c.Language)}
}

// match links a complaint that names no account to the file its contact's
// email or phone is on (byContact: the files of their lookups), when
// exactly one (domain.MatchSender), or notes the file its company name
// suggests. The name is looked up only when the contacts link no file.
func (s *Service) match(ctx context.Context, c *domain.Complaint, byContact []string) error {
	link, linked := domain.LinkByContact(byContact)
	if !linked {
		byName, err := s.Accounts.Lookup(ctx, domain.NameKey(c.CustomerName))
		if err != nil {
			return err
		}
		var suggest string
		if link, suggest = domain.MatchSender(byContact, byName); suggest != "" {
			c.SuggestedCustomerID = suggest
		}
	}
	if link == "" {
		return nil
	}
	a, err := s.Accounts.Get(ctx, link)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // a lookup item of a file being removed: link nothing
	}
	if err != nil {
		return err
	}
	c.LinkAccount(a, "contact")
	return nil
}

// account reads the linked account; an unknown id is the caller's mistake.
func (s *Service) account(ctx context.Context, id string) (*domain.Customer, error) {
	if !domain.ValidID(id) {
		return nil, &domain.ValidationError{Fields: map[string]string{"customerId": "not a customer id 客户标识无效"}}
	}
	a, err := s.Accounts.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, &domain.ValidationError{Fields: map[string]string{"customerId": "no such customer 客户不存在"}}
	}
	return a, err
}

// Track returns complaint number for the holder of its tracking token. An
// unknown number and a wrong token are the same domain.ErrNotFound.
func (s *Service) Track(ctx context.Context, number, token string) (*domain.Complaint, error) {
	if !domain.ValidNumber(number) || token == "" || len(token) >= 200 {
		return nil, domain.ErrNotFound
	}
	c, err := s.Store.Get(ctx, number)
	if err != nil {
		return nil, err
	}
	if !domain.TokenMatches(token, c.TrackingHash) {
		return nil, domain.ErrNotFound
	}
	return c, nil
}

// Get reads record card number for p: domain.ErrNotFound, or
// domain.ForbiddenError when p may not see it (domain.CanSeeComplaint).
// The read is on the access record before the card is shown.
func (s *Service) Get(ctx context.Context, p domain.Principal, number string) (*domain.Complaint, error) {
	c, err := s.visible(ctx, p, number)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Put(ctx, domain.Entry(ctx, p, s.Now(), "complaint", c.Number, domain.ActionRead)); err != nil {
		return nil, err
	}
	return c, nil
}

// visible reads card number if p may see it, recording nothing (the steps
// and corrections are on the card's own history).
func (s *Service) visible(ctx context.Context, p domain.Principal, number string) (*domain.Complaint, error) {
	if !domain.ValidNumber(number) {
		return nil, fmt.Errorf("complaint %q: %w", number, domain.ErrNotFound)
	}
	c, err := s.Store.Get(ctx, number)
	if err != nil {
		return nil, err
	}
	account, err := s.linked(ctx, c.CustomerID)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeComplaint(p, c, account) {
		return nil, domain.Forbidden("this complaint is not one of yours")
	}
	return c, nil
}

// linked reads the account a complaint is linked to as it is now (nil for
// none, or one since deleted): access follows its current manager.
func (s *Service) linked(ctx context.Context, id string) (*domain.Customer, error) {
	if id == "" {
		return nil, nil
	}
	a, err := s.Accounts.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// List returns a page of the complaints p may see (domain.ScopeComplaints);
// each card shown is on the access record.
func (s *Service) List(ctx context.Context, p domain.Principal, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error) {
	q, err := domain.ScopeComplaints(p, q)
	if err != nil {
		return domain.Page[domain.Complaint]{}, err
	}
	q.Now = s.Now()
	page, err := s.Store.List(ctx, q)
	if err != nil {
		return page, err
	}
	out := domain.Page[domain.Complaint]{Items: []domain.Complaint{}, NextCursor: page.NextCursor}
	var entries []domain.AuditEntry
	accounts := map[string]*domain.Customer{}
	for i := range page.Items {
		id := page.Items[i].CustomerID
		if _, ok := accounts[id]; !ok && p.Has(domain.RoleManager) && !p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor) {
			if accounts[id], err = s.linked(ctx, id); err != nil {
				return domain.Page[domain.Complaint]{}, err
			}
		}
		if domain.CanSeeComplaint(p, &page.Items[i], accounts[id]) {
			out.Items = append(out.Items, page.Items[i])
			entries = append(entries, domain.Entry(ctx, p, s.Now(), "complaint", page.Items[i].Number, domain.ActionList))
		}
	}
	if len(entries) > 0 {
		if err := s.Audit.PutAll(ctx, entries); err != nil {
			return domain.Page[domain.Complaint]{}, err
		}
	}
	return out, nil
}

// MaxOpen bounds Open: the open complaints a page lists at most.
const MaxOpen = 500

// Open lists the open complaints p may see, by next deadline
// (domain.CanSeeComplaint, each card with its linked account as it is now),
// at most max. It reads the open complaints (the OPEN index), whose number
// follows what is open, never the history; for a manager it is what
// domain.ScopeComplaints would have them ask account by account.
func (s *Service) Open(ctx context.Context, p domain.Principal, max int) ([]domain.Complaint, error) {
	if !p.HasAny(domain.AllRoles...) {
		return nil, domain.Forbidden("your role has no access to complaints")
	}
	if max <= 0 || max > MaxOpen {
		max = MaxOpen
	}
	q := domain.ComplaintQuery{Limit: 100, Now: s.Now()}
	accounts := map[string]*domain.Customer{}
	byAccount := p.Has(domain.RoleManager) && !p.HasAny(domain.RoleAdmin, domain.RoleExecutive, domain.RoleSupervisor)
	if byAccount {
		// A manager's accounts, read by manager (a few Queries) rather than
		// each complaint's account by id: an account not among them is
		// not theirs, which is all CanSeeComplaint asks of it.
		mine, err := s.accountsOf(ctx, p.Sub)
		if err != nil {
			return nil, err
		}
		for i := range mine {
			accounts[mine[i].ID] = &mine[i]
		}
	}
	var out []domain.Complaint
	for {
		page, err := s.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			if domain.CanSeeComplaint(p, c, accounts[c.CustomerID]) {
				out = append(out, *c)
			}
		}
		if page.NextCursor == "" || len(out) >= max {
			break
		}
		q.Cursor = page.NextCursor
	}
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}

// accountsOf reads every account manager manages.
func (s *Service) accountsOf(ctx context.Context, manager string) ([]domain.Customer, error) {
	var out []domain.Customer
	q := domain.CustomerQuery{Manager: manager, Limit: 100}
	for {
		pg, err := s.Accounts.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.NextCursor == "" {
			return out, nil
		}
		q.Cursor = pg.NextCursor
	}
}

// Step takes workflow step a on complaint number for p (domain.Complaint.Apply
// has the rules: domain.IllegalStepError, domain.ForbiddenError,
// domain.ValidationError). ifMatch, when given, must be the card's version;
// a concurrent step wins and this one gets domain.ErrConflict. The
// customer is told of acceptance, rejection and the reply; closing invites
// a survey about the handling.
func (s *Service) Step(ctx context.Context, p domain.Principal, number string, a domain.Action, in domain.StepInput, ifMatch *int, base string) (*domain.Complaint, error) {
	c, err := s.visible(ctx, p, number)
	if err != nil {
		return nil, err
	}
	version := c.Version
	if ifMatch != nil && *ifMatch != version {
		return nil, fmt.Errorf("complaint %s is at version %d, not %d: %w", c.Number, version, *ifMatch, domain.ErrConflict)
	}
	if err := c.Apply(a, in, p, s.Now()); err != nil {
		return nil, err
	}
	var jobs []domain.PendingMail
	if kind := domain.CustomerNotice(a); kind != "" && c.Contact.Email != "" {
		token, err := s.trackingToken(ctx, c.TrackingNonce)
		if err != nil {
			return nil, err
		}
		jobs = s.customerMail(ctx, kind, c, TrackingURL(s.base(base), c.Number, token, c.Language))
	}
	if err := s.Store.SaveStep(ctx, c, version, jobs); err != nil {
		return nil, err
	}
	s.Mail.Dispatch(ctx, jobs)
	s.tellStaff(ctx, a, c, base)
	if a == domain.ActionClose && c.SurveyAfterClose() && s.Surveys != nil {
		var account *domain.Customer
		if c.CustomerID != "" {
			account, _ = s.Accounts.Get(ctx, c.CustomerID)
		}
		if err := s.Surveys.AfterComplaint(ctx, c, account); err != nil {
			slog.ErrorContext(ctx, "survey after closure not created", "number", c.Number, "err", err.Error())
		}
	}
	return c, nil
}

// Correct links complaint number to an account, or corrects its category
// or severity, on behalf of a supervisor (domain.Complaint.Correct: a
// ForbiddenError for others, a ValidationError without a reason). ifMatch,
// when given, must be the card's version; a concurrent change is
// domain.ErrConflict. A newly linked account's manager is told.
func (s *Service) Correct(ctx context.Context, p domain.Principal, number string, in domain.Correction, ifMatch *int, base string) (*domain.Complaint, error) {
	c, err := s.visible(ctx, p, number)
	if err != nil {
		return nil, err
	}
	version := c.Version
	if ifMatch != nil && *ifMatch != version {
		return nil, fmt.Errorf("complaint %s is at version %d, not %d: %w", c.Number, version, *ifMatch, domain.ErrConflict)
	}
	var account *domain.Customer
	if in.CustomerID != nil && domain.ValidID(*in.CustomerID) {
		a, err := s.Accounts.Get(ctx, *in.CustomerID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return nil, err
		}
		account = a
	}
	relinked, err := c.Correct(in, account, p, s.Now())
	if err != nil {
		return nil, err
	}
	if c.Version == version {
		return c, nil // nothing changed
	}
	if err := s.Store.SaveStep(ctx, c, version, nil); err != nil {
		return nil, err
	}
	if relinked {
		s.tellStaff(ctx, domain.ActionCorrect, c, base)
	}
	return c, nil
}

// customerMail is the email of kind to the complaint's contact, in their
// language and signed with the company's brand (settings), as a job to
// write with the change (none when they gave no address). The
// acknowledgement greets no one by name: it goes before anyone checked who
// wrote (no text the sender typed). A mail that cannot be rendered is
// logged, not returned: the change goes ahead.
func (s *Service) customerMail(ctx context.Context, kind string, c *domain.Complaint, link string) []domain.PendingMail {
	if c.Contact.Email == "" {
		return nil
	}
	job, err := func() (domain.PendingMail, error) {
		set, err := s.Settings.Current(ctx)
		if err != nil {
			return domain.PendingMail{}, err
		}
		name := c.Contact.Name
		var d mail.Data
		switch kind {
		case "complaint-received":
			d = mail.ComplaintReceived{Number: c.Number, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue, CloseDue: c.Deadlines.CloseDue, TrackingURL: link}
			name = ""
		case "complaint-accepted":
			d = mail.ComplaintAccepted{Number: c.Number, TrackingURL: link, CloseDue: c.Deadlines.CloseDue, FirstResponseDue: c.Deadlines.FirstResponseDue}
		case "complaint-rejected":
			d = mail.ComplaintRejected{Number: c.Number, Reason: c.RejectReason, TrackingURL: link}
		case "complaint-replied":
			reply := ""
			if c.Reply != nil {
				reply = c.Reply.Text
			}
			d = mail.ComplaintReplied{Number: c.Number, Reply: reply, TrackingURL: link}
		default:
			return domain.PendingMail{}, fmt.Errorf("complaint: no customer mail %s", kind)
		}
		now := c.ReceivedAt // the step that sends the mail is the last on the card
		if n := len(c.History); n > 0 {
			now = c.History[n-1].At
		}
		m, err := mail.Compose(mail.Envelope{To: []string{c.Contact.Email}, Lang: c.Language, Name: name, Zone: c.SLA.Location(),
			Now: now, Brand: set.Brand}, d)
		if err != nil {
			return domain.PendingMail{}, err
		}
		return mail.Pending(m, s.Now())
	}()
	if err != nil {
		slog.ErrorContext(ctx, "mail not written", "kind", kind, "number", c.Number, "err", err.Error())
		return nil
	}
	return []domain.PendingMail{job}
}
