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

// Invitation is one survey link sent to one contact.
type Invitation struct {
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
	CreatedBy       string       `json:"createdBy"`
	CreatedAt       time.Time    `json:"createdAt"`
	ExpiresAt       time.Time    `json:"expiresAt"`
	RemindedAt      *time.Time   `json:"remindedAt,omitempty"`
	AnsweredAt      *time.Time   `json:"answeredAt,omitempty"`
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
	Token       string       `json:"token"`
	CustomerID  string       `json:"customerId,omitempty"`
	ManagerID   string       `json:"managerId,omitempty"`
	Department  string       `json:"department,omitempty"`
	Tier        Tier         `json:"tier,omitempty"`
	Reason      SurveyReason `json:"reason"`
	Month       string       `json:"month"` // YYYY-MM in the company's time zone
	Answer      Answer       `json:"answer"`
	SubmittedAt time.Time    `json:"submittedAt"`
	Poor        bool         `json:"poor"`
}

// Expired reports whether an answer submitted at t comes too late.
func (in *Invitation) Expired(t time.Time) bool { return !t.Before(in.ExpiresAt) }

// ResponseTo is the stored form of answer a to invitation in, submitted at
// t (loc gives its month).
func (in *Invitation) ResponseTo(a Answer, t time.Time, loc *time.Location) SurveyResponse {
	return SurveyResponse{Token: in.Token, CustomerID: in.CustomerID, ManagerID: in.ManagerID, Department: in.Department, Tier: in.Tier,
		Reason: in.Reason, Month: t.In(loc).Format("2006-01"), Answer: a, SubmittedAt: t.UTC(), Poor: a.Poor()}
}

// FollowUpFor is the manager's follow-up a poor answer opens (nil for a good
// answer or an account without a manager), due FollowUpDays after the answer.
func (r SurveyResponse) FollowUpFor(s SurveySettings, now time.Time) *FollowUp {
	if !r.Poor || r.ManagerID == "" {
		return nil
	}
	return &FollowUp{ID: "s-" + r.Token, Kind: FollowUpPoorAnswer, CustomerID: r.CustomerID, ManagerID: r.ManagerID, Token: r.Token, Status: FollowUpOpen,
		Reason:    fmt.Sprintf("poor survey answer: overall %d/5, recommend %d/10", r.Answer.Overall, r.Answer.Recommend),
		CreatedAt: now.UTC(), DueAt: s.FollowUpDue(r.SubmittedAt)}
}

// CanSeeResponse reports whether p may see a stored answer in a month's
// listing: executives and admins all, a supervisor their department's, a
// manager their accounts'.
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
