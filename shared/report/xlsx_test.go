package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The workbook writer's files read back, with a spreadsheet library, as
// what was written: text as text (also XML's special characters and what
// looks like a formula), numbers as numbers from numFrom on, a bold frozen
// header, sheet names made legal.
func TestWorkbookReadsBack(t *testing.T) {
	rows := [][]string{
		{"类别", "Category", "count", "share"},
		{"<b>&\"quote\"</b>", "'=SUM(A1)", "12", "0.25"},
		{"control\x01char", "  spaced  ", "NaN", "Inf"},
		{"", "", "-3", "1e3"},
	}
	long := "a very long sheet name: with [forbidden] characters?"
	b, err := workbook([]sheet{{name: "统计表", rows: rows, numFrom: 2}, {name: long, rows: rows[:1], numFrom: 99}, {name: "", rows: nil}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	want := []string{"统计表", "a very long sheet name_ with _f", "Sheet3"}
	if got := f.GetSheetList(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	cells := map[string]string{"A1": "类别", "A2": `<b>&"quote"</b>`, "B2": "'=SUM(A1)", "C2": "12", "D2": "0.25",
		"A3": "control\uFFFDchar", "B3": "  spaced  ", "C3": "NaN", "D3": "Inf", "C4": "-3", "D4": "1000"}
	for ref, v := range cells {
		if got, _ := f.GetCellValue("统计表", ref); got != v {
			t.Errorf("%s = %q, want %q", ref, got, v)
		}
	}
	types := map[string]excelize.CellType{"C2": excelize.CellTypeUnset, "D4": excelize.CellTypeUnset, "C3": excelize.CellTypeInlineString, "B2": excelize.CellTypeInlineString}
	for ref, want := range types {
		if got, _ := f.GetCellType("统计表", ref); got != want {
			t.Errorf("%s has type %v, want %v (numbers are numbers, the rest text)", ref, got, want)
		}
	}
	if formula, _ := f.GetCellFormula("统计表", "B2"); formula != "" {
		t.Errorf("B2 is a formula %q", formula)
	}
	style, _ := f.GetCellStyle("统计表", "B1")
	st, err := f.GetStyle(style)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("the header is not bold: %v %+v", err, st)
	}
	if plain, _ := f.GetCellStyle("统计表", "B2"); plain == style {
		t.Error("a data row has the header's style")
	}
	panes, err := f.GetPanes("统计表")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the header is not frozen: %v %+v", err, panes)
	}
	if w, _ := f.GetColWidth("统计表", "D"); w != 16 {
		t.Errorf("column D is %v wide", w)
	}
}

func TestColumn(t *testing.T) {
	for n, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA"} {
		if got := column(n); got != want {
			t.Errorf("column(%d) = %q, want %q", n, got, want)
		}
	}
}

// Whatever text a cell or a sheet name holds, the workbook opens and the
// cell reads back as written (characters XML cannot hold as U+FFFD; XML
// reads a carriage return as a line feed).
func FuzzWorkbookText(f *testing.F) {
	for _, s := range []string{"", "<&>\"'", "=1+1", "a\r\nb\rc", "\x00\x1f\uFFFE", "统计表", "\xff\xfe", "]]>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := workbook([]sheet{{name: s, rows: [][]string{{"head"}, {s}}, numFrom: 99}})
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%q: not a workbook: %v", s, err)
		}
		got, err := x.GetCellValue(x.GetSheetList()[0], "A2")
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
				return utf8.RuneError
			}
			return r
		}, s))
		if err != nil || got != want {
			t.Fatalf("%q read back as %q, want %q (%v)", s, got, want, err)
		}
	})
}
