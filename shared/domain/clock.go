package domain

import (
	"fmt"
	"time"
)

// SLA is the clock settings a complaint is opened under (投诉处理时限). Each
// complaint keeps its own copy, so that a later change of holidays or
// targets never rewrites past deadlines or statistics.
type SLA struct {
	TimeZone           string        `json:"timeZone"`
	FirstResponse      time.Duration `json:"firstResponse"`              // 24 h after receipt
	OpinionWorkingDays int           `json:"opinionWorkingDays"`         // 1 working day after acceptance
	CloseWithin        time.Duration `json:"closeWithin"`                // 7 days after receipt (7天结案)
	RemindBefore       time.Duration `json:"remindBefore"`               // remind the owner 24 h before closure is due
	EscalateExecutive  time.Duration `json:"escalateExecutive"`          // tell the executive 1 day after the supervisor
	WorkdayStartHour   int           `json:"workdayStartHour"`           // 9
	WorkdayEndHour     int           `json:"workdayEndHour"`             // 18
	Holidays           []string      `json:"holidays,omitempty"`         // YYYY-MM-DD, company time zone
	ExtraWorkingDays   []string      `json:"extraWorkingDays,omitempty"` // weekend days worked (调休)
}

// DefaultSLA is domain.md's clock.
func DefaultSLA(tz string) SLA {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return SLA{TimeZone: tz, FirstResponse: 24 * time.Hour, OpinionWorkingDays: 1, CloseWithin: 7 * 24 * time.Hour,
		RemindBefore: 24 * time.Hour, EscalateExecutive: 24 * time.Hour, WorkdayStartHour: 9, WorkdayEndHour: 18}
}

// Location is the SLA's time zone; an unknown zone falls back to UTC+8.
func (s SLA) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.FixedZone("UTC+8", 8*3600)
	}
	return loc
}

// Validate checks settings an admin entered.
func (s SLA) Validate() error {
	v := &ValidationError{}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		v.Add("timeZone", "unknown time zone 时区无效")
	}
	if s.WorkdayStartHour < 0 || s.WorkdayEndHour > 24 || s.WorkdayStartHour >= s.WorkdayEndHour {
		v.Add("workdayStartHour", "working hours must be within 0–24 and start before they end 工作时间无效")
	}
	for _, d := range append(append([]string{}, s.Holidays...), s.ExtraWorkingDays...) {
		if !ValidDate(d) {
			v.Add("holidays", fmt.Sprintf("%q is not a YYYY-MM-DD date 日期格式无效", d))
		}
	}
	return v.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// IsWorkingDay reports whether t's date (in the company zone) is a working
// day: Monday–Friday except holidays, plus extra working days.
func (s SLA) IsWorkingDay(t time.Time) bool {
	d := t.In(s.Location())
	date := d.Format(time.DateOnly)
	if contains(s.ExtraWorkingDays, date) {
		return true
	}
	if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		return false
	}
	return !contains(s.Holidays, date)
}

// AddWorkingDays returns the same wall-clock time n working days after t.
func (s SLA) AddWorkingDays(t time.Time, n int) time.Time {
	d := t.In(s.Location())
	for i := 0; i < n; {
		d = d.AddDate(0, 0, 1)
		if s.IsWorkingDay(d) {
			i++
		}
	}
	return d.UTC()
}

// InWorkingHours reports whether t falls in working hours of a working day.
func (s SLA) InWorkingHours(t time.Time) bool {
	d := t.In(s.Location())
	return s.IsWorkingDay(d) && d.Hour() >= s.WorkdayStartHour && d.Hour() < s.WorkdayEndHour
}

// NextWorkingMorning is the start of the next working hours at or after t.
func (s SLA) NextWorkingMorning(t time.Time) time.Time {
	if s.InWorkingHours(t) {
		return t
	}
	loc := s.Location()
	d := t.In(loc)
	start := time.Date(d.Year(), d.Month(), d.Day(), s.WorkdayStartHour, 0, 0, 0, loc)
	if !d.Before(start) || !s.IsWorkingDay(d) {
		start = start.AddDate(0, 0, 1)
	}
	for i := 0; i < 366 && !s.IsWorkingDay(start); i++ {
		start = start.AddDate(0, 0, 1)
	}
	return start.UTC()
}

// Deadlines are a complaint's clocks.
type Deadlines struct {
	FirstResponseDue time.Time  `json:"firstResponseDue"`
	OpinionDue       *time.Time `json:"opinionDue,omitempty"` // set on acceptance
	CloseDue         time.Time  `json:"closeDue"`
}

// DeadlinesFor computes the clocks of a complaint received at t.
func (s SLA) DeadlinesFor(received time.Time) Deadlines {
	return Deadlines{FirstResponseDue: received.Add(s.FirstResponse).UTC(), CloseDue: received.Add(s.CloseWithin).UTC()}
}
