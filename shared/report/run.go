package report

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// RunResult counts what a monthly run did.
type RunResult struct {
	Month       string
	Backfilled  []string // earlier months kept now for the trend (no mail)
	Kept        int      // snapshots kept by this run (the others existed)
	Sent        int      // reports queued
	AlreadySent int      // reports a previous run had sent
}

// Handle is MonthlyReportFunction: the run of the 1st at 08:00 company time.
func (s *Service) Handle(ctx context.Context) error {
	_, err := s.Run(ctx)
	return err
}

// Run reports the month just ended: it keeps a snapshot of every scope
// (the company, each department, each manager), computed once — a snapshot
// kept by an earlier run is used as it is, never recomputed — and mails
// each manager their own report, each department's supervisors theirs
// with the ranking of its managers, and the executives (else
// ReportRecipients) the company report with the complaint statistics
// table. Each report goes to each person once (mail.Notifier: a rerun or a
// retry sends nothing twice). Earlier months of the trend that were never
// kept (a new deployment) are kept first, without mail.
func (s *Service) Run(ctx context.Context) (RunResult, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return RunResult{}, err
	}
	dir, err := s.Directory.Directory(ctx)
	if err != nil {
		return RunResult{}, err
	}
	loc := set.Location()
	now := s.Now()
	m := domain.MonthOf(now, loc).Add(-1)
	res := RunResult{Month: m.String()}

	// The trend's earlier months, oldest first, so each can use the one before.
	points, err := s.Snapshots.Trend(ctx, domain.CompanyScope.String(), m.Add(-11).String(), m.Add(-1).String())
	if err != nil {
		return res, err
	}
	have := map[string]bool{}
	for _, p := range points {
		have[p.Month] = true
	}
	for i := 11; i >= 1; i-- {
		mm := m.Add(-i)
		if have[mm.String()] {
			continue
		}
		_, kept, empty, err := s.keepMonth(ctx, mm, set, dir, true)
		if err != nil {
			return res, err
		}
		if !empty {
			res.Backfilled = append(res.Backfilled, mm.String())
			res.Kept += kept
		}
	}

	snaps, kept, _, err := s.keepMonth(ctx, m, set, dir, false)
	if err != nil {
		return res, err
	}
	res.Kept += kept
	send := func(scope string, to staff.Recipient, withTable bool) error {
		snap, ok := snaps[scope]
		if !ok {
			return fmt.Errorf("report: no snapshot of %s %s", m, scope)
		}
		who := to.ID
		if who == "" {
			who = strings.ToLower(to.Email)
		}
		msg, err := Email(snap, EmailOptions{Lang: to.Language, To: []string{to.Email}, Names: dir.Name, WithTable: withTable})
		if err != nil {
			return err
		}
		sent, err := s.Notifier.SendOnce(ctx, "report/"+m.String()+"/"+scope+"/"+who, now, msg)
		if err != nil {
			return err
		}
		if sent {
			res.Sent++
		} else {
			res.AlreadySent++
		}
		return nil
	}
	for _, r := range dir.Managers() {
		if err := send(domain.ReportScope{Kind: domain.ScopeManager, ID: r.ID}.String(), r, false); err != nil {
			return res, err
		}
	}
	for _, d := range dir.Departments() {
		for _, r := range dir.Supervisors(d) {
			if err := send(domain.ReportScope{Kind: domain.ScopeDepartment, ID: d}.String(), r, false); err != nil {
				return res, err
			}
		}
	}
	for _, r := range s.executives(dir) {
		if err := send(domain.CompanyScope.String(), r, true); err != nil {
			return res, err
		}
	}
	slog.InfoContext(ctx, "monthly report run", "month", res.Month, "backfilled", len(res.Backfilled), "kept", res.Kept, "sent", res.Sent, "alreadySent", res.AlreadySent)
	return res, nil
}

// executives receive the company report: the executives of the directory,
// else the ReportRecipients addresses, else the ExecutiveEmails fallback.
func (s *Service) executives(dir *staff.Directory) []staff.Recipient {
	var named []staff.Recipient
	for _, r := range dir.Executives() {
		if r.ID != "" {
			named = append(named, r)
		}
	}
	if len(named) > 0 {
		return named
	}
	if len(s.Fallback) > 0 {
		out := make([]staff.Recipient, 0, len(s.Fallback))
		for _, a := range s.Fallback {
			out = append(out, staff.Recipient{Email: a, Language: "zh"})
		}
		return out
	}
	return dir.Executives()
}

