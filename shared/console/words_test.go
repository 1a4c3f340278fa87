package console

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keycare/shared/domain"
)

// Every word a page uses is written in both languages: the keys the
// templates and handlers name, the labels of every code they show, every
// step and its confirmation, every setting.
func TestEveryWordInBothLanguages(t *testing.T) {
	for k, w := range words() {
		if strings.TrimSpace(w[0]) == "" || strings.TrimSpace(w[1]) == "" {
			t.Errorf("%q lacks a language: %q", k, w)
		}
	}
	files, _ := filepath.Glob("web/*.html")
	gos, _ := filepath.Glob("*.go")
	keys, prefixes := map[string]bool{}, map[string]bool{}
	for _, f := range append(files, gos...) {
		if strings.HasSuffix(f, "_test.go") || f == "words.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []string{`\.Tf? "([^"]+)"`, `v\.Tf?\("([^"]+)"`, `word\(lang, "([^"]+)"`, `failPage\([^)]*"([^"]+)"\)`} {
			for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(string(b), -1) {
				k := m[1]
				if strings.HasPrefix(re, "failPage") {
					keys["problem."+k], keys["problem."+k+".text"] = true, true
					continue
				}
				if !strings.HasSuffix(k, ".") { // a prefix completed at run time
					keys[k] = true
				}
			}
		}
		for _, m := range regexp.MustCompile(`Label "([^"]+)"|Label\("([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
			prefixes[m[1]+m[2]] = true
		}
	}
	add := func(prefix string, codes ...string) {
		for _, c := range codes {
			keys[prefix+"."+c] = true
		}
	}
	for _, a := range domain.AllActions {
		add("step", string(a))
		add("done", string(a))
		add("action", string(a))
	}
	add("step", "correct")
	add("done", "correct", "entered", "report", "approve", "cancel", "done", "proposed", "submitted", "approved", "returned", "completed", "saved")
	add("f", "reviewDecision", "reviewYes", "reviewNo", "approveDecision", "approveYes", "approveNo")
	for _, r := range domain.AllRoles {
		add("role", string(r))
	}
	for _, c := range domain.Categories {
		add("category", string(c))
	}
	for _, r := range domain.Requests {
		add("request", string(r))
	}
	add("channel", "web", "phone", "letter", "email", "visit")
	add("severity", "normal", "serious")
	add("deadline", domain.DeadlineFirstResponse, domain.DeadlineOpinion, domain.DeadlineClose)
	add("visitStatus", "proposed", "planned", "reported", "cancelled", "overdue")
	add("planStatus", "submitted", "returned", "approved")
	add("coverage", "ok", "due", "below")
	add("followUp", "poor-answer", "purchase", "contract", "event", "handover", "complaint-callback", "greeting")
	add("signin.local.err", "user", "role", "department")
	for _, k := range append(headline, "closed") {
		add("kpi", k)
	}
	add("risk", domain.RiskOverdueComplaint, domain.RiskOpenComplaint, domain.RiskDetractor, domain.RiskMissedVisit, domain.RiskUnansweredSurvey)
	add("table", "category", "department", "received", "closed", "closedInTime", "atFault", "avgDays", "overdue", "unassigned", "total")
	add("scope", "company", "department", "manager")
	for _, f := range ReportFiles {
		add("file", f)
	}
	var tree map[string]any
	b, _ := json.Marshal(domain.Defaults(""))
	_ = json.Unmarshal(b, &tree)
	flat := map[string]settingField{}
	walk("", tree, flat)
	for p := range flat {
		keys["set."+p] = true
		g, _, _ := strings.Cut(p, ".")
		keys["setgroup."+g] = true
	}
	for k := range keys {
		if _, ok := words()[k]; !ok {
			t.Errorf("no words for %q", k)
		}
	}
	for p := range prefixes {
		found := false
		for k := range words() {
			found = found || strings.HasPrefix(k, p+".")
		}
		if !found {
			t.Errorf("no labels under %q", p)
		}
	}
}

// A bilingual domain message shows its page's half only.
func TestInLang(t *testing.T) {
	for _, tt := range []struct{ msg, zh, en string }{
		{"must be a percentage between 0 and 100 须为 0–100 之间的百分比", "须为 0–100 之间的百分比", "must be a percentage between 0 and 100"},
		{"date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD", "日期格式为 YYYY-MM-DD", "date must be YYYY-MM-DD"},
		{"required 必填", "必填", "required"},
		{"only English", "only English", "only English"},
	} {
		if got := inLang(tt.msg, "zh"); got != tt.zh {
			t.Errorf("zh of %q: %q", tt.msg, got)
		}
		if got := inLang(tt.msg, "en"); got != tt.en {
			t.Errorf("en of %q: %q", tt.msg, got)
		}
	}
}
