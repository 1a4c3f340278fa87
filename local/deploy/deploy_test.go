package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func root(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	tpl, err := LoadSAM(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// deployEnvs are samconfig.toml's environments that deploy, with their
// region and parameter overrides.
type deployEnv struct {
	name, stack, region string
	params              map[string]string
	build               map[string]any
}

func deployEnvs(t *testing.T) []deployEnv {
	t.Helper()
	cfg, err := Samconfig(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []deployEnv
	for name, cmds := range cfg {
		dep, ok := cmds["deploy"]
		if !ok {
			continue
		}
		e := deployEnv{name: name, build: cmds["build"]}
		for _, src := range []map[string]any{cmds["global"], dep} {
			if s, ok := src["stack_name"].(string); ok {
				e.stack = s
			}
			if s, ok := src["region"].(string); ok {
				e.region = s
			}
		}
		po, _ := dep["parameter_overrides"].(string)
		e.params = ParameterOverrides(po)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func regions(envs []deployEnv) []string {
	var rs []string
	for _, e := range envs {
		if !slices.Contains(rs, e.region) {
			rs = append(rs, e.region)
		}
	}
	sort.Strings(rs)
	return rs
}

// checkCors checks the CORS block API Gateway imports with the HTTP API's
// OpenAPI body: an object (SAM replaces the whole block with AllowOrigins
// when that is an intrinsic, leaving a list that is no CORS at all), its
// origins the AllowedOrigins parameter, and the headers a browser app
// needs: a preflight for Authorization, Idempotency-Key and If-Match, and
// ETag readable.
func checkCors(t *testing.T, where string, cors any) {
	t.Helper()
	c, ok := cors.(map[string]any)
	if !ok {
		t.Errorf("%s: x-amazon-apigateway-cors is %T %v, want an object", where, cors, cors)
		return
	}
	origins, _ := json.Marshal(c["allowOrigins"])
	if !strings.Contains(string(origins), `{"Ref":"AllowedOrigins"}`) || strings.Contains(string(origins), `"*"`) {
		t.Errorf("%s: allowOrigins %s, want the AllowedOrigins parameter", where, origins)
	}
	has := func(key, v string) {
		if !slices.Contains(asList(c[key]), any(v)) {
			t.Errorf("%s: %s %v lacks %s", where, key, c[key], v)
		}
	}
	for _, h := range []string{"Authorization", "Content-Type", "If-Match", "Idempotency-Key"} {
		has("allowHeaders", h)
	}
	for _, m := range []string{"GET", "POST", "PUT", "PATCH"} {
		has("allowMethods", m)
	}
	has("exposeHeaders", "ETag")
	if c["maxAge"] == nil {
		t.Errorf("%s: no maxAge: every request would be preflighted", where)
	}
}

// The template transforms with SAM's translator, and cfn-lint finds nothing
// in the SAM template or in the CloudFormation it becomes, for every region
// samconfig.toml deploys to.
func TestTemplateTransformsAndLints(t *testing.T) {
	Need(t)
	envs := deployEnvs(t)
	rs := regions(envs)
	tplPath := filepath.Join(root(t), "template.yaml")
	files := []string{tplPath}
	for _, r := range rs {
		out, err := Transform(tplPath, r)
		if err != nil {
			t.Fatal(err)
		}
		var cfn map[string]any
		if err := json.Unmarshal(out, &cfn); err != nil {
			t.Fatal(err)
		}
		fns := 0
		for _, res := range cfn["Resources"].(map[string]any) {
			if Get(res, "Type") == "AWS::Lambda::Function" {
				fns++
			}
			if Get(res, "Type") == "AWS::Serverless::Function" {
				t.Fatalf("%s: the transform left a serverless function", r)
			}
		}
		if want := len(functions(loadTemplate(t))); fns != want {
			t.Errorf("%s: %d Lambda functions after the transform, want %d", r, fns, want)
		}
		for id, res := range cfn["Resources"].(map[string]any) {
			if Get(res, "Type") == "AWS::ApiGatewayV2::Api" {
				checkCors(t, r+": "+id, Get(res, "Properties", "Body", "x-amazon-apigateway-cors"))
			}
		}
		p := filepath.Join(t.TempDir(), "template."+r+".json")
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	findings, err := Lint(rs, files...) // one run: cfn-lint's start-up is most of its time
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range findings {
		t.Errorf("cfn-lint (%s): %s", strings.Join(rs, ","), fd)
	}
}

// samconfig.toml deploys each stage explicitly (its Stage, stack and
// required parameters, no stage shared), to regions where the mailer can
// reach SES, and builds in the source tree without per-function copies.
func TestSamconfig(t *testing.T) {
	Need(t)
	envs := deployEnvs(t)
	names := map[string]bool{}
	for _, e := range envs {
		names[e.name] = true
	}
	if !names["dev"] || !names["prod"] || names["default"] {
		t.Errorf("deploy environments %v: want dev and prod, and no default (a deploy names its stage)", names)
	}
	ses, err := SESRegions()
	if err != nil {
		t.Fatal(err)
	}
	tpl := loadTemplate(t)
	var required []string
	for name, p := range tpl["Parameters"].(map[string]any) {
		if _, has := p.(map[string]any)["Default"]; !has {
			required = append(required, name)
		}
	}
	stacks, stages := map[string]string{}, map[string]string{}
	for _, e := range envs {
		if e.params["Stage"] != e.name {
			t.Errorf("[%s] deploys Stage %q", e.name, e.params["Stage"])
		}
		if other, dup := stacks[e.stack]; dup || e.stack == "" {
			t.Errorf("[%s] stack %q (also %s)", e.name, e.stack, other)
		}
		stacks[e.stack], stages[e.params["Stage"]] = e.name, e.name
		for _, p := range required {
			if e.params[p] == "" {
				t.Errorf("[%s] gives no %s, which has no default", e.name, p)
			}
		}
		sesRegion := e.params["SesRegion"]
		if sesRegion == "" {
			sesRegion = e.region
		}
		if !ses[sesRegion] {
			t.Errorf("[%s] mails through SES in %s, where botocore lists no SES endpoint", e.name, sesRegion)
		}
		if o := e.params["AllowedOrigins"]; o == "" || strings.Contains(o, "*") {
			t.Errorf("[%s] AllowedOrigins %q", e.name, o)
		}
	}
	cfg, err := Samconfig(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"default", "dev", "prod"} {
		b := cfg[env]["build"]
		if b["build_in_source"] != true || b["cached"] != false {
			t.Errorf("[%s.build.parameters] %v: want build_in_source = true and cached = false (else sam build copies or hashes the whole repository, local/node_modules included, once per function)", env, b)
		}
	}
}
