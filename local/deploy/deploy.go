// Package deploy checks template.yaml the way a deploy would see it, offline:
// SAM's own translator (aws-sam-translator) turns it into the CloudFormation
// that `sam deploy` would submit, and cfn-lint checks both. Both are Python
// tools that these checks run with python3; nothing calls AWS.
//
// `make test` requires them (KEYCARE_REQUIRE_LINT=1, as does CI=true); a
// plain `go test` without them skips these checks and says what to install.
package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Install says what the checks need.
const Install = "python3 (3.11+) with aws-sam-translator and cfn-lint: pip install 'aws-sam-translator>=1.110' 'cfn-lint>=1.51'"

var (
	toolsOnce sync.Once
	toolsErr  error
)

// Missing tells what of the tools is missing, or nil.
func Missing() error {
	toolsOnce.Do(func() {
		var missing []string
		if _, err := exec.LookPath("python3"); err != nil {
			toolsErr = fmt.Errorf("python3 is not on PATH; install %s", Install)
			return
		}
		if out, err := exec.Command("python3", "-c", "import samtranslator, tomllib, botocore").CombinedOutput(); err != nil {
			missing = append(missing, "python3 cannot import samtranslator, tomllib and botocore ("+strings.TrimSpace(lastLine(out))+")")
		}
		if _, err := exec.LookPath("cfn-lint"); err != nil {
			missing = append(missing, "cfn-lint is not on PATH")
		}
		if len(missing) > 0 {
			toolsErr = fmt.Errorf("%s; install %s", strings.Join(missing, "; "), Install)
		}
	})
	return toolsErr
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// Required tells whether a missing tool fails the checks instead of
// skipping them: in CI (CI=true) and under `make test` (KEYCARE_REQUIRE_LINT=1).
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("KEYCARE_REQUIRE_LINT") == "1"
}

// Need skips t (or fails it, when Required) if the tools are missing.
func Need(t testing.TB) {
	t.Helper()
	if err := Missing(); err != nil {
		if Required() {
			t.Fatalf("the template checks need their tools: %v", err)
		}
		t.Skipf("template checks skipped: %v (make test requires them)", err)
	}
}

// transformPy runs SAM's translator as `sam deploy` has CloudFormation do,
// offline: local CodeUri become S3 objects (as `sam package` makes them), the
// region is given, and managed policy ARNs come from a fixed map instead of
// an IAM call.
const transformPy = `
import json, sys
import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

path, region = sys.argv[1], sys.argv[2]
with open(path) as f:
    tpl = yaml_parse(f.read())
for lid, res in (tpl.get("Resources") or {}).items():
    props = res.get("Properties") or {}
    if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str) and not props["CodeUri"].startswith("s3://"):
        props["CodeUri"] = "s3://offline-check/" + lid + ".zip"
managed = {n: "arn:aws:iam::aws:policy/" + p + n for n, p in [
    ("AWSLambdaBasicExecutionRole", "service-role/"), ("AWSLambdaSQSQueueExecutionRole", "service-role/"), ("AWSXrayWriteOnlyAccess", "")]}
session = boto3.session.Session(region_name=region)
out = Translator(None, Parser(), boto_session=session).translate(tpl, parameter_values={}, get_managed_policy_map=lambda: managed)
json.dump(out, sys.stdout, indent=1, sort_keys=True)
`

// Transform translates the SAM template at path for region into
// CloudFormation JSON.
func Transform(path, region string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("python3", "-c", transformPy, path, region)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("aws-sam-translator: %v\n%s", err, stderr.String())
	}
	return out, nil
}

// Finding is one cfn-lint finding.
type Finding struct {
	Rule     string
	Level    string
	Message  string
	File     string
	Line     int
	Resource string // logical id or parameter the finding is about, when cfn-lint names one
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d %s %s", filepath.Base(f.File), f.Line, f.Rule, f.Message)
}

// Lint runs cfn-lint on files for regions and returns every finding, of every
// level (error, warning, informational).
func Lint(regions []string, files ...string) ([]Finding, error) {
	args := append([]string{"--format", "json", "--regions"}, regions...)
	args = append(append(args, "--"), files...)
	var stderr bytes.Buffer
	cmd := exec.Command("cfn-lint", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() == 1 || len(out) == 0) {
		// 0: clean; 2, 4, 8: errors, warnings, informational (as bits); 1: cfn-lint failed.
		return nil, fmt.Errorf("cfn-lint: %v\n%s", err, stderr.String())
	}
	var raw []struct {
		Rule struct {
			ID string `json:"Id"`
		} `json:"Rule"`
		Level    string `json:"Level"`
		Message  string `json:"Message"`
		Filename string `json:"Filename"`
		Location struct {
			Start struct {
				LineNumber int `json:"LineNumber"`
			} `json:"Start"`
			Path []any `json:"Path"`
		} `json:"Location"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("cfn-lint output: %v: %s", err, out)
	}
	var fs []Finding
	for _, r := range raw {
		f := Finding{Rule: r.Rule.ID, Level: r.Level, Message: r.Message, File: r.Filename, Line: r.Location.Start.LineNumber}
		if len(r.Location.Path) >= 2 {
			f.Resource = fmt.Sprint(r.Location.Path[1])
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// Python runs a short python3 program with args and decodes its JSON output.
func Python(program string, v any, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command("python3", append([]string{"-c", program}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("python3: %v\n%s", err, stderr.String())
	}
	return json.Unmarshal(out, v)
}

// Samconfig reads a samconfig.toml.
func Samconfig(path string) (map[string]map[string]map[string]any, error) {
	var cfg map[string]any
	if err := Python("import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], 'rb')), sys.stdout)", &cfg, path); err != nil {
		return nil, err
	}
	envs := map[string]map[string]map[string]any{}
	for env, v := range cfg {
		cmds, ok := v.(map[string]any)
		if !ok {
			continue // version
		}
		envs[env] = map[string]map[string]any{}
		for cmd, p := range cmds {
			if pm, ok := p.(map[string]any); ok {
				if params, ok := pm["parameters"].(map[string]any); ok {
					envs[env][cmd] = params
				}
			}
		}
	}
	return envs, nil
}

// SESRegions lists the regions where botocore's endpoint data offers SES
// (the "email" endpoints SES v2 uses).
func SESRegions() (map[string]bool, error) {
	var regions []string
	err := Python(`
import json, sys, botocore.loaders
d = botocore.loaders.Loader().load_data("endpoints")
out = []
for p in d["partitions"]:
    if p["partition"] == "aws":
        out = sorted(r for r, e in p["services"]["email"]["endpoints"].items() if not r.startswith("fips") and not e.get("deprecated"))
json.dump(out, sys.stdout)
`, &regions)
	set := map[string]bool{}
	for _, r := range regions {
		set[r] = true
	}
	return set, err
}
