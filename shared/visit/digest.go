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
// due and overdue, promised actions due this week or overdue, greetings of
// the next days, accounts below their visit frequency, plan and
// relationship-plan deadlines — and each supervisor their department's
// overdue items and what waits for their approval (ad-hoc visits, visit
// plans, relationship plans), merged into the same email for a person who
// is both. One email per person per day (notice
// "digest/<person>/<date>"), whatever reruns and retries. On a non-working
// day it sends nothing; the next working day's email shows what fell due
// meanwhile (overdue items stay until done).
//
// Its reads do not grow with history: every account once (pages of 1,000),
// one small item per account for its last visit, the open visits up to a
// week ahead, the open follow-ups due, two months' plans, the reviews due,
// the relationship plans submitted, the reported visits with a promised
// action due within the week, the replied complaints and the directory —
// never a Scan.

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
	RelPlans            []domain.RelationshipPlan    // submitted, waiting for the supervisor's approval
	Actions             []domain.Visit               // reported, with a promised action open due up to Week
	Now                 time.Time                    // when the run made it
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
	ag := &Agenda{Today: today, TodayStart: cal.DateAt(today), Loc: cal.Location(), Week: t.AddDate(0, 0, 7).Format(time.DateOnly), Accounts: map[string]*domain.Customer{}, Plans: map[string]*domain.VisitPlan{}, Now: now}
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
	if ag.RelPlans, err = s.Store.RelationshipPlansSubmitted(ctx); err != nil {
		return nil, err
	}
	if ag.Actions, err = s.Store.OpenActionsUntil(ctx, ag.Week); err != nil {
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
// supervisor's department's overdue items and what waits for them.
func (s *Service) compose(ag *Agenda, dir *staff.Directory, set domain.Settings) map[string]*personDigest {
	managers := map[string]bool{}
	for _, r := range dir.Managers() {
		managers[r.ID] = true
	}
	for _, a := range ag.Accounts {
		managers[a.ManagerID] = true
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
		secs, todays := s.managerSections(ag, m, r.Name, r.Language, set, s.BaseURL)
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
			add(key, r.Language, s.supervisorSections(ag, dept, r.Language, dir, set, s.BaseURL), nil)
		}
	}
	for key, d := range out {
		email := key
		if r, ok := dir.Person(key); ok {
			email = r.Email
		}
		m, err := mail.Compose(mail.Envelope{To: []string{email}, Lang: d.lang, Zone: ag.Loc, Now: ag.Now},
			mail.VisitDigest{At: ag.Now, Sections: d.sections, Calendar: len(d.ics) > 0})
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

// shortDate is a date as the digest's details say it: 11月17日 / 17 Nov.
func shortDate(date, lang string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return d.Format(tr(lang, "1月2日", "2 Jan"))
}

// monthLabel is a month (YYYY-MM) as people say it: 2027年1月 / January 2027.
func monthLabel(month, lang string) string {
	d, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return d.Format(tr(lang, "2006年1月", "January 2006"))
}

func visitDetail(v *domain.Visit, lang string) string {
	d := v.Purpose.Label(lang)
	if v.Status == domain.VisitProposed {
		d += tr(lang, "（待审批）", " (awaiting approval)")
	}
	return d
}

func (s *Service) managerSections(ag *Agenda, m, name, lang string, set domain.Settings, base string) ([]mail.DigestSection, []domain.Visit) {
	var today, week, due, overdue []mail.DigestItem
	var todays []domain.Visit
	for i := range ag.Visits {
		v := &ag.Visits[i]
		if v.ManagerID != m {
			continue
		}
		it := mail.DigestItem{Title: v.CustomerName, Detail: visitDetail(v, lang), Date: v.Date, URL: link(base, "/console/visits/"+v.ID)}
		switch {
		case v.Date == ag.Today && v.Status.Open():
			t := it // today: who goes, not the day
			t.Date = ""
			if len(v.Participants) > 0 {
				t.Detail += " · " + strings.Join(v.Participants, tr(lang, "、", ", "))
			}
			today = append(today, t)
			todays = append(todays, *v)
		case v.Date > ag.Today:
			week = append(week, it)
		}
		if v.Status == domain.VisitPlanned && v.Date <= ag.Today {
			it.Detail = v.Purpose.Label(lang) + tr(lang, " · "+shortDate(v.Date, lang)+"拜访", " · visited "+shortDate(v.Date, lang))
			it.DateLabel, it.Date = tr(lang, "报告截止", "report due"), v.ReportDue
			if v.ReportOverdue(ag.Today) {
				it.Overdue = true
				overdue = append(overdue, it)
			} else if v.Date < ag.Today || v.ReportDue == ag.Today {
				due = append(due, it)
			}
		}
	}
	var fToday, fOverdue []mail.DigestItem
	for _, f := range ag.FollowUps {
		if f.ManagerID != m || f.Kind == domain.FollowUpGreeting {
			continue
		}
		d := f.DueAt.In(set.Location()).Format(time.DateOnly)
		it := mail.DigestItem{Title: f.CustomerName, Detail: followUpDetail(&f, lang), Due: f.DueAt, URL: link(base, "/console/follow-ups?due=overdue")}
		if d < ag.Today {
			it.Overdue = true
			fOverdue = append(fOverdue, it)
		} else {
			it.URL = link(base, "/console/follow-ups?due=today")
			fToday = append(fToday, it)
		}
	}
	var aDue, aOverdue []mail.DigestItem
	for i := range ag.Actions {
		v := &ag.Actions[i]
		if v.ManagerID != m || v.Report == nil {
			continue
		}
		for _, a := range v.Report.Actions {
			if a.Done || a.Due > ag.Week {
				continue
			}
			it := mail.DigestItem{Title: v.CustomerName, Detail: tr(lang, "承诺：", "Promised: ") + a.Text, DateLabel: tr(lang, "期限", "due"), Date: a.Due,
				Overdue: a.Due < ag.Today, URL: link(base, "/console/visits/"+v.ID)}
			if a.Owner != "" && a.Owner != m && a.Owner != name { // someone else promised it
				it.Who = tr(lang, "负责人：", "owner: ") + a.Owner
			}
			if it.Overdue {
				aOverdue = append(aOverdue, it)
			} else {
				aDue = append(aDue, it)
			}
		}
	}
	var greet []mail.DigestItem
	mine := 0
	for _, a := range ag.Accounts {
		if a.ManagerID == m && a.Status == domain.StatusActive {
			mine++
		}
	}
	if mine > 0 {
		for _, f := range ag.Festivals {
			greet = append(greet, mail.DigestItem{Title: domain.FestivalLabel(f.Key, lang), Date: f.Date,
				Detail: fmt.Sprintf(tr(lang, "向您的 %d 个客户致以节日问候", "greet your %d accounts"), mine)})
		}
	}
	for _, g := range ag.Greetings {
		if a := ag.Accounts[g.CustomerID]; a == nil || a.ManagerID != m {
			continue
		}
		var text string
		switch g.Kind {
		case "birthday":
			text = tr(lang, "联系人生日：", "contact's birthday: ") + g.ContactName
		case "cooperation":
			text = fmt.Sprintf(tr(lang, "合作 %d 周年", "%d years of cooperation"), g.Years)
		default:
			text = fmt.Sprintf(tr(lang, "%s %d 周年", "%s, %d years"), g.Label, g.Years)
		}
		greet = append(greet, mail.DigestItem{Title: g.CustomerName, Detail: text, Date: g.Date, URL: link(base, "/console/accounts/"+g.CustomerID)})
	}
	var freq []mail.DigestItem
	for _, al := range ag.Alerts {
		if al.ManagerID != m {
			continue
		}
		text := fmt.Sprintf(tr(lang, "%s · 上次拜访 %s，须于 %s 前拜访", "%s · last visit %s; visit by %s"), al.Tier.Label(lang), lastVisit(al.LastVisit, lang), shortDate(al.NeedBy, lang))
		if al.Below {
			text += tr(lang, "（已低于拜访频次）", " (below its visit frequency)")
		}
		freq = append(freq, mail.DigestItem{Title: al.CustomerName, Detail: text, Overdue: al.Below, URL: link(base, "/console/coverage?period="+quarter(ag.Today))})
	}
	var deadlines []mail.DigestItem
	if next := ag.Plans[domain.PlanID(ag.NextMon, m)]; (next == nil || next.Status == domain.PlanReturned) && ag.Today >= ag.NextRemind && mine > 0 {
		text := tr(lang, "请提交下月拜访计划", "Submit next month's visit plan")
		if next != nil {
			text = tr(lang, "已退回，请修改后重新提交", "Returned: edit it and submit it again")
		}
		deadlines = append(deadlines, mail.DigestItem{Title: fmt.Sprintf(tr(lang, "%s 拜访计划", "%s visit plan"), ag.NextMon), Detail: text,
			DateLabel: tr(lang, "截止", "due"), Date: ag.NextDue, URL: link(base, "/console/plans?month="+ag.NextMon)})
	}
	if cur := ag.Plans[domain.PlanID(ag.ThisMonth, m)]; (cur == nil || cur.Status == domain.PlanReturned) && mine > 0 {
		deadlines = append(deadlines, mail.DigestItem{Title: fmt.Sprintf(tr(lang, "%s 拜访计划", "%s visit plan"), ag.ThisMonth),
			Detail: tr(lang, "尚未提交或未获批准（已逾期）", "This visit plan is overdue: not submitted or not approved yet"), Overdue: true,
			URL: link(base, "/console/plans?month="+ag.ThisMonth)})
	}
	for _, r := range ag.Reviews {
		if a := ag.Accounts[r.CustomerID]; a == nil || a.ManagerID != m {
			continue
		}
		deadlines = append(deadlines, mail.DigestItem{Title: r.CustomerName, Detail: tr(lang, "复核客户关系发展计划", "Review the relationship plan"),
			DateLabel: tr(lang, "截止", "due"), Date: r.ReviewBy, Overdue: r.ReviewOverdue(ag.Today), URL: link(base, "/console/accounts/"+r.CustomerID+"#relationship-plan")})
	}
	var secs []mail.DigestSection
	sec := func(k mail.DigestKind, items []mail.DigestItem, more string) {
		if len(items) > 0 {
			secs = append(secs, capped(mail.DigestSection{Kind: k, Items: items, MoreURL: more, Days: set.Visits.GreetingLeadDays}))
		}
	}
	sec(mail.DigestReportsOverdue, overdue, link(base, "/console/visits?status=overdue"))
	sec(mail.DigestFollowUpsOverdue, fOverdue, link(base, "/console/follow-ups?due=overdue"))
	sec(mail.DigestActionsOverdue, aOverdue, "")
	sec(mail.DigestVisitsToday, today, "")
	sec(mail.DigestFollowUpsToday, fToday, link(base, "/console/follow-ups?due=today"))
	sec(mail.DigestReportsDue, due, "")
	sec(mail.DigestActionsDue, aDue, "")
	sec(mail.DigestVisitsWeek, week, "")
	sec(mail.DigestGreetings, greet, "")
	sec(mail.DigestFrequency, freq, link(base, "/console/coverage?period="+quarter(ag.Today)))
	sec(mail.DigestDeadlines, deadlines, "")
	return secs, todays
}

func (s *Service) supervisorSections(ag *Agenda, dept, lang string, dir *staff.Directory, set domain.Settings, base string) []mail.DigestSection {
	deptOf := func(customerID string) string {
		if a := ag.Accounts[customerID]; a != nil {
			return a.Department
		}
		return ""
	}
	var late, pending, fOver, plans, below []mail.DigestItem
	for i := range ag.Visits {
		v := &ag.Visits[i]
		if v.Department != dept {
			continue
		}
		if v.ReportOverdue(ag.Today) {
			late = append(late, mail.DigestItem{Title: v.CustomerName, Detail: v.Purpose.Label(lang) + tr(lang, " · "+shortDate(v.Date, lang)+"拜访", " · visited "+shortDate(v.Date, lang)),
				Who: dir.Name(v.ManagerID), DateLabel: tr(lang, "报告截止", "report due"), Date: v.ReportDue, Overdue: true, URL: link(base, "/console/visits/"+v.ID)})
		}
		if v.Status == domain.VisitProposed {
			pending = append(pending, mail.DigestItem{Title: v.CustomerName, Detail: tr(lang, "临时拜访：", "Ad-hoc visit: ") + v.Purpose.Label(lang),
				Who: dir.Name(v.ManagerID), Date: v.Date, URL: link(base, "/console/visits/"+v.ID)})
		}
	}
	for _, f := range ag.FollowUps {
		d := f.Department
		if d == "" {
			d = deptOf(f.CustomerID)
		}
		if d != dept || f.Kind == domain.FollowUpGreeting || !f.DueAt.Before(ag.TodayStart) {
			continue
		}
		fOver = append(fOver, mail.DigestItem{Title: f.CustomerName, Detail: followUpDetail(&f, lang), Who: dir.Name(f.ManagerID), Due: f.DueAt, Overdue: true,
			URL: link(base, "/console/follow-ups?manager="+f.ManagerID+"&due=overdue")})
	}
	deptManagers := map[string]bool{}
	for _, a := range ag.Accounts {
		if a.Department == dept && a.Status == domain.StatusActive {
			deptManagers[a.ManagerID] = true
		}
	}
	for m := range deptManagers {
		if p := ag.Plans[domain.PlanID(ag.ThisMonth, m)]; p == nil || p.Status == domain.PlanReturned {
			plans = append(plans, mail.DigestItem{Title: dir.Name(m), Detail: fmt.Sprintf(tr(lang, "尚无获批的%s拜访计划", "No approved visit plan for %s"), monthLabel(ag.ThisMonth, lang)),
				Overdue: true, URL: link(base, "/console/plans?manager="+m+"&month="+ag.ThisMonth)})
		}
	}
	for _, p := range ag.Plans {
		if p.Department == dept && p.Status == domain.PlanSubmitted {
			pending = append(pending, mail.DigestItem{Title: fmt.Sprintf(tr(lang, "%s 拜访计划", "%s visit plan"), p.Month),
				Detail: fmt.Sprintf(tr(lang, "%d 次拜访", "%d %s"), len(p.Items), plural(len(p.Items), "visit", "visits", lang)), Who: dir.Name(p.ManagerID),
				URL: link(base, "/console/plans/"+p.ID)})
		}
	}
	for _, r := range ag.RelPlans {
		if r.Department != dept || r.Status != domain.PlanSubmitted {
			continue
		}
		pending = append(pending, mail.DigestItem{Title: r.CustomerName, Detail: fmt.Sprintf(tr(lang, "客户关系发展计划（复核日期 %s）", "Relationship plan (review by %s)"), shortDate(r.ReviewBy, lang)),
			Who: dir.Name(r.ManagerID), URL: link(base, "/console/accounts/"+r.CustomerID+"#relationship-plan")})
	}
	for _, al := range ag.Alerts {
		if al.Department == dept && al.Below {
			below = append(below, mail.DigestItem{Title: al.CustomerName, Detail: fmt.Sprintf(tr(lang, "%s · 上次拜访 %s", "%s · last visit %s"), al.Tier.Label(lang), lastVisit(al.LastVisit, lang)),
				Who: dir.Name(al.ManagerID), URL: link(base, "/console/coverage?period="+quarter(ag.Today))})
		}
	}
	name := set.DepartmentName(dept, lang)
	var secs []mail.DigestSection
	sec := func(k mail.DigestKind, items []mail.DigestItem) {
		if len(items) > 0 {
			secs = append(secs, capped(mail.DigestSection{Kind: k, Department: name, Items: items}))
		}
	}
	sec(mail.DigestLateReports, late)
	sec(mail.DigestLateFollowUps, fOver)
	sec(mail.DigestPlansMissing, plans)
	sec(mail.DigestBelowFrequency, below)
	sec(mail.DigestToApprove, pending)
	return secs
}

// MaxDigestLines bounds a section, so that a digest stays far below the
// mail queue's 256 KiB; the section says how many more there are.
const MaxDigestLines = 60

// capped sorts a section's items by their day (undated last), then name,
// and keeps the first MaxDigestLines.
func capped(sec mail.DigestSection) mail.DigestSection {
	at := func(it mail.DigestItem) string {
		switch {
		case it.Date != "":
			return it.Date
		case !it.Due.IsZero():
			return it.Due.UTC().Format(time.RFC3339)
		}
		return "~"
	}
	sort.SliceStable(sec.Items, func(i, j int) bool {
		a, b := sec.Items[i], sec.Items[j]
		if at(a) != at(b) {
			return at(a) < at(b)
		}
		return a.Title+a.Detail < b.Title+b.Detail
	})
	if len(sec.Items) > MaxDigestLines {
		sec.More = len(sec.Items) - MaxDigestLines
		sec.Items = sec.Items[:MaxDigestLines:MaxDigestLines]
	}
	return sec
}

func plural(n int, one, many, lang string) string {
	if n == 1 || lang != "en" {
		return one
	}
	return many
}

func lastVisit(d, lang string) string {
	if d == "" {
		return tr(lang, "从未", "never")
	}
	return shortDate(d, lang)
}

// followUpDetail says what a callback is for: its kind, and the complaint
// of a closing callback.
func followUpDetail(f *domain.FollowUp, lang string) string {
	d := followUpLabel(f.Kind, lang)
	if f.ComplaintNumber != "" {
		d += tr(lang, " · 投诉 ", " · complaint ") + f.ComplaintNumber
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
