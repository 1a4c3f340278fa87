package domain

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Satisfaction surveys (满意度调查).

// SurveyReason says why an invitation was sent.
type SurveyReason string

// Reasons.
const (
	SurveyAfterComplaint SurveyReason = "complaint" // after a complaint closes (exempt from the 30-day limit)
	SurveyAfterVisit     SurveyReason = "visit"
	SurveyPeriodic       SurveyReason = "periodic" // quarterly programme
	SurveyManual         SurveyReason = "manual"
)

// SurveySettings are the survey programme's numbers.
type SurveySettings struct {
	ExpiryDays      int `json:"expiryDays"`      // a link works 30 days
	RemindAfterDays int `json:"remindAfterDays"` // one reminder after 7 days
	ContactGapDays  int `json:"contactGapDays"`  // at most one survey per contact per 30 days (post-complaint surveys excepted)
	PeriodicMonths  int `json:"periodicMonths"`  // every active account every 3 months (quarterly)
	StrategicMonths int `json:"strategicMonths"` // strategic accounts every N months (3 = like the others)
	FollowUpDays    int `json:"followUpDays"`    // a poor answer's follow-up is due 3 days after it
}

// Expiry is how long a link works.
func (s SurveySettings) Expiry() time.Duration { return days(s.ExpiryDays) }

// RemindAfter is when the one reminder goes.
func (s SurveySettings) RemindAfter() time.Duration { return days(s.RemindAfterDays) }

// ContactGap is the least time between two surveys of one contact.
func (s SurveySettings) ContactGap() time.Duration { return days(s.ContactGapDays) }

// FollowUpDue is when the follow-up of a poor answer submitted at t is due.
func (s SurveySettings) FollowUpDue(t time.Time) time.Time { return t.Add(days(s.FollowUpDays)).UTC() }

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// PeriodicDue reports whether an account of tier is surveyed in month
// (1–12): every PeriodicMonths from January, strategic accounts every
// StrategicMonths.
func (s SurveySettings) PeriodicDue(month time.Month, tier Tier) bool {
	every := s.PeriodicMonths
	if tier == TierStrategic && s.StrategicMonths > 0 && s.StrategicMonths < every {
		every = s.StrategicMonths
	}
	if every <= 0 {
		return false
	}
	return (int(month)-1)%every == 0
}

// ContactCut is the time before which a contact's last survey must lie for
// a new one at now: at most one survey per ContactGapDays, counted in
// calendar months of the company's zone for a gap of 30 days or more (30 =
// not twice in one calendar month, 60 = not in this month nor the last), so
// that a monthly programme run on the 1st is not stopped by a short
// February. A gap of 0 is no limit (the zero time).
func (s SurveySettings) ContactCut(now time.Time, loc *time.Location) time.Time {
	if s.ContactGapDays <= 0 {
		return time.Time{}
	}
	months := s.ContactGapDays / 30
	if months == 0 {
		return now.Add(-s.ContactGap()).UTC()
	}
	l := now.In(loc)
	return time.Date(l.Year(), l.Month()-time.Month(months-1), 1, 0, 0, 0, 0, loc).UTC()
}

// ContactKept is how long the record of a contact's survey is kept: longer
// than any cut can reach back.
func (s SurveySettings) ContactKept() time.Duration { return s.ContactGap() + 31*24*time.Hour }

