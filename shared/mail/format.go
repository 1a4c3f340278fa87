package mail

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"keycare/shared/domain"
)

// DefaultZone is the zone times are shown in when the envelope names none:
// the company's default time zone (domain.Defaults).
const DefaultZone = "Asia/Shanghai"

func defaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil {
		return time.FixedZone("UTC+8", 8*3600)
	}
	return loc
}

// beijing are the zone names Chinese readers know as 北京时间.
var beijing = map[string]bool{"Asia/Shanghai": true, "PRC": true, "Asia/Chongqing": true, "Asia/Chungking": true, "Asia/Harbin": true}

// offset is "UTC+08:00" for t in its zone.
func offset(t time.Time) string {
	_, secs := t.Zone()
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, secs/3600, secs%3600/60)
}

// when formats t in loc with its zone: "2026年11月22日 10:00（北京时间）",
// "22 Nov 2026, 10:00 (UTC+08:00)".
func when(t time.Time, loc *time.Location, lang string) string {
	t = t.In(loc)
	if lang == "en" {
		return t.Format("2 Jan 2006, 15:04") + " (" + offset(t) + ")"
	}
	zone := offset(t)
	if beijing[loc.String()] {
		zone = "北京时间"
	} else if name := loc.String(); name != "" && name != "Local" && !strings.HasPrefix(name, "UTC") {
		zone = name + "，" + zone
	}
	return t.Format("2006年1月2日 15:04") + "（" + zone + "）"
}

// day is the date of t in loc: "2026年12月1日" / "1 Dec 2026".
func day(t time.Time, loc *time.Location, lang string) string {
	return t.In(loc).Format(pick(lang, "2006年1月2日", "2 Jan 2006"))
}

// span is a duration as people say it: "1 天 5 小时" / "1 day 5 h";
// under an hour in minutes.
func span(d time.Duration, lang string) string {
	if d < 0 {
		d = -d
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	if lang == "en" {
		switch {
		case days == 0 && hours == 0:
			return fmt.Sprintf("%d min", max(mins, 1))
		case days == 0:
			return fmt.Sprintf("%d h", hours)
		case hours == 0:
			return fmt.Sprintf("%d %s", days, plural(days, "day", "days"))
		}
		return fmt.Sprintf("%d %s %d h", days, plural(days, "day", "days"), hours)
	}
	switch {
	case days == 0 && hours == 0:
		return fmt.Sprintf("%d 分钟", max(mins, 1))
	case days == 0:
		return fmt.Sprintf("%d 小时", hours)
	case hours == 0:
		return fmt.Sprintf("%d 天", days)
	}
	return fmt.Sprintf("%d 天 %d 小时", days, hours)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// lateness says how a deadline stands at now: "已超时 1 天 5 小时" /
// "overdue by 1 day 5 h", or "还剩 23 小时" / "due in 23 h".
func lateness(deadline, now time.Time, lang string) string {
	if now.After(deadline) {
		return pick(lang, "已超时 ", "overdue by ") + span(now.Sub(deadline), lang)
	}
	return pick(lang, "还剩 ", "due in ") + span(deadline.Sub(now), lang)
}

func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// label looks a code up in a two-language table; an unknown code is shown
// as it is (never blank).
func label(table map[string]Text, code, lang string) string {
	if t, ok := table[code]; ok {
		return t.In(lang)
	}
	return code
}

var severityLabels = map[string]Text{
	string(domain.SeverityNormal):  {"一般", "Normal"},
	string(domain.SeveritySerious): {"重大", "Serious"},
}

var reminderLabels = map[string]Text{
	"first-response-soon":    {"即将到首次答复期限", "First response due soon"},
	"opinion-soon":           {"即将到处理意见期限", "Handling opinion due soon"},
	"close-soon":             {"即将到期", "Closure due soon"},
	"first-response-overdue": {"首次答复超时", "First response overdue"},
	"opinion-overdue":        {"处理意见超时", "Handling opinion overdue"},
	"close-overdue":          {"结案超时", "Closure overdue"},
}

var categoryLabels = map[string]Text{
	string(domain.CategoryService):   {"服务质量", "Service quality"},
	string(domain.CategoryProduct):   {"产品质量", "Product quality"},
	string(domain.CategoryLogistics): {"物流", "Delivery and logistics"},
	string(domain.CategoryBilling):   {"价格/账务", "Price and billing"},
	string(domain.CategoryStaff):     {"人员", "Staff conduct"},
	string(domain.CategoryOther):     {"其他", "Other"},
}

var requestLabels = map[string]Text{
	string(domain.RequestPriceReduction): {"减价", "Price reduction"},
	string(domain.RequestReturn):         {"退货", "Return"},
	string(domain.RequestExchange):       {"换货", "Exchange"},
	string(domain.RequestCompensation):   {"损害赔偿", "Compensation"},
	string(domain.RequestSuggestion):     {"批评建议", "Criticism or suggestion"},
	string(domain.RequestOther):          {"其他", "Other"},
}

var channelLabels = map[string]Text{
	string(domain.ChannelWeb):    {"网上投诉表", "Web form"},
	string(domain.ChannelPhone):  {"电话", "Phone"},
	string(domain.ChannelLetter): {"信函", "Letter"},
	string(domain.ChannelEmail):  {"电子邮件", "Email"},
	string(domain.ChannelVisit):  {"来访", "Visit"},
}

// ReminderKindLabel names a reminder kind (domain.Reminder.Kind) in lang.
func ReminderKindLabel(kind, lang string) string { return label(reminderLabels, kind, lang) }

// SeverityLabel names a severity in lang: 一般 / 重大.
func SeverityLabel(s domain.Severity, lang string) string {
	return label(severityLabels, string(s), lang)
}

func tierLabel(t domain.Tier, lang string) string {
	if l := t.Label(lang); l != "" {
		return l
	}
	return string(t)
}

func statusLabel(s domain.ComplaintStatus, lang string) string {
	if l := s.Label(lang); l != "" {
		return l
	}
	return string(s)
}

// excerpt shortens s to n characters on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// oneLine removes line breaks (subjects, names).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// lines splits text as typed into lines (CRLF, CR or LF), keeping blank
// lines inside it and dropping those around it.
func lines(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Trim(s, "\n")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	out := strings.Split(s, "\n")
	for i := range out {
		out[i] = strings.TrimRight(out[i], " \t")
	}
	return out
}

// absolute reports whether u is an http(s) link a mail client can open.
func absolute(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && !strings.ContainsAny(u, " \r\n\t")
}

// shortURL is a link as shown under a button: host and path, without the
// query (which holds tokens), at most n characters.
func shortURL(u string, n int) string {
	p, err := url.Parse(u)
	if err != nil {
		return excerpt(u, n)
	}
	s := p.Host + p.EscapedPath()
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// When is a time as customers read it, with its zone: "2026年11月23日
// 10:00（北京时间）" / "23 Nov 2026, 10:00 (UTC+08:00)" (the public pages use it).
func When(t time.Time, loc *time.Location, lang string) string { return when(t, loc, lang) }
