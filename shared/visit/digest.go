package visit

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// The daily reminder email (VisitRemindersFunction, 08:00 company time).
// On a working day each manager with anything due gets one email — today's
// visits (with an .ics), this week's, reports due and overdue, follow-ups
// due and overdue, greetings of the next days, accounts below their visit
// frequency, plan and relationship-plan deadlines — and each supervisor
// their department's overdue items, merged into the same email for a
// person who is both. One email per person per day (notice
// "digest/<person>/<date>"), whatever reruns and retries. On a non-working
// day it sends nothing; the next working day's email shows what fell due
// meanwhile (overdue items stay until done).
//
// Its reads do not grow with history: every account once (pages of 1,000),
// one small item per account for its last visit, the open visits up to a
// week ahead, the open follow-ups due, two months' plans, the reviews due,
// the replied complaints and the directory — never a Scan.

// Agenda is what the daily run found due, across the company.
type Agenda struct {
	Today, Week         string
	TodayStart          time.Time // 00:00 today in the company zone
	Loc                 *time.Location
	Accounts            map[string]*domain.Customer
	Visits              []domain.Visit    // open, dated up to Week
	FollowUps           []domain.FollowUp // open, due up to today (and replied complaints' callbacks)
	Greetings           []domain.Greeting // from Today to Today+lead
	Festivals           []domain.Festival
	Alerts              []domain.FrequencyAlert
	ThisMonth, NextMon  string
	Plans               map[string]*domain.VisitPlan // by month-manager id
	NextDue, NextRemind string                       // next month's plan deadline and reminder start
	Reviews             []domain.RelationshipPlan    // due within the lead days, or overdue
}

// Reminders is VisitRemindersFunction: the daily digests.
func (s *Service) Reminders(ctx context.Context) error {
	set, cal, err := s.settings(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	if !cal.IsWorkingDay(now) {
		slog.InfoContext(ctx, "visit reminders: not a working day, nothing sent", "date", cal.Today(now))
		return nil
	}
	if now.In(cal.Location()).Hour() < set.Visits.DigestHour {
		slog.InfoContext(ctx, "visit reminders: before the digest hour, nothing sent")
		return nil
	}
	if err := s.ResumeHandovers(ctx); err != nil {
		slog.ErrorContext(ctx, "visit reminders: a handover could not be resumed", "err", err.Error())
	}
	ag, err := s.Agenda(ctx, set, cal, now)
	if err != nil {
		return err
	}
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		return err
	}
	sent, people := 0, s.compose(ag, dir, set)
	keys := make([]string, 0, len(people))
	for k := range people {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := people[k]
		ok, err := s.Notifier.SendOnce(ctx, "digest/"+k+"/"+ag.Today, now, d.msg)
		if err != nil {
			return err
		}
		if ok {
			sent++
		}
	}
	slog.InfoContext(ctx, "visit reminders", "date", ag.Today, "digests", len(people), "sent", sent)
	return nil
}

// Agenda reads what is due on now's working day.
func (s *Service) Agenda(ctx context.Context, set domain.Settings, cal domain.SLA, now time.Time) (*Agenda, error) {
	return s.agenda(ctx, set, cal, now, nil)
}