// Invitation is one survey link sent to one contact. Staff see its ID,
// never its token: the link goes to the contact by email alone.
type Invitation struct {
	ID              string       `json:"id"`
	Token           string       `json:"token"` // single-use, 256 bits
	CustomerID      string       `json:"customerId,omitempty"`
	CustomerName    string       `json:"customerName"`
	ManagerID       string       `json:"managerId,omitempty"`
	Department      string       `json:"department,omitempty"`
	Tier            Tier         `json:"tier,omitempty"`
	Reason          SurveyReason `json:"reason"`
	ComplaintNumber string       `json:"complaintNumber,omitempty"`
	ContactName     string       `json:"contactName"`
	ContactEmail    string       `json:"contactEmail"`
	Language        string       `json:"language"`
	CreatedBy       string       `json:"createdBy"` // a user id, or "schedule" / "complaint-close" for the programme's
	CreatedAt       time.Time    `json:"createdAt"`
	ExpiresAt       time.Time    `json:"expiresAt"`
	RemindedAt      *time.Time   `json:"remindedAt,omitempty"`
	AnsweredAt      *time.Time   `json:"answeredAt,omitempty"`
	// ByHand marks an invitation a person made without a record behind it
	// (CheckByHand): its answers are counted apart from the figures reports
	// and rankings use.
	ByHand bool `json:"byHand,omitempty"`
}

// Counted reports whether answers to in count in reports and rankings:
// the programme's, post-complaint and post-visit invitations. Those made
// by hand are shown apart.
func (in *Invitation) Counted() bool { return !in.ByHand }

// InvitationClaim is what an invitation is stored with, in one transaction.
type InvitationClaim struct {
	ContactCut   time.Time          // the contact's last survey must lie before it; zero: exempt (post-complaint)
	ContactUntil time.Time          // how long the record of this survey of the contact is kept
	Complaint    string             // a post-complaint invitation: at most one per complaint
	Idempotency  *IdempotencyRecord // the Idempotency-Key it was made with, if any
	Mail         []PendingMail      // the invitation mail (transactional outbox)
}

// CheckByHand checks an invitation a member of staff makes for account c
// (a file they may see) to the contact with address email ("" = the first
// contact with an address): the reason is manual, visit or complaint (the
// programme's are the schedule's); the address must be a contact's on the
// file — or, after a complaint, the complainant's; reason complaint must
// name a closed complaint of this account (cmp, nil when none was found).
// It returns the contact, and whether the invitation is made by hand
// (ByHand): only a post-complaint invitation backed by its closed complaint
// counts with the programme.
func CheckByHand(c *Customer, reason SurveyReason, email string, cmp *Complaint) (Contact, bool, error) {
	v := &ValidationError{}
	switch reason {
	case SurveyManual, SurveyAfterVisit, SurveyAfterComplaint:
	case SurveyPeriodic:
		v.Add("reason", "the periodic programme is sent by the schedule 定期调查由系统按计划发送")
	default:
		v.Add("reason", "must be manual, visit or complaint 原因须为 manual、visit 或 complaint")
	}
	if reason == SurveyAfterComplaint {
		switch {
		case cmp == nil:
			v.Add("complaintNumber", "name a closed complaint of this account 请指定该客户已结案的投诉")
		case cmp.CustomerID != c.ID:
			v.Add("complaintNumber", "the complaint is not one of this account 该投诉不属于此客户")
		case cmp.Status != StatusClosed:
			v.Add("complaintNumber", "the complaint is not closed yet 该投诉尚未结案")
		}
	}
	if err := v.Err(); err != nil {
		return Contact{}, false, err
	}
	email = strings.TrimSpace(email)
	for _, ct := range c.Contacts {
		if ct.Email != "" && (email == "" || strings.EqualFold(ct.Email, email)) {
			return ct, reason != SurveyAfterComplaint, nil
		}
	}
	if reason == SurveyAfterComplaint && cmp.Contact.Email != "" && (email == "" || strings.EqualFold(cmp.Contact.Email, email)) {
		return Contact{Name: cmp.Contact.Name, Email: cmp.Contact.Email, Language: cmp.Language}, false, nil
	}
	if email == "" {
		return Contact{}, false, &ValidationError{Fields: map[string]string{"contactEmail": "the account has no contact with an email address 客户没有可用的联系人邮箱"}}
	}
	return Contact{}, false, &ValidationError{Fields: map[string]string{"contactEmail": "not a contact on this account's file 不是该客户档案中的联系人"}}
}

// InvitationState is what a survey link shows.
type InvitationState string

