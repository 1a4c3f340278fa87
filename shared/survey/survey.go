// Package survey runs the satisfaction survey programme: it creates
// invitations (by hand, after a complaint closes, and periodically), sends
// the one reminder, and processes answers from the survey queue exactly
// once (SurveyProcessorFunction).
package survey

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
	// CreateInvitation stores an invitation and, unless exempt, claims the
	// contact for gap (domain.ErrRecentlySurveyed when surveyed more recently).
	CreateInvitation(ctx context.Context, in *domain.Invitation, gap time.Duration, exempt bool) error
	// GetInvitation reads an invitation by token, or domain.ErrNotFound.
	GetInvitation(ctx context.Context, token string) (*domain.Invitation, error)
	// RecordAnswer stores an answer once, with its aggregates and follow-up
	// (domain.ErrDuplicateAnswer when the token was answered).
	RecordAnswer(ctx context.Context, r domain.SurveyResponse, f *domain.FollowUp) error
	// OpenInvitations lists unanswered invitations, oldest first.
	OpenInvitations(ctx context.Context, limit int32, cursor string) (domain.Page[domain.Invitation], error)
	// MarkReminded records the one reminder (false: already sent); UnmarkReminded undoes it.
	MarkReminded(ctx context.Context, token string, at time.Time) (bool, error)
	UnmarkReminded(ctx context.Context, token string) error
	// Aggregates reads the monthly counts of a scope ("CUST#id", "MGR#id", "MONTH") for months from..to.
	Aggregates(ctx context.Context, scope, from, to string) ([]domain.MonthAggregate, error)
	// ListResponses returns a page of stored answers.
	ListResponses(ctx context.Context, q domain.ResponseQuery) (domain.Page[domain.SurveyResponse], error)
}

// Files checks that a staff member may see a key-account file.
type Files interface {
	Visible(ctx context.Context, p domain.Principal, id string) (*domain.Customer, error)
}

// Accounts lists the key-account files the periodic programme surveys.
type Accounts interface {
	List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error)
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Directory tells who receives staff notices.
type Directory interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// Service is the survey programme.
type Service struct {
	Store     Store
	Accounts  Accounts
	Files     Files
	Mail      mail.Outbox
	Settings  Settings
	Directory Directory // supervisors told of poor answers from strategic accounts
	Now       func() time.Time
	BaseURL   string // public base URL of the survey links
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
	BaseURL         string // overrides Service.BaseURL (requests know their host)
}

// Invite creates an invitation and mails it. A contact surveyed within the
// contact gap gives domain.ErrRecentlySurveyed (post-complaint surveys are
// exempt); an account without a contact email ErrNoContact.
func (s *Service) Invite(ctx context.Context, r InviteRequest) (*domain.Invitation, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	in := &domain.Invitation{Token: newToken(), Reason: r.Reason, ComplaintNumber: r.ComplaintNumber, CustomerName: r.CustomerName,
		ContactName: r.ContactName, ContactEmail: strings.TrimSpace(r.ContactEmail), Language: r.Language, CreatedBy: r.By,
		CreatedAt: now, ExpiresAt: now.Add(set.Survey.Expiry())}
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
	if err := s.Store.CreateInvitation(ctx, in, set.Survey.ContactGap(), r.Reason == domain.SurveyAfterComplaint); err != nil {
		return nil, err
	}
	base := s.BaseURL
	if base == "" {
		base = r.BaseURL
	}
	if err := s.mailInvitation(ctx, "survey-invitation", in, base, set); err != nil {
		slog.ErrorContext(ctx, "survey: invitation mail not queued", "err", err.Error())
	}
	return in, nil
}

func (s *Service) invitationMail(kind string, in *domain.Invitation, base string, set domain.Settings) (mail.Message, error) {
	if base == "" {
		return mail.Message{}, fmt.Errorf("survey: no public base URL (set PublicBaseUrl) for the link")
	}
	var d mail.Data = mail.SurveyInvitation{Link: Link(base, in.Token), ExpiresAt: in.ExpiresAt, ComplaintNumber: in.ComplaintNumber}
	if kind == "survey-reminder" {
		d = mail.SurveyReminder(d.(mail.SurveyInvitation))
	}
	return mail.Compose(mail.Envelope{To: []string{in.ContactEmail}, Lang: in.Language, Name: in.ContactName, Zone: set.Location(),
		Now: s.Now(), Brand: set.Brand}, d)
}

func (s *Service) mailInvitation(ctx context.Context, kind string, in *domain.Invitation, base string, set domain.Settings) error {
	m, err := s.invitationMail(kind, in, base, set)
	if err != nil {
		return err
	}
	return s.Mail.Send(ctx, m)
}

// AfterComplaint invites the complainant to rate the handling of closed
// complaint c (account is its linked file, or nil).
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
	f := r.FollowUpFor(set.Survey, s.Now())
	if err := s.Store.RecordAnswer(ctx, r, f); errors.Is(err, domain.ErrDuplicateAnswer) {
		return Duplicate, nil
	} else if err != nil {
		return "", err
	}
	if r.Poor && in.Tier == domain.TierStrategic {
		s.tellSupervisors(ctx, in, r, f, set)
	}
	return Recorded, nil
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
		URL: strings.TrimRight(s.BaseURL, "/") + "/console/accounts/" + url.PathEscape(in.CustomerID) + "#satisfaction"}
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
// RemindAfterDays (SurveyRemindersFunction, daily).
func (s *Service) Reminders(ctx context.Context) error {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
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
			m, err := s.invitationMail("survey-reminder", in, s.BaseURL, set)
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
// monthly). Contacts surveyed within the contact gap are skipped.
func (s *Service) Periodic(ctx context.Context) error {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return err
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
