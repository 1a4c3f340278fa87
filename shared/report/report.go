// Package report computes the monthly quality report (每月服务质量报告) and
// the complaint statistics table (投诉统计表): from one month's items read
// through indexes, for a manager, a department or the company; keeps each
// as an immutable snapshot with its hash; mails them on the 1st
// (MonthlyReportFunction, run.go) and serves them on demand as JSON, HTML,
// CSV and XLSX. It also records the figures reports need that nothing else
// keeps: contracts (renewals) and monthly business volume.
package report

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/staff"
)

// Complaints reads one month's complaints.
type Complaints interface {
	// ReceivedIn reads the complaints received in month (YYYY-MM).
	ReceivedIn(ctx context.Context, month string) ([]domain.Complaint, error)
	// DoneIn reads those closed or rejected in month, received before
	// receivedBefore (zero: all).
	DoneIn(ctx context.Context, month string, receivedBefore time.Time) ([]domain.Complaint, error)
	// OpenNow reads the complaints open now.
	OpenNow(ctx context.Context) ([]domain.Complaint, error)
}

// Surveys reads one month's invitations and answers.
type Surveys interface {
	InvitationsBetween(ctx context.Context, from, to time.Time) ([]domain.Invitation, error)
	ResponsesIn(ctx context.Context, month string) ([]domain.SurveyResponse, error)
}

// Accounts keeps contracts and business volume.
type Accounts interface {
	// Add stores a contract with its audit entry, marking the one it renews
	// (a domain.ValidationError when that is unknown, domain.ErrConflict
	// when it was renewed already).
	Add(ctx context.Context, k *domain.ContractRecord, audit domain.AuditEntry) error
	// Ending reads the contracts ending from..to (YYYY-MM-DD, inclusive).
	Ending(ctx context.Context, from, to string) ([]domain.ContractRecord, error)
	// PutVolume stores or corrects a month's volume with its audit entry.
	PutVolume(ctx context.Context, v *domain.Volume, audit domain.AuditEntry) error
	// VolumeIn reads every account's volume of month.
	VolumeIn(ctx context.Context, month string) ([]domain.Volume, error)
}

// Snapshots keeps the reports as computed once.
type Snapshots interface {
	// Snapshot reads one (domain.ErrNotFound when there is none).
	Snapshot(ctx context.Context, month, scope string) (*domain.Snapshot, error)
	// Snapshots reads every scope's of a month.
	Snapshots(ctx context.Context, month string) ([]domain.Snapshot, error)
	// PutSnapshot keeps s and its trend point unless one exists (false).
	PutSnapshot(ctx context.Context, s domain.Snapshot, body []byte) (bool, error)
	// Trend reads a scope's trend points of months from..to.
	Trend(ctx context.Context, scope, from, to string) ([]domain.TrendPoint, error)
	// Kept lists a scope's kept snapshots (month, hash, time), newest
	// first: at most limit of the months before before ("" for the newest).
	Kept(ctx context.Context, scope, before string, limit int) ([]domain.KeptReport, error)
	// PutComplaintCounts keeps a month's complaints per account, once.
	PutComplaintCounts(ctx context.Context, month string, counts map[string]int) error
	// ComplaintCounts reads the kept counts of months (missing months absent).
	ComplaintCounts(ctx context.Context, months []string) (map[string]map[string]int, error)
}

// Files checks that a member of staff may see a key-account file (the
// rule of the file: customer.Service.Visible).
type Files interface {
	Visible(ctx context.Context, p domain.Principal, id string) (*domain.Customer, error)
}

// AuditLog is the access record (查阅登记).
type AuditLog interface {
	Put(ctx context.Context, e domain.AuditEntry) error
	PutAll(ctx context.Context, entries []domain.AuditEntry) error
}

// Settings gives the settings in force.
type Settings interface {
	Current(ctx context.Context) (domain.Settings, error)
}

// Directory tells who receives which report.
type Directory interface {
	Directory(ctx context.Context) (*staff.Directory, error)
}

