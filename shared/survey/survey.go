// Package survey runs the satisfaction survey programme: it creates
// invitations (by hand, after a complaint closes, and periodically), sends
// the one reminder, and processes answers from the survey queue exactly
// once (SurveyProcessorFunction).
package survey

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/queue"
	"keycare/shared/staff"
)

// Store keeps invitations and answers.
type Store interface {
	// CreateInvitation stores an invitation with what claim says, in one
	// transaction (domain.ErrRecentlySurveyed, domain.ErrComplaintSurveyed,
	// *domain.ReplayError, domain.ErrIdempotencyMismatch).
	CreateInvitation(ctx context.Context, in *domain.Invitation, claim domain.InvitationClaim) error
	// GetInvitation reads an invitation by token, or domain.ErrNotFound.
	GetInvitation(ctx context.Context, token string) (*domain.Invitation, error)
	// RecordAnswer stores an answer once, with its aggregates and follow-up
	// (domain.ErrDuplicateAnswer when the token was answered, domain.ErrBusy
	// when it lost a race on an aggregate).
	RecordAnswer(ctx context.Context, r domain.SurveyResponse, f *domain.FollowUp) error
	// OpenInvitations lists unanswered invitations, oldest first.
	OpenInvitations(ctx context.Context, limit int32, cursor string) (domain.Page[domain.Invitation], error)
	// MarkReminded records the one reminder (false: already sent); UnmarkReminded undoes it.
	MarkReminded(ctx context.Context, token string, at time.Time) (bool, error)
	UnmarkReminded(ctx context.Context, token string) error
	// Aggregates reads the monthly counts of a scope ("CUST#id", "MGR#id", "MONTH", "HAND#CUST#id") for months from..to.
	Aggregates(ctx context.Context, scope, from, to string) ([]domain.MonthAggregate, error)
	// ListResponses returns a page of stored answers.
	ListResponses(ctx context.Context, q domain.ResponseQuery) (domain.Page[domain.SurveyResponse], error)
}

// Files checks that a staff member may see a key-account file.
type Files interface {
	Visible(ctx context.Context, p domain.Principal, id string) (*domain.Customer, error)
}

// Accounts reads the key-account files: those the periodic programme
// surveys, and the file an answer belongs to now.
type Accounts interface {
	List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error)
	Get(ctx context.Context, id string) (*domain.Customer, error)
}

// Complaints reads the closed complaint a post-complaint invitation names.
type Complaints interface {
	Get(ctx context.Context, number string) (*domain.Complaint, error)
}

// Bases gives the public base URL the stack learned from API Gateway.
type Bases interface {
	PublicBase(ctx context.Context) (string, error)
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Directory tells who receives staff notices.
type Directory interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// AuditLog is the access record (查阅登记): reads of a customer's survey
// figures and answers are on it.
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
}

// Service is the survey programme.
type Service struct {
	Store      Store
	Accounts   Accounts
	Files      Files
	Complaints Complaints
	Mail       mail.Transactional // invitations are written with the invitation, then queued
	Settings   Settings
	Directory  Directory // supervisors told of poor answers from strategic accounts
	Audit      AuditLog
	Bases      Bases // the base URL learned from API Gateway, when BaseURL is empty
	Now        func() time.Time
	BaseURL    string                                     // public base URL of the survey links (PublicBaseUrl)
	Sleep      func(ctx context.Context, d time.Duration) // backoff between retries; nil sleeps
}

// ErrNoContact means the account has no contact with an email address.
var ErrNoContact = &domain.ValidationError{Fields: map[string]string{"contactEmail": "the account has no contact with an email address; give contactEmail 客户没有可用的联系人邮箱"}}

// Link is the survey page of a token.
func Link(base, token string) string { return strings.TrimRight(base, "/") + "/s/" + token }

