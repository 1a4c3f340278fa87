package mail

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"keycare/shared/domain"
)

// kindOf is the message kind each sample must produce.
var kindOf = map[string]string{
	"complaint-received": "complaint-received", "complaint-accepted": "complaint-accepted", "complaint-accepted-late": "complaint-accepted",
	"complaint-rejected": "complaint-rejected", "complaint-replied": "complaint-replied",
	"survey-invitation": "survey-invitation", "survey-invitation-complaint": "survey-invitation", "survey-reminder": "survey-reminder",
	"handover-notice":    "handover-notice",
	"complaint-reminder": "complaint-reminder", "complaint-reminder-overdue": "complaint-reminder", "complaint-reminder-first-response": "complaint-reminder",
	"complaint-escalation": "complaint-escalation", "complaint-new": "complaint-new", "complaint-new-manager": "complaint-new",
	"complaint-assigned": "complaint-assigned", "complaint-review": "complaint-review", "complaint-approval": "complaint-approval",
	"survey-poor-answer": "survey-poor-answer",
	"visit-digest":       "visit-digest", "supervisor-digest": "supervisor-digest",
	"handover-list-new": "handover-list", "handover-list-old": "handover-list",
}

var customerKinds = map[string]bool{"complaint-received": true, "complaint-accepted": true, "complaint-rejected": true, "complaint-replied": true,
	"survey-invitation": true, "survey-reminder": true, "handover-notice": true}