// Service is the report capability.
type Service struct {
	Complaints Complaints
	Surveys    Surveys
	Accounts   Accounts
	Snapshots  Snapshots
	Visits     Visits // visit.Service; nil: not recorded
	Files      Files
	Audit      AuditLog
	Settings   Settings
	Directory  Directory
	Notifier   mail.Notifier
	Fallback   []string // ReportRecipients: the company report's addresses while the directory names no executive
	Now        func() time.Time
	NewID      func() string // contract ids
}

func (s *Service) entry(ctx context.Context, p domain.Principal, entity, id, action string) domain.AuditEntry {
	return domain.AuditEntry{Entity: entity, EntityID: id, Action: action, Actor: p.Sub, Role: p.Primary(), At: s.Now().UTC(), RequestID: domain.RequestID(ctx)}
}

// AddContract records a contract of account id for p, who must be allowed
// to see the file (domain.ForbiddenError, domain.ErrNotFound); the input
// is validated (domain.ValidationError); renewing an unknown contract is a
// domain.ValidationError, one renewed already domain.ErrConflict. It is on
// the account's access record.
func (s *Service) AddContract(ctx context.Context, p domain.Principal, id string, in domain.ContractInput) (*domain.ContractRecord, error) {
	c, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	k, err := domain.NewContract(in, s.NewID(), c, p, s.Now())
	if err != nil {
		return nil, err
	}
	audit := s.entry(ctx, p, "customer", c.ID, domain.ActionContract)
	audit.Changes = []string{"contract." + k.ID}
	if k.Renews != "" {
		audit.Changes = append(audit.Changes, "renews."+k.Renews)
	}
	if err := s.Accounts.Add(ctx, k, audit); err != nil {
		return nil, err
	}
	return k, nil
}

// SetVolume records (or corrects) account id's business volume of month
// for p, under the file's rule (domain.ForbiddenError, domain.ErrNotFound);
// a future month or a bad amount is a domain.ValidationError. It is on the
// account's access record.
func (s *Service) SetVolume(ctx context.Context, p domain.Principal, id, month string, in domain.VolumeInput) (*domain.Volume, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Files.Visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v, err := domain.NewVolume(in, month, c, p, s.Now(), set.Location())
	if err != nil {
		return nil, err
	}
	audit := s.entry(ctx, p, "customer", c.ID, domain.ActionVolume)
	audit.Changes = []string{"volume." + v.Month}
	if err := s.Accounts.PutVolume(ctx, v, audit); err != nil {
		return nil, err
	}
	return v, nil
}

// View is a report as read: the snapshot (for a month that has ended, the
// one kept, computed on first reading if the run had not) or the figures so
// far of the month in progress (Kept false).
type View struct {
	domain.Snapshot
	Kept bool `json:"kept"`
}

// Read formats of the access record.
const (
	ReadJSON = "read"
	ReadHTML = "read-html"
	ReadCSV  = "export-csv"
	ReadXLSX = "export-xlsx"
)