// agenda reads what is due on now's day: the company's (scope nil: the
// daily run, which also makes the greeting tasks), or the accounts scope
// selects (one person's day in the console: it only reads).
func (s *Service) agenda(ctx context.Context, set domain.Settings, cal domain.SLA, now time.Time, scope *domain.CustomerQuery) (*Agenda, error) {
	vs := set.Visits
	today := cal.Today(now)
	t, _ := time.Parse(time.DateOnly, today)
	ag := &Agenda{Today: today, TodayStart: cal.DateAt(today), Loc: cal.Location(), Week: t.AddDate(0, 0, 7).Format(time.DateOnly), Accounts: map[string]*domain.Customer{}, Plans: map[string]*domain.VisitPlan{}}
	var accounts []domain.Customer
	var err error
	if scope == nil {
		accounts, err = s.Store.Accounts(ctx)
	} else {
		accounts, err = s.accountsOf(ctx, *scope)
	}
	if err != nil {
		return nil, err
	}
	last, err := s.Store.LastVisits(ctx)
	if err != nil {
		return nil, err
	}
	greetTo := t.AddDate(0, 0, vs.GreetingLeadDays).Format(time.DateOnly)
	for i := range accounts {
		a := &accounts[i]
		ag.Accounts[a.ID] = a
		if a.Status != domain.StatusActive {
			continue
		}
		if al := domain.FrequencyAlertFor(a, last[a.ID], today, vs); al != nil {
			ag.Alerts = append(ag.Alerts, *al)
		}
		for _, g := range domain.GreetingsFor(a, today, greetTo) {
			ag.Greetings = append(ag.Greetings, g)
			if scope != nil {
				continue // the daily run makes the tasks
			}
			task := g.Task(a, cal, now)
			if _, err := s.FollowUps.Create(ctx, &task); err != nil {
				return nil, err
			}
		}
	}
	ag.Festivals = domain.FestivalsBetween(today, greetTo)
	if ag.Visits, err = s.Store.OpenVisitsUntil(ctx, ag.Week); err != nil {
		return nil, err
	}
	tomorrow := cal.DateAt(t.AddDate(0, 0, 1).Format(time.DateOnly))
	if ag.FollowUps, err = s.FollowUps.OpenDueBefore(ctx, tomorrow); err != nil {
		return nil, err
	}
	var known map[string]*domain.Customer // the daily run reads each replied complaint's account
	if scope != nil {
		known = ag.Accounts
	}
	callbacks, err := s.complaintCallbacks(ctx, nil, known)
	if err != nil {
		return nil, err
	}
	ag.FollowUps = append(ag.FollowUps, callbacks...)
	ag.ThisMonth, ag.NextMon = today[:7], domain.NextMonth(today[:7])
	ag.NextDue, ag.NextRemind = domain.PlanDeadline(ag.NextMon, cal, vs)
	for _, m := range []string{ag.ThisMonth, ag.NextMon} {
		plans, err := s.Store.PlansOfMonth(ctx, m)
		if err != nil {
			return nil, err
		}
		for i := range plans {
			ag.Plans[plans[i].ID] = &plans[i]
		}
	}
	if ag.Reviews, err = s.Store.ReviewsDueBy(ctx, t.AddDate(0, 0, vs.ReminderLeadDays).Format(time.DateOnly)); err != nil {
		return nil, err
	}
	return ag, nil
}

type personDigest struct {
	lang     string
	sections []mail.DigestSection
	ics      []domain.Visit
	msg      mail.Message
}