func compose(t *testing.T, s sample) Message {
	t.Helper()
	m, err := Compose(s.env, s.data)
	if err != nil {
		t.Fatalf("%s/%s: %v", s.name, s.env.Lang, err)
	}
	return m
}

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<[^>]*>`)

// visible is the HTML part as a reader sees it (tags removed).
func visible(html string) string {
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'")
	return r.Replace(tags.ReplaceAllString(html, " "))
}

func TestEveryKindHasBothPartsInBothLanguages(t *testing.T) {
	seen := map[string]bool{}
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m := compose(t, s)
			want, ok := kindOf[s.name]
			if !ok || m.Kind != want || s.data.Kind() == "" {
				t.Errorf("%s/%s: kind %q, want %q", s.name, lang, m.Kind, want)
			}
			seen[m.Kind+"/"+lang] = true
			if m.Subject == "" || m.HTML == "" || m.Text == "" || m.ID == "" || m.Lang != lang || len(m.To) != 1 {
				t.Errorf("%s/%s: incomplete message %+v", s.name, lang, m)
			}
			if err := m.Validate(); err != nil {
				t.Errorf("%s/%s: %v", s.name, lang, err)
			}
			if strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("%s/%s: subject on two lines", s.name, lang)
			}
			htmlLang := map[string]string{"zh": `<html lang="zh-CN">`, "en": `<html lang="en">`}[lang]
			if !strings.Contains(m.HTML, htmlLang) || !strings.Contains(m.HTML, `name="viewport"`) {
				t.Errorf("%s/%s: HTML without its language or viewport", s.name, lang)
			}
			if strings.Contains(m.HTML, "<style") || strings.Contains(m.HTML, "<div style=\"width") {
				t.Errorf("%s/%s: layout must be tables with inline styles", s.name, lang)
			}
			if lang == "en" && regexp.MustCompile(`\p{Han}`).MatchString(m.Text+m.Subject) {
				t.Errorf("%s/en: Chinese in the English mail:\n%s", s.name, m.Text)
			}
		}
	}
	for _, k := range kindOf {
		for _, lang := range []string{"zh", "en"} {
			if !seen[k+"/"+lang] {
				t.Errorf("kind %s has no %s sample", k, lang)
			}
		}
	}
	if _, err := Compose(Envelope{To: []string{"a@b.cn"}}, nil); err == nil {
		t.Error("nil data accepted")
	}
}

func TestCustomerMailSaysWhoWritesAndHowToAnswer(t *testing.T) {
	b := sampleBrand()
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m := compose(t, s)
			if !customerKinds[m.Kind] {
				if m.ReplyTo != nil {
					t.Errorf("%s: staff notice with a reply-to", s.name)
				}
				continue
			}
			for _, want := range []string{b.Company.In(lang), b.Hotline, b.ReplyTo, b.Contact.In(lang), b.Address.In(lang)} {
				if !strings.Contains(m.Text, want) || !strings.Contains(visible(m.HTML), want) {
					t.Errorf("%s/%s: %q missing", s.name, lang, want)
				}
			}
			if len(m.ReplyTo) != 1 || m.ReplyTo[0] != b.ReplyTo {
				t.Errorf("%s/%s: reply-to %v", s.name, lang, m.ReplyTo)
			}
			if !strings.Contains(m.HTML, `href="tel:4008201234"`) || !strings.Contains(m.HTML, `href="mailto:`+b.ReplyTo+`"`) {
				t.Errorf("%s/%s: hotline and address are not tappable", s.name, lang)
			}
			for _, never := range []string{"请勿直接回复", "请勿回复", "do not reply", "not monitored"} {
				if strings.Contains(m.Text, never) || strings.Contains(m.HTML, never) {
					t.Errorf("%s/%s says %q", s.name, lang, never)
				}
			}
		}
	}
	// The rejection invites contact and says how, in its own words.
	for _, lang := range []string{"zh", "en"} {
		m := compose(t, samples(lang)[3])
		body := m.Text[:strings.Index(m.Text, "-- \n")]
		if m.Kind != "complaint-rejected" || !strings.Contains(body, b.Hotline) || !strings.Contains(body, b.ReplyTo) {
			t.Errorf("rejection/%s does not say how to get in touch:\n%s", lang, body)
		}
	}
	// Customer mail needs a brand; staff notices do not.
	s := samples("zh")[0]
	s.env.Brand = Brand{}
	if _, err := Compose(s.env, s.data); err == nil {
		t.Error("customer mail without a brand accepted")
	}
	s.env.Brand = sampleBrand()
	s.env.Brand.ReplyTo = "kefu@x.cn\r\nBcc: all@x.cn"
	if _, err := Compose(s.env, s.data); err == nil {
		t.Error("brand with a header in its reply-to accepted")
	}
	s.env.Brand = DefaultBrand()
	if m, err := Compose(s.env, s.data); err != nil || !strings.Contains(m.Text, "400-000-0000") || m.ReplyTo[0] != "service@example.com" {
		t.Errorf("default brand: %v", err)
	}
	n := samples("zh")[9]
	n.env.Brand = Brand{}
	if _, err := Compose(n.env, n.data); err != nil {
		t.Errorf("staff notice needs no brand: %v", err)
	}
}

func TestBrandValidate(t *testing.T) {
	for _, c := range []struct {
		b  Brand
		ok bool
	}{
		{DefaultBrand(), true},
		{sampleBrand(), true},
		{Brand{Company: domain.Text{EN: "Acme"}, Hotline: "+1 555 0100", ReplyTo: "care@acme.example"}, true},
		{Brand{Hotline: "400-820-1234", ReplyTo: "a@b.cn"}, false},
		{Brand{Company: domain.Text{ZH: "甲"}, ReplyTo: "a@b.cn"}, false},
		{Brand{Company: domain.Text{ZH: "甲"}, Hotline: "热线", ReplyTo: "a@b.cn"}, false},
		{Brand{Company: domain.Text{ZH: "甲"}, Hotline: "400-820-1234"}, false},
		{Brand{Company: domain.Text{ZH: "甲"}, Hotline: "400-820-1234", ReplyTo: "a b@c.cn"}, false},
	} {
		if err := c.b.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.b, err)
		}
	}
	if (Text{ZH: "甲"}).In("en") != "甲" || (Text{EN: "A"}).In("zh") != "A" || (Text{ZH: "甲", EN: "A"}).In("en") != "A" {
		t.Error("Text.In does not fall back")
	}
}

func TestGreetingOnceAndPolite(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m := compose(t, s)
			body := m.Text
			if d, ok := s.data.(ComplaintReplied); ok { // the staff's own words may greet; the template must not again
				for _, l := range lines(d.Reply) {
					body = strings.Replace(body, l, "", 1)
				}
			}
			greet, informal := "尊敬的", "您好"
			if lang == "en" {
				greet, informal = "Dear ", "Hello"
			}
			n := strings.Count(body, greet)
			switch {
			case customerKinds[m.Kind] && (n != 1 || !strings.HasPrefix(m.Text, greet+s.env.Name)):
				t.Errorf("%s/%s greets %d times:\n%s", s.name, lang, n, m.Text)
			case !customerKinds[m.Kind] && n != 0:
				t.Errorf("%s/%s: a staff notice greets:\n%s", s.name, lang, m.Text)
			case strings.Contains(body, informal):
				t.Errorf("%s/%s: informal greeting too", s.name, lang)
			}
			if customerKinds[m.Kind] && strings.Count(visible(m.HTML), greet+s.env.Name) != 1 {
				t.Errorf("%s/%s: HTML greets more than once", s.name, lang)
			}
		}
	}
	s := samples("zh")[0]
	s.env.Name = ""
	if m := compose(t, s); !strings.HasPrefix(m.Text, "尊敬的客户：") {
		t.Errorf("no name: %q", m.Text[:20])
	}
	s = samples("en")[0]
	s.env.Name = " Jane\r\nDoe "
	if m := compose(t, s); !strings.HasPrefix(m.Text, "Dear Jane Doe,\n") {
		t.Errorf("name on two lines: %q", m.Text[:20])
	}
}

// clock finds times of day (not the offsets that label them).
var clock = regexp.MustCompile(`(?:^|[^+\-\d:])(\d{1,2}:\d{2})`)

func TestEveryTimeCarriesItsZone(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		label := map[string]string{"zh": "（北京时间）", "en": " (UTC+08:00)"}[lang]
		for _, s := range samples(lang) {
			m := compose(t, s)
			for _, part := range []string{m.Text, visible(m.HTML)} {
				idx := clock.FindAllStringSubmatchIndex(part, -1)
				if len(idx) == 0 && s.name != "handover-notice" && s.name != "complaint-rejected" && s.name != "complaint-replied" {
					t.Errorf("%s/%s shows no time", s.name, lang)
				}
				for _, ix := range idx {
					if !strings.HasPrefix(part[ix[3]:], label) {
						t.Errorf("%s/%s: %q has no zone", s.name, lang, part[ix[2]:min(ix[3]+16, len(part))])
					}
				}
			}
		}
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	at := ts("2026-07-01T02:05:00Z")
	for _, c := range []struct {
		loc  *time.Location
		lang string
		want string
	}{
		{shanghai(), "zh", "2026年7月1日 10:05（北京时间）"},
		{shanghai(), "en", "1 Jul 2026, 10:05 (UTC+08:00)"},
		{tokyo, "zh", "2026年7月1日 11:05（Asia/Tokyo，UTC+09:00）"},
		{tokyo, "en", "1 Jul 2026, 11:05 (UTC+09:00)"},
		{ny, "en", "30 Jun 2026, 22:05 (UTC-04:00)"},
		{time.FixedZone("UTC+8", 8*3600), "zh", "2026年7月1日 10:05（UTC+08:00）"},
		{time.UTC, "zh", "2026年7月1日 02:05（UTC+00:00）"},
	} {
		if got := when(at, c.loc, c.lang); got != c.want {
			t.Errorf("%s/%s: %q, want %q", c.loc, c.lang, got, c.want)
		}
	}
	// No zone given: the company default, Beijing time.
	s := samples("zh")[0]
	s.env.Zone = nil
	if m := compose(t, s); !strings.Contains(m.Text, "2026年11月22日 10:05（北京时间）") {
		t.Errorf("default zone:\n%s", m.Text)
	}
}

func TestSpanAndLateness(t *testing.T) {
	for _, c := range []struct {
		d      time.Duration
		zh, en string
	}{
		{29 * time.Hour, "1 天 5 小时", "1 day 5 h"},
		{29*time.Hour + 59*time.Minute, "1 天 5 小时", "1 day 5 h"},
		{48 * time.Hour, "2 天", "2 days"},
		{5 * time.Hour, "5 小时", "5 h"},
		{35 * time.Minute, "35 分钟", "35 min"},
		{10 * time.Second, "1 分钟", "1 min"},
		{-3 * time.Hour, "3 小时", "3 h"},
	} {
		if zh, en := span(c.d, "zh"), span(c.d, "en"); zh != c.zh || en != c.en {
			t.Errorf("%v: %q %q", c.d, zh, en)
		}
	}
	due := ts("2026-11-29T02:05:00Z")
	if got := lateness(due, due.Add(29*time.Hour), "zh"); got != "已超时 1 天 5 小时" {
		t.Error(got)
	}
	if got := lateness(due, due.Add(29*time.Hour), "en"); got != "overdue by 1 day 5 h" {
		t.Error(got)
	}
	if got := lateness(due, due.Add(-23*time.Hour), "zh"); got != "还剩 23 小时" {
		t.Error(got)
	}
}

func TestAcceptedNeverPromisesAPastDate(t *testing.T) {
	due := ts("2026-11-29T02:05:00Z") // 29 Nov 10:05 Beijing
	base := ComplaintAccepted{Number: "261122001", TrackingURL: sampleTracking, CloseDue: due, FirstResponseDue: ts("2026-11-23T02:05:00Z")}
	with := func(f func(*ComplaintAccepted)) ComplaintAccepted { d := base; f(&d); return d }
	for _, c := range []struct {
		name, lang, now string
		d               ComplaintAccepted
		want, not       []string
	}{
		{"on time", "zh", "2026-11-22T08:00:00Z", base, []string{"我们将在 2026年11月29日 10:05（北京时间）前办结"}, []string{"抱歉", "工作日"}},
		{"on time", "en", "2026-11-22T08:00:00Z", base, []string{"We will close it by 29 Nov 2026, 10:05 (UTC+08:00)"}, []string{"sorry", "working days"}},
		{"late first answer", "zh", "2026-11-24T08:00:00Z", base, []string{"很抱歉这么晚才给您答复", "前办结"}, nil},
		{"late with a new date", "zh", "2026-11-30T02:00:00Z", with(func(d *ComplaintAccepted) { d.NewDue = ts("2026-12-03T10:00:00Z") }),
			[]string{"很抱歉，我们未能在承诺的 2026年11月29日 10:05（北京时间）前办结", "新的办结期限：2026年12月3日 18:00（北京时间）", "我们将在 2026年12月3日 18:00（北京时间）前办结"},
			[]string{"我们将在 2026年11月29日", "办结期限：2026年11月29日"}},
		{"late with a new date", "en", "2026-11-30T02:00:00Z", with(func(d *ComplaintAccepted) { d.NewDue = ts("2026-12-03T10:00:00Z") }),
			[]string{"We are sorry", "New commitment: 3 Dec 2026, 18:00 (UTC+08:00)", "We will close it by 3 Dec 2026, 18:00"}, []string{"close it by 29 Nov"}},
		{"late, no date", "zh", "2026-11-30T02:00:00Z", base, []string{"很抱歉", "我们将在 3 个工作日内办结", "新的办结期限：3 个工作日内"}, []string{"我们将在 2026年11月29日"}},
		{"late, no date", "en", "2026-11-30T02:00:00Z", base, []string{"We are sorry", "We will close it within 3 working days"}, []string{"close it by 29 Nov"}},
		{"late, the new date passed too", "zh", "2026-11-30T02:00:00Z", with(func(d *ComplaintAccepted) { d.NewDue = ts("2026-11-30T01:00:00Z"); d.WorkingDays = 2 }),
			[]string{"我们将在 2 个工作日内办结"}, []string{"2026年11月30日"}},
		{"at the deadline", "zh", "2026-11-29T02:05:00Z", base, []string{"很抱歉", "3 个工作日内"}, nil},
	} {
		s := samples(c.lang)[1]
		s.env.Now, s.data = ts(c.now), c.d
		m := compose(t, s)
		for i, part := range []string{m.Text, visible(m.HTML)} {
			for _, w := range c.want {
				pieces := []string{w}
				if i == 1 { // in the HTML a label and its value sit in two cells
					pieces = strings.FieldsFunc(strings.Replace(w, ": ", "：", 1), func(r rune) bool { return r == '：' })
				}
				for _, p := range pieces {
					if !strings.Contains(part, p) {
						t.Errorf("%s/%s: %q missing:\n%s", c.name, c.lang, p, part)
					}
				}
			}
			for _, n := range c.not {
				if strings.Contains(part, n) {
					t.Errorf("%s/%s: says %q:\n%s", c.name, c.lang, n, part)
				}
			}
		}
	}
}

func TestStaffLineBreaksAreKept(t *testing.T) {
	for _, c := range []struct {
		data Data
		html string
		text string
	}{
		{ComplaintReplied{Number: "261122001", TrackingURL: sampleTracking, Reply: "第一行\r\n第二行 <b>\r\n\r\n第四行\n"},
			"第一行<br>第二行 &lt;b&gt;<br><br>第四行</td>", "    第一行\n    第二行 <b>\n\n    第四行\n"},
		{ComplaintRejected{Number: "261122001", TrackingURL: sampleTracking, Reason: "one\rtwo"}, "one<br>two</td>", "    one\n    two\n"},
	} {
		s := samples("zh")[4]
		s.data = c.data
		m := compose(t, s)
		if !strings.Contains(m.HTML, c.html) || !strings.Contains(m.Text, c.text) {
			t.Errorf("%s: line breaks lost:\n%s\n%s", c.data.Kind(), m.HTML, m.Text)
		}
	}
}

// hostile puts markup into every free-text field of v.
func hostile(v reflect.Value, payload string) {
	free := map[string]bool{"Reason": true, "Reply": true, "Account": true, "PreviousManager": true, "Name": true, "Title": true,
		"Customer": true, "Description": true, "DepartmentName": true, "Owner": true, "Manager": true, "Opinion": true, "By": true,
		"Conclusion": true, "ReviewedBy": true, "Comment": true, "Detail": true, "Who": true, "Contact": true}
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.Struct:
			hostile(f, payload)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct: // a digest's sections and items, a list's accounts
			for j := 0; j < f.Len(); j++ {
				hostile(f.Index(j), payload)
			}
		case f.Kind() == reflect.String && free[name]:
			f.SetString(f.String() + payload)
		}
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	const payload = ` <script>alert(1)</script><img src=x onerror=alert(2)> "q" & 'a'`
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			p := reflect.New(reflect.TypeOf(s.data)).Elem()
			p.Set(reflect.ValueOf(s.data))
			hostile(p, payload) // and the name and brand below, which every kind shows
			s.data = p.Interface().(Data)
			s.env.Name += payload
			s.env.Brand.Company.ZH += payload
			s.env.Brand.Company.EN += payload
			m := compose(t, s)
			low := strings.ToLower(m.HTML)
			if strings.Contains(low, "<script") || strings.Contains(low, "<img") || strings.Contains(low, `="q"`) {
				t.Errorf("%s/%s: markup not escaped", s.name, lang)
			}
			if !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s/%s: user text missing from the HTML", s.name, lang)
			}
			if !strings.Contains(m.Text, "<script>alert(1)</script>") {
				t.Errorf("%s/%s: the text part must keep the text as typed", s.name, lang)
			}
		}
	}
	// A link that is not http(s) never becomes one.
	s := samples("zh")[0]
	d := s.data.(ComplaintReceived)
	d.TrackingURL = "javascript:alert(1)"
	if _, err := Compose(s.env, d); err == nil {
		t.Error("javascript: tracking link accepted")
	}
	n := samples("zh")[9]
	r := n.data.(ComplaintReminder)
	r.Case.URL = "javascript:alert(1)"
	m := compose(t, sample{n.name, n.env, r})
	if strings.Contains(m.HTML, `href="javascript`) {
		t.Error("javascript: link in a notice")
	}
}

