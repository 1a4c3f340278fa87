package deploy

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadSAM reads a SAM/CloudFormation YAML template into the JSON form
// CloudFormation uses: maps, lists, strings, numbers, booleans, and
// intrinsics as {"Ref": …} and {"Fn::X": …} ("!GetAtt A.B" becomes
// {"Fn::GetAtt": ["A", "B"]}).
func LoadSAM(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := generic(&doc).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", path)
	}
	return m, nil
}

func generic(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return generic(n.Content[0])
	case yaml.AliasNode:
		return generic(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = generic(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, generic(c))
		}
		v = l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int":
			i, _ := strconv.Atoi(n.Value)
			v = i
		case "!!bool":
			v = n.Value == "true"
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		switch name := n.Tag[1:]; name {
		case "Ref":
			return map[string]any{"Ref": v}
		case "GetAtt":
			if s, ok := v.(string); ok {
				a, b, _ := strings.Cut(s, ".")
				return map[string]any{"Fn::GetAtt": []any{a, b}}
			}
			return map[string]any{"Fn::GetAtt": v}
		case "Condition":
			return map[string]any{"Condition": v}
		default:
			return map[string]any{"Fn::" + name: v}
		}
	}
	return v
}

// Get walks a JSON value by keys (map keys, or list indexes as numbers).
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// Ref is the name of {"Ref": name}, or "".
func Ref(v any) string {
	s, _ := Get(v, "Ref").(string)
	return s
}

// GetAtt is the logical id and attribute of {"Fn::GetAtt": [id, attr]}.
func GetAtt(v any) (id, attr string) {
	l, _ := Get(v, "Fn::GetAtt").([]any)
	if len(l) == 2 {
		id, _ = l[0].(string)
		attr, _ = l[1].(string)
	}
	return id, attr
}

var overrideRE = regexp.MustCompile(`([A-Za-z0-9]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))`)

// ParameterOverrides parses samconfig's parameter_overrides string.
func ParameterOverrides(s string) map[string]string {
	out := map[string]string{}
	for _, m := range overrideRE.FindAllStringSubmatch(s, -1) {
		v := m[2]
		if v == "" {
			v = m[3]
		}
		out[m[1]] = strings.ReplaceAll(v, `\"`, `"`)
	}
	return out
}

// asList is v as a list: itself, or a list of one (CloudFormation accepts a
// single value where a list is expected), or nil.
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
