package mail

import (
	"errors"
	"fmt"
	htmltpl "html/template"
	"strings"
	"time"
)

// The staff mail of visits and handovers, in the one layout of Compose: the
// daily reminder digest ("visit-digest"; "supervisor-digest" for someone
// who only supervises) and the handover list both managers get
// ("handover-list"). (The handover notice to a customer is HandoverNotice.)
// Each item is a line of its own, linked to what it names, its date with
// its weekday or its time with the zone, and how late it is; sections say
// what they hold in words, never a code.

// DigestKind is a section of the daily digest: its title and whether it
// lists overdue work come from here.
type DigestKind string

// Sections of a manager's own items, in the order the digest shows them
// (overdue work first, then today, then what comes).
const (
	DigestReportsOverdue   DigestKind = "reports-overdue"    // visit reports past due
	DigestFollowUpsOverdue DigestKind = "follow-ups-overdue" // callbacks past due
	DigestActionsOverdue   DigestKind = "actions-overdue"    // promised actions past due
	DigestVisitsToday      DigestKind = "visits-today"       // today's visits
	DigestFollowUpsToday   DigestKind = "follow-ups-today"   // callbacks due today
	DigestReportsDue       DigestKind = "reports-due"        // reports of visits made, not yet late
	DigestActionsDue       DigestKind = "actions-due"        // promised actions due this week
	DigestVisitsWeek       DigestKind = "visits-week"        // the week's visits
	DigestGreetings        DigestKind = "greetings"          // festivals, anniversaries, birthdays (Days ahead)
	DigestFrequency        DigestKind = "frequency"          // accounts due or below their visit frequency
	DigestDeadlines        DigestKind = "deadlines"          // visit-plan and relationship-plan deadlines
)

// Sections of a supervisor's department (DigestSection.Department).
const (
	DigestToApprove      DigestKind = "to-approve"      // ad-hoc visits, visit plans, relationship plans
	DigestLateReports    DigestKind = "late-reports"    // the department's late visit reports
	DigestLateFollowUps  DigestKind = "late-follow-ups" // the department's overdue callbacks
	DigestPlansMissing   DigestKind = "plans-missing"   // managers without an approved plan this month
	DigestBelowFrequency DigestKind = "below-frequency" // accounts below their visit frequency
)

var digestKinds = map[DigestKind]struct {
	title      Text
	overdue    bool // the section lists overdue work (shown red, counted as overdue)
	today      bool // the section lists today's work
	supervisor bool
}{
	DigestReportsOverdue:   {Text{"逾期的拜访报告", "Visit reports overdue"}, true, false, false},
	DigestFollowUpsOverdue: {Text{"逾期的回访", "Follow-ups overdue"}, true, false, false},
	DigestActionsOverdue:   {Text{"逾期的承诺事项", "Promised actions overdue"}, true, false, false},
	DigestVisitsToday:      {Text{"今日拜访", "Today's visits"}, false, true, false},
	DigestFollowUpsToday:   {Text{"今日到期的回访", "Follow-ups due today"}, false, true, false},
	DigestReportsDue:       {Text{"待提交的拜访报告", "Visit reports due"}, false, false, false},
	DigestActionsDue:       {Text{"本周到期的承诺事项", "Promised actions due this week"}, false, false, false},
	DigestVisitsWeek:       {Text{"本周拜访", "Visits this week"}, false, false, false},
	DigestGreetings:        {Text{"未来 %d 天的问候", "Greetings in the next %d days"}, false, false, false},
	DigestFrequency:        {Text{"拜访频次不足的客户", "Accounts below their visit frequency"}, false, false, false},
	DigestDeadlines:        {Text{"计划截止日期", "Plan deadlines"}, false, false, false},
	DigestToApprove:        {Text{"待您审批", "Waiting for your approval"}, false, true, true},
	DigestLateReports:      {Text{"逾期的拜访报告", "Late visit reports"}, true, false, true},
	DigestLateFollowUps:    {Text{"逾期的回访", "Overdue follow-ups"}, true, false, true},
	DigestPlansMissing:     {Text{"未提交的拜访计划", "Visit plans not submitted"}, true, false, true},
	DigestBelowFrequency:   {Text{"低于拜访频次的客户", "Accounts below their visit frequency"}, false, false, true},
}

