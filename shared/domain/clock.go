package domain

import (
	"fmt"
	"sync"
	"time"
)

// SLA is the clock settings a complaint is opened under (投诉处理时限). Each
// complaint keeps its own copy, so that a later change of holidays or
// targets never rewrites past deadlines or statistics.
type SLA struct {
	TimeZone           string        `json:"timeZone"`
	FirstResponse      time.Duration `json:"firstResponse"`      // 24 h after receipt
	OpinionWorkingDays int           `json:"opinionWorkingDays"` // 1 working day after acceptance
	CloseWithin        time.Duration `json:"closeWithin"`        // 7 days after receipt (7天结案)
	RemindBefore       time.Duration `json:"remindBefore"`       // remind the owner 24 h before closure is due
	// RemindFirstResponseBefore and RemindOpinionBefore remind the owner
	// before the first response (4 h) and the handling opinion (4 h) fall due.
	RemindFirstResponseBefore time.Duration `json:"remindFirstResponseBefore,omitempty"`
	RemindOpinionBefore       time.Duration `json:"remindOpinionBefore,omitempty"`
	EscalateExecutive         time.Duration `json:"escalateExecutive"` // tell the executive 1 day after the supervisor
	WorkdayStart              int           `json:"workdayStart"`      // service hours start, minutes after midnight (08:00)
	WorkdayEnd                int           `json:"workdayEnd"`        // and end (17:00)
	LunchStart                int           `json:"lunchStart"`        // lunch break (12:00–13:00); -1 for none
	LunchEnd                  int           `json:"lunchEnd"`
	Holidays                  []string      `json:"holidays,omitempty"`         // YYYY-MM-DD, company time zone
	ExtraWorkingDays          []string      `json:"extraWorkingDays,omitempty"` // weekend days worked (调休)

	// Official says China's official calendar (calendar.go) applies under
	// Holidays and ExtraWorkingDays. A clock stored before it existed has
	// none: weekends and the lists alone, as it was opened under.
	Official bool `json:"official,omitempty"`
	// OfficialHolidays and OfficialWorkingDays are the official days frozen
	// into a complaint's clock when it is opened (Freeze): the year of
	// receipt and the next. Unfrozen, the official table in force applies.
	OfficialHolidays    []string `json:"officialHolidays,omitempty"`
	OfficialWorkingDays []string `json:"officialWorkingDays,omitempty"`
	OfficialYears       []int    `json:"officialYears,omitempty"`
	CalendarSource      string   `json:"calendarSource,omitempty"`
}

// Freeze copies the official days of year and year+1 into the clock, so the
// deadlines it gives never change with a later calendar table. Other years
// count weekends only (and the company's lists).
func (s SLA) Freeze(year int) SLA {
	if !s.Official || s.OfficialYears != nil {
		return s
	}
	s.OfficialHolidays, s.OfficialWorkingDays = []string{}, []string{}
	for _, y := range []int{year, year + 1} {
		h, w := OfficialDaysOf(y)
		s.OfficialHolidays = append(s.OfficialHolidays, h...)
		s.OfficialWorkingDays = append(s.OfficialWorkingDays, w...)
		s.OfficialYears = append(s.OfficialYears, y)
	}
	s.CalendarSource = CalendarSource
	return s
}

// official reports what the clock's official calendar says of date.
func (s SLA) official(date string, year int) (holiday, working bool) {
	if !s.Official {
		return false, false
	}
	if s.OfficialYears == nil {
		return OfficialDay(date)
	}
	for _, y := range s.OfficialYears {
		if y == year {
			return contains(s.OfficialHolidays, date), contains(s.OfficialWorkingDays, date)
		}
	}
	return false, false
}

// DefaultSLA is domain.md's clock (the SLA of Defaults).
func DefaultSLA(tz string) SLA { return Defaults(tz).SLA() }

// Location is the SLA's time zone; an unknown zone falls back to UTC+8.
func (s SLA) Location() *time.Location { return zone(s.TimeZone) }

// zones keeps the time zones loaded: time.LoadLocation reads and parses
// the zone's tzdata at every call (a submission asked for it dozens of
// times). A *time.Location is immutable and safe to share.
var zones sync.Map // name -> *time.Location

// zone is time zone name, or UTC+8 when it is unknown.
func zone(name string) *time.Location {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("UTC+8", 8*3600) // not kept: Validate refuses the name
	}
	zones.Store(name, loc)
	return loc
}

// Validate checks settings an admin entered.
func (s SLA) Validate() error {
	v := &ValidationError{}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		v.Add("timeZone", "unknown time zone 时区无效")
	}
	if s.WorkdayStart < 0 || s.WorkdayEnd > 24*60 || s.WorkdayStart >= s.WorkdayEnd {
		v.Add("workdayStart", "working hours must be within 00:00–24:00 and start before they end 工作时间无效")
	}
	if s.LunchStart >= 0 && (s.LunchStart >= s.LunchEnd || s.LunchStart < s.WorkdayStart || s.LunchEnd > s.WorkdayEnd) {
		v.Add("lunchStart", "the lunch break must lie within working hours 午休须在工作时间内")
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
// day: the company's lists first (ExtraWorkingDays, Holidays), then the
// official calendar (public holidays off, declared weekend days worked),
// then Monday–Friday.
func (s SLA) IsWorkingDay(t time.Time) bool {
	d := t.In(s.Location())
	date := d.Format(time.DateOnly)
	switch {
	case contains(s.ExtraWorkingDays, date):
		return true
	case contains(s.Holidays, date):
		return false
	}
	if holiday, working := s.official(date, d.Year()); holiday {
		return false
	} else if working {
		return true
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
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

// InWorkingHours reports whether t falls in the service hours of a working
// day, outside the lunch break.
func (s SLA) InWorkingHours(t time.Time) bool {
	d := t.In(s.Location())
	m := d.Hour()*60 + d.Minute()
	if !s.IsWorkingDay(d) || m < s.WorkdayStart || m >= s.WorkdayEnd {
		return false
	}
	return s.LunchStart < 0 || m < s.LunchStart || m >= s.LunchEnd
}

// NextWorkingMorning is the start of the next working hours at or after t:
// t itself in working hours, the end of the lunch break during it, else the
// next working day's morning.
func (s SLA) NextWorkingMorning(t time.Time) time.Time {
	if s.InWorkingHours(t) {
		return t
	}
	loc := s.Location()
	d := t.In(loc)
	at := func(min int) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, loc) }
	m := d.Hour()*60 + d.Minute()
	if s.IsWorkingDay(d) && s.LunchStart >= 0 && m >= s.LunchStart && m < s.LunchEnd {
		return at(s.LunchEnd).UTC()
	}
	start := at(s.WorkdayStart)
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
