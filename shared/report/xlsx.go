package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The workbooks are written here as the few SpreadsheetML parts they need
// (Office Open XML, ECMA-376): one worksheet per sheet with inline strings,
// a bold header row with a bottom border, frozen under the header, and
// columns 16 characters wide. A spreadsheet library did the same before,
// but its package initialisation took 6 ms of every function's cold start
// (README, Figures: cold start); the tests read these files back with that
// library.

type sheet struct {
	name    string
	rows    [][]string
	numFrom int // columns from this one hold numbers
}

func workbook(sheets []sheet) ([]byte, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	part := func(name, body string) error {
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+body)
		return err
	}
	var types, books, rels strings.Builder
	for i, sh := range sheets {
		n := i + 1
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&books, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, text(sheetName(sh.name, i)), n, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
	}
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, len(sheets)+1)
	parts := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			types.String() + `</Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets>` + books.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`},
		{"xl/styles.xml", stylesXML},
	}
	for _, p := range parts {
		if err := part(p[0], p[1]); err != nil {
			return nil, fmt.Errorf("report: xlsx: %w", err)
		}
	}
	for i, sh := range sheets {
		if err := part(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), worksheet(sh)); err != nil {
			return nil, fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return b.Bytes(), nil
}

// stylesXML has two cell formats: 0 plain, 1 the header (bold, a grey
// bottom border).
const stylesXML = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
	`<border><left/><right/><top/><bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

func worksheet(sh sheet) string {
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	width := 0
	for _, row := range sh.rows {
		width = max(width, len(row))
	}
	if len(sh.rows) > 0 {
		b.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
			`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>`)
	}
	if width > 0 {
		fmt.Fprintf(&b, `<cols><col min="1" max="%d" width="16" customWidth="1"/></cols>`, width)
	}
	b.WriteString(`<sheetData>`)
	for y, row := range sh.rows {
		fmt.Fprintf(&b, `<row r="%d">`, y+1)
		for x, v := range row {
			ref := column(x+1) + strconv.Itoa(y+1)
			style := ""
			if y == 0 {
				style = ` s="1"`
			}
			if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && y > 0 && x >= sh.numFrom && !math.IsInf(n, 0) && !math.IsNaN(n) {
				fmt.Fprintf(&b, `<c r="%s"%s><v>%s</v></c>`, ref, style, strconv.FormatFloat(n, 'g', -1, 64))
				continue
			}
			fmt.Fprintf(&b, `<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, style, text(v))
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

// column is the spreadsheet column name of n (1 → A, 27 → AA).
func column(n int) string {
	var s []byte
	for ; n > 0; n = (n - 1) / 26 {
		s = append([]byte{byte('A' + (n-1)%26)}, s...)
	}
	return string(s)
}

// sheetName is name as a sheet may be called: at most 31 characters,
// none of : \ / ? * [ ], no apostrophe first or last, not empty.
func sheetName(name string, i int) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if strings.HasPrefix(name, "'") {
		name = "_" + name[1:]
	}
	if strings.HasSuffix(name, "'") {
		name = name[:len(name)-1] + "_"
	}
	if strings.TrimSpace(name) == "" {
		name = "Sheet" + strconv.Itoa(i+1)
	}
	return name
}

// text escapes s for an XML text node or attribute; characters XML cannot
// hold (control characters, U+FFFE, U+FFFF, invalid UTF-8) become U+FFFD.
func text(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
