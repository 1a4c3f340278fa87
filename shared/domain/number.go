package domain

import (
	"fmt"
	"strconv"
	"time"
)

// Complaint numbers (单号) are YYMMDDNNN: the date of receipt in the
// company's time zone, then the complaint's sequence within that year, three
// digits at least (261122099 = received 2026-11-22, 99th of 2026). They are
// unique, never reused and gap-free per year: a submission reserves its
// sequence from an atomic counter and writes its register line with its card;
// a number whose card never came is filled by a void record (register.go).

var numberRE = lazyRE(`^\d{9,12}$`)

// NumberYear is the year whose sequence a complaint received at t takes.
func NumberYear(t time.Time, loc *time.Location) int { return t.In(loc).Year() }

// FormatNumber builds the number of the seq-th complaint of the year,
// received at t.
func FormatNumber(t time.Time, loc *time.Location, seq int) string {
	return t.In(loc).Format("060102") + fmt.Sprintf("%03d", seq)
}

// ValidNumber reports whether s has the shape of a complaint number.
func ValidNumber(s string) bool {
	if !numberRE().MatchString(s) {
		return false
	}
	_, err := time.Parse("060102", s[:6])
	return err == nil
}

// NumberSeq returns the sequence part of a number.
func NumberSeq(s string) (int, bool) {
	if !ValidNumber(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s[6:])
	return n, err == nil
}
