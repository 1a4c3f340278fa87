package domain

import (
	"fmt"
	"testing"
	"time"
)

func TestSettledUpTo(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	line := func(seq int, at time.Time) RegisterLine { return RegisterLine{Seq: seq, At: at} }
	for _, c := range []struct {
		name  string
		c     Counter
		lines []RegisterLine
		want  int
	}{
		{"quiet counter: everything reserved is settled", Counter{Last: 7, LastAt: ago(11 * time.Minute), Settled: 3}, nil, 7},
		{"a reservation a minute ago: nothing new is settled", Counter{Last: 7, LastAt: ago(time.Minute), Settled: 3}, nil, 3},
		{"an old line settles the numbers below it", Counter{Last: 9, LastAt: ago(time.Minute), Settled: 3},
			[]RegisterLine{line(4, ago(time.Minute)), line(6, ago(30*time.Minute)), line(8, ago(time.Minute))}, 6},
		{"a void's time says nothing of reservations", Counter{Last: 9, LastAt: ago(time.Minute), Settled: 3},
			[]RegisterLine{{Seq: 6, At: ago(time.Hour), Void: true}}, 3},
		{"the previous check saw the counter at 8 an hour ago", Counter{Last: 9, LastAt: ago(time.Minute), Settled: 3, SeenLast: 8, SeenAt: ago(time.Hour)}, nil, 8},
		{"the previous check was a moment ago", Counter{Last: 9, LastAt: ago(time.Minute), Settled: 3, SeenLast: 8, SeenAt: ago(time.Minute)}, nil, 3},
		{"never above the counter", Counter{Last: 5, LastAt: ago(time.Minute), Settled: 5, SeenLast: 5, SeenAt: ago(time.Hour)}, nil, 5},
		{"just inside the limit is not settled", Counter{Last: 2, LastAt: ago(2*SubmissionLimit - time.Second)}, nil, 0},
	} {
		if got := c.c.SettledUpTo(c.lines, now); got != c.want {
			t.Errorf("%s: settled up to %d, want %d", c.name, got, c.want)
		}
	}
}

func TestHolesAndVoidLines(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	c := Counter{Year: 2026, Last: 9, Settled: 2}
	lines := []RegisterLine{{Seq: 2, Number: "261120002"}, {Seq: 3, Number: "261121003"}, {Seq: 5, Number: "261122005"}, {Seq: 7, Number: "261123007"}}
	if got := fmt.Sprint(c.Holes(lines, 7)); got != "[4 6]" {
		t.Fatalf("holes %s, want [4 6]", got)
	}
	if got := fmt.Sprint(c.Holes(lines, 2)); got != "[]" {
		t.Fatalf("nothing settled above 2, holes %s", got)
	}
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	for seq, want := range map[int]string{4: "261121004", 6: "261122006", 1: "261124001"} {
		v := VoidLine(2026, seq, lines, now, loc, VoidAbandoned)
		if v.Number != want || !v.Void || v.Reason != VoidAbandoned || !v.At.Equal(now) {
			t.Errorf("void of %d: %+v, want number %s", seq, v, want)
		}
	}
	if r := VoidDuplicateOf("261123007"); r == VoidDuplicate || len(r) < 20 {
		t.Fatalf("duplicate reason %q", r)
	}
}

func TestWhoSeesTheRegister(t *testing.T) {
	for role, want := range map[Role]bool{RoleSupervisor: true, RoleExecutive: true, RoleAdmin: true, RoleManager: false, RoleDepartment: false} {
		if got := CanSeeRegister(Principal{Sub: "u", Roles: []Role{role}}); got != want {
			t.Errorf("%s sees the register: %v, want %v", role, got, want)
		}
	}
}
