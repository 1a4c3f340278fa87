package domain

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The index in doc.go names every file of the package, and only those.
func TestDocIndexListsEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^//\t(\w+\.go) `).FindAllStringSubmatch(string(doc), -1) {
		listed = append(listed, m[1])
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && n != "doc.go" {
			files = append(files, n)
		}
	}
	sort.Strings(listed)
	sort.Strings(files)
	if strings.Join(listed, " ") != strings.Join(files, " ") {
		t.Fatalf("doc.go lists\n  %v\nthe package has\n  %v", listed, files)
	}
}
