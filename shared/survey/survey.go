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
	"keycare/shared/store"
)

// Store is what the survey programme needs from storage.
type Store interface {
	CreateInvitation(ctx context.Context, in *domain.Invitation, gap time.Duration, exempt bool) error
	GetInvitation(ctx context.Context, token string) (*domain.Invitation, error)
	RecordAnswer(ctx context.Context, r store.Response, f *store.FollowUp) error
	OpenInvitations(ctx context.Context, limit int32, cursor string) (store.Page[domain.Invitation], error)
	MarkReminded(ctx context.Context, token string, at time.Time) (bool, error)
	UnmarkReminded(ctx context.Context, token string) error
	ListCustomers(ctx context.Context, q store.CustomerQuery) (store.Page[domain.Customer], error)
}

// Service is the survey programme.
type Service struct {
	Store       Store
	Mail        mail.Outbox
	Now         func() time.Time
	Settings    domain.SurveySettings
	Location    *time.Location
	BaseURL     string   // public base URL of the survey links
	Supervisors []string // told of poor answers from strategic accounts
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
// last 30 days gives store.ErrRecentlySurveyed (post-complaint surveys are
// exempt).
func (s *Service) Invite(ctx context.Context, r InviteRequest) (*domain.Invitation, error) {
	now := s.Now().UTC()
	in := &domain.Invitation{Token: newToken(), Reason: r.Reason, ComplaintNumber: r.ComplaintNumber, CustomerName: r.CustomerName,
		ContactName: r.ContactName, ContactEmail: strings.TrimSpace(r.ContactEmail), Language: r.Language, CreatedBy: r.By,
		CreatedAt: now, ExpiresAt: now.Add(s.Settings.Expiry)}
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
	if err := s.Store.CreateInvitation(ctx, in, s.Settings.ContactGap, r.Reason == domain.SurveyAfterComplaint); err != nil {
		return nil, err
	}
	base := r.BaseURL
	if base == "" {
		base = s.BaseURL
	}
	if err := s.mailInvitation(ctx, "survey-invitation", in, base); err != nil {
		slog.ErrorContext(ctx, "survey: invitation mail not queued", "err", err.Error())
	}
	return in, nil
}

func (s *Service) mailInvitation(ctx context.Context, kind string, in *domain.Invitation, base string) error {
	if base == "" {
		return fmt.Errorf("survey: no public base URL (set PublicBaseUrl) for the link")
	}
	var d mail.Data = mail.SurveyInvitation{Link: Link(base, in.Token), ExpiresAt: in.ExpiresAt, ComplaintNumber: in.ComplaintNumber}
	if kind == "survey-reminder" {
		d = mail.SurveyReminder(d.(mail.SurveyInvitation))
	}
	m, err := mail.Compose(mail.Envelope{To: []string{in.ContactEmail}, Lang: in.Language, Name: in.ContactName, Zone: s.Location,
		Now: s.Now(), Brand: mail.DefaultBrand()}, d)
	if err != nil {
		return err
	}
	return s.Mail.Send(ctx, m)
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
	if !sub.SubmittedAt.Before(in.ExpiresAt) {
		return "", fmt.Errorf("survey: answer submitted after the invitation expired")
	}
	r := store.Response{Token: in.Token, CustomerID: in.CustomerID, ManagerID: in.ManagerID, Department: in.Department, Tier: in.Tier,
		Reason: in.Reason, Month: sub.SubmittedAt.In(s.Location).Format("2006-01"), Answer: sub.Answer, SubmittedAt: sub.SubmittedAt.UTC(), Poor: sub.Answer.Poor()}
	var f *store.FollowUp
	if r.Poor && in.ManagerID != "" {
		f = &store.FollowUp{ID: "s-" + in.Token, CustomerID: in.CustomerID, ManagerID: in.ManagerID, Token: in.Token, Status: "open",
			Reason:    fmt.Sprintf("poor survey answer: overall %d/5, recommend %d/10", sub.Answer.Overall, sub.Answer.Recommend),
			CreatedAt: s.Now().UTC(), DueAt: sub.SubmittedAt.Add(3 * 24 * time.Hour).UTC()}
	}
	if err := s.Store.RecordAnswer(ctx, r, f); errors.Is(err, store.ErrDuplicateAnswer) {
		return Duplicate, nil
	} else if err != nil {
		return "", err
	}
	if r.Poor && in.Tier == domain.TierStrategic && len(s.Supervisors) > 0 {
		d := mail.PoorSurveyAnswer{Customer: in.CustomerName, Tier: in.Tier, Manager: in.ManagerID, Overall: sub.Answer.Overall,
			Recommend: sub.Answer.Recommend, Comment: sub.Answer.Comment, ComplaintNumber: in.ComplaintNumber, AnsweredAt: sub.SubmittedAt,
			URL: strings.TrimRight(s.BaseURL, "/") + "/surveys/responses?customer=" + url.QueryEscape(in.CustomerID)}
		if f != nil {
			d.FollowUpDue = f.DueAt
		}
		m, err := mail.Compose(mail.Envelope{To: s.Supervisors, Lang: "zh", Zone: s.Location, Now: s.Now()}, d)
		if err == nil {
			err = s.Mail.Send(ctx, m)
		}
		if err != nil { // the answer is stored; the notice is best effort beyond the outbox's own keeping
			slog.ErrorContext(ctx, "survey: supervisor notice not queued", "err", err.Error())
		}
	}
	return Recorded, nil
}

// Reminders sends the one reminder of every invitation unanswered after 7 days.
func (s *Service) Reminders(ctx context.Context, _ events.CloudWatchEvent) error {
	now := s.Now().UTC()
	cursor, sent := "", 0
	for {
		page, err := s.Store.OpenInvitations(ctx, 100, cursor)
		if err != nil {
			return err
		}
		for i := range page.Items {
			in := &page.Items[i]
			if !in.ReminderDue(now, s.Settings) {
				continue
			}
			first, err := s.Store.MarkReminded(ctx, in.Token, now)
			if err != nil {
				return err
			}
			if !first {
				continue
			}
			if err := s.mailInvitation(ctx, "survey-reminder", in, s.BaseURL); err != nil {
				_ = s.Store.UnmarkReminded(ctx, in.Token)
				return err
			}
			sent++
		}
		if page.NextCursor == "" {
			slog.InfoContext(ctx, "survey reminders", "sent", sent)
			return nil
		}
		cursor = page.NextCursor
	}
}

// Periodic invites every active account due this month (quarterly; strategic
// accounts as the settings say). Contacts surveyed in the last 30 days are
// skipped.
func (s *Service) Periodic(ctx context.Context, _ events.CloudWatchEvent) error {
	month := s.Now().In(s.Location).Month()
	q := store.CustomerQuery{Limit: 100}
	invited, skipped := 0, 0
	for {
		page, err := s.Store.ListCustomers(ctx, q)
		if err != nil {
			return err
		}
		for i := range page.Items {
			c := &page.Items[i]
			if c.Status != domain.StatusActive || !s.Settings.PeriodicDue(month, c.Tier) {
				continue
			}
			_, err := s.Invite(ctx, InviteRequest{Customer: c, Reason: domain.SurveyPeriodic, By: "schedule"})
			switch {
			case err == nil:
				invited++
			case errors.Is(err, store.ErrRecentlySurveyed), errors.Is(err, ErrNoContact):
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
