package runner

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

type cronSpec struct{ fields [6]map[int]bool } // nil map = any

func parseCron(s string) (*cronSpec, error) {
	parts := strings.Fields(s)
	if len(parts) != 6 {
		return nil, fmt.Errorf("cron needs 6 fields, got %q", s)
	}
	bounds := [6][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 2199}}
	c := &cronSpec{}
	for i, p := range parts {
		if p == "*" || p == "?" {
			continue
		}
		if i == 4 {
			p = strings.NewReplacer("SUN", "1", "MON", "2", "TUE", "3", "WED", "4", "THU", "5", "FRI", "6", "SAT", "7").Replace(strings.ToUpper(p))
		}
		if i == 3 {
			p = strings.NewReplacer("JAN", "1", "FEB", "2", "MAR", "3", "APR", "4", "MAY", "5", "JUN", "6", "JUL", "7", "AUG", "8", "SEP", "9", "OCT", "10", "NOV", "11", "DEC", "12").Replace(strings.ToUpper(p))
		}
		set := map[int]bool{}
		for _, item := range strings.Split(p, ",") {
			step := 1
			if a, b, ok := strings.Cut(item, "/"); ok {
				n, err := strconv.Atoi(b)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("bad cron step %q", item)
				}
				item, step = a, n
			}
			lo, hi := bounds[i][0], bounds[i][1]
			if item != "*" {
				a, b, isRange := strings.Cut(item, "-")
				x, err := strconv.Atoi(a)
				if err != nil {
					return nil, fmt.Errorf("bad cron field %q", item)
				}
				lo = x
				if isRange {
					if hi, err = strconv.Atoi(b); err != nil {
						return nil, fmt.Errorf("bad cron range %q", item)
					}
				} else if step == 1 {
					hi = x
				}
			}
			for v := lo; v <= hi; v += step {
				set[v] = true
			}
		}
		c.fields[i] = set
	}
	return c, nil
}

func (c *cronSpec) match(t time.Time) bool {
	vals := [6]int{t.Minute(), t.Hour(), t.Day(), int(t.Month()), int(t.Weekday()) + 1, t.Year()}
	for i, set := range c.fields {
		if set != nil && !set[vals[i]] {
			return false
		}
	}
	return true
}
