package complaint

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"keycare/shared/domain"
)

// Register is the complaint register (domain/register.go): the numbering
// counters, one line per number, the void records.
type Register interface {
	// Counter reads year's counter (zero when no number was taken).
	Counter(ctx context.Context, year int) (domain.Counter, error)
	// Lines returns year's lines from number from to number to, in order.
	Lines(ctx context.Context, year, from, to int) ([]domain.RegisterLine, error)
	// Void writes a void record unless the number has its line (false).
	Void(ctx context.Context, l domain.RegisterLine) (bool, error)
	// Checked records a check: lines up to settled, the counter at seenLast.
	Checked(ctx context.Context, year, settled, seenLast int, now time.Time) error
	// Voids lists year's void records in number order.
	Voids(ctx context.Context, year int, limit int32, cursor string) (domain.Page[domain.RegisterLine], error)
}

// CheckRegister fills every settled hole of the register of this year and
// of last year (a submission may die just before New Year) with a void
// record (作废, domain.VoidAbandoned), and returns how many it wrote.
func CheckRegister(ctx context.Context, reg Register, loc *time.Location, now time.Time) (int, error) {
	year := now.In(loc).Year()
	voided := 0
	for _, y := range []int{year - 1, year} {
		c, err := reg.Counter(ctx, y)
		if err != nil {
			return voided, err
		}
		if c.Last == 0 || (c.Settled == c.Last && c.SeenLast == c.Last) {
			continue
		}
		lines, err := reg.Lines(ctx, y, max(c.Settled, 1), c.Last)
		if err != nil {
			return voided, err
		}
		upTo := c.SettledUpTo(lines, now)
		for _, n := range c.Holes(lines, upTo) {
			v := domain.VoidLine(y, n, lines, now, loc, domain.VoidAbandoned)
			wrote, err := reg.Void(ctx, v)
			if err != nil {
				return voided, err
			}
			if wrote {
				voided++
				slog.WarnContext(ctx, "register: number voided", "year", y, "seq", n, "number", v.Number)
			}
		}
		if err := reg.Checked(ctx, y, upTo, c.Last, now); err != nil {
			return voided, err
		}
	}
	return voided, nil
}

// Voids lists year's void records (0: this year in the company's zone)
// for p (domain.ForbiddenError unless domain.CanSeeRegister,
// domain.ValidationError for a year out of range); the listing is on the
// access record.
func (s *Service) Voids(ctx context.Context, p domain.Principal, year int, cursor string) (domain.Page[domain.RegisterLine], error) {
	if !domain.CanSeeRegister(p) {
		return domain.Page[domain.RegisterLine]{}, domain.Forbidden("the register's void records are shown to quality supervisors, executives and admins")
	}
	if year == 0 {
		set, err := s.Settings.Current(ctx)
		if err != nil {
			return domain.Page[domain.RegisterLine]{}, err
		}
		year = s.Now().In(set.Location()).Year()
	}
	if year < 2000 || year > 2999 {
		return domain.Page[domain.RegisterLine]{}, &domain.ValidationError{Fields: map[string]string{"year": "a year such as 2026 年份格式如 2026"}}
	}
	page, err := s.Register.Voids(ctx, year, 100, cursor)
	if err != nil {
		return page, err
	}
	e := domain.Entry(ctx, p, s.Now(), "complaint-register", fmt.Sprint(year), domain.ActionList)
	e.Changes = []string{fmt.Sprintf("voids rows=%d", len(page.Items))}
	return page, s.Audit.Put(ctx, e)
}