func tr(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// compose builds each person's email: a manager's own items, a
// supervisor's department's overdue items.
func (s *Service) compose(ag *Agenda, dir *staff.Directory, set domain.Settings) map[string]*personDigest {
	managers := map[string]bool{}
	for _, r := range dir.Managers() {
		managers[r.ID] = true
	}
	for _, a := range ag.Accounts {
		managers[a.ManagerID] = true
	}
	deptOf := func(managerID, customerID string) string {
		if a := ag.Accounts[customerID]; a != nil {
			return a.Department
		}
		return ""
	}
	out := map[string]*personDigest{}
	add := func(key, lang string, secs []mail.DigestSection, todays []domain.Visit) {
		if len(secs) == 0 {
			return
		}
		d := out[key]
		if d == nil {
			d = &personDigest{lang: lang}
			out[key] = d
		}
		d.sections = append(d.sections, secs...)
		d.ics = append(d.ics, todays...)
	}
	for m := range managers {
		r, ok := dir.Person(m)
		if !ok || m == "" {
			continue // no address, or inactive: no mail
		}
		secs, todays := s.managerSections(ag, m, r.Language, set, s.BaseURL)
		add(m, r.Language, secs, todays)
	}
	depts := map[string]bool{}
	for _, a := range ag.Accounts {
		depts[a.Department] = true
	}
	for dept := range depts {
		for _, r := range dir.Supervisors(dept) { // the department's, else every supervisor, else SupervisorEmails
			key := r.ID
			if key == "" {
				key = strings.ToLower(r.Email)
			}
			add(key, r.Language, s.supervisorSections(ag, dept, r.Language, deptOf, s.BaseURL), nil)
		}
	}
	for key, d := range out {
		r, ok := dir.Person(key)
		name, email := key, key
		if ok {
			name, email = r.Name, r.Email
		}
		subject := tr(d.lang, "每日提醒 "+ag.Today, "Your reminders for "+ag.Today)
		intro := tr(d.lang, "以下是今天需要您关注的事项：", "Here is what needs you today:")
		m, err := mail.RenderDigest("visit-digest", d.lang, []string{email}, subject, mail.DigestMail{Greeting: greeting(name, d.lang), Intro: intro, Sections: d.sections,
			Outro: tr(d.lang, "非工作日不发送提醒；到期事项会在下一个工作日的提醒中列出。", "No reminders go out on non-working days; what falls due meanwhile is in the next working day's email.")})
		if err != nil {
			slog.Error("visit reminders: digest not rendered", "err", err.Error())
			delete(out, key)
			continue
		}
		if len(d.ics) > 0 {
			m.Attachments = []mail.Attachment{{Filename: "visits-" + ag.Today + ".ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: s.ICS(d.ics, d.lang)}}
		}
		d.msg = m
	}
	return out
}

// managerSections are manager m's items; links are base + the item's
// console page ("/" for the console's own paths).
func (s *Service) managerSections(ag *Agenda, m, lang string, set domain.Settings, base string) ([]mail.DigestSection, []domain.Visit) {
	var today, week, due, overdue []mail.DigestLine
	var todays []domain.Visit
	for _, v := range ag.Visits {
		if v.ManagerID != m {
			continue
		}
		l := mail.DigestLine{Text: v.Date + " " + v.CustomerName + " — " + v.Purpose.Label(lang), Link: link(base, "/console/visits/"+v.ID)}
		if v.Status == domain.VisitProposed {
			l.Text += tr(lang, "（待审批）", " (awaiting approval)")
		}
		switch {
		case v.Date == ag.Today && v.Status.Open():
			today = append(today, l)
			todays = append(todays, v)
		case v.Date > ag.Today:
			week = append(week, l)
		}
		if v.Status == domain.VisitPlanned && v.Date <= ag.Today {
			l.Text = v.Date + " " + v.CustomerName + tr(lang, " 报告截止 ", " report due ") + v.ReportDue
			if v.ReportOverdue(ag.Today) {
				overdue = append(overdue, l)
			} else if v.Date < ag.Today || v.ReportDue == ag.Today {
				due = append(due, l)
			}
		}
	}
	var fToday, fOverdue []mail.DigestLine
	for _, f := range ag.FollowUps {
		if f.ManagerID != m || f.Kind == domain.FollowUpGreeting {
			continue
		}
		d := f.DueAt.In(set.Location()).Format(time.DateOnly)
		l := mail.DigestLine{Text: d + " " + f.CustomerName + " — " + followUpLabel(f.Kind, lang) + ": " + f.Reason, Link: link(base, "/console/follow-ups?due=overdue")}
		if d < ag.Today {
			fOverdue = append(fOverdue, l)
		} else {
			l.Link = link(base, "/console/follow-ups?due=today")
			fToday = append(fToday, l)
		}
	}
	var greet []mail.DigestLine
	mine := 0
	for _, a := range ag.Accounts {
		if a.ManagerID == m && a.Status == domain.StatusActive {
			mine++
		}
	}
	if mine > 0 {
		for _, f := range ag.Festivals {
			greet = append(greet, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s %s：向您的 %d 个客户致以节日问候", "%s %s: greet your %d accounts"), f.Date, domain.FestivalLabel(f.Key, lang), mine)})
		}
	}
	for _, g := range ag.Greetings {
		if a := ag.Accounts[g.CustomerID]; a == nil || a.ManagerID != m {
			continue
		}
		text := g.Date + " " + g.CustomerName + " — "
		switch g.Kind {
		case "birthday":
			text += tr(lang, "联系人生日：", "contact's birthday: ") + g.ContactName
		case "cooperation":
			text += fmt.Sprintf(tr(lang, "合作 %d 周年", "%d years of cooperation"), g.Years)
		default:
			text += fmt.Sprintf(tr(lang, "%s %d 周年", "%s, %d years"), g.Label, g.Years)
		}
		greet = append(greet, mail.DigestLine{Text: text, Link: link(base, "/console/accounts/"+g.CustomerID)})
	}
	var freq []mail.DigestLine
	for _, al := range ag.Alerts {
		if al.ManagerID != m {
			continue
		}
		last := al.LastVisit
		if last == "" {
			last = tr(lang, "从未", "never")
		}
		text := fmt.Sprintf(tr(lang, "%s（%s）上次拜访 %s，须于 %s 前拜访", "%s (%s): last visit %s, visit by %s"), al.CustomerName, al.Tier.Label(lang), last, al.NeedBy)
		if al.Below {
			text += tr(lang, " — 已低于拜访频次", " — below its visit frequency")
		}
		freq = append(freq, mail.DigestLine{Text: text, Link: link(base, "/console/coverage?period="+quarter(ag.Today))})
	}
	var deadlines []mail.DigestLine
	if next := ag.Plans[domain.PlanID(ag.NextMon, m)]; (next == nil || next.Status == domain.PlanReturned) && ag.Today >= ag.NextRemind && mine > 0 {
		text := fmt.Sprintf(tr(lang, "%s 拜访计划须于 %s 前提交", "Your %s visit plan is due by %s"), ag.NextMon, ag.NextDue)
		if next != nil {
			text += tr(lang, "（已退回，请修改后重新提交）", " (returned: edit and submit it again)")
		}
		deadlines = append(deadlines, mail.DigestLine{Text: text, Link: link(base, "/console/plans?month="+ag.NextMon)})
	}
	if cur := ag.Plans[domain.PlanID(ag.ThisMonth, m)]; (cur == nil || cur.Status == domain.PlanReturned) && mine > 0 {
		deadlines = append(deadlines, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s 拜访计划尚未提交或未获批准（已逾期）", "Your %s visit plan is overdue"), ag.ThisMonth),
			Link: link(base, "/console/plans?month="+ag.ThisMonth)})
	}
	for _, r := range ag.Reviews {
		if a := ag.Accounts[r.CustomerID]; a == nil || a.ManagerID != m {
			continue
		}
		text := fmt.Sprintf(tr(lang, "%s 的客户关系发展计划须于 %s 前复核", "%s: review the relationship plan by %s"), r.CustomerName, r.ReviewBy)
		if r.ReviewOverdue(ag.Today) {
			text += tr(lang, "（已逾期）", " (overdue)")
		}
		deadlines = append(deadlines, mail.DigestLine{Text: text, Link: link(base, "/console/accounts/"+r.CustomerID+"#relationship-plan")})
	}
	var secs []mail.DigestSection
	sec := func(zh, en string, lines []mail.DigestLine) {
		if len(lines) > 0 {
			secs = append(secs, mail.DigestSection{Title: tr(lang, zh, en), Lines: capped(lines, lang)})
		}
	}
	sec("今日拜访", "Today's visits", today)
	sec("本周拜访", "Visits this week", week)
	sec("待提交的拜访报告", "Visit reports due", due)
	sec("逾期的拜访报告", "Visit reports overdue", overdue)
	sec("今日到期的回访", "Follow-ups due today", fToday)
	sec("逾期的回访", "Follow-ups overdue", fOverdue)
	greetTitleZh := fmt.Sprintf("未来 %d 天的问候", set.Visits.GreetingLeadDays)
	greetTitleEn := fmt.Sprintf("Greetings in the next %d days", set.Visits.GreetingLeadDays)
	sec(greetTitleZh, greetTitleEn, greet)
	sec("拜访频次不足的客户", "Accounts below their visit frequency", freq)
	sec("计划截止日期", "Plan deadlines", deadlines)
	return secs, todays
}

// supervisorSections are department dept's overdue items and what waits
// for its supervisor; links as for managerSections.
func (s *Service) supervisorSections(ag *Agenda, dept, lang string, deptOf func(m, c string) string, base string) []mail.DigestSection {
	var late, pending, fOver, plans, below []mail.DigestLine
	for _, v := range ag.Visits {
		if v.Department != dept {
			continue
		}
		if v.ReportOverdue(ag.Today) {
			late = append(late, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s %s（%s）报告截止 %s", "%s %s (%s) report was due %s"), v.Date, v.CustomerName, v.ManagerID, v.ReportDue),
				Link: link(base, "/console/visits/"+v.ID)})
		}
		if v.Status == domain.VisitProposed {
			pending = append(pending, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "临时拜访待审批：%s %s（%s）", "Ad-hoc visit to approve: %s %s (%s)"), v.Date, v.CustomerName, v.ManagerID),
				Link: link(base, "/console/visits/"+v.ID)})
		}
	}
	for _, f := range ag.FollowUps {
		d := f.Department
		if d == "" {
			d = deptOf(f.ManagerID, f.CustomerID)
		}
		if d != dept || f.Kind == domain.FollowUpGreeting || !f.DueAt.Before(ag.TodayStart) {
			continue
		}
		fOver = append(fOver, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s %s（%s）：%s", "%s %s (%s): %s"), f.DueAt.In(ag.Loc).Format(time.DateOnly), f.CustomerName, f.ManagerID, followUpLabel(f.Kind, lang)),
			Link: link(base, "/console/follow-ups?manager="+f.ManagerID+"&due=overdue")})
	}
	deptManagers := map[string]bool{}
	for _, a := range ag.Accounts {
		if a.Department == dept && a.Status == domain.StatusActive {
			deptManagers[a.ManagerID] = true
		}
	}
	for m := range deptManagers {
		if p := ag.Plans[domain.PlanID(ag.ThisMonth, m)]; p == nil || p.Status == domain.PlanReturned {
			plans = append(plans, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s 未提交 %s 拜访计划", "%s has no approved %s visit plan"), m, ag.ThisMonth),
				Link: link(base, "/console/plans?manager="+m+"&month="+ag.ThisMonth)})
		}
	}
	for _, p := range ag.Plans {
		if p.Department == dept && p.Status == domain.PlanSubmitted {
			pending = append(pending, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s 的 %s 拜访计划待审核", "%s's %s visit plan to review"), p.ManagerID, p.Month),
				Link: link(base, "/console/plans/"+p.ID)})
		}
	}
	for _, al := range ag.Alerts {
		if al.Department == dept && al.Below {
			below = append(below, mail.DigestLine{Text: fmt.Sprintf(tr(lang, "%s（%s，%s）上次拜访 %s", "%s (%s, %s): last visit %s"), al.CustomerName, al.Tier.Label(lang), al.ManagerID, orNever(al.LastVisit, lang)),
				Link: link(base, "/console/coverage?period="+quarter(ag.Today))})
		}
	}
	var secs []mail.DigestSection
	sec := func(zh, en string, lines []mail.DigestLine) {
		if len(lines) > 0 {
			secs = append(secs, mail.DigestSection{Title: tr(lang, zh, en) + " — " + dept, Lines: capped(lines, lang)})
		}
	}
	sec("逾期的拜访报告", "Late visit reports", late)
	sec("逾期的回访", "Overdue follow-ups", fOver)
	sec("未提交的拜访计划", "Visit plans not submitted", plans)
	sec("低于拜访频次的客户", "Accounts below their visit frequency", below)
	sec("待您审批", "Waiting for your approval", pending)
	return secs
}

