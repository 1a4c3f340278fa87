package httpx

import (
	"fmt"
	"testing"
)

func TestGroupsAreParsedExactly(t *testing.T) {
	for claim, want := range map[string]string{
		"[admin]":               "[admin]",
		"[manager supervisor]":  "[manager supervisor]",
		"[x,admin]":             "[]",
		"x,admin":               "[]",
		`["x,admin"]`:           "[]",
		`["manager","admin"]`:   "[manager admin]",
		`["broken"`:             "[]",
		"[[admin]]":             "[]",
		"admin":                 "[admin]",
		"":                      "[]",
		"[admin ,supervisor]":   "[admin]",
		"[ admin   executive ]": "[admin executive]",
	} {
		p, ok := PrincipalFromClaims(map[string]string{"sub": "u", ClaimGroups: claim})
		if got := fmt.Sprint(p.Roles); !ok || got != want {
			t.Errorf("groups %q read as %s, want %s", claim, got, want)
		}
	}
}
