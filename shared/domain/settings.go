package domain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the numbers of domain.md that an admin may change (GET/PUT
// /settings). One versioned record is stored in the table; Defaults holds
// domain.md's values, which apply while none is stored. Each complaint keeps
// a copy of the clock it was opened under (SLA), so a later change never
// rewrites past deadlines or statistics.
type Settings struct {
	Version   int       `json:"version"` // 0 = the defaults, nothing stored yet
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`

	// TimeZone is the company's time zone. It is a deployment parameter
	// (TimeZone), not an admin setting: the schedules fire in it.
	TimeZone string `json:"timeZone"`

	Tiers   TierSettings   `json:"tiers"`
	Score   ScoreSettings  `json:"score"`
	Clock   ClockSettings  `json:"clock"`
	Survey  SurveySettings `json:"survey"`
	Targets Targets        `json:"targets"`
	Reports ReportSettings `json:"reports"` // the monthly report: staff ladder, risk window, repeat complainers
	Visits  VisitSettings  `json:"visits"`
	Brand   Brand          `json:"brand"` // whose mail it is: company, hotline, reply-to
	// Departments name the company's departments (handling departments
	// and those accounts belong to) as people know them; notices and pages
	// show the name, the id only for a department not listed.
	Departments []Department `json:"departments"`
	// Sessions are the staff console's session limits (idle, whole life).
	Sessions SessionSettings `json:"sessions"`
	// Public are the limits of the public form (per source, per address, per day).
	Public PublicLimits `json:"public"`
	// Retention is how long personal data is kept (the form's privacy notice says it).
	Retention Retention `json:"retention"`
}

// Department is a department's id and its name in both languages.
type Department struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
}

// DepartmentName is the name of department id in lang, or the id.
func (s Settings) DepartmentName(id, lang string) string {
	for _, d := range s.Departments {
		if d.ID == id {
			if n := d.Name.In(lang); n != "" {
				return n
			}
		}
	}
	return id
}

// VisitSettings are the numbers of visits, follow-ups, greetings and
// relationship plans (客户拜访 / 回访).
type VisitSettings struct {
	StrategicMonths          int   `json:"strategicMonths"`          // a strategic account needs a reported visit every month
	KeyMonths                int   `json:"keyMonths"`                // a key account every quarter
	OrdinaryMonths           int   `json:"ordinaryMonths"`           // an ordinary account every half year
	PlanReminderWorkingDays  int   `json:"planReminderWorkingDays"`  // next month's plan is reminded 3 working days before it is due
	ReportWorkingDays        int   `json:"reportWorkingDays"`        // a visit report is due 2 working days after the visit
	ReminderLeadDays         int   `json:"reminderLeadDays"`         // an account whose visit period ends within 14 days without a visit is shown
	GreetingLeadDays         int   `json:"greetingLeadDays"`         // greetings are shown 7 days ahead
	RelationshipReviewMonths int   `json:"relationshipReviewMonths"` // a relationship plan is reviewed at least every 6 months
	PurchaseFollowUpDays     []int `json:"purchaseFollowUpDays"`     // callbacks 3, 30 and 60 days after a purchase or contract
	EventFollowUpDays        []int `json:"eventFollowUpDays"`        // callbacks 3 and 15 days after an event without purchase
	HandoverCallbackDays     int   `json:"handoverCallbackDays"`     // the new manager calls back within 7 days of a handover
	DigestHour               int   `json:"digestHour"`               // the daily reminder email goes at 08:00 (the schedule's hour; earlier runs send nothing)
}

// DefaultVisitSettings are domain.md's visit numbers.
func DefaultVisitSettings() VisitSettings {
	return VisitSettings{StrategicMonths: 1, KeyMonths: 3, OrdinaryMonths: 6, PlanReminderWorkingDays: 3, ReportWorkingDays: 2,
		ReminderLeadDays: 14, GreetingLeadDays: 7, RelationshipReviewMonths: 6, PurchaseFollowUpDays: []int{3, 30, 60},
		EventFollowUpDays: []int{3, 15}, HandoverCallbackDays: 7, DigestHour: 8}
}

// FillDefaults gives a section a stored record or a request left out
// (it predates the section) domain.md's values.
func (s *Settings) FillDefaults() {
	if s.Visits.StrategicMonths == 0 && s.Visits.KeyMonths == 0 && s.Visits.OrdinaryMonths == 0 && s.Visits.PurchaseFollowUpDays == nil {
		s.Visits = DefaultVisitSettings()
	}
	if s.Reports.RiskDays == 0 && s.Reports.RepeatMonths == 0 && len(s.Reports.Ladder.Steps) == 0 {
		s.Reports = DefaultReportSettings()
	}
	if s.Sessions == (SessionSettings{}) {
		s.Sessions = DefaultSessionSettings()
	}
	if s.Public == (PublicLimits{}) {
		s.Public = DefaultPublicLimits
	}
	if s.Retention == (Retention{}) {
		s.Retention = DefaultRetention
	}
}

// TierSettings are the revenue-share thresholds of the tiers (分级).
type TierSettings struct {
	StrategicShare float64 `json:"strategicShare"` // ≥ 5% of company revenue: strategic 战略客户
	KeyShare       float64 `json:"keyShare"`       // ≥ 1%: key 重点客户
}

// ScoreSettings tune the value score (客户价值评分).
type ScoreSettings struct {
	Weights         ScoreWeights `json:"weights"`
	OrderAmountFull int64        `json:"orderAmountFull"` // order amount worth 100 points (yuan)
	ProfitFull      int64        `json:"profitFull"`      // profit worth 100 points (yuan)
	Strategic       float64      `json:"strategic"`       // total at or above which strategic is suggested
	Key             float64      `json:"key"`             // total at or above which key is suggested
}

// ClockSettings are the complaint clocks (投诉处理时限) and the company's
// service hours, in the units people think in.
type ClockSettings struct {
	FirstResponseHours       int      `json:"firstResponseHours"`       // first answer 24 h after receipt
	OpinionWorkingDays       int      `json:"opinionWorkingDays"`       // handling opinion 1 working day after acceptance
	CloseDays                int      `json:"closeDays"`                // closed within 7 days of receipt (7天结案)
	RemindBeforeHours        int      `json:"remindBeforeHours"`        // the owner is reminded 24 h before closure is due
	FirstResponseRemindHours int      `json:"firstResponseRemindHours"` // and 4 h before the first response is due
	OpinionRemindHours       int      `json:"opinionRemindHours"`       // and 4 h before the handling opinion is due
	EscalateExecutiveHours   int      `json:"escalateExecutiveHours"`   // the executive is told 24 h after the supervisor
	ServiceStart             string   `json:"serviceStart"`             // service hours 08:00–17:00
	ServiceEnd               string   `json:"serviceEnd"`
	LunchStart               string   `json:"lunchStart"` // lunch break 12:00–13:00 ("" for none)
	LunchEnd                 string   `json:"lunchEnd"`
	Holidays                 []string `json:"holidays"`           // company holidays, YYYY-MM-DD
	WorkingWeekendDays       []string `json:"workingWeekendDays"` // weekend days worked (调休), YYYY-MM-DD
}

// Targets are the quality targets reports compare against, in percent.
type Targets struct {
	SatisfactionPct float64 `json:"satisfactionPct"` // share of satisfied answers ≥ 90%
	RenewalPct      float64 `json:"renewalPct"`      // renewal of strategic and key accounts ≥ 80%
	GrowthPct       float64 `json:"growthPct"`       // key-account revenue growth ≥ 15%
}

// DefaultTimeZone is the company time zone when the deployment names none.
const DefaultTimeZone = "Asia/Shanghai"

// Defaults are domain.md's values, in time zone tz ("" = Asia/Shanghai).
func Defaults(tz string) Settings {
	if tz == "" {
		tz = DefaultTimeZone
	}
	return Settings{
		TimeZone: tz,
		Tiers:    TierSettings{StrategicShare: 0.05, KeyShare: 0.01},
		Score: ScoreSettings{Weights: ScoreWeights{Credit: 0.3, Orders: 0.3, Prospects: 0.2, Profit: 0.2},
			OrderAmountFull: 10_000_000, ProfitFull: 2_000_000, Strategic: 70, Key: 40},
		Clock: ClockSettings{FirstResponseHours: 24, OpinionWorkingDays: 1, CloseDays: 7, RemindBeforeHours: 24, FirstResponseRemindHours: 4, OpinionRemindHours: 4, EscalateExecutiveHours: 24,
			ServiceStart: "08:00", ServiceEnd: "17:00", LunchStart: "12:00", LunchEnd: "13:00", Holidays: []string{}, WorkingWeekendDays: []string{}},
		Survey:      SurveySettings{ExpiryDays: 30, RemindAfterDays: 7, ContactGapDays: 30, PeriodicMonths: 3, StrategicMonths: 3, FollowUpDays: 3},
		Targets:     Targets{SatisfactionPct: 90, RenewalPct: 80, GrowthPct: 15},
		Brand:       DefaultBrand(),
		Departments: []Department{},
		Visits:      DefaultVisitSettings(),
		Reports:     DefaultReportSettings(),
		Sessions:    DefaultSessionSettings(),
		Public:      DefaultPublicLimits,
		Retention:   DefaultRetention,
	}
}

// Location loads the company time zone; an unknown zone falls back to UTC+8
// (Validate refuses one).
func (s Settings) Location() *time.Location { return zone(s.TimeZone) }

// SLA is the clock a complaint received now is opened under.
func (s Settings) SLA() SLA {
	c := s.Clock
	start, _ := parseClock(c.ServiceStart)
	end, _ := parseClock(c.ServiceEnd)
	ls, _ := parseClock(c.LunchStart)
	le, _ := parseClock(c.LunchEnd)
	return SLA{TimeZone: s.TimeZone, FirstResponse: time.Duration(c.FirstResponseHours) * time.Hour, OpinionWorkingDays: c.OpinionWorkingDays,
		CloseWithin: time.Duration(c.CloseDays) * 24 * time.Hour, RemindBefore: time.Duration(c.RemindBeforeHours) * time.Hour,
		EscalateExecutive:         time.Duration(c.EscalateExecutiveHours) * time.Hour,
		RemindFirstResponseBefore: time.Duration(c.FirstResponseRemindHours) * time.Hour, RemindOpinionBefore: time.Duration(c.OpinionRemindHours) * time.Hour, WorkdayStart: start, WorkdayEnd: end, LunchStart: ls, LunchEnd: le,
		Holidays: append([]string(nil), c.Holidays...), ExtraWorkingDays: append([]string(nil), c.WorkingWeekendDays...), Official: true}
}

// parseClock reads "HH:MM" as minutes after midnight; "" is -1 (none).
func parseClock(s string) (int, bool) {
	if s == "" {
		return -1, true
	}
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// Validate checks settings an admin entered; each problem names its field.
func (s Settings) Validate() error {
	v := &ValidationError{}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		v.Add("timeZone", "unknown time zone 时区无效")
	}
	share := func(f string, x float64) {
		if math.IsNaN(x) || x <= 0 || x >= 1 {
			v.Add(f, "must be a share between 0 and 1 (0.05 = 5%) 须为 0–1 之间的比例")
		}
	}
	share("tiers.strategicShare", s.Tiers.StrategicShare)
	share("tiers.keyShare", s.Tiers.KeyShare)
	if s.Tiers.KeyShare >= s.Tiers.StrategicShare {
		v.Add("tiers.keyShare", "must be below the strategic share 须低于战略客户比例")
	}
	w := s.Score.Weights
	for f, x := range map[string]float64{"score.weights.credit": w.Credit, "score.weights.orders": w.Orders, "score.weights.prospects": w.Prospects, "score.weights.profit": w.Profit} {
		if math.IsNaN(x) || x < 0 || x > 1 {
			v.Add(f, "must be between 0 and 1 须在 0–1 之间")
		}
	}
	if w.Credit+w.Orders+w.Prospects+w.Profit <= 0 {
		v.Add("score.weights", "at least one weight must be above 0 至少一个权重大于 0")
	}
	if s.Score.OrderAmountFull <= 0 {
		v.Add("score.orderAmountFull", "must be above 0 须大于 0")
	}
	if s.Score.ProfitFull <= 0 {
		v.Add("score.profitFull", "must be above 0 须大于 0")
	}
	pct(v, "score.strategic", s.Score.Strategic)
	pct(v, "score.key", s.Score.Key)
	if s.Score.Key >= s.Score.Strategic {
		v.Add("score.key", "must be below the strategic score 须低于战略客户分数")
	}
	c := s.Clock
	between(v, "clock.firstResponseHours", c.FirstResponseHours, 1, 24*30)
	between(v, "clock.opinionWorkingDays", c.OpinionWorkingDays, 1, 30)
	between(v, "clock.closeDays", c.CloseDays, 1, 90)
	between(v, "clock.remindBeforeHours", c.RemindBeforeHours, 0, 24*30)
	between(v, "clock.escalateExecutiveHours", c.EscalateExecutiveHours, 0, 24*30)
	between(v, "clock.firstResponseRemindHours", c.FirstResponseRemindHours, 0, c.FirstResponseHours)
	between(v, "clock.opinionRemindHours", c.OpinionRemindHours, 0, 24*c.OpinionWorkingDays)
	start, ok1 := parseClock(c.ServiceStart)
	end, ok2 := parseClock(c.ServiceEnd)
	switch {
	case !ok1 || start < 0:
		v.Add("clock.serviceStart", "must be HH:MM 格式为 HH:MM")
	case !ok2 || end < 0:
		v.Add("clock.serviceEnd", "must be HH:MM 格式为 HH:MM")
	case start >= end:
		v.Add("clock.serviceEnd", "must be after the start 须晚于开始时间")
	}
	ls, ok3 := parseClock(c.LunchStart)
	le, ok4 := parseClock(c.LunchEnd)
	switch {
	case !ok3:
		v.Add("clock.lunchStart", "must be HH:MM or empty 格式为 HH:MM 或留空")
	case !ok4:
		v.Add("clock.lunchEnd", "must be HH:MM or empty 格式为 HH:MM 或留空")
	case (ls < 0) != (le < 0):
		v.Add("clock.lunchEnd", "give both ends of the lunch break, or neither 午休须同时填写起止时间")
	case ls >= 0 && (ls >= le || ls < start || le > end):
		v.Add("clock.lunchStart", "the lunch break must lie within service hours 午休须在服务时间内")
	}
	dates := func(f string, ds []string) {
		if len(ds) > 400 {
			v.Add(f, "at most 400 dates 最多 400 个日期")
		}
		for _, d := range ds {
			if !ValidDate(d) {
				v.Add(f, fmt.Sprintf("%q is not a YYYY-MM-DD date 日期格式无效", d))
			}
		}
	}
	dates("clock.holidays", c.Holidays)
	dates("clock.workingWeekendDays", c.WorkingWeekendDays)
	sv := s.Survey
	between(v, "survey.expiryDays", sv.ExpiryDays, 1, 365)
	between(v, "survey.remindAfterDays", sv.RemindAfterDays, 1, 365)
	if sv.RemindAfterDays >= sv.ExpiryDays {
		v.Add("survey.remindAfterDays", "the reminder must come before the link expires 提醒须早于链接过期")
	}
	between(v, "survey.contactGapDays", sv.ContactGapDays, 0, 365)
	between(v, "survey.periodicMonths", sv.PeriodicMonths, 1, 12)
	between(v, "survey.strategicMonths", sv.StrategicMonths, 1, 12)
	between(v, "survey.followUpDays", sv.FollowUpDays, 1, 90)
	vs := s.Visits
	between(v, "visits.strategicMonths", vs.StrategicMonths, 1, 12)
	between(v, "visits.keyMonths", vs.KeyMonths, 1, 12)
	between(v, "visits.ordinaryMonths", vs.OrdinaryMonths, 1, 12)
	for f, m := range map[string]int{"visits.strategicMonths": vs.StrategicMonths, "visits.keyMonths": vs.KeyMonths, "visits.ordinaryMonths": vs.OrdinaryMonths} {
		if m > 0 && 12%m != 0 {
			v.Add(f, "must divide the year: 1, 2, 3, 4, 6 or 12 须能整除 12")
		}
	}
	between(v, "visits.planReminderWorkingDays", vs.PlanReminderWorkingDays, 0, 20)
	between(v, "visits.reportWorkingDays", vs.ReportWorkingDays, 1, 20)
	between(v, "visits.reminderLeadDays", vs.ReminderLeadDays, 0, 92)
	between(v, "visits.greetingLeadDays", vs.GreetingLeadDays, 0, 60)
	between(v, "visits.relationshipReviewMonths", vs.RelationshipReviewMonths, 1, 24)
	between(v, "visits.handoverCallbackDays", vs.HandoverCallbackDays, 1, 60)
	between(v, "visits.digestHour", vs.DigestHour, 0, 23)
	for f, ds := range map[string][]int{"visits.purchaseFollowUpDays": vs.PurchaseFollowUpDays, "visits.eventFollowUpDays": vs.EventFollowUpDays} {
		if len(ds) == 0 || len(ds) > 10 {
			v.Add(f, "give 1 to 10 days 须为 1–10 个天数")
		}
		for i, d := range ds {
			if d < 1 || d > 365 || (i > 0 && d <= ds[i-1]) {
				v.Add(f, "days must rise, each within 1–365 天数须递增且在 1–365 之间")
			}
		}
	}
	s.Public.validate(v)
	s.Retention.validate(v)
	pct(v, "targets.satisfactionPct", s.Targets.SatisfactionPct)
	pct(v, "targets.renewalPct", s.Targets.RenewalPct)
	if math.IsNaN(s.Targets.GrowthPct) || s.Targets.GrowthPct < -100 || s.Targets.GrowthPct > 1000 {
		v.Add("targets.growthPct", "must be between -100 and 1000 须在 -100–1000 之间")
	}
	s.Brand.check(v, "brand.")
	s.Sessions.check(v, "sessions.")
	seen := map[string]bool{}
	for i, d := range s.Departments {
		f := "departments[" + itoa(i) + "]"
		if !ValidID(d.ID) || seen[d.ID] {
			v.Add(f+".id", "a department id, once 部门标识无效或重复")
		}
		seen[d.ID] = true
		if strings.TrimSpace(d.Name.ZH) == "" && strings.TrimSpace(d.Name.EN) == "" {
			v.Add(f+".name", "give the department's name 请填写部门名称")
		}
		checkText(v, f+".name.zh", d.Name.ZH, MaxNameLen, false)
		checkText(v, f+".name.en", d.Name.EN, MaxNameLen, false)
	}
	if len(s.Departments) > 200 {
		v.Add("departments", "at most 200 departments 最多 200 个部门")
	}
	s.Reports.validate(v)
	return v.Err()
}

func between(v *ValidationError, field string, x, lo, hi int) {
	if x < lo || x > hi {
		v.Add(field, fmt.Sprintf("must be between %d and %d 须在 %d–%d 之间", lo, hi, lo, hi))
	}
}

func pct(v *ValidationError, field string, x float64) {
	if math.IsNaN(x) || x < 0 || x > 100 {
		v.Add(field, "must be a percentage between 0 and 100 须为 0–100 之间的百分比")
	}
}

// CanChangeSettings: only admins change settings; every staff member may
// read them (the targets appear on reports).
func CanChangeSettings(p Principal) bool { return p.Has(RoleAdmin) }