// Monthly returns the report of month (YYYY-MM) and scope ("" for p's own)
// for p: domain.ValidationError for a bad month or scope or a month not
// begun, domain.ForbiddenError for another's scope. The read, and how it
// was read (format), is on the access record.
func (s *Service) Monthly(ctx context.Context, p domain.Principal, month, scope, format string) (View, error) {
	sc, m, err := scopeMonth(p, scope, month)
	if err != nil {
		return View{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return View{}, err
	}
	v, err := s.view(ctx, m, sc, set)
	if err != nil {
		return View{}, err
	}
	if err := s.Audit.PutAll(ctx, s.readEntries(ctx, p, v.Report, format)); err != nil {
		return View{}, err
	}
	return v, nil
}

// readEntries are the access-record entries of p reading report r as
// format: one in the report's trail, and one in the trail of each account
// and complaint it names (domain.Report.Shown), as a listing records each
// file it shows.
func (s *Service) readEntries(ctx context.Context, p domain.Principal, r domain.Report, format string) []domain.AuditEntry {
	key := r.Month + "/" + r.Scope
	customers, complaints := r.Shown()
	entries := make([]domain.AuditEntry, 0, len(customers)+len(complaints)+1)
	for _, id := range customers {
		e := s.entry(ctx, p, "customer", id, domain.ActionInReport)
		e.Reason = "report " + key + " " + format
		entries = append(entries, e)
	}
	for _, n := range complaints {
		e := s.entry(ctx, p, "complaint", n, domain.ActionInReport)
		e.Reason = "report " + key + " " + format
		entries = append(entries, e)
	}
	return append(entries, s.entry(ctx, p, "report", key, format))
}

var errNotBegun = &domain.ValidationError{Fields: map[string]string{"month": "this month has not begun 该月份尚未开始"}}

// view is the snapshot of a month that has ended (kept now if it was not),
// or the live figures of the month in progress.
func (s *Service) view(ctx context.Context, m domain.Month, sc domain.ReportScope, set domain.Settings) (View, error) {
	now := s.Now()
	loc := set.Location()
	cur := domain.MonthOf(now, loc)
	switch {
	case cur.Before(m):
		return View{}, errNotBegun
	case m == cur:
		in, err := s.load(ctx, m, now, set)
		if err != nil {
			return View{}, err
		}
		hist, err := s.history(ctx, sc, m)
		if err != nil {
			return View{}, err
		}
		snap, _, err := domain.NewSnapshot(domain.ComputeReport(in, sc, hist, domain.BasisOf(set)), now)
		return View{Snapshot: snap}, err
	}
	got, err := s.Snapshots.Snapshot(ctx, m.String(), sc.String())
	if err == nil {
		return View{Snapshot: *got, Kept: true}, nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		return View{}, err
	}
	in, err := s.load(ctx, m, m.End(loc), set)
	if err != nil {
		return View{}, err
	}
	snap, err := s.keep(ctx, in, sc, set)
	return View{Snapshot: snap, Kept: true}, err
}

// Verify recomputes the kept report of month and scope from the raw items,
// with the basis and the earlier months it was computed with, and says
// whether it still matches its hash (domain.ErrNotFound when none is kept).
// The check is on the access record.
func (s *Service) Verify(ctx context.Context, p domain.Principal, month, scope string) (domain.Verification, error) {
	sc, m, err := scopeMonth(p, scope, month)
	if err != nil {
		return domain.Verification{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return domain.Verification{}, err
	}
	snap, err := s.Snapshots.Snapshot(ctx, m.String(), sc.String())
	if err != nil {
		return domain.Verification{}, err
	}
	if err := s.Audit.Put(ctx, s.entry(ctx, p, "report", m.String()+"/"+sc.String(), "verify")); err != nil {
		return domain.Verification{}, err
	}
	r := snap.Report
	set.Targets, set.Reports, set.Survey.RemindAfterDays = r.Basis.Targets, r.Basis.Reports, r.Basis.RemindAfterDays
	if r.TimeZone != "" {
		set.TimeZone = r.TimeZone
	}
	in, err := s.load(ctx, m, r.AsOf, set)
	if err != nil {
		return domain.Verification{}, err
	}
	history := r.Trend
	if len(history) > 0 {
		history = history[:len(history)-1]
	}
	return domain.Compare(*snap, domain.ComputeReport(in, sc, history, r.Basis))
}

// KeptLimit is how many kept months Kept lists at a time.
const KeptLimit = 24

// Kept lists the months whose report of scope ("" for p's own) is kept,
// newest first — each month's hash and when its snapshot was made, not its
// figures: at most KeptLimit of the months before before (YYYY-MM; "" for
// the newest). A bad scope or month is a domain.ValidationError, a scope p
// may not read a domain.ForbiddenError (domain.ReportScopeFor, as
// Monthly). The listing is on the access record, in the scope's trail
// (entity report, id the scope).
func (s *Service) Kept(ctx context.Context, p domain.Principal, scope, before string) ([]domain.KeptReport, error) {
	sc, err := domain.ReportScopeFor(p, scope)
	if err != nil {
		return nil, err
	}
	if before != "" {
		m, err := domain.ParseMonth(before)
		if err != nil {
			return nil, &domain.ValidationError{Fields: map[string]string{"before": "must be YYYY-MM 格式为 YYYY-MM"}}
		}
		before = m.String()
	}
	kept, err := s.Snapshots.Kept(ctx, sc.String(), before, KeptLimit)
	if err != nil {
		return nil, err
	}
	e := s.entry(ctx, p, "report", sc.String(), domain.ActionList)
	e.Reason = fmt.Sprintf("kept months before=%s rows=%d", before, len(kept))
	if err := s.Audit.Put(ctx, e); err != nil {
		return nil, err
	}
	return kept, nil
}

// Summary returns the kept report of month and scope ("" for p's own) for
// a glance — its headline figures and its risk list, as executives' My day
// shows them — and never computes one: domain.ErrNotFound while the month
// has no snapshot (the monthly run has not kept it yet), a
// domain.ValidationError for a bad month or scope, a domain.ForbiddenError
// for a scope p may not read. It is one read (the snapshot) and one entry
// on the access record: under the reader, a listing naming the accounts
// of the risk list (as visit coverage records its rows), not one entry in
// each account's trail as a full report's read writes.
func (s *Service) Summary(ctx context.Context, p domain.Principal, month, scope string) (View, error) {
	sc, m, err := scopeMonth(p, scope, month)
	if err != nil {
		return View{}, err
	}
	snap, err := s.Snapshots.Snapshot(ctx, m.String(), sc.String())
	if err != nil {
		return View{}, err
	}
	e := s.entry(ctx, p, "customer-list", p.Sub, domain.ActionList)
	e.Reason = "report summary " + m.String() + "/" + sc.String()
	seen := map[string]bool{}
	for _, r := range snap.Report.Risk {
		if r.CustomerID != "" && !seen[r.CustomerID] {
			seen[r.CustomerID] = true
			e.Changes = append(e.Changes, "customer "+r.CustomerID)
		}
	}
	if err := s.Audit.Put(ctx, e); err != nil {
		return View{}, err
	}
	return View{Snapshot: *snap, Kept: true}, nil
}

// TableView is the complaint statistics table of a month with the hash of
// the company snapshot it belongs to ("" for the month in progress).
type TableView struct {
	domain.ComplaintTable
	Hash string `json:"hash,omitempty"`
}

// ComplaintTable returns the complaint statistics table (投诉统计表) of
// month for p (executives, supervisors, admins: domain.ForbiddenError
// otherwise): for a month that has ended, the one in the company snapshot.
// The read is on the access record.
func (s *Service) ComplaintTable(ctx context.Context, p domain.Principal, month, format string) (TableView, error) {
	if !domain.CanReadComplaintTable(p) {
		return TableView{}, domain.Forbidden("the complaint statistics table is for executives, supervisors and admins")
	}
	m, err := domain.ParseMonth(month)
	if err != nil {
		return TableView{}, err
	}
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return TableView{}, err
	}
	v, err := s.view(ctx, m, domain.CompanyScope, set)
	if err != nil {
		return TableView{}, err
	}
	if err := s.Audit.Put(ctx, s.entry(ctx, p, "complaint-table", m.String(), format)); err != nil {
		return TableView{}, err
	}
	out := TableView{ComplaintTable: *v.Report.Table}
	if v.Kept {
		out.Hash = v.Hash
	}
	return out, nil
}

// Compute computes the report of month m and scope sc from the store as
// the monthly run does — the month's items as they stood at its end (or
// now) and the scope's earlier trend points — keeping and recording
// nothing (the bench measures it).
func (s *Service) Compute(ctx context.Context, m domain.Month, sc domain.ReportScope) (domain.Report, error) {
	set, err := s.Settings.Current(ctx)
	if err != nil {
		return domain.Report{}, err
	}
	in, err := s.load(ctx, m, m.End(set.Location()), set)
	if err != nil {
		return domain.Report{}, err
	}
	hist, err := s.history(ctx, sc, m)
	if err != nil {
		return domain.Report{}, err
	}
	return domain.ComputeReport(in, sc, hist, domain.BasisOf(set)), nil
}

// history reads scope's trend points of the 11 months before m.
func (s *Service) history(ctx context.Context, sc domain.ReportScope, m domain.Month) ([]domain.TrendPoint, error) {
	return s.Snapshots.Trend(ctx, sc.String(), m.Add(-11).String(), m.Add(-1).String())
}

// keep computes the report of in's month for sc and keeps it; when one was
// kept meanwhile, that one is returned unchanged. The company's also keeps
// the month's complaints per account (repeat complainers of later months).
func (s *Service) keep(ctx context.Context, in *domain.MonthInput, sc domain.ReportScope, set domain.Settings) (domain.Snapshot, error) {
	hist, err := s.history(ctx, sc, in.Month)
	if err != nil {
		return domain.Snapshot{}, err
	}
	snap, body, err := domain.NewSnapshot(domain.ComputeReport(in, sc, hist, domain.BasisOf(set)), s.Now())
	if err != nil {
		return domain.Snapshot{}, err
	}
	if sc.Kind == domain.ScopeCompany {
		if err := s.Snapshots.PutComplaintCounts(ctx, in.Month.String(), complaintsPerAccount(in)); err != nil {
			return domain.Snapshot{}, err
		}
	}
	created, err := s.Snapshots.PutSnapshot(ctx, snap, body)
	if err != nil {
		return domain.Snapshot{}, err
	}
	if created {
		return snap, nil
	}
	got, err := s.Snapshots.Snapshot(ctx, snap.Month, snap.Scope)
	if err != nil {
		return domain.Snapshot{}, err
	}
	return *got, nil
}

func complaintsPerAccount(in *domain.MonthInput) map[string]int {
	out := map[string]int{}
	for _, c := range in.Received {
		if c.CustomerID != "" && c.ReceivedAt.Before(in.AsOf) {
			out[c.CustomerID]++
		}
	}
	return out
}

// load reads what the reports of month m are computed from, as it stood at
// asOf: only the month's partitions (complaints received and closed,
// invitations, answers, contracts ending, volume and the same month a year
// before), the complaints open now, those closed since asOf, and the kept
// per-account counts of the months before (a month never kept is counted
// from its partition).
func (s *Service) load(ctx context.Context, m domain.Month, asOf time.Time, set domain.Settings) (*domain.MonthInput, error) {
	loc := set.Location()
	start, end := m.Start(loc), m.End(loc)
	if asOf.After(end) {
		asOf = end
	}
	in := &domain.MonthInput{Month: m, Zone: set.TimeZone, AsOf: asOf, PriorComplaints: map[string]int{}}
	var err error
	fail := func(what string, e error) error { return fmt.Errorf("report: load %s %s: %w", m, what, e) }
	if in.Received, err = s.Complaints.ReceivedIn(ctx, m.String()); err != nil {
		return nil, fail("complaints", err)
	}
	if in.Done, err = s.Complaints.DoneIn(ctx, m.String(), time.Time{}); err != nil {
		return nil, fail("closed complaints", err)
	}
	open, err := s.Complaints.OpenNow(ctx)
	if err != nil {
		return nil, fail("open complaints", err)
	}
	for _, c := range open {
		if c.ReceivedAt.Before(asOf) {
			in.Open = append(in.Open, c)
		}
	}
	// Open at asOf but closed since: the closure months after it.
	for x := domain.MonthOf(asOf, loc); !domain.MonthOf(s.Now(), loc).Before(x); x = x.Add(1) {
		if x == m {
			continue // the month's own closures are in.Done
		}
		later, err := s.Complaints.DoneIn(ctx, x.String(), asOf)
		if err != nil {
			return nil, fail("complaints closed since", err)
		}
		in.Open = append(in.Open, later...)
	}
	rs := set.Reports
	if rs.RepeatMonths == 0 {
		rs = domain.DefaultReportSettings()
	}
	var prior []string
	for i := 1; i < rs.RepeatMonths; i++ {
		prior = append(prior, m.Add(-i).String())
	}
	kept, err := s.Snapshots.ComplaintCounts(ctx, prior)
	if err != nil {
		return nil, fail("complaint counts", err)
	}
	for _, pm := range prior {
		counts, ok := kept[pm]
		if !ok {
			got, err := s.Complaints.ReceivedIn(ctx, pm)
			if err != nil {
				return nil, fail("earlier complaints", err)
			}
			counts = map[string]int{}
			for _, c := range got {
				if c.CustomerID != "" {
					counts[c.CustomerID]++
				}
			}
		}
		for id, n := range counts {
			in.PriorComplaints[id] += n
		}
	}
	if in.Invitations, err = s.Surveys.InvitationsBetween(ctx, start, asOf); err != nil {
		return nil, fail("invitations", err)
	}
	if in.Responses, err = s.Surveys.ResponsesIn(ctx, m.String()); err != nil {
		return nil, fail("answers", err)
	}
	first, last := start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly)
	if in.Ending, err = s.Accounts.Ending(ctx, first, last); err != nil {
		return nil, fail("contracts", err)
	}
	from, to := asOf.In(loc).Format(time.DateOnly), asOf.In(loc).AddDate(0, 0, rs.RiskDays).Format(time.DateOnly)
	if in.Upcoming, err = s.Accounts.Ending(ctx, from, to); err != nil {
		return nil, fail("contracts ending soon", err)
	}
	if in.Volume, err = s.Accounts.VolumeIn(ctx, m.String()); err != nil {
		return nil, fail("volume", err)
	}
	if in.VolumeLastYear, err = s.Accounts.VolumeIn(ctx, m.Add(-12).String()); err != nil {
		return nil, fail("volume a year before", err)
	}
	visits := s.Visits
	if visits == nil {
		visits = NotRecorded{}
	}
	if in.Visits, err = visits.VisitMonth(ctx, m, loc, asOf); err != nil {
		return nil, fail("visits", err)
	}
	return in, nil
}