// codes are the raw values staff must never read.
var codes = []string{"serious", "normal", "logistics", "assigned", "received", "investigated", "reviewed", "strategic",
	"close-soon", "close-overdue", "first-response-overdue", "opinion-overdue", "compensation", "web", "phone", "supervisor", "executive", "owner"}

func TestStaffNoticesShowLabelsNotCodes(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m := compose(t, s)
			if customerKinds[m.Kind] {
				continue
			}
			seen := m.Subject + "\n" + m.Text + "\n" + visible(m.HTML)
			seen = strings.ReplaceAll(seen, "https://api.ecprecision.example.cn/complaints/261122001", "")
			seen = strings.ReplaceAll(seen, "https://api.ecprecision.example.cn/surveys/responses?customer=c-42", "")
			seen = regexp.MustCompile(`api\.ecprecision\.example\.cn/\S*`).ReplaceAllString(seen, "")
			for _, code := range codes {
				re := regexp.MustCompile(`\b` + regexp.QuoteMeta(code) + `\b`)
				if lang == "zh" && re.MatchString(seen) || lang == "en" && strings.Contains(code, "-") && strings.Contains(seen, code) {
					t.Errorf("%s/%s shows the code %q:\n%s", s.name, lang, code, m.Text)
				}
			}
			if _, isCase := reflect.TypeOf(s.data).FieldByName("Case"); isCase {
				want := map[string][]string{"zh": {"261122001", "上海精工机械有限公司", "战略客户", "重大", "物流部", "张敏", "投诉内容", "11月20日送达"},
					"en": {"261122001", "Shanghai Precision Machinery Co.", "Strategic", "Serious", "Logistics Department", "Zhang Min", "The pallet delivered"}}[lang]
				for _, w := range want {
					if strings.HasPrefix(s.name, "complaint-new") && (w == "物流部" || w == "Logistics Department") {
						continue // not assigned yet
					}
					if !strings.Contains(m.Text, w) || !strings.Contains(visible(m.HTML), w) {
						t.Errorf("%s/%s lacks %q", s.name, lang, w)
					}
				}
				if !strings.Contains(m.HTML, `href="https://api.ecprecision.example.cn/complaints/261122001"`) {
					t.Errorf("%s/%s: no link to the complaint", s.name, lang)
				}
			}
		}
	}
	// Without a display name the department's id is shown (the fallback).
	s := samples("zh")[10]
	r := s.data.(ComplaintReminder)
	r.Case.DepartmentName = ""
	if m := compose(t, sample{s.name, s.env, r}); !strings.Contains(m.Text, "受理部门：logistics") {
		t.Errorf("department fallback:\n%s", m.Text)
	}
	// A link that is only a route (no base URL known) is shown, not linked.
	r.Case.URL = "/complaints/261122001"
	if m := compose(t, sample{s.name, s.env, r}); !strings.Contains(m.Text, "/complaints/261122001") || strings.Contains(m.HTML, `href="/complaints`) {
		t.Errorf("route link:\n%s", m.HTML)
	}
	r.Case.URL = ""
	if _, err := Compose(s.env, r); err == nil {
		t.Error("a notice without a link accepted")
	}
}