// States of a link.
const (
	InvitationOpen     InvitationState = "open"
	InvitationAnswered InvitationState = "answered"
	InvitationExpired  InvitationState = "expired"
)

// State of the invitation at now.
func (in *Invitation) State(now time.Time) InvitationState {
	switch {
	case in.AnsweredAt != nil:
		return InvitationAnswered
	case !now.Before(in.ExpiresAt):
		return InvitationExpired
	}
	return InvitationOpen
}

// ReminderDue reports whether the one reminder should go now.
func (in *Invitation) ReminderDue(now time.Time, s SurveySettings) bool {
	return in.State(now) == InvitationOpen && in.RemindedAt == nil && !now.Before(in.CreatedAt.Add(s.RemindAfter()))
}

// Answer is a customer's answers.
type Answer struct {
	Overall         int    `json:"overall"`         // 1–5 (CSAT: 4–5 satisfied)
	Recommend       int    `json:"recommend"`       // 0–10 (NPS)
	Responsiveness  int    `json:"responsiveness"`  // 1–5, 0 = not answered
	Quality         int    `json:"quality"`         // 1–5, 0 = not answered
	Professionalism int    `json:"professionalism"` // 1–5, 0 = not answered
	Comment         string `json:"comment,omitempty"`
}

// MaxSurveyComment bounds the free comment.
const MaxSurveyComment = 2000

// Validate checks an answer.
func (a *Answer) Validate() error {
	v := &ValidationError{}
	if a.Overall < 1 || a.Overall > 5 {
		v.Add("overall", "choose 1 to 5 请选择 1–5 分")
	}
	if a.Recommend < 0 || a.Recommend > 10 {
		v.Add("recommend", "choose 0 to 10 请选择 0–10 分")
	}
	for f, x := range map[string]int{"responsiveness": a.Responsiveness, "quality": a.Quality, "professionalism": a.Professionalism} {
		if x < 0 || x > 5 {
			v.Add(f, "choose 1 to 5, or leave it empty 请选择 1–5 分或留空")
		}
	}
	a.Comment = strings.TrimSpace(a.Comment)
	checkText(v, "comment", a.Comment, MaxSurveyComment, false)
	return v.Err()
}

// Satisfied is the CSAT rule: 4 or 5 counts as satisfied.
func (a Answer) Satisfied() bool { return a.Overall >= 4 }

// NPSGroup is promoter (9–10), passive (7–8) or detractor (0–6).
func (a Answer) NPSGroup() string {
	switch {
	case a.Recommend >= 9:
		return "promoter"
	case a.Recommend >= 7:
		return "passive"
	}
	return "detractor"
}

// Poor answers (overall ≤ 2 or NPS ≤ 6) open a follow-up for the manager.
func (a Answer) Poor() bool { return a.Overall <= 2 || a.Recommend <= 6 }

// Aggregate counts answers; CSAT and NPS are computed from the counts.
type Aggregate struct {
	Answers    int `json:"answers"`
	Satisfied  int `json:"satisfied"`
	Promoters  int `json:"promoters"`
	Passives   int `json:"passives"`
	Detractors int `json:"detractors"`
	SumOverall int `json:"sumOverall"`
}

// Add counts one answer.
func (g *Aggregate) Add(a Answer) {
	g.Answers++
	g.SumOverall += a.Overall
	if a.Satisfied() {
		g.Satisfied++
	}
	switch a.NPSGroup() {
	case "promoter":
		g.Promoters++
	case "passive":
		g.Passives++
	default:
		g.Detractors++
	}
}

// Merge adds another aggregate's counts.
func (g *Aggregate) Merge(o Aggregate) {
	g.Answers += o.Answers
	g.Satisfied += o.Satisfied
	g.Promoters += o.Promoters
	g.Passives += o.Passives
	g.Detractors += o.Detractors
	g.SumOverall += o.SumOverall
}

