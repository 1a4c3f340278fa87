package domain

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// The official calendar of 2026, as the State Council's notice
// 国办发明电〔2025〕7号 gives it: 元旦 1–3 Jan off, Sunday 4 Jan worked; 春节
// 15–23 Feb off, Saturdays 14 and 28 Feb worked; 国庆 1–7 Oct off, Sunday
// 20 Sep and Saturday 10 Oct worked.
func TestOfficialCalendar2026(t *testing.T) {
	cal := Defaults("").SLA()
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, cal.Location())
		return d.Add(10 * time.Hour)
	}
	working := map[string]bool{
		"2026-01-01": false, "2026-01-02": false, "2026-01-03": false, "2026-01-04": true, "2026-01-05": true,
		"2026-02-13": true, "2026-02-14": true, "2026-02-15": false, "2026-02-17": false, "2026-02-23": false, "2026-02-24": true,
		"2026-02-28": true, "2026-03-01": false,
		"2026-09-20": true, "2026-10-01": false, "2026-10-07": false, "2026-10-08": true, "2026-10-10": true, "2026-10-11": false,
		"2026-11-20": true, "2026-11-21": false,
	}
	for d, want := range working {
		if got := cal.IsWorkingDay(day(d)); got != want {
			t.Errorf("%s working = %v, want %v", d, got, want)
		}
	}
	if !OfficialYearKnown(2026) {
		t.Fatal("the table lacks 2026")
	}
	// One working day after Wednesday 30 Sep is Thursday 8 Oct.
	if got := cal.AddWorkingDays(day("2026-09-30"), 1).In(cal.Location()).Format(time.DateOnly); got != "2026-10-08" {
		t.Errorf("a working day after 30 Sep: %s", got)
	}
	// The company's lists override the official calendar.
	cal.Holidays, cal.ExtraWorkingDays = []string{"2026-01-04"}, []string{"2026-10-07"}
	if cal.IsWorkingDay(day("2026-01-04")) || !cal.IsWorkingDay(day("2026-10-07")) {
		t.Error("company overrides ignored")
	}
}

// A complaint's clock keeps the official days of its year as they were when
// it was opened, whatever the table says later.
func TestComplaintClockFreezesTheOfficialCalendar(t *testing.T) {
	c := &Complaint{ReceivedAt: time.Date(2026, 9, 29, 2, 0, 0, 0, time.UTC)}
	c.Open(Defaults("").SLA(), "x", RoleSupervisor)
	if len(c.SLA.OfficialYears) != 2 || c.SLA.OfficialYears[0] != 2026 || !contains(c.SLA.OfficialHolidays, "2026-10-01") || !contains(c.SLA.OfficialWorkingDays, "2026-10-10") {
		t.Fatalf("not frozen: %+v", c.SLA)
	}
	frozen := c.SLA
	frozen.OfficialHolidays = []string{} // as if the table had said nothing when it was opened
	if !frozen.IsWorkingDay(time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)) {
		t.Error("a frozen clock consults the live table")
	}
	old := c.SLA
	old.Official, old.OfficialYears = false, nil // a clock stored before the official calendar
	if !old.IsWorkingDay(time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)) {
		t.Error("an old clock changed")
	}
}

func TestFestivals(t *testing.T) {
	want := map[string]string{"new-year": "2027-01-01", "spring-festival": "2027-02-06", "lantern": "2027-02-20", "dragon-boat": "2027-06-09", "mid-autumn": "2027-09-15", "national-day": "2027-10-01"}
	for _, f := range FestivalsOf(2027) {
		if want[f.Key] != f.Date {
			t.Errorf("%s: %s, want %s", f.Key, f.Date, want[f.Key])
		}
	}
	if got := FestivalsBetween("2026-02-14", "2026-02-21"); len(got) != 1 || got[0].Key != "spring-festival" || got[0].Date != "2026-02-17" {
		t.Errorf("festivals in the week of 14 Feb 2026: %+v", got)
	}
	if FestivalLabel("mid-autumn", "zh") != "中秋节" || FestivalLabel("mid-autumn", "en") != "Mid-Autumn Festival" {
		t.Error("labels")
	}
}

// OfficialDaysOf lists, sorted, exactly the days of the year the official
// table marks, as a walk through every day of the year finds them.
func TestOfficialDaysOfEqualsAWalkThroughTheYear(t *testing.T) {
	for year := 2001; year <= 2030; year++ {
		var hol, work []string
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			h, w := OfficialDay(d.Format(time.DateOnly))
			if h {
				hol = append(hol, d.Format(time.DateOnly))
			}
			if w {
				work = append(work, d.Format(time.DateOnly))
			}
		}
		gh, gw := OfficialDaysOf(year)
		if !slices.Equal(gh, hol) || !slices.Equal(gw, work) {
			t.Errorf("%d: holidays %v, want %v; working days %v, want %v", year, gh, hol, gw, work)
		}
		if len(gh) > 0 {
			gh[0] = "mutated"
			if again, _ := OfficialDaysOf(year); again[0] == "mutated" {
				t.Fatalf("%d: a caller's change reached the table", year)
			}
		}
	}
	if h, _ := OfficialDaysOf(2026); len(h) == 0 {
		t.Fatal("2026 has official holidays")
	}
}

// The SLA's and the settings' zone is loaded once and shared; an unknown
// one is UTC+8.
func TestZoneLoadedOnce(t *testing.T) {
	a, b := DefaultSLA("Asia/Shanghai").Location(), Defaults("Asia/Shanghai").Location()
	if a != b || a.String() != "Asia/Shanghai" {
		t.Fatalf("zones %p %s and %p %s", a, a, b, b)
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, SLA{TimeZone: "Nowhere/Else"}.Location()).Zone(); off != 8*3600 {
		t.Fatalf("unknown zone offset %d", off)
	}
}

// The generated festival table says, for every year it covers, what
// lunar-go's Chinese calendar computes (run `go generate ./shared/domain`
// after upgrading lunar-go); outside it only the fixed-date festivals are
// listed.
func TestFestivalTableMatchesTheChineseCalendar(t *testing.T) {
	if firstFestivalYear != 1901 || lastFestivalYear != 2100 {
		t.Fatalf("table covers %d–%d, the doc says 1901–2100", firstFestivalYear, lastFestivalYear)
	}
	lunar := func(y, m, d int) string { return calendar.NewLunarFromYmd(y, m, d).GetSolar().ToYmd() }
	for y := firstFestivalYear; y <= lastFestivalYear; y++ {
		want := []Festival{
			{"new-year", fmt.Sprintf("%04d-01-01", y)},
			{"spring-festival", lunar(y, 1, 1)}, {"lantern", lunar(y, 1, 15)},
			{"dragon-boat", lunar(y, 5, 5)}, {"mid-autumn", lunar(y, 8, 15)},
			{"national-day", fmt.Sprintf("%04d-10-01", y)},
		}
		if got := FestivalsOf(y); !slices.Equal(got, want) {
			t.Fatalf("%d: %v, lunar-go says %v (go generate ./shared/domain)", y, got, want)
		}
	}
	for _, y := range []int{1900, 2101} {
		got := FestivalsOf(y)
		if len(got) != 2 || got[0].Key != "new-year" || got[1] != (Festival{"national-day", fmt.Sprintf("%d-10-01", y)}) {
			t.Errorf("%d: %v", y, got)
		}
	}
}