func TestRemindersSayHowLateAndWhoseTurn(t *testing.T) {
	for _, c := range []struct {
		sample, lang string
		kind         string
		want         []string
	}{
		{"complaint-reminder", "zh", "complaint-reminder", []string{"【即将到期】", "还剩 23 小时", "请物流部尽快完成处理", "负责人：物流部"}},
		{"complaint-reminder-overdue", "zh", "complaint-reminder", []string{"【结案超时】", "已超时 23 小时", "请督促物流部尽快办结"}},
		{"complaint-reminder-first-response", "zh", "complaint-reminder", []string{"【首次答复超时】", "已超时 1 天 5 小时", "2026年11月23日 10:05（北京时间）"}},
		{"complaint-reminder-first-response", "en", "complaint-reminder", []string{"[First response overdue]", "overdue by 1 day 5 h", "23 Nov 2026, 10:05 (UTC+08:00)"}},
		{"complaint-escalation", "zh", "complaint-escalation", []string{"【升级督办】", "已超时 1 天 5 小时", "主管已收到超时通知", "按规定升级至您", "目前由物流部负责"}},
		{"complaint-escalation", "en", "complaint-escalation", []string{"[Escalated to you]", "overdue by 1 day 5 h", "The supervisors were told", "Logistics Department owns it now"}},
		{"complaint-new", "zh", "complaint-new", []string{"【新投诉】", "网上投诉表", "损害赔偿", "负责人：客服质量部（主管）", "受理部门：未分派", "首次答复客户"}},
		{"complaint-new-manager", "zh", "complaint-new", []string{"您负责的客户上海精工机械有限公司（战略客户）", "电话"}},
		{"complaint-assigned", "zh", "complaint-assigned", []string{"请物流部调查处理", "客服质量部（刘静）已将投诉 261122001 分派给物流部", "    请物流部核实承运记录，\n    并与承运商确认破损责任。"}},
		{"complaint-review", "zh", "complaint-review", []string{"【待审核】", "物流部（赵磊）已提交", "是否有责：有责投诉", "当前状态：已调查", "负责人：客服质量部（主管）"}},
		{"complaint-approval", "zh", "complaint-approval", []string{"【待审批】重大投诉 261122001", "需要您审批", "审核人：刘静", "负责人：总经理"}},
		{"complaint-approval", "en", "complaint-approval", []string{"[To approve] Serious complaint 261122001", "needs your approval"}},
		{"survey-poor-answer", "zh", "survey-poor-answer", []string{"【战略客户】满意度评价偏低：上海精工机械有限公司", "2 / 5", "3 / 10", "关联投诉：261122001", "已为客户经理张敏创建回访任务", "    处理太慢，\n    希望下次能更快。"}},
		{"survey-poor-answer", "en", "survey-poor-answer", []string{"[Strategic account] Poor survey answer", "The strategic account Shanghai Precision Machinery Co. answered", "2 / 5"}},
	} {
		var s sample
		for _, x := range samples(c.lang) {
			if x.name == c.sample {
				s = x
			}
		}
		m := compose(t, s)
		if m.Kind != c.kind {
			t.Errorf("%s/%s: kind %s", c.sample, c.lang, m.Kind)
		}
		for _, w := range c.want {
			if !strings.Contains(m.Subject+"\n"+m.Text, w) {
				t.Errorf("%s/%s: %q missing:\n%s\n%s", c.sample, c.lang, w, m.Subject, m.Text)
			}
		}
	}
	// The executive's version is not the supervisor's.
	sup, exe := compose(t, samples("zh")[10]), compose(t, samples("zh")[12])
	if strings.Contains(sup.Text, "升级") || sup.Kind == exe.Kind {
		t.Error("the supervisor's reminder reads like the executive's")
	}
	bad := samples("zh")[10]
	r := bad.data.(ComplaintReminder)
	r.Reminder.Kind = "whatever"
	if _, err := Compose(bad.env, r); err == nil {
		t.Error("unknown reminder kind accepted")
	}
}