// keepMonth keeps the snapshots of month m that do not exist yet, for the
// company, the departments and the managers (directory and month's items),
// and returns every snapshot of the month by scope. It reads the month
// only when a scope is missing. With skipEmpty, a month with nothing in it
// is not kept (a backfill before the first data).
func (s *Service) keepMonth(ctx context.Context, m domain.Month, set domain.Settings, dir *staff.Directory, skipEmpty bool) (snaps map[string]domain.Snapshot, kept int, empty bool, err error) {
	existing, err := s.Snapshots.Snapshots(ctx, m.String())
	if err != nil {
		return nil, 0, false, err
	}
	snaps = map[string]domain.Snapshot{}
	for _, sn := range existing {
		snaps[sn.Scope] = sn
	}
	has := func(sc domain.ReportScope) bool { _, ok := snaps[sc.String()]; return ok }
	missing := !has(domain.CompanyScope)
	for _, d := range dir.Departments() {
		missing = missing || !has(domain.ReportScope{Kind: domain.ScopeDepartment, ID: d})
	}
	for _, r := range dir.Managers() {
		missing = missing || !has(domain.ReportScope{Kind: domain.ScopeManager, ID: r.ID})
	}
	if !missing {
		return snaps, 0, false, nil
	}
	in, err := s.load(ctx, m, m.End(set.Location()), set)
	if err != nil {
		return nil, 0, false, err
	}
	if skipEmpty && !has(domain.CompanyScope) {
		if r := domain.ComputeReport(in, domain.CompanyScope, nil, domain.BasisOf(set)); r.Quiet() && len(r.Risk) == 0 {
			return snaps, 0, true, nil
		}
	}
	for _, sc := range scopesOf(in, dir) {
		if has(sc) {
			continue
		}
		snap, err := s.keep(ctx, in, sc, set)
		if err != nil {
			return nil, kept, false, err
		}
		snaps[sc.String()] = snap
		kept++
	}
	return snaps, kept, false, nil
}

// Email options of one recipient.
type EmailOptions struct {
	Lang      string
	To        []string
	Names     func(id string) string // staff names for ids
	WithTable bool                   // attach the complaint statistics table as XLSX (executives)
}

// Email renders a kept report as the monthly email: HTML with the figures
// and the trend chart inline (cid:trend), a text part, the figures as CSV
// and, WithTable, the complaint statistics table as XLSX. A month with
// nothing in it is one line.
func Email(snap domain.Snapshot, o EmailOptions) (mail.Message, error) {
	lang := o.Lang
	if lang != "en" {
		lang = "zh"
	}
	names := o.Names
	if names == nil {
		names = func(id string) string { return id }
	}
	r := snap.Report
	subject := subjectOf(r, lang, names)
	msg := mail.Message{ID: mail.NewID("report"), Kind: "monthly-report", Lang: lang, To: o.To, Subject: subject}
	if r.Empty {
		line := emptyLine(r, lang, names)
		h, err := renderPage(pageData{Lang: lang, Title: subject, Empty: line, Email: true, Footer: mailFooter(lang)})
		if err != nil {
			return msg, err
		}
		msg.HTML, msg.Text = h, subject+"\n\n"+line+"\n\n-- \n"+mailFooter(lang)+"\n"
		return msg, msg.Validate()
	}
	png, err := TrendPNG(r)
	if err != nil {
		return msg, err
	}
	d := newPageData(snap, lang, names)
	d.forEmail(lang)
	d.Email, d.Footer, d.WithTable = true, mailFooter(lang), o.WithTable && r.Table != nil
	h, err := renderPage(d)
	if err != nil {
		return msg, err
	}
	msg.HTML, msg.Text = h, Text(snap, lang, names)
	base := "keycare-" + r.Month + "-" + strings.ReplaceAll(r.Scope, ":", "-")
	msg.Attachments = []mail.Attachment{
		{Filename: "trend.png", ContentType: "image/png", Data: png, ContentID: "trend"},
		{Filename: base + ".csv", ContentType: "text/csv", Data: CSV(r, lang, names)},
	}
	if d.WithTable {
		x, err := TableXLSX(*r.Table, lang)
		if err != nil {
			return msg, err
		}
		msg.Attachments = append(msg.Attachments, mail.Attachment{Filename: "complaints-" + r.Month + ".xlsx",
			ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: x})
	}
	return msg, msg.Validate()
}

func mailFooter(lang string) string {
	if lang == "en" {
		return "Customer Service Centre. This is an automatic message; please do not reply to it."
	}
	return "客户服务中心。本邮件由系统自动发送，请勿直接回复。"
}
