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
		p, ok := PrincipalFromClaims(map[string]string{"sub": "u", ClaimTokenUse: "id", ClaimGroups: claim})
		if got := fmt.Sprint(p.Roles); !ok || got != want {
			t.Errorf("groups %q read as %s, want %s", claim, got, want)
		}
	}
}

// FuzzGroupsClaim: no claim panics the parser or makes a role out of a
// name that is not exactly one.
func FuzzGroupsClaim(f *testing.F) {
	for _, s := range []string{"[admin]", "[x,admin]", `["admin","manager"]`, "[", "]", `["\u0000"]`, "[ admin ]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, claim string) {
		p, _ := PrincipalFromClaims(map[string]string{"sub": "u", ClaimTokenUse: "id", ClaimGroups: claim})
		names := splitGroups(claim)
		for _, r := range p.Roles {
			found := false
			for _, n := range names {
				found = found || n == string(r)
			}
			if !found {
				t.Fatalf("role %s from %q, whose groups are %q", r, claim, names)
			}
		}
	})
}