func newToken() string {
	b := make([]byte, 32) // 256 bits
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newID() string {
	b := make([]byte, 10) // 80 bits
	_, _ = rand.Read(b)
	return "i" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// base is the public base URL links are made with: the configured one,
// else the request's (staff requests know their host), else the one the
// stack learned from API Gateway; "" when none is known.
func (s *Service) base(ctx context.Context, request string) string {
	switch {
	case s.BaseURL != "":
		return s.BaseURL
	case request != "":
		return request
	case s.Bases != nil:
		b, err := s.Bases.PublicBase(ctx)
		if err != nil {
			slog.WarnContext(ctx, "survey: the learned base URL could not be read", "err", err.Error())
		}
		return b
	}
	return ""
}

// InviteRequest says whom to survey and why.
type InviteRequest struct {
	Customer        *domain.Customer // the account, when known
	CustomerName    string           // else a name (complaints from unknown senders)
	ContactName     string
	ContactEmail    string // the account's first contact with an email when empty
	Language        string
	Reason          domain.SurveyReason
	ComplaintNumber string
	By              string
	ByHand          bool                      // made by a person without a record behind it: answers counted apart
	Idempotency     *domain.IdempotencyRecord // the Idempotency-Key of the request, if any
	BaseURL         string                    // the request's base URL (requests know their host)
}

// View is an invitation as staff see it: its id, never its token or link.
type View struct {
	ID              string              `json:"id"`
	CustomerID      string              `json:"customerId,omitempty"`
	CustomerName    string              `json:"customerName"`
	Reason          domain.SurveyReason `json:"reason"`
	ComplaintNumber string              `json:"complaintNumber,omitempty"`
	ContactName     string              `json:"contactName"`
	ContactEmail    string              `json:"contactEmail"`
	Language        string              `json:"language"`
	CreatedBy       string              `json:"createdBy"`
	CreatedAt       time.Time           `json:"createdAt"`
	ExpiresAt       time.Time           `json:"expiresAt"`
	ByHand          bool                `json:"byHand"`
	Counted         bool                `json:"counted"` // its answer counts in reports and rankings
}

// ViewOf is in as staff see it.
func ViewOf(in *domain.Invitation) View {
	return View{ID: in.ID, CustomerID: in.CustomerID, CustomerName: in.CustomerName, Reason: in.Reason, ComplaintNumber: in.ComplaintNumber,
		ContactName: in.ContactName, ContactEmail: in.ContactEmail, Language: in.Language, CreatedBy: in.CreatedBy, CreatedAt: in.CreatedAt,
		ExpiresAt: in.ExpiresAt, ByHand: in.ByHand, Counted: in.Counted()}
}

// Invite creates an invitation and mails it: the invitation, the contact's
// survey record and the mail are one transaction, and nothing is stored
// without a link to mail (domain.ErrNoLink). A contact surveyed within the
// contact gap gives domain.ErrRecentlySurveyed (post-complaint surveys are
// exempt, once per complaint: domain.ErrComplaintSurveyed); an account
// without a contact email ErrNoContact.
func (s *Service) Invite(ctx context.Context, r InviteRequest) (*domain.Invitation, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	base := s.base(ctx, r.BaseURL)
	if base == "" {
		return nil, domain.ErrNoLink
	}
	now := s.Now().UTC()
	in := &domain.Invitation{ID: newID(), Token: newToken(), Reason: r.Reason, ComplaintNumber: r.ComplaintNumber, CustomerName: r.CustomerName,
		ContactName: r.ContactName, ContactEmail: strings.TrimSpace(r.ContactEmail), Language: r.Language, CreatedBy: r.By,
		CreatedAt: now, ExpiresAt: now.Add(set.Survey.Expiry()), ByHand: r.ByHand}
	if c := r.Customer; c != nil {
		in.CustomerID, in.CustomerName, in.ManagerID, in.Department, in.Tier = c.ID, c.Name, c.ManagerID, c.Department, c.Tier
		for _, ct := range c.Contacts { // the chosen contact, or the first with an email
			if ct.Email == "" {
				continue
			}
			if in.ContactEmail == "" {
				in.ContactEmail, in.ContactName, in.Language = ct.Email, ct.Name, ct.Language
				break
			}
			if strings.EqualFold(ct.Email, in.ContactEmail) { // their name and language, unless given
				in.ContactName, in.Language = cmp.Or(in.ContactName, ct.Name), cmp.Or(in.Language, ct.Language)
				break
			}
		}
	}
	if in.ContactEmail == "" {
		return nil, ErrNoContact
	}
	if !domain.ValidEmail(in.ContactEmail) {
		return nil, &domain.ValidationError{Fields: map[string]string{"contactEmail": "not an email address 邮箱格式无效"}}
	}
	if in.Language != "en" {
		in.Language = "zh"
	}
	if in.ContactName == "" {
		in.ContactName = in.CustomerName
	}
	m, err := s.invitationMail("survey-invitation", in, base, set)
	if err != nil {
		return nil, err
	}
	job, err := mail.Pending(m, now)
	if err != nil {
		return nil, err
	}
	claim := domain.InvitationClaim{ContactUntil: now.Add(set.Survey.ContactKept()), Mail: []domain.PendingMail{job}}
	if r.Reason == domain.SurveyAfterComplaint {
		claim.Complaint = r.ComplaintNumber // exempt from the contact gap, once per complaint
	} else {
		claim.ContactCut = set.Survey.ContactCut(now, set.Location())
	}
	if r.Idempotency != nil {
		rec := *r.Idempotency
		b, _ := json.Marshal(ViewOf(in))
		rec.Result = string(b)
		claim.Idempotency = &rec
	}
	if err := s.Store.CreateInvitation(ctx, in, claim); err != nil {
		return nil, err
	}
	s.Mail.Dispatch(ctx, claim.Mail)
	return in, nil
}

func (s *Service) invitationMail(kind string, in *domain.Invitation, base string, set domain.Settings) (mail.Message, error) {
	if base == "" {
		return mail.Message{}, domain.ErrNoLink
	}
	var d mail.Data = mail.SurveyInvitation{Link: Link(base, in.Token), ExpiresAt: in.ExpiresAt, ComplaintNumber: in.ComplaintNumber}
	if kind == "survey-reminder" {
		d = mail.SurveyReminder(d.(mail.SurveyInvitation))
	}
	return mail.Compose(mail.Envelope{To: []string{in.ContactEmail}, Lang: in.Language, Name: in.ContactName, Zone: set.Location(),
		Now: s.Now(), Brand: set.Brand}, d)
}

// AfterComplaint invites the complainant to rate the handling of closed
// complaint c (account is its linked file, or nil), once per complaint.
func (s *Service) AfterComplaint(ctx context.Context, c *domain.Complaint, account *domain.Customer) error {
	_, err := s.Invite(ctx, InviteRequest{Customer: account, CustomerName: c.CustomerName, ContactName: c.Contact.Name, ContactEmail: c.Contact.Email,
		Language: c.Language, Reason: domain.SurveyAfterComplaint, ComplaintNumber: c.Number, By: "complaint-close"})
	return err
}

// Submission is the message the survey page puts on the survey queue.
type Submission struct {
	Token       string        `json:"token"`
	Answer      domain.Answer `json:"answer"`
	SubmittedAt time.Time     `json:"submittedAt"`
}

// Handle is the SurveyProcessorFunction: each message is processed alone;
// the failed ones are reported for SQS to retry (then dead-letter).
func (s *Service) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return queue.EachRecord(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
		err := s.Process(ctx, []byte(m.Body))
		if err != nil {
			slog.WarnContext(ctx, "survey: message failed", "messageId", m.MessageId, "err", err.Error())
		}
		return err
	}), nil
}

