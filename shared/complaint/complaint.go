// Package complaint drives complaints (客户投诉) through their numbered,
// audited workflow: intake from the public form and from staff (one Submit
// for both), the tracking page's view, the record card, each workflow step
// and what it sends the customer, and — in escalation.go — the hourly run
// that reminds owners and escalates missed deadlines.
package complaint

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
)

// Store keeps the record cards.
type Store interface {
	// Submit numbers and stores a new complaint; a repeated idempotency key
	// returns the first receipt (domain.ErrIdempotencyMismatch for other content).
	Submit(ctx context.Context, c *domain.Complaint, idemKey, fingerprint, token string) (domain.Receipt, error)
	// Get reads a card, or domain.ErrNotFound.
	Get(ctx context.Context, number string) (*domain.Complaint, error)
	// SaveStep writes a card still at expectedVersion, else domain.ErrConflict.
	SaveStep(ctx context.Context, c *domain.Complaint, expectedVersion int) error
	// List returns a page of cards.
	List(ctx context.Context, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error)
}

// Accounts reads the key-account files complaints are linked to.
type Accounts interface {
	Get(ctx context.Context, id string) (*domain.Customer, error)
	// Lookup lists the files found under a lookup key (domain.EmailKey, PhoneKey, NameKey).
	Lookup(ctx context.Context, key string) ([]string, error)
}

// AuditLog is the access record (查阅登记): every look at a record card is on it.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
}

// Surveys invites a complainant to rate the handling after closure.
type Surveys interface {
	AfterComplaint(ctx context.Context, c *domain.Complaint, account *domain.Customer) error
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Service is the complaint workflow.
type Service struct {
	Store     Store
	Accounts  Accounts
	Mail      mail.Outbox
	Surveys   Surveys   // nil sends no survey after closure
	Directory Directory // staff notices; nil sends none
	Settings  Settings
	Audit     AuditLog // reads of record cards
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
}

// Submitted is the outcome of a submission.
type Submitted struct {
	domain.Receipt
	Complaint   *domain.Complaint // as stored (staff: the caller sees the card)
	TrackingURL string
}

func newToken() string {
	b := make([]byte, 32) // 256 bits
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
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
// the public form and of each staff member are kept apart.
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
	actor, role, idem := "", domain.Role(""), ""
	if in.IdempotencyKey != "" {
		idem = "pub." + in.IdempotencyKey
	}
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
		if in.IdempotencyKey != "" {
			idem = "staff." + p.Sub + "." + in.IdempotencyKey
		}
	} else {
		c.Channel = domain.ChannelWeb
	}
	if err := c.ValidateNew(); err != nil {
		return Submitted{}, err
	}
	if c.CustomerID == "" {
		if err := s.match(ctx, c); err != nil {
			return Submitted{}, err
		}
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return Submitted{}, err
	}
	token := newToken()
	c.TrackingToken = token
	c.Open(set.SLA(), actor, role)
	rec, err := s.Store.Submit(ctx, c, idem, in.Fingerprint, token)
	if err != nil {
		return Submitted{}, err
	}
	out := Submitted{Receipt: rec, TrackingURL: TrackingURL(s.base(in.BaseURL), rec.Number, rec.Token, c.Language)}
	if !rec.Replayed {
		s.tellCustomer(ctx, "complaint-received", c, out.TrackingURL)
		s.tellStaff(ctx, domain.ActionReceive, c, in.BaseURL)
	}
	if in.By != nil {
		stored, err := s.Store.Get(ctx, rec.Number)
		if err != nil {
			return Submitted{}, err
		}
		out.Complaint = stored
	}
	return out, nil
}

// match links a complaint that names no account to the file its contact's
// email or phone is on, when exactly one (domain.MatchSender), or notes the
// file its company name suggests.
func (s *Service) match(ctx context.Context, c *domain.Complaint) error {
	var byContact, byName []string
	for _, k := range []string{domain.EmailKey(c.Contact.Email), domain.PhoneKey(c.Contact.Phone)} {
		ids, err := s.Accounts.Lookup(ctx, k)
		if err != nil {
			return err
		}
		byContact = append(byContact, ids...)
	}
	ids, err := s.Accounts.Lookup(ctx, domain.NameKey(c.CustomerName))
	if err != nil {
		return err
	}
	byName = ids
	link, suggest := domain.MatchSender(byContact, byName)
	switch {
	case link != "":
		a, err := s.Accounts.Get(ctx, link)
		if errors.Is(err, domain.ErrNotFound) {
			return nil // a lookup item of a file being removed: link nothing
		}
		if err != nil {
			return err
		}
		c.LinkAccount(a, "contact")
	case suggest != "":
		c.SuggestedCustomerID = suggest
	}
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
	if subtle.ConstantTimeCompare([]byte(token), []byte(c.TrackingToken)) != 1 {
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
	e := domain.AuditEntry{Entity: "complaint", EntityID: c.Number, Action: domain.ActionRead, Actor: p.Sub, Role: p.Primary(),
		At: s.Now().UTC(), RequestID: domain.RequestID(ctx)}
	if err := s.Audit.Put(ctx, e); err != nil {
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

// List returns a page of the complaints p may see (domain.ScopeComplaints).
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
	var out []domain.Complaint
	for {
		page, err := s.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			id := c.CustomerID
			if _, ok := accounts[id]; !ok && byAccount {
				if accounts[id], err = s.linked(ctx, id); err != nil {
					return nil, err
				}
			}
			if domain.CanSeeComplaint(p, c, accounts[id]) {
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
	if err := s.Store.SaveStep(ctx, c, version); err != nil {
		return nil, err
	}
	if kind := domain.CustomerNotice(a); kind != "" {
		s.tellCustomer(ctx, kind, c, TrackingURL(s.base(base), c.Number, c.TrackingToken, c.Language))
	}
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
	if err := s.Store.SaveStep(ctx, c, version); err != nil {
		return nil, err
	}
	if relinked {
		s.tellStaff(ctx, domain.ActionCorrect, c, base)
	}
	return c, nil
}

// tellCustomer emails the complaint's contact, when they gave an address,
// in their language, signed with the company's brand (settings). The step
// is already stored: a mail that cannot be queued (nor kept) is logged, not
// returned.
func (s *Service) tellCustomer(ctx context.Context, kind string, c *domain.Complaint, link string) {
	if c.Contact.Email == "" {
		return
	}
	err := func() error {
		set, err := s.Settings.Current(ctx)
		if err != nil {
			return err
		}
		var d mail.Data
		switch kind {
		case "complaint-received":
			d = mail.ComplaintReceived{Number: c.Number, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue, CloseDue: c.Deadlines.CloseDue, TrackingURL: link}
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
			return fmt.Errorf("complaint: no customer mail %s", kind)
		}
		now := c.ReceivedAt // the step that sends the mail is the last on the card
		if n := len(c.History); n > 0 {
			now = c.History[n-1].At
		}
		m, err := mail.Compose(mail.Envelope{To: []string{c.Contact.Email}, Lang: c.Language, Name: c.Contact.Name, Zone: c.SLA.Location(),
			Now: now, Brand: set.Brand}, d)
		if err != nil {
			return err
		}
		return s.Mail.Send(ctx, m)
	}()
	if err != nil {
		slog.ErrorContext(ctx, "mail not sent", "kind", kind, "number", c.Number, "err", err.Error())
	}
}