// DigestKinds lists every section kind, in the order a digest shows them.
var DigestKinds = []DigestKind{DigestReportsOverdue, DigestFollowUpsOverdue, DigestActionsOverdue, DigestVisitsToday, DigestFollowUpsToday,
	DigestReportsDue, DigestActionsDue, DigestVisitsWeek, DigestGreetings, DigestFrequency, DigestDeadlines,
	DigestToApprove, DigestLateReports, DigestLateFollowUps, DigestPlansMissing, DigestBelowFrequency}

// DigestItem is one entry of a section: what it is about (usually the
// account), what is due and when, and its link.
type DigestItem struct {
	Title  string // the account, or what the item is: 上海精工机械有限公司
	Detail string // what is due, in words: 关系维护 · 联系人生日：王伟
	Who    string // whose it is, on a supervisor's lists: the manager's name
	// Date is a date-only item's day (YYYY-MM-DD: a visit, a report's or a
	// promised action's due day), shown with its weekday; DateLabel says
	// what the date is ("报告截止" / "report due"), empty for a visit's day.
	Date      string
	DateLabel string
	// Due is a deadline with a time (a complaint's closing callback), shown
	// with its zone; one at midnight in the zone shows as its day.
	Due     time.Time
	Overdue bool   // past due: red, with how late
	URL     string // the item: an http(s) link; a route is shown as text
}

// DigestSection is a titled list of a digest.
type DigestSection struct {
	Kind       DigestKind
	Department string // a supervisor's section: the department's name
	Days       int    // DigestGreetings: how many days ahead
	Items      []DigestItem
	More       int    // items left out of a long list
	MoreURL    string // where the whole list is
}

// Title is the section's heading in lang, with its department's name on a
// supervisor's section: the digest and the console's My day say the same.
func (s DigestSection) Title(lang string) string {
	title := digestKinds[s.Kind].title.In(lang)
	if strings.Contains(title, "%d") {
		title = fmt.Sprintf(title, s.Days)
	}
	if dept := oneLine(s.Department); dept != "" {
		title += " — " + dept
	}
	return title
}

// Late says the section lists overdue work (shown red, counted as overdue).
func (s DigestSection) Late() bool { return digestKinds[s.Kind].overdue }

// VisitDigest is the daily reminder email of one person: a manager's own
// items and, for a supervisor, their department's, in one message. Its
// kind is "supervisor-digest" when it holds only a supervisor's sections,
// else "visit-digest".
type VisitDigest struct {
	At       time.Time // when the run made it: its day heads it, its time says "as of"
	Sections []DigestSection
	Calendar bool // today's visits are attached as an .ics file
}

// Kind is "visit-digest", or "supervisor-digest" for a supervisor's lists alone.
func (d VisitDigest) Kind() string {
	for _, s := range d.Sections {
		if !digestKinds[s.Kind].supervisor {
			return "visit-digest"
		}
	}
	if len(d.Sections) == 0 {
		return "visit-digest"
	}
	return "supervisor-digest"
}

var weekdays = map[string][7]string{
	"zh": {"周日", "周一", "周二", "周三", "周四", "周五", "周六"},
	"en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
}

// dayOf is a date with its weekday: "11月26日（周四）" / "Thu 26 Nov"; with
// the year when it is not this one.
func (e *env) dayOf(t time.Time) string {
	now := e.Now.In(e.Zone)
	if e.zh() {
		f := "1月2日"
		if t.Year() != now.Year() {
			f = "2006年1月2日"
		}
		return t.Format(f) + "（" + weekdays["zh"][t.Weekday()] + "）"
	}
	f := "2 Jan"
	if t.Year() != now.Year() {
		f = "2 Jan 2006"
	}
	return weekdays["en"][t.Weekday()] + " " + t.Format(f)
}

