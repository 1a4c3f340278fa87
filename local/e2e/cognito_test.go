package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"keycare/local/testenv"
)

// custom:department drives authorisation, so users must not be able to
// change it (only an admin does, with AdminUpdateUserAttributes): the app
// client lists what it may read and write, the attribute has string
// constraints, sign-in does not reveal which users exist, and MFA (TOTP)
// is required. Cognito cannot require MFA per group — a user pool's
// MfaConfiguration applies to every user, and its tokens carry no amr
// claim an app could check — so it is required for everyone.
func TestCognitoProtectsTheDepartmentClaim(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testenv.Root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	for id, r := range tpl.Resources {
		p := r.Properties
		switch r.Type {
		case "AWS::Cognito::UserPool":
			if p["MfaConfiguration"] != "ON" || !slices.Contains(strs(p["EnabledMfas"]), "SOFTWARE_TOKEN_MFA") {
				t.Errorf("%s: MFA (TOTP) is not required: %v %v", id, p["MfaConfiguration"], p["EnabledMfas"])
			}
			found := false
			for _, a := range p["Schema"].([]any) {
				a := a.(map[string]any)
				if a["Name"] != "department" {
					continue
				}
				found = true
				c, _ := a["StringAttributeConstraints"].(map[string]any)
				if c == nil || c["MinLength"] == nil || c["MaxLength"] == nil {
					t.Errorf("%s: custom:department has no string constraints", id)
				}
			}
			if !found {
				t.Errorf("%s: no department attribute", id)
			}
		case "AWS::Cognito::UserPoolClient":
			if p["PreventUserExistenceErrors"] != "ENABLED" {
				t.Errorf("%s: PreventUserExistenceErrors is %v", id, p["PreventUserExistenceErrors"])
			}
			if p["WriteAttributes"] == nil || p["ReadAttributes"] == nil {
				t.Fatalf("%s: ReadAttributes and WriteAttributes must be explicit", id)
			}
			if w := strs(p["WriteAttributes"]); slices.Contains(w, "custom:department") || slices.Contains(w, "email") {
				t.Errorf("%s: users may write %v", id, w)
			}
			if !slices.Contains(strs(p["ReadAttributes"]), "custom:department") {
				t.Errorf("%s: the department is not readable", id)
			}
		}
	}
}
