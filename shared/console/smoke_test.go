package console_test

import (
	"strings"
	"testing"

	"keycare/local/testenv"
)

func TestEveryPageRenders(t *testing.T) {
	s := testenv.NewServer(t)
	for _, who := range []struct {
		sub, dept string
		roles     []string
	}{{"alice", "sales", []string{"manager"}}, {"sue", "sales", []string{"supervisor"}}, {"ceo", "", []string{"executive"}},
		{"root", "", []string{"admin"}}, {"fixer", "repair", []string{"department"}}} {
		u := signIn(t, s, who.sub, who.dept, who.roles...)
		for _, path := range []string{"/console", "/console/accounts", "/console/complaints", "/console/complaints/new", "/console/visits",
			"/console/visits/new", "/console/plans", "/console/coverage", "/console/follow-ups", "/console/reports", "/console/admin/staff",
			"/console/admin/staff/new", "/console/admin/settings"} {
			p := u.get(path)
			if p.Code >= 500 || !strings.Contains(p.Body, `<html lang="zh-CN">`) {
				t.Errorf("%s %s: %d %.3000s", who.sub, path, p.Code, p.Body)
			}
		}
	}
}