// daysLate says how a date-only deadline stands today: "已逾期 3 天",
// "今天到期", "明天到期" / "3 days overdue", "due today", "due tomorrow".
func (e *env) daysLate(date time.Time) string {
	n := e.Now.In(e.Zone)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	d := int(today.Sub(time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case d > 0:
		return e.s(fmt.Sprintf("已逾期 %d 天", d), fmt.Sprintf("%d %s overdue", d, plural(d, "day", "days")))
	case d == 0:
		return e.s("今天到期", "due today")
	case d == -1:
		return e.s("明天到期", "due tomorrow")
	}
	return e.s(fmt.Sprintf("还有 %d 天", -d), fmt.Sprintf("in %d days", -d))
}

// when is the item's date or time as shown, and how late it is.
func (it DigestItem) when(e *env) (string, string) {
	switch {
	case it.Date != "":
		d, err := time.Parse(time.DateOnly, it.Date)
		if err != nil {
			return it.Date, ""
		}
		shown := e.dayOf(d)
		if it.DateLabel != "" {
			shown = oneLine(it.DateLabel) + e.s(" ", " ") + shown
		}
		if it.Overdue || it.DateLabel != "" {
			return shown, e.daysLate(d)
		}
		return shown, ""
	case !it.Due.IsZero():
		local := it.Due.In(e.Zone)
		if local.Hour() == 0 && local.Minute() == 0 {
			d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
			return e.s("截止 ", "due ") + e.dayOf(d), e.daysLate(d)
		}
		late := ""
		if it.Overdue || it.Due.Sub(e.Now) < 48*time.Hour {
			late = e.late(it.Due)
		}
		shown := e.when(it.Due)
		if n := e.Now.In(e.Zone); local.YearDay() == n.YearDay() && local.Year() == n.Year() {
			shown = e.s("今天 ", "today ") + strings.TrimPrefix(shown, local.Format(e.s("2006年1月2日 ", "2 Jan 2006, ")))
		}
		return e.s("截止 ", "due ") + shown, late
	}
	return "", ""
}

func (d VisitDigest) compose(e *env) (*doc, error) {
	if d.At.IsZero() {
		return nil, errors.New("no date")
	}
	if len(d.Sections) == 0 {
		return nil, errors.New("nothing to remind of")
	}
	e.Now = d.At
	var overdue, today, visits, approve int
	var blocks []block
	for _, k := range DigestKinds {
		for _, s := range d.Sections {
			if s.Kind != k || len(s.Items) == 0 {
				continue
			}
			meta, ok := digestKinds[s.Kind]
			if !ok {
				return nil, fmt.Errorf("unknown digest section %q", s.Kind)
			}
			n := len(s.Items) + s.More
			switch {
			case meta.overdue:
				overdue += n
			case meta.today:
				today += n
			default:
				for _, it := range s.Items { // a plan overdue among the deadlines, an account below its frequency
					if it.Overdue {
						overdue++
					}
				}
			}
			switch s.Kind {
			case DigestVisitsToday:
				visits += n
			case DigestToApprove:
				approve += n
			}
			title := s.Title(e.lang)
			l := &list{Title: title + e.s("（"+fmt.Sprint(n)+"）", " ("+fmt.Sprint(n)+")"), Urgent: meta.overdue}
			for _, it := range s.Items {
				l.Items = append(l.Items, listItemOf(e, it))
			}
			if s.More > 0 {
				more := listItem{Title: fmt.Sprintf(e.s("……另有 %d 项", "… and %d more"), s.More), URL: s.MoreURL}
				more.link()
				l.Items = append(l.Items, more)
			}
			blocks = append(blocks, block{List: l})
		}
	}
	if len(blocks) == 0 {
		return nil, errors.New("nothing to remind of")
	}
	day := e.dayOf(d.At.In(e.Zone))
	due := today - visits - approve
	var counts []string
	var summary []fact
	add := func(n int, label Text, zh, en string, alert bool) {
		if n > 0 {
			v := e.s(fmt.Sprintf(zh, n), fmt.Sprintf(en, n, plural(n, "", "s")))
			counts = append(counts, e.s(label.ZH+" "+v, v+" "+label.EN))
			summary = append(summary, fact{Label: label.In(e.lang), Value: v, Alert: alert, Strong: !alert})
		}
	}
	add(overdue, Text{"逾期", "overdue"}, "%d 项", "%d item%s", true)
	add(visits, Text{"今日拜访", "today"}, "%d 个", "%d visit%s", false)
	add(due, Text{"今日到期", "due today"}, "%d 项", "%d item%s", false)
	add(approve, Text{"待您审批", "to approve"}, "%d 项", "%d item%s", false)
	if !e.zh() {
		for i := range summary { // "Overdue: 3 items"
			summary[i].Label = capitalize(summary[i].Label)
		}
	}
	m := &doc{Urgent: overdue > 0}
	m.Tag = e.s("每日提醒", "Daily reminder")
	if d.Kind() == "supervisor-digest" {
		m.Tag = e.s("部门每日提醒", "Your department today")
	}
	m.Subject = e.s("【每日提醒】"+day, "[Daily reminder] "+day)
	if len(counts) > 0 {
		m.Subject += e.s("：", ": ") + strings.Join(counts, e.s("，", ", "))
	}
	m.Heading = e.s(day+"的待办", "Your day, "+day)
	m.Preheader = strings.Join(counts, e.s("，", ", "))
	m.facts(summary...)
	m.small(e.s("截至 "+e.when(d.At)+"。逾期事项以红色标出；点击名称查看详情。", "As of "+e.when(d.At)+". Overdue work is marked red; tap a name to open it."))
	m.Blocks = append(m.Blocks, blocks...)
	if d.Calendar {
		m.small(e.s("今日拜访已附日历文件（.ics），可导入手机日历。", "Today's visits are attached as a calendar file (.ics) for your phone's calendar."))
	}
	m.small(e.s("非工作日不发送提醒；到期事项会在下一个工作日的提醒中列出。", "No reminders go out on non-working days; what falls due meanwhile is in the next working day's email."))
	return m, nil
}

func listItemOf(e *env, it DigestItem) listItem {
	li := listItem{Title: oneLine(it.Title), URL: strings.TrimSpace(it.URL), Alert: it.Overdue}
	var detail []string
	if s := oneLine(it.Detail); s != "" {
		detail = append(detail, s)
	}
	if s := oneLine(it.Who); s != "" {
		detail = append(detail, s)
	}
	li.Detail = strings.Join(detail, " · ")
	li.When, li.Late = it.when(e)
	if li.When != "" && li.Late != "" {
		li.When += e.s("，", ", ")
	}
	if !e.zh() { // the line begins with it: "Report due Thu 19 Nov"
		if li.When != "" {
			li.When = capitalize(li.When)
		} else {
			li.Late = capitalize(li.Late)
		}
	}
	li.link()
	return li
}

// HandoverList is the list of accounts a handover moved, for the manager
// who hands them over and the one who takes them ("handover-list").
type HandoverList struct {
	From, To     string    // the two managers' names
	Reason       string    // as the supervisor wrote it
	At           time.Time // when the handover started
	Accounts     []HandoverAccount
	CallbackDays int  // the new manager calls every customer back within this many days
	ForNew       bool // the list is for the new manager (else for the one who handed over)
}

// HandoverAccount is an account on a handover list.
type HandoverAccount struct {
	Name    string
	Contact string // the primary contact, as told of the new manager
	URL     string // the account's file
}

// Kind of the list.
func (HandoverList) Kind() string { return "handover-list" }

func (d HandoverList) compose(e *env) (*doc, error) {
	switch {
	case strings.TrimSpace(d.From) == "" || strings.TrimSpace(d.To) == "":
		return nil, errors.New("no managers")
	case len(d.Accounts) == 0:
		return nil, errors.New("no accounts")
	case d.At.IsZero():
		return nil, errors.New("no time")
	}
	from, to, n := oneLine(d.From), oneLine(d.To), len(d.Accounts)
	m := &doc{}
	m.Tag = e.s("客户交接", "Handover")
	due := d.At.Add(time.Duration(d.CallbackDays) * 24 * time.Hour)
	accounts := fmt.Sprintf("%d %s", n, plural(n, "account", "accounts"))
	if d.ForNew {
		m.Heading = e.s(fmt.Sprintf("您接手了%s的 %d 个客户", from, n), "You now manage "+accounts+" from "+from)
		m.Preheader = e.s("请在 "+e.when(due)+"前回访每一位客户。", "Call every customer back by "+e.when(due)+".")
		m.para(e.s(from+"的客户已交接给您，客户的联系人已收到通知。这些客户进行中的拜访和回访已转到您名下。",
			from+"'s accounts are yours now, and their contacts have been told. Their open visits and follow-ups are yours too."))
		if d.CallbackDays > 0 {
			m.para(fmt.Sprintf(e.s("请在 %d 天内回访每一位客户，回访任务已在您的回访列表中。", "Please call every customer back within %d days: the callbacks are in your follow-ups."), d.CallbackDays))
		}
	} else {
		m.Heading = e.s(fmt.Sprintf("您的 %d 个客户已交接给%s", n, to), "Your "+accounts+" went to "+to)
		m.Preheader = m.Heading
		m.para(e.s("以下客户已由"+to+"负责，客户的联系人已收到通知。您已不能再查看这些客户的档案和投诉；如有需要交代的事项，请直接联系"+to+"。",
			to+" now looks after these accounts, and their contacts have been told. You no longer see their files and complaints; if there is anything to hand on, please tell "+to+" directly."))
	}
	m.Subject = e.s("【客户交接】", "[Handover] ") + m.Heading
	m.facts(
		fact{Label: e.s("原客户经理", "Handed over by"), Value: from},
		fact{Label: e.s("接手客户经理", "Taken over by"), Value: to, Strong: true},
		fact{Label: e.s("交接时间", "Handed over"), Value: e.when(d.At)},
		fact{Label: e.s("回访期限", "Callbacks due"), Value: func() string {
			if d.CallbackDays <= 0 {
				return ""
			}
			return e.when(due)
		}()},
	)
	m.quote(e.s("交接原因", "Reason"), d.Reason)
	l := &list{Title: e.s(fmt.Sprintf("交接的客户（%d）", n), fmt.Sprintf("Accounts handed over (%d)", n))}
	for _, a := range d.Accounts {
		li := listItem{Title: oneLine(a.Name), URL: strings.TrimSpace(a.URL)}
		if c := oneLine(a.Contact); c != "" {
			li.Detail = e.s("联系人：", "Contact: ") + c
		}
		li.link()
		l.Items = append(l.Items, li)
	}
	m.Blocks = append(m.Blocks, block{List: l})
	return m, nil
}

// list is a titled list of linked items (digests, handover lists).
type list struct {
	Title  string
	Urgent bool // overdue work: the title is red
	Items  []listItem
}

type listItem struct {
	Title  string
	Detail string
	When   string      // the item's date or time
	Late   string      // how late it is (kept on one line)
	Alert  bool        // the When line is red
	URL    string      // as given
	Href   htmltpl.URL // URL once checked (http(s) only)
	Route  string      // a URL that is only a route: shown as text
}

// link checks the item's URL: an http(s) link becomes its href, a route
// is shown as text.
func (li *listItem) link() {
	switch {
	case li.URL == "":
	case absolute(li.URL):
		li.Href = htmltpl.URL(li.URL)
	case strings.HasPrefix(li.URL, "/") && !strings.ContainsAny(li.URL, " \r\n\t"):
		li.Route = li.URL
	}
}
