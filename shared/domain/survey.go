package domain

import (
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
	Expiry          time.Duration // 30 days
	RemindAfter     time.Duration // one reminder after 7 days
	ContactGap      time.Duration // at most one survey per contact per 30 days
	PeriodicMonths  int           // every active account every 3 months (quarterly)
	StrategicMonths int           // strategic accounts every N months (3 = like the others)
}

// DefaultSurveySettings are domain.md's.
func DefaultSurveySettings() SurveySettings {
	return SurveySettings{Expiry: 30 * 24 * time.Hour, RemindAfter: 7 * 24 * time.Hour, ContactGap: 30 * 24 * time.Hour,
		PeriodicMonths: 3, StrategicMonths: 3}
}

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
	return in.State(now) == InvitationOpen && in.RemindedAt == nil && !now.Before(in.CreatedAt.Add(s.RemindAfter))
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

// SatisfactionTarget is domain.md's target share of satisfied answers.
const SatisfactionTarget = 90.0
