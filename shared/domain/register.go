package domain

import (
	"fmt"
	"time"
)

// The complaint register (投诉登记簿): every sequence number of a year is
// used by exactly one complaint card or by a void record (作废), so the
// register has no holes and every void is visible and counted.
//
// A submission reserves its number with an atomic counter (no two
// submissions ever contend on a condition), then writes its register line
// and its card together. A submission that dies in between leaves a
// reserved number with no line: the hourly run fills it with a void record
// once the reservation is settled (SettledAt), that is once no submission
// that could still write it can be running.

// RegisterLine is one number's line in the register: its card's number,
// or a void record with its reason.
type RegisterLine struct {
	Year   int       `json:"year"`
	Seq    int       `json:"seq"`
	Number string    `json:"number"`
	At     time.Time `json:"at"` // received (a card) or voided (a void)
	Void   bool      `json:"void,omitempty"`
	Reason string    `json:"reason,omitempty"` // a void's, in both languages
}

// Why a number is void.
const (
	VoidAbandoned = "号码已预留，但投诉未能写入（提交中断）。Number reserved, but the submission did not complete."
	VoidDuplicate = "同一提交同时到达两次，由先写入者使用编号 %s。The same submission arrived twice at once; the first one holds number %s."
	VoidTaken     = "该编号已有导入的记录卡。A card imported under this number already exists."
)

// VoidDuplicateOf is the reason of a number given up to submission number.
func VoidDuplicateOf(number string) string { return fmt.Sprintf(VoidDuplicate, number, number) }

// SubmissionLimit bounds the time from a submission's receipt to its
// register line: the API function's timeout (and API Gateway's 30 s) end a
// submission long before.
const SubmissionLimit = 5 * time.Minute

// Counter is a year's numbering counter as the register check sees it.
type Counter struct {
	Year    int
	Last    int       // the last number reserved
	LastAt  time.Time // the receipt time of the latest reservation
	Settled int       // every number up to it has its line
	// What the previous check saw: Last as it was at SeenAt.
	SeenLast int
	SeenAt   time.Time
	// The day's web complaints (PublicLimits.DayQuota): the key of the
	// latest day counted and how many numbers web complaints took in it.
	DayKey   string
	DayCount int
}

// DayFull reports whether the counter has day's quota full. A counter
// already on a later day (a submission received just before midnight,
// counted after another one received after it) counts the request in
// that day.
func (c Counter) DayFull(day Quota) bool {
	return c.DayKey >= day.Key && c.DayCount >= day.Limit
}

// SettledUpTo is the highest number whose reservation is settled at now:
// reserved long enough ago that a submission still writing it cannot
// exist. lines are the register lines above c.Settled, by number. Numbers
// above the result may still get their card.
//
// A submission reserves its number at most SubmissionLimit after its
// receipt and is over at most SubmissionLimit after it, so with
// old = now − 2·SubmissionLimit a number n is settled when
//   - the latest reservation was received before old (all are), or
//   - a previous check saw the counter at or above n before old, or
//   - a later number has a line received before old (numbers are reserved
//     in order, so n was reserved before that one was).
func (c Counter) SettledUpTo(lines []RegisterLine, now time.Time) int {
	old := now.Add(-2 * SubmissionLimit)
	if c.LastAt.Before(old) {
		return c.Last
	}
	upTo := c.Settled
	if !c.SeenAt.IsZero() && c.SeenAt.Before(old) {
		upTo = max(upTo, c.SeenLast)
	}
	for _, l := range lines {
		if !l.Void && l.At.Before(old) {
			upTo = max(upTo, l.Seq) // every number below an old line was reserved before it
		}
	}
	return min(upTo, c.Last)
}

// Holes lists the numbers in (c.Settled, upTo] that have no line.
func (c Counter) Holes(lines []RegisterLine, upTo int) []int {
	have := make(map[int]bool, len(lines))
	for _, l := range lines {
		have[l.Seq] = true
	}
	var out []int
	for n := c.Settled + 1; n <= upTo; n++ {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}

// VoidLine is the void record of number seq, found missing at now. Its
// number takes the date of the nearest line before it (its reservation
// came after that line's), or now's date in loc when there is none.
func VoidLine(year, seq int, lines []RegisterLine, now time.Time, loc *time.Location, reason string) RegisterLine {
	date := now
	best := 0
	for _, l := range lines {
		if l.Seq < seq && l.Seq > best && len(l.Number) >= 6 {
			if d, err := time.ParseInLocation("060102", l.Number[:6], loc); err == nil {
				date, best = d, l.Seq
			}
		}
	}
	return RegisterLine{Year: year, Seq: seq, Number: FormatNumber(date, loc, seq), At: now.UTC(), Void: true, Reason: reason}
}

// CanSeeRegister reports whether p may list the register's void records:
// the quality supervisors, executives and admins who answer for the register.
func CanSeeRegister(p Principal) bool {
	return p.HasAny(RoleSupervisor, RoleExecutive, RoleAdmin)
}

// SubmitOptions tell the register's write of a submission what its caller
// has settled already.
type SubmitOptions struct {
	// KeyRead: the caller read the idempotency key just before and found
	// no receipt, so the write does not read it again. A submission with
	// the same key that gets there first still wins: this one's number is
	// voided naming it (VoidDuplicate) and its receipt is returned.
	KeyRead bool
	// Day: a web complaint counts against the day's quota
	// (PublicLimits.DayQuota) in the write that takes its number; when
	// full (Counter.DayFull) no number is taken and the write is refused
	// with ErrQuotaFull.
	Day *Quota
}