// Outcome of processing one answer.
type Outcome string

// Outcomes.
const (
	Recorded  Outcome = "recorded"
	Duplicate Outcome = "duplicate"
)

// Process stores one answer exactly once (a duplicate changes nothing).
func (s *Service) Process(ctx context.Context, body []byte) error {
	_, err := s.process(ctx, body)
	return err
}

func (s *Service) process(ctx context.Context, body []byte) (Outcome, error) {
	var sub Submission
	if err := json.Unmarshal(body, &sub); err != nil {
		return "", fmt.Errorf("survey: malformed message: %w", err)
	}
	if sub.Token == "" || sub.SubmittedAt.IsZero() {
		return "", errors.New("survey: message without token or time")
	}
	if err := sub.Answer.Validate(); err != nil {
		return "", fmt.Errorf("survey: invalid answer: %w", err)
	}
	in, err := s.Store.GetInvitation(ctx, sub.Token)
	if err != nil {
		return "", err
	}
	if in.AnsweredAt != nil {
		return Duplicate, nil
	}
	if in.Expired(sub.SubmittedAt) {
		return "", fmt.Errorf("survey: answer submitted after the invitation expired")
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return "", err
	}
	r := in.ResponseTo(sub.Answer, sub.SubmittedAt, set.Location())
	// Answers of one month share their aggregate items: a transaction that
	// lost the race on one is retried here, with backoff and jitter, rather
	// than using up the message's receives.
	f := r.FollowUpFor(set.Survey, s.Now())
	for attempt := 1; ; attempt++ {
		err = s.Store.RecordAnswer(ctx, r, f)
		if !errors.Is(err, domain.ErrBusy) || attempt >= maxConflictRetries {
			break
		}
		s.sleep(ctx, backoff(attempt))
	}
	if errors.Is(err, domain.ErrDuplicateAnswer) {
		return Duplicate, nil
	} else if err != nil {
		return "", err
	}
	if r.Poor && in.Tier == domain.TierStrategic {
		s.tellSupervisors(ctx, in, r, f, set)
	}
	return Recorded, nil
}

