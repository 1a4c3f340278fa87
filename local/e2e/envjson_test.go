package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"keycare/local/testenv"
)

// events/env.json is what `sam local invoke --env-vars events/env.json`
// needs: SAM CLI resolves a variable set to a resource (!Ref Table, or a
// !Sub naming one) to the literal logical id ("Table"), so env.json gives
// every such variable of every function a value; and since SAM ignores
// variables a function does not declare, env.json names only declared ones.
func TestEnvJSONCoversResourceReferences(t *testing.T) {
	tpl := loadTemplate(t)
	b, err := os.ReadFile(filepath.Join(testenv.Root(t), "events", "env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var envs map[string]map[string]string
	if err := json.Unmarshal(b, &envs); err != nil {
		t.Fatalf("events/env.json: %v", err)
	}
	declared := map[string]map[string]bool{}
	for _, f := range tpl.Functions {
		declared[f.LogicalID] = map[string]bool{}
		for _, vars := range []map[string]struct{ tag, value string }{nodes(tpl.Globals.Env), nodes(f.Env)} {
			for name, n := range vars {
				declared[f.LogicalID][name] = true
				var refs []string
				switch n.tag {
				case "!Ref", "!GetAtt":
					refs = []string{n.value}
				case "!Sub": // "${UserPool}", "${Table.Arn}": each name a resource or parameter
					for _, m := range subRef.FindAllStringSubmatch(n.value, -1) {
						refs = append(refs, m[1])
					}
				}
				for _, ref := range refs {
					if _, isParam := tpl.Parameters[ref]; isParam || strings.HasPrefix(ref, "AWS::") {
						continue
					}
					if envs[f.LogicalID][name] == "" && envs["Parameters"][name] == "" {
						t.Errorf("%s: %s is %s %s, which names resource %s: sam local resolves it to the logical id; give it a value in events/env.json", f.LogicalID, name, n.tag, n.value, ref)
					}
				}
			}
		}
	}
	for key, vars := range envs {
		for name := range vars {
			if key == "Parameters" {
				any := false
				for _, d := range declared {
					any = any || d[name]
				}
				if !any {
					t.Errorf("env.json Parameters.%s: no function declares it", name)
				}
				continue
			}
			if d, ok := declared[key]; !ok {
				t.Errorf("env.json names %s, which template.yaml does not declare", key)
			} else if !d[name] {
				t.Errorf("env.json %s.%s: the function does not declare it, so sam would ignore it", key, name)
			}
		}
	}
}

// subRef matches a !Sub string's ${Name} or ${Name.Attribute}, not ${!Literal}.
var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}`)

// nodes gives each variable's intrinsic tag and value (!Ref Table -> "!Ref", "Table").
func nodes(m map[string]yaml.Node) map[string]struct{ tag, value string } {
	out := map[string]struct{ tag, value string }{}
	for k, n := range m {
		v := n.Value
		if n.Tag == "!GetAtt" {
			v, _, _ = strings.Cut(v, ".")
		}
		out[k] = struct{ tag, value string }{n.Tag, v}
	}
	return out
}
