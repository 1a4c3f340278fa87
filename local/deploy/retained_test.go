package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// The import template holds exactly the retained resources, as template.yaml
// declares them, and passes cfn-lint; the resources to import name each by
// the identifier CloudFormation imports it by.
func TestRetainedImport(t *testing.T) {
	tplPath := filepath.Join(root(t), "template.yaml")
	out, res, err := Retained(tplPath, map[string]string{"Table": "keycare-dev-Table-1A2B3C", "UserPool": "ap-northeast-1_AbCdEf"})
	if err != nil {
		t.Fatal(err)
	}
	var imp struct {
		Resources map[string]any `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(out, &imp); err != nil {
		t.Fatal(err)
	}
	full := loadTemplate(t)["Resources"].(map[string]any)
	if len(imp.Resources) != 2 || imp.Resources["Table"] == nil || imp.Resources["UserPool"] == nil {
		t.Fatalf("import template resources %v, want Table and UserPool", sorted(imp.Resources))
	}
	for id, r := range imp.Resources {
		if !reflect.DeepEqual(r, full[id]) {
			t.Errorf("%s differs from template.yaml's", id)
		}
	}
	var toImport []struct {
		ResourceType       string
		LogicalResourceId  string
		ResourceIdentifier map[string]string
	}
	if err := json.Unmarshal(res, &toImport); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Table": "TableName=keycare-dev-Table-1A2B3C", "UserPool": "UserPoolId=ap-northeast-1_AbCdEf"}
	for _, r := range toImport {
		for k, v := range r.ResourceIdentifier {
			if want[r.LogicalResourceId] != k+"="+v {
				t.Errorf("%s imported by %s=%s", r.LogicalResourceId, k, v)
			}
			delete(want, r.LogicalResourceId)
		}
	}
	if len(want) > 0 {
		t.Errorf("not imported: %v", want)
	}
	Need(t)
	p := filepath.Join(t.TempDir(), "import.yaml")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	envs := deployEnvs(t)
	findings, err := Lint(regions(envs), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("cfn-lint: %s", f)
	}
}