func TestLinksAreButtonsAndTextKeepsThemWhole(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		for _, s := range samples(lang) {
			m := compose(t, s)
			var link string
			switch d := s.data.(type) {
			case ComplaintReceived:
				link = d.TrackingURL
			case ComplaintAccepted:
				link = d.TrackingURL
			case ComplaintRejected:
				link = d.TrackingURL
			case ComplaintReplied:
				link = d.TrackingURL
			case SurveyInvitation:
				link = d.Link
			case SurveyReminder:
				link = d.Link
			case HandoverNotice:
				if !strings.Contains(m.HTML, `href="tel:&#43;8613812345678"`) || !strings.Contains(m.HTML, `href="mailto:zhang.min@ecprecision.example.cn"`) {
					t.Errorf("handover/%s: the new manager cannot be called or mailed from it", lang)
				}
				continue
			default:
				continue
			}
			if !strings.Contains(m.Text, "\n"+link+"\n") {
				t.Errorf("%s/%s: the text part lacks the whole link", s.name, lang)
			}
			escaped := strings.ReplaceAll(link, "&", "&amp;")
			if strings.Count(m.HTML, `href="`+escaped+`"`) != 2 {
				t.Errorf("%s/%s: want the button and its short fallback to link %s", s.name, lang, link)
			}
			shown := visible(m.HTML)
			if strings.Contains(shown, link) || strings.Contains(shown, "token=") {
				t.Errorf("%s/%s: the long link is printed in the HTML", s.name, lang)
			}
		}
	}
}

