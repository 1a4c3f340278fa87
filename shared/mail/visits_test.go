package mail

import (
	"strings"
	"testing"
	"time"
)

func TestDigestMails(t *testing.T) {
	env := Envelope{To: []string{"a@b.cn"}, Lang: "en", Zone: shanghai()}
	d := VisitDigest{At: ts("2026-11-23T00:00:00Z"), Sections: []DigestSection{{Kind: DigestVisitsToday,
		Items: []DigestItem{{Title: "<Acme>", Date: "2026-11-23", URL: "http://x/visits/v1?a=1&b=2"}}}}}
	m, err := Compose(env, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "&lt;Acme&gt;") || !strings.Contains(m.HTML, "Today&#39;s visits (1)") || !strings.Contains(m.Text, "http://x/visits/v1?a=1&b=2") {
		t.Fatalf("%s\n%s", m.HTML, m.Text)
	}
	if !strings.Contains(m.HTML, `href="http://x/visits/v1?a=1&amp;b=2"`) || !strings.Contains(m.Text, "Your day, Mon 23 Nov") {
		t.Fatalf("the item is not linked, or its day is not shown:\n%s\n%s", m.HTML, m.Text)
	}
	m.Attachments = []Attachment{{Filename: "visits.ics", ContentType: "text/calendar", Data: make([]byte, MaxAttachmentBytes+1)}}
	if m.Validate() == nil {
		t.Fatal("oversized attachment accepted")
	}
	m.Attachments = []Attachment{{Filename: "a\r\nb.ics", ContentType: "text/calendar", Data: []byte("x")}}
	if m.Validate() == nil {
		t.Fatal("header injection in a file name accepted")
	}
}

// Every section kind has a title in both languages; overdue work comes
// first and is counted in the subject; a route without a base URL is shown,
// never linked; a supervisor's lists alone are a "supervisor-digest".
func TestDigestSectionsAndOrder(t *testing.T) {
	for _, k := range DigestKinds {
		meta, ok := digestKinds[k]
		if !ok || meta.title.ZH == "" || meta.title.EN == "" {
			t.Errorf("section %s has no title", k)
		}
	}
	if len(digestKinds) != len(DigestKinds) {
		t.Errorf("%d section kinds, %d in the display order", len(digestKinds), len(DigestKinds))
	}
	ev := Envelope{To: []string{"a@b.cn"}, Lang: "zh", Zone: shanghai()}
	d := VisitDigest{At: ts("2026-11-23T00:00:00Z"), Sections: []DigestSection{
		{Kind: DigestVisitsWeek, Items: []DigestItem{{Title: "乙公司", Date: "2026-11-26", URL: "/visits/v2"}}},
		{Kind: DigestReportsOverdue, Items: []DigestItem{{Title: "甲公司", DateLabel: "报告截止", Date: "2026-11-19", Overdue: true, URL: "/visits/v1"}}},
	}}
	m, err := Compose(ev, d)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "visit-digest" || !strings.Contains(m.Subject, "逾期 1 项") || !strings.Contains(m.Subject, "11月23日（周一）") {
		t.Errorf("kind %s, subject %q", m.Kind, m.Subject)
	}
	if i, j := strings.Index(m.Text, "逾期的拜访报告"), strings.Index(m.Text, "本周拜访"); i < 0 || j < 0 || i > j {
		t.Errorf("overdue work is not first:\n%s", m.Text)
	}
	for _, want := range []string{"报告截止 11月19日（周四），已逾期 4 天", "11月26日（周四）", "截至 2026年11月23日 08:00（北京时间）"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("%q missing:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.HTML, `href="/visits`) || !strings.Contains(m.HTML, "/visits/v1") {
		t.Errorf("a route is linked or lost:\n%s", m.HTML)
	}
	sup := VisitDigest{At: d.At, Sections: []DigestSection{{Kind: DigestPlansMissing, Department: "销售一部", Items: []DigestItem{{Title: "张敏"}}}}}
	if m, err := Compose(ev, sup); err != nil || m.Kind != "supervisor-digest" || !strings.Contains(m.Text, "未提交的拜访计划 — 销售一部（1）") {
		t.Errorf("supervisor digest: %v %s\n%s", err, m.Kind, m.Text)
	}
	for _, bad := range []VisitDigest{{At: d.At}, {Sections: d.Sections}, {At: d.At, Sections: []DigestSection{{Kind: "whatever", Items: []DigestItem{{Title: "x"}}}}}} {
		if _, err := Compose(ev, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	// A deadline with a time shows it with its zone; one at midnight, its day.
	e := &env{Envelope: Envelope{Zone: shanghai(), Now: ts("2026-11-23T00:00:00Z")}, lang: "zh"}
	if w, l := (DigestItem{Due: ts("2026-11-23T06:30:00Z")}).when(e); w != "截止 今天 14:30（北京时间）" || l != "还剩 6 小时 30 分钟" && l != "还剩 6 小时" {
		t.Errorf("%q %q", w, l)
	}
	if w, l := (DigestItem{Due: ts("2026-11-20T16:00:00Z"), Overdue: true}).when(e); w != "截止 11月21日（周六）" || l != "已逾期 2 天" {
		t.Errorf("%q %q", w, l)
	}
	e.lang = "en"
	if w, l := (DigestItem{Date: "2027-01-04", DateLabel: "due"}).when(e); w != "due Mon 4 Jan 2027" || l != "in 42 days" {
		t.Errorf("%q %q", w, l)
	}
	_ = time.Now
}

// The handover list tells each manager what it means for them.
func TestHandoverList(t *testing.T) {
	for _, c := range []struct {
		lang   string
		forNew bool
		want   []string
	}{
		{"zh", true, []string{"【客户交接】您接手了李强的 2 个客户", "请在 7 天内回访每一位客户", "回访期限：2026年11月30日 10:20（北京时间）", "联系人：陈静", "交接原因"}},
		{"zh", false, []string{"【客户交接】您的 2 个客户已交接给张敏", "您已不能再查看这些客户的档案和投诉"}},
		{"en", true, []string{"[Handover] You now manage 2 accounts from Li Qiang", "Callbacks due: 30 Nov 2026, 10:20 (UTC+08:00)", "Contact: Emily Zhou"}},
		{"en", false, []string{"[Handover] Your 2 accounts went to Zhang Min", "You no longer see their files"}},
	} {
		m, err := Compose(Envelope{To: []string{"a@b.cn"}, Lang: c.lang, Zone: shanghai()}, handoverList(c.lang, c.forNew))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(m.Subject+"\n"+m.Text, w) {
				t.Errorf("%s/%v: %q missing:\n%s\n%s", c.lang, c.forNew, w, m.Subject, m.Text)
			}
		}
		if strings.Count(m.HTML, `href="https://api.ecprecision.example.cn/customers/cdemo00`) != 2 {
			t.Errorf("%s/%v: the accounts are not linked", c.lang, c.forNew)
		}
	}
	if _, err := Compose(Envelope{To: []string{"a@b.cn"}}, HandoverList{From: "a", To: "b", At: ts("2026-11-23T02:20:00Z")}); err == nil {
		t.Error("a list without accounts accepted")
	}
}