// CSAT is the share of satisfied answers, in percent (target ≥ 90%).
func (g Aggregate) CSAT() float64 {
	if g.Answers == 0 {
		return 0
	}
	return math.Round(1000*float64(g.Satisfied)/float64(g.Answers)) / 10
}

// NPS is promoters minus detractors, in percent of answers (−100..100).
func (g Aggregate) NPS() float64 {
	if g.Answers == 0 {
		return 0
	}
	return math.Round(1000*float64(g.Promoters-g.Detractors)/float64(g.Answers)) / 10
}

// MonthAggregate is one month's counts of a scope (a customer, a manager,
// the company).
type MonthAggregate struct {
	Month string `json:"month"` // YYYY-MM in the company's time zone
	Aggregate
}

// SurveyResponse is a stored answer, with what reports group it by.
type SurveyResponse struct {
	Token        string       `json:"token"` // the store's key; staff answers show InvitationID instead
	InvitationID string       `json:"invitationId,omitempty"`
	ByHand       bool         `json:"byHand,omitempty"` // answers an invitation made by hand: counted apart
	CustomerID   string       `json:"customerId,omitempty"`
	ManagerID    string       `json:"managerId,omitempty"`
	Department   string       `json:"department,omitempty"`
	Tier         Tier         `json:"tier,omitempty"`
	Reason       SurveyReason `json:"reason"`
	Month        string       `json:"month"` // YYYY-MM in the company's time zone
	Answer       Answer       `json:"answer"`
	SubmittedAt  time.Time    `json:"submittedAt"`
	Poor         bool         `json:"poor"`
}

// Expired reports whether an answer submitted at t comes too late.
func (in *Invitation) Expired(t time.Time) bool { return !t.Before(in.ExpiresAt) }

// ResponseTo is the stored form of answer a to invitation in, submitted at
// t (loc gives its month).
func (in *Invitation) ResponseTo(a Answer, t time.Time, loc *time.Location) SurveyResponse {
	return SurveyResponse{Token: in.Token, InvitationID: in.ID, ByHand: in.ByHand, CustomerID: in.CustomerID, ManagerID: in.ManagerID,
		Department: in.Department, Tier: in.Tier, Reason: in.Reason, Month: t.In(loc).Format("2006-01"), Answer: a, SubmittedAt: t.UTC(), Poor: a.Poor()}
}

// FollowUpFor is the manager's follow-up a poor answer opens (nil for a good
// answer or an account without a manager), due FollowUpDays after the answer.
func (r SurveyResponse) FollowUpFor(s SurveySettings, now time.Time) *FollowUp {
	if !r.Poor || r.ManagerID == "" {
		return nil
	}
	id := r.InvitationID
	if id == "" {
		id = r.Token
	}
	return &FollowUp{ID: "s-" + id, Kind: FollowUpPoorAnswer, CustomerID: r.CustomerID, ManagerID: r.ManagerID, InvitationID: r.InvitationID, Status: FollowUpOpen,
		Reason:    fmt.Sprintf("poor survey answer: overall %d/5, recommend %d/10", r.Answer.Overall, r.Answer.Recommend),
		CreatedAt: now.UTC(), DueAt: s.FollowUpDue(r.SubmittedAt)}
}

// KeptAnswer is a survey answer kept in the table because the survey queue
// could not take it; the next hourly run queues it.
type KeptAnswer struct {
	Token   string    `json:"token"`
	Payload string    `json:"payload"` // the message as the queue carries it
	At      time.Time `json:"at"`
}

// CanSeeResponse reports whether p may see a stored answer of no account
// (a complainant's) in a month's listing: executives and admins all, a
// supervisor their department's, a manager their accounts'. An answer of an
// account is seen by whoever may see its file now (CanSeeCustomer).
func CanSeeResponse(p Principal, r SurveyResponse) bool {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return true
	case p.Has(RoleSupervisor):
		return p.Department != "" && r.Department == p.Department
	case p.Has(RoleManager):
		return r.ManagerID == p.Sub
	}
	return false
}