func TestSurveyInTheContactsLanguageAndNamesTheComplaint(t *testing.T) {
	for _, c := range []struct {
		lang, number string
		want         []string
	}{
		{"en", "261122001", []string{"How did we handle your complaint No. 261122001?", "Dear Jane Doe,", "Your complaint (No. 261122001) has been closed"}},
		{"zh", "261122001", []string{"请评价您的投诉（单号 261122001）的处理", "尊敬的王伟："}},
		{"en", "", []string{"A short survey from East China Precision Group", "Dear Jane Doe,"}},
	} {
		s := samples(c.lang)[6]
		d := s.data.(SurveyInvitation)
		d.ComplaintNumber = c.number
		m := compose(t, sample{s.name, s.env, d})
		for _, w := range c.want {
			if !strings.Contains(m.Subject+"\n"+m.Text, w) {
				t.Errorf("%s/%q: %q missing:\n%s", c.lang, c.number, w, m.Text)
			}
		}
		r := compose(t, sample{s.name, s.env, SurveyReminder(d)})
		if r.Kind != "survey-reminder" || (c.number != "" && !strings.Contains(r.Subject+r.Text, c.number)) || !strings.Contains(r.Text, d.Link) {
			t.Errorf("reminder/%s: %s\n%s", c.lang, r.Subject, r.Text)
		}
	}
}