// scopesOf are the scopes a month's reports are kept for: the company, the
// departments with a supervisor in the directory or items in the month, and
// the managers in the directory or in the month's items.
func scopesOf(in *domain.MonthInput, dir *staff.Directory) []domain.ReportScope {
	depts, mgrs := map[string]bool{}, map[string]bool{}
	for _, d := range dir.Departments() {
		depts[d] = true
	}
	for _, r := range dir.Managers() {
		mgrs[r.ID] = true
	}
	add := func(m, d string) {
		if m != "" {
			mgrs[m] = true
		}
		if d != "" {
			depts[d] = true
		}
	}
	for _, list := range [][]domain.Complaint{in.Received, in.Done} {
		for _, c := range list {
			add(c.ManagerID, c.AccountDept)
		}
	}
	for _, x := range in.Invitations {
		add(x.ManagerID, x.Department)
	}
	for _, x := range in.Responses {
		add(x.ManagerID, x.Department)
	}
	for _, x := range in.Ending {
		add(x.ManagerID, x.Department)
	}
	for _, x := range in.Volume {
		add(x.ManagerID, x.Department)
	}
	out := []domain.ReportScope{domain.CompanyScope}
	for _, k := range slices.Sorted(maps.Keys(depts)) {
		out = append(out, domain.ReportScope{Kind: domain.ScopeDepartment, ID: k})
	}
	for _, k := range slices.Sorted(maps.Keys(mgrs)) {
		out = append(out, domain.ReportScope{Kind: domain.ScopeManager, ID: k})
	}
	return out
}

// scopeMonth is the scope ("" for p's own) and month a read names:
// domain.ValidationError for a bad one, domain.ForbiddenError for a scope p
// may not read.
func scopeMonth(p domain.Principal, scope, month string) (domain.ReportScope, domain.Month, error) {
	sc, err := domain.ReportScopeFor(p, scope)
	if err != nil {
		return domain.ReportScope{}, domain.Month{}, err
	}
	m, err := domain.ParseMonth(month)
	return sc, m, err
}
