package domain

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

//go:generate go run ../../local/cmd/festivalgen

// China's official working-day calendar (法定节假日与调休) and the
// traditional festivals, from github.com/6tail/lunar-go. Its holiday table
// transcribes the State Council's yearly notices (国务院办公厅关于部分节假日
// 安排的通知; for 2026 国办发明电〔2025〕7号): the days off, and the weekend
// days declared working days (调休上班). The company's own holidays and worked
// weekend days (settings clock.holidays, clock.workingWeekendDays) override it.
//
// A complaint keeps the calendar it was opened under: Complaint.Open freezes
// the official days of the year of receipt and the next into its SLA, so a
// later upgrade of the library (a new notice, a corrected year) never moves a
// past deadline. Visits, plans and reports use the calendar in force.

// CalendarSource names the data the official calendar comes from.
const CalendarSource = "github.com/6tail/lunar-go v1.4.6 (State Council holiday notices)"

type officialYear struct {
	holidays, workdays map[string]bool
	known              bool     // the table has the year's notice
	sortedHolidays     []string // the year's dates of each, sorted
	sortedWorkdays     []string
}

var official sync.Map // year -> *officialYear

func officialDays(year int) *officialYear {
	if v, ok := official.Load(year); ok {
		return v.(*officialYear)
	}
	y := &officialYear{holidays: map[string]bool{}, workdays: map[string]bool{}}
	l := HolidayUtil.GetHolidaysByYear(year)
	for e := l.Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		y.known = true
		if h.IsWork() {
			y.workdays[h.GetDay()] = true
		} else {
			y.holidays[h.GetDay()] = true
		}
	}
	y.sortedHolidays, y.sortedWorkdays = datesOf(year, y.holidays), datesOf(year, y.workdays)
	v, _ := official.LoadOrStore(year, y)
	return v.(*officialYear)
}

// OfficialDay reports what the official calendar says of date (YYYY-MM-DD):
// a public holiday, a weekend day declared a working day, or neither.
func OfficialDay(date string) (holiday, workingWeekend bool) {
	if len(date) < 4 {
		return false, false
	}
	year := 0
	for _, c := range date[:4] {
		year = year*10 + int(c-'0')
	}
	y := officialDays(year)
	return y.holidays[date], y.workdays[date]
}

// OfficialYearKnown reports whether the official table holds year's notice
// (the notice for a year is published in the November before it).
func OfficialYearKnown(year int) bool { return officialDays(year).known }

// OfficialDaysOf lists the official holidays and working weekend days of year, sorted.
func OfficialDaysOf(year int) (holidays, workdays []string) {
	y := officialDays(year)
	return slices.Clone(y.sortedHolidays), slices.Clone(y.sortedWorkdays)
}

// datesOf lists the dates of set (YYYY-MM-DD) that fall in year, sorted (nil
// for none): the table files a notice's days under the year they fall in,
// but only the year's own are its.
func datesOf(year int, set map[string]bool) []string {
	var out []string
	prefix := fmt.Sprintf("%04d-", year)
	for d := range set {
		if strings.HasPrefix(d, prefix) {
			if _, err := time.Parse(time.DateOnly, d); err == nil {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Festival is a day worth a greeting to every account (节日问候).
type Festival struct {
	Key  string `json:"key"` // spring-festival, lantern, dragon-boat, mid-autumn, new-year, national-day
	Date string `json:"date"`
}

// FestivalLabel names a festival in lang.
func FestivalLabel(key, lang string) string {
	zh := map[string]string{"spring-festival": "春节", "lantern": "元宵节", "dragon-boat": "端午节", "mid-autumn": "中秋节", "new-year": "元旦", "national-day": "国庆节"}
	en := map[string]string{"spring-festival": "Spring Festival", "lantern": "Lantern Festival", "dragon-boat": "Dragon Boat Festival", "mid-autumn": "Mid-Autumn Festival", "new-year": "New Year's Day", "national-day": "National Day"}
	if lang == "en" {
		return en[key]
	}
	return zh[key]
}

// Festival years: the traditional festivals are known for these
// Gregorian years (festivals_table.go, generated from lunar-go's Chinese
// calendar by local/cmd/festivalgen and compared with it by the tests). The
// functions read the table rather than link lunar-go's astronomical
// tables, whose package init would cost every cold start about 0.5 ms.
const firstFestivalYear, lastFestivalYear = 1901, 1901 + len(lunarFestivals) - 1

// FestivalsOf lists the greeting festivals of Gregorian year: the
// traditional ones of the Chinese calendar (lunar 1/1, 1/15, 5/5, 8/15 of
// the lunar year beginning in year), New Year and National Day. Outside
// 1901–2100 only New Year and National Day are listed.
func FestivalsOf(year int) []Festival {
	out := []Festival{{"new-year", fmt.Sprintf("%04d-01-01", year)}}
	if year >= firstFestivalYear && year <= lastFestivalYear {
		for i, key := range [...]string{"spring-festival", "lantern", "dragon-boat", "mid-autumn"} {
			out = append(out, Festival{key, fmt.Sprintf("%04d-%s", year, lunarFestivals[year-firstFestivalYear][i])})
		}
	}
	return append(out, Festival{"national-day", fmt.Sprintf("%04d-10-01", year)})
}

// FestivalsBetween lists the festivals dated from..to (YYYY-MM-DD, inclusive).
func FestivalsBetween(from, to string) []Festival {
	var out []Festival
	if len(from) < 4 || len(to) < 4 {
		return nil
	}
	fy, _ := time.Parse(time.DateOnly, from)
	ty, _ := time.Parse(time.DateOnly, to)
	for y := fy.Year(); y <= ty.Year(); y++ {
		for _, f := range FestivalsOf(y) {
			if f.Date >= from && f.Date <= to {
				out = append(out, f)
			}
		}
	}
	return out
}