// maxConflictRetries bounds the tries of one answer's transaction.
const maxConflictRetries = 8

// backoff is the wait before retry n (1, 2, …): a random time up to
// 20 ms·2ⁿ⁻¹, at most 1 s (exponential backoff with full jitter).
func backoff(n int) time.Duration {
	ceiling := min(20*time.Millisecond<<min(n-1, 10), time.Second)
	return time.Duration(mrand.Int64N(int64(ceiling))) + time.Millisecond
}

func (s *Service) sleep(ctx context.Context, d time.Duration) {
	if s.Sleep != nil {
		s.Sleep(ctx, d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// tellSupervisors emails the supervisors of the account's department about a
// poor answer from a strategic account, each in their language. The answer
// is stored: the notice is best effort beyond the outbox's own keeping.
func (s *Service) tellSupervisors(ctx context.Context, in *domain.Invitation, r domain.SurveyResponse, f *domain.FollowUp, set domain.Settings) {
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "survey: directory unavailable, supervisor notice not sent", "err", err.Error())
		return
	}
	d := mail.PoorSurveyAnswer{Customer: in.CustomerName, Tier: in.Tier, Manager: dir.Name(in.ManagerID), Overall: r.Answer.Overall,
		Recommend: r.Answer.Recommend, Comment: r.Answer.Comment, ComplaintNumber: in.ComplaintNumber, AnsweredAt: r.SubmittedAt,
		URL: strings.TrimRight(s.base(ctx, ""), "/") + "/console/accounts/" + url.PathEscape(in.CustomerID) + "#satisfaction"}
	if f != nil {
		d.FollowUpDue = f.DueAt
	}
	for lang, to := range byLanguage(dir.Supervisors(in.Department)) {
		m, err := mail.Compose(mail.Envelope{To: to, Lang: lang, Zone: set.Location(), Now: s.Now()}, d)
		if err == nil {
			err = s.Mail.Send(ctx, m)
		}
		if err != nil {
			slog.ErrorContext(ctx, "survey: supervisor notice not queued", "err", err.Error())
		}
	}
}

// byLanguage groups recipients' addresses by their language.
func byLanguage(rs []staff.Recipient) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		l := r.Language
		if l != "en" {
			l = "zh"
		}
		out[l] = append(out[l], r.Email)
	}
	return out
}

// reminded is the "once" of survey reminders: the invitation's remindedAt.
type reminded struct{ Store }

func (r reminded) Claim(ctx context.Context, token string, at time.Time) (bool, error) {
	return r.MarkReminded(ctx, token, at)
}
func (r reminded) Release(ctx context.Context, token string) error {
	return r.UnmarkReminded(ctx, token)
}