func TestRequiredData(t *testing.T) {
	z := samples("zh")
	env, staff := z[0].env, z[9].env
	for _, c := range []struct {
		name string
		env  Envelope
		data Data
	}{
		{"no number", env, ComplaintReceived{TrackingURL: sampleTracking, ReceivedAt: ts("2026-11-22T02:05:00Z"), FirstResponseDue: ts("2026-11-23T02:05:00Z"), CloseDue: ts("2026-11-29T02:05:00Z")}},
		{"no deadlines", env, ComplaintReceived{Number: "261122001", TrackingURL: sampleTracking}},
		{"no closure", env, ComplaintAccepted{Number: "261122001", TrackingURL: sampleTracking}},
		{"no reason", env, ComplaintRejected{Number: "261122001", TrackingURL: sampleTracking, Reason: " \n "}},
		{"no reply", env, ComplaintReplied{Number: "261122001", TrackingURL: sampleTracking}},
		{"relative survey link", env, SurveyInvitation{Link: "/s/tok", ExpiresAt: ts("2026-12-22T02:00:00Z")}},
		{"no expiry", env, SurveyReminder{Link: sampleSurvey}},
		{"no manager", env, HandoverNotice{Account: "甲"}},
		{"manager unreachable", env, HandoverNotice{Account: "甲", NewManager: Person{Name: "张敏"}}},
		{"no recipient", Envelope{Lang: "zh", Brand: sampleBrand()}, z[0].data},
		{"bad recipient", Envelope{To: []string{"x@y.cn\r\nBcc: z@y.cn"}, Brand: sampleBrand()}, z[0].data},
		{"notice without number", staff, ComplaintReminder{Case: Case{Customer: "甲", URL: "/x"}, Reminder: domain.Reminder{Kind: "close-soon", Deadline: ts("2026-11-29T02:05:00Z")}}},
		{"notice without deadline", staff, ComplaintReminder{Case: sampleCase(), Reminder: domain.Reminder{Kind: "close-soon"}}},
		{"assigned to nobody", staff, ComplaintAssigned{Case: Case{Number: "1", Customer: "甲", URL: "/x"}}},
		{"scores out of range", staff, PoorSurveyAnswer{Customer: "甲", Overall: 0, Recommend: 3}},
	} {
		if _, err := Compose(c.env, c.data); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	// The message itself refuses a bad reply-to.
	m := compose(t, z[0])
	m.ReplyTo = []string{"a@b.cn\nBcc: c@d.cn"}
	if m.Validate() == nil {
		t.Error("a reply-to with a header accepted")
	}
}

func TestCaseOfAComplaint(t *testing.T) {
	c := &domain.Complaint{Number: "261122001", CustomerName: "甲", AccountTier: domain.TierKey, Severity: domain.SeverityNormal,
		Status: domain.StatusAccepted, Category: domain.CategoryBilling, Description: "d", Department: "billing", ManagerID: "alice",
		ReceivedAt: ts("2026-11-22T02:05:00Z"), Deadlines: domain.Deadlines{FirstResponseDue: ts("2026-11-23T02:05:00Z"), CloseDue: ts("2026-11-29T02:05:00Z")}}
	got := CaseOf(c, "https://x/complaints/261122001")
	want := Case{Number: "261122001", Customer: "甲", Tier: domain.TierKey, Severity: domain.SeverityNormal, Status: domain.StatusAccepted,
		Category: domain.CategoryBilling, Description: "d", Department: "billing", Manager: "alice", ReceivedAt: c.ReceivedAt,
		FirstResponseDue: c.Deadlines.FirstResponseDue, CloseDue: c.Deadlines.CloseDue, URL: "https://x/complaints/261122001"}
	if got != want {
		t.Errorf("%+v", got)
	}
	for _, lang := range []string{"zh", "en"} {
		for _, s := range []domain.Severity{domain.SeverityNormal, domain.SeveritySerious} {
			if l := SeverityLabel(s, lang); l == string(s) {
				t.Errorf("no label for %s/%s", s, lang)
			}
		}
		for _, k := range []string{"close-soon", "first-response-overdue", "opinion-overdue", "close-overdue"} {
			if ReminderKindLabel(k, lang) == k {
				t.Errorf("no label for %s/%s", k, lang)
			}
		}
		for _, k := range domain.Categories {
			if _, ok := categoryLabels[string(k)]; !ok {
				t.Errorf("no label for category %s", k)
			}
		}
		for _, k := range domain.Requests {
			if _, ok := requestLabels[string(k)]; !ok {
				t.Errorf("no label for request %s", k)
			}
		}
		for _, st := range domain.AllStatuses {
			if statusLabel(st, lang) == string(st) {
				t.Errorf("no label for status %s/%s", st, lang)
			}
		}
	}
}