// MaxDigestLines bounds a section, so that a digest stays far below the
// mail queue's 256 KiB; the last line says how many more there are.
const MaxDigestLines = 60

func capped(lines []mail.DigestLine, lang string) []mail.DigestLine {
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Text < lines[j].Text })
	if len(lines) <= MaxDigestLines {
		return lines
	}
	more := len(lines) - MaxDigestLines
	return append(lines[:MaxDigestLines:MaxDigestLines], mail.DigestLine{Text: fmt.Sprintf(tr(lang, "……另有 %d 项", "… and %d more"), more)})
}

func orNever(d, lang string) string {
	if d == "" {
		return tr(lang, "从未", "never")
	}
	return d
}

func quarter(date string) string {
	m := int(date[5]-'0')*10 + int(date[6]-'0')
	return date[:4] + "-Q" + string(rune('1'+(m-1)/3))
}

func followUpLabel(k domain.FollowUpKind, lang string) string {
	zh := map[domain.FollowUpKind]string{domain.FollowUpPoorAnswer: "满意度偏低回访", domain.FollowUpPurchase: "购买后回访", domain.FollowUpContract: "签约后回访",
		domain.FollowUpEvent: "活动后回访", domain.FollowUpHandover: "交接回访", domain.FollowUpComplaint: "投诉结案回访", domain.FollowUpGreeting: "问候"}
	en := map[domain.FollowUpKind]string{domain.FollowUpPoorAnswer: "poor survey answer", domain.FollowUpPurchase: "after purchase", domain.FollowUpContract: "after contract",
		domain.FollowUpEvent: "after event", domain.FollowUpHandover: "after handover", domain.FollowUpComplaint: "complaint closing callback", domain.FollowUpGreeting: "greeting"}
	if lang == "en" {
		return en[k]
	}
	return zh[k]
}

// ICS is an iCalendar file (RFC 5545) of visits, one all-day event each.
func (s *Service) ICS(visits []domain.Visit, lang string) []byte {
	cal := ics.NewCalendarFor("keycare")
	cal.SetMethod(ics.MethodPublish)
	now := s.Now().UTC()
	for _, v := range visits {
		d, err := time.Parse(time.DateOnly, v.Date)
		if err != nil {
			continue
		}
		ev := cal.AddEvent(v.ID + "@keycare")
		ev.SetDtStampTime(now)
		ev.SetAllDayStartAt(d)
		ev.SetAllDayEndAt(d.AddDate(0, 0, 1))
		ev.SetSummary(tr(lang, "拜访 ", "Visit: ") + v.CustomerName + " — " + v.Purpose.Label(lang))
		desc := v.Note
		if u := link(s.BaseURL, "/console/visits/"+v.ID); u != "" {
			ev.SetURL(u)
			desc = strings.TrimSpace(desc + "\n" + u)
		}
		if len(v.Participants) > 0 {
			desc = strings.TrimSpace(desc + "\n" + strings.Join(v.Participants, ", "))
		}
		if desc != "" {
			ev.SetDescription(desc)
		}
	}
	return []byte(cal.Serialize())
}