// Reminders sends the one reminder of every invitation unanswered after
// RemindAfterDays (SurveyRemindersFunction, daily). Without a base URL for
// the links it sends and marks nothing (domain.ErrNoLink).
func (s *Service) Reminders(ctx context.Context) error {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
	}
	base := s.base(ctx, "")
	if base == "" {
		return domain.ErrNoLink
	}
	n := mail.Notifier{Once: reminded{s.Store}, Outbox: s.Mail}
	now := s.Now().UTC()
	cursor, sent := "", 0
	for {
		page, err := s.Store.OpenInvitations(ctx, 100, cursor)
		if err != nil {
			return err
		}
		for i := range page.Items {
			in := &page.Items[i]
			if !in.ReminderDue(now, set.Survey) {
				continue
			}
			m, err := s.invitationMail("survey-reminder", in, base, set)
			if err != nil {
				return err
			}
			ok, err := n.SendOnce(ctx, in.Token, now, m)
			if err != nil {
				return err
			}
			if ok {
				sent++
			}
		}
		if page.NextCursor == "" {
			slog.InfoContext(ctx, "survey reminders", "sent", sent)
			return nil
		}
		cursor = page.NextCursor
	}
}

// Periodic invites every active account due this month (quarterly;
// strategic accounts as the settings say; SurveyInvitationsFunction,
// monthly). Contacts surveyed within the contact gap (calendar months) are
// skipped. Without a base URL for the links nothing is invited, stored or
// counted: the run fails (domain.ErrNoLink), to be seen and rerun.
func (s *Service) Periodic(ctx context.Context) error {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
	}
	if s.base(ctx, "") == "" {
		slog.ErrorContext(ctx, "periodic survey: no public base URL for the links; nothing invited (set PublicBaseUrl, or call the API once)")
		return domain.ErrNoLink
	}
	month := s.Now().In(set.Location()).Month()
	q := domain.CustomerQuery{Limit: 100}
	invited, skipped := 0, 0
	for {
		page, err := s.Accounts.List(ctx, q)
		if err != nil {
			return err
		}
		for i := range page.Items {
			c := &page.Items[i]
			if c.Status != domain.StatusActive || !set.Survey.PeriodicDue(month, c.Tier) {
				continue
			}
			_, err := s.Invite(ctx, InviteRequest{Customer: c, Reason: domain.SurveyPeriodic, By: "schedule"})
			switch {
			case err == nil:
				invited++
			case errors.Is(err, domain.ErrRecentlySurveyed), errors.Is(err, ErrNoContact):
				skipped++
			default:
				return err
			}
		}
		if page.NextCursor == "" {
			slog.InfoContext(ctx, "periodic survey", "invited", invited, "skipped", skipped)
			return nil
		}
		q.Cursor = page.NextCursor
	}
}

// KeptStore keeps the answers the survey page could not queue.
type KeptStore interface {
	KeptAnswers(ctx context.Context, before time.Time, limit int32) ([]domain.KeptAnswer, error)
	DropAnswer(ctx context.Context, token string) error
}

// AnswerQueue is the survey queue.
type AnswerQueue interface {
	SendJSON(ctx context.Context, v any) error
}

// KeptAnswers puts the answers the survey page kept while the survey queue
// was down back on the queue. The hourly run (ComplaintEscalationFunction,
// which also queues kept mail) calls Requeue, so a kept answer waits at
// most an hour.
type KeptAnswers struct {
	Store KeptStore
	Queue AnswerQueue
	Now   func() time.Time
}

// Requeue queues the answers kept at least mail.Settle ago (the page that
// kept one may still be retrying) and forgets each once queued; it returns
// how many went.
func (k KeptAnswers) Requeue(ctx context.Context) (int, error) {
	sent := 0
	for range 20 {
		kept, err := k.Store.KeptAnswers(ctx, k.Now().Add(-mail.Settle), 100)
		if err != nil {
			return sent, err
		}
		for _, a := range kept {
			if err := k.Queue.SendJSON(ctx, json.RawMessage(a.Payload)); err != nil {
				return sent, err
			}
			if err := k.Store.DropAnswer(ctx, a.Token); err != nil {
				return sent, err
			}
			sent++
		}
		if len(kept) < 100 {
			break
		}
	}
	if sent > 0 {
		slog.InfoContext(ctx, "survey: kept answers queued", "answers", sent)
	}
	return sent, nil
}
