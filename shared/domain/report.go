package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The monthly quality report (每月服务质量报告): one calendar month in the
// company's time zone, for one scope — a manager's accounts, a department,
// or the company. The figures themselves are computed in kpi.go.

// Month is a calendar month in the company's time zone.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 || t.Year() < 2000 || t.Year() > 2200 {
		return Month{}, &ValidationError{Fields: map[string]string{"month": "must be YYYY-MM 格式为 YYYY-MM"}}
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf is the month t falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	l := t.In(loc)
	return Month{l.Year(), l.Month()}
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Start is the first instant of the month in loc.
func (m Month) Start(loc *time.Location) time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
}

// End is the first instant after the month in loc (exclusive).
func (m Month) End(loc *time.Location) time.Time { return m.Add(1).Start(loc) }

// Add is the month n months later (earlier for n < 0).
func (m Month) Add(n int) Month {
	t := time.Date(m.Year, m.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return Month{t.Year(), t.Month()}
}

// Before reports whether m comes before o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

// Contains reports whether t falls in the month in loc.
func (m Month) Contains(t time.Time, loc *time.Location) bool {
	return !t.Before(m.Start(loc)) && t.Before(m.End(loc))
}

// ScopeKind is whose figures a report shows.
type ScopeKind string

// Report scopes.
const (
	ScopeManager    ScopeKind = "manager"    // one account manager's accounts
	ScopeDepartment ScopeKind = "department" // a department's accounts, with its managers ranked
	ScopeCompany    ScopeKind = "company"    // everything, with the complaint statistics table
)

// ReportScope is a report's scope: "manager:<id>", "department:<id>" or "company".
type ReportScope struct {
	Kind ScopeKind
	ID   string
}

// CompanyScope is the whole company.
var CompanyScope = ReportScope{Kind: ScopeCompany}

func (s ReportScope) String() string {
	if s.Kind == ScopeCompany {
		return string(ScopeCompany)
	}
	return string(s.Kind) + ":" + s.ID
}

// ParseScope reads "manager:<id>", "department:<id>" or "company".
func ParseScope(s string) (ReportScope, error) {
	bad := &ValidationError{Fields: map[string]string{"scope": "must be manager:<id>, department:<id> or company 范围格式无效"}}
	if s == string(ScopeCompany) {
		return CompanyScope, nil
	}
	kind, id, ok := strings.Cut(s, ":")
	if !ok || !ValidID(id) || (kind != string(ScopeManager) && kind != string(ScopeDepartment)) {
		return ReportScope{}, bad
	}
	return ReportScope{Kind: ScopeKind(kind), ID: id}, nil
}

// Includes reports whether an item recorded for manager and department
// belongs to the scope. Items are attributed as recorded (the account's
// manager and department when the complaint, answer or contract came in).
func (s ReportScope) Includes(manager, department string) bool {
	switch s.Kind {
	case ScopeCompany:
		return true
	case ScopeManager:
		return manager != "" && manager == s.ID
	case ScopeDepartment:
		return department != "" && department == s.ID
	}
	return false
}

// DefaultReportScope is the scope p reads when they name none: an executive
// or admin the company, a supervisor their department, a manager their own.
func DefaultReportScope(p Principal) (ReportScope, error) {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return CompanyScope, nil
	case p.Has(RoleSupervisor) && p.Department != "":
		return ReportScope{Kind: ScopeDepartment, ID: p.Department}, nil
	case p.Has(RoleManager):
		return ReportScope{Kind: ScopeManager, ID: p.Sub}, nil
	}
	return ReportScope{}, Forbidden("your role receives no monthly report")
}

// CanReadReport reports whether p may read the report of scope s:
// executives and admins every scope, a supervisor their department's (it
// ranks the department's managers), a manager their own.
func CanReadReport(p Principal, s ReportScope) bool {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return true
	case s.Kind == ScopeDepartment:
		return p.Has(RoleSupervisor) && p.Department != "" && p.Department == s.ID
	case s.Kind == ScopeManager:
		return p.Has(RoleManager) && p.Sub == s.ID
	}
	return false
}

// ReportScopeFor is the scope p asked for ("" for their own), if p may read it.
func ReportScopeFor(p Principal, asked string) (ReportScope, error) {
	if asked == "" {
		return DefaultReportScope(p)
	}
	s, err := ParseScope(asked)
	if err != nil {
		return s, err
	}
	if !CanReadReport(p, s) {
		return s, Forbidden("you may read your own report only (managers their own, supervisors their department's)")
	}
	return s, nil
}

// ReadableReportScopes are the scopes p may read (CanReadReport, the rule
// of GET /reports/monthly) among the company, the departments and the
// managers named, in that order, with p's own scopes (DefaultReportScope,
// and a manager's own accounts) among them even when they are not named: what a scope picker offers. Ids
// that are not valid are left out; none is listed twice.
func ReadableReportScopes(p Principal, departments, managers []string) []ReportScope {
	all := []ReportScope{CompanyScope}
	for _, d := range departments {
		all = append(all, ReportScope{Kind: ScopeDepartment, ID: d})
	}
	for _, m := range managers {
		all = append(all, ReportScope{Kind: ScopeManager, ID: m})
	}
	if own, err := DefaultReportScope(p); err == nil {
		all = append(all, own)
	}
	if p.Has(RoleManager) { // a supervisor who also manages accounts
		all = append(all, ReportScope{Kind: ScopeManager, ID: p.Sub})
	}
	seen := map[ReportScope]bool{}
	var out []ReportScope
	for _, s := range all {
		if seen[s] || (s.Kind != ScopeCompany && !ValidID(s.ID)) || !CanReadReport(p, s) {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// CanReadComplaintTable: the complaint statistics table (投诉统计表) is for
// the executives, the quality department (supervisors) and admins.
func CanReadComplaintTable(p Principal) bool {
	return p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor)
}

// ReportSettings are the report's numbers of domain.md.
type ReportSettings struct {
	RiskDays         int         `json:"riskDays"`         // the risk list: contracts ending within 90 days
	RepeatComplaints int         `json:"repeatComplaints"` // a repeat complainer: ≥ 2 complaints…
	RepeatMonths     int         `json:"repeatMonths"`     // …within 3 months (this one and the two before)
	Ladder           StaffLadder `json:"ladder"`           // staff with complaints against them in a month
}

// StaffLadder is the policy's ladder (服务质量监督): a staff member named
// responsible for Steps[0].AtLeast or more complaints in a month is
// flagged, with the highest step reached shown beside the count; more than
// DismissalAbove with a serious one among them: dismissal review. The
// system reports, people decide.
type StaffLadder struct {
	Steps          []LadderStep `json:"steps"`
	DismissalAbove int          `json:"dismissalAbove"`
}

// LadderStep is one rung: from AtLeast complaints in the month, a fine of
// FineYuan and, where Criticism, public criticism (通报批评).
type LadderStep struct {
	AtLeast   int  `json:"atLeast"`
	FineYuan  int  `json:"fineYuan"`
	Criticism bool `json:"criticism"`
}

// DefaultReportSettings are domain.md's: ≥ 2 public criticism and ¥100,
// ≥ 3 ¥200, ≥ 4 ¥300, more than 5 and serious dismissal review; risk
// window 90 days; repeat complainers ≥ 2 complaints in 3 months.
func DefaultReportSettings() ReportSettings {
	return ReportSettings{RiskDays: 90, RepeatComplaints: 2, RepeatMonths: 3,
		Ladder: StaffLadder{Steps: []LadderStep{{AtLeast: 2, FineYuan: 100, Criticism: true}, {AtLeast: 3, FineYuan: 200}, {AtLeast: 4, FineYuan: 300}}, DismissalAbove: 5}}
}

func (r ReportSettings) validate(v *ValidationError) {
	between(v, "reports.riskDays", r.RiskDays, 1, 366)
	between(v, "reports.repeatComplaints", r.RepeatComplaints, 2, 100)
	between(v, "reports.repeatMonths", r.RepeatMonths, 1, 12)
	l := r.Ladder
	if len(l.Steps) == 0 || len(l.Steps) > 10 {
		v.Add("reports.ladder.steps", "give 1 to 10 steps 请设置 1–10 级")
	}
	for i, st := range l.Steps {
		f := "reports.ladder.steps[" + itoa(i) + "]"
		if st.AtLeast < 1 || st.AtLeast > 1000 || (i > 0 && st.AtLeast <= l.Steps[i-1].AtLeast) {
			v.Add(f+".atLeast", "thresholds rise from step to step, from 1 门槛须逐级递增且不小于 1")
		}
		if st.FineYuan < 0 || st.FineYuan > 1_000_000 {
			v.Add(f+".fineYuan", "must be between 0 and 1000000 须在 0–1000000 之间")
		}
	}
	if len(l.Steps) > 0 && (l.DismissalAbove < l.Steps[0].AtLeast || l.DismissalAbove > 1000) {
		v.Add("reports.ladder.dismissalAbove", "must be at least the first threshold 不得低于第一级门槛")
	}
}

// VisitMonth is what the visits side tells the report about one month, per
// account, as of the month's end. Recorded is false while visits are not
// recorded: the report then says so instead of showing zeros.
type VisitMonth struct {
	Recorded bool           `json:"recorded"`
	Accounts []VisitAccount `json:"accounts,omitempty"`
}

// VisitAccount is one account's visit figures for the month.
type VisitAccount struct {
	CustomerID      string `json:"customerId"`
	ManagerID       string `json:"managerId"`
	Department      string `json:"department"`
	Planned         int    `json:"planned"`         // visits planned in the month (拜访计划)
	Done            int    `json:"done"`            // of those, done
	ReportsDue      int    `json:"reportsDue"`      // visit reports due in the month (2 days after a visit)
	ReportsOnTime   int    `json:"reportsOnTime"`   // of those, written on time
	FollowUpsDue    int    `json:"followUpsDue"`    // follow-ups (回访) due in the month
	FollowUpsOnTime int    `json:"followUpsOnTime"` // of those, done by their due time
	BelowFrequency  bool   `json:"belowFrequency"`  // below its tier's visit frequency at month end
}

// TrendPoint is one month's headline figures of a scope (the KPIs' values
// by key); a month without a report has no values.
type TrendPoint struct {
	Month  string             `json:"month"`
	Values map[string]float64 `json:"values"`
}

// Snapshot is a report as computed once and kept: immutable, with the
// SHA-256 of its canonical JSON, so its figures can be shown again and
// checked against a recount later.
type Snapshot struct {
	Month     string    `json:"month"`
	Scope     string    `json:"scope"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
	Report    Report    `json:"report"`
}

// Canonical is the report's canonical JSON (encoding/json field order,
// sorted map keys, no HTML escaping, no trailing newline) and its SHA-256
// in hex.
func Canonical(r Report) ([]byte, string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, "", fmt.Errorf("report: canonical JSON: %w", err)
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	sum := sha256.Sum256(out)
	return out, hex.EncodeToString(sum[:]), nil
}

// NewSnapshot keeps r as computed at now.
func NewSnapshot(r Report, now time.Time) (Snapshot, []byte, error) {
	body, hash, err := Canonical(r)
	if err != nil {
		return Snapshot{}, nil, err
	}
	return Snapshot{Month: r.Month, Scope: r.Scope, Hash: hash, CreatedAt: now.UTC(), Report: r}, body, nil
}

// KeptReport is a kept snapshot as a list shows it: its month and scope,
// when it was made and its hash — not its figures.
type KeptReport struct {
	Month     string    `json:"month"`
	Scope     string    `json:"scope"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
}

// Verification says whether a snapshot still matches a recount of the raw
// items, and which figures moved if not.
type Verification struct {
	Month          string   `json:"month"`
	Scope          string   `json:"scope"`
	Hash           string   `json:"hash"`
	RecomputedHash string   `json:"recomputedHash"`
	Matches        bool     `json:"matches"`
	Changed        []string `json:"changed,omitempty"` // headline figures whose value differs
}

// Compare checks a recomputed report against a snapshot.
func Compare(snap Snapshot, recomputed Report) (Verification, error) {
	_, hash, err := Canonical(recomputed)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Month: snap.Month, Scope: snap.Scope, Hash: snap.Hash, RecomputedHash: hash, Matches: hash == snap.Hash}
	before := map[string]*float64{}
	for _, k := range snap.Report.KPIs {
		before[k.Key] = k.Value
	}
	for _, k := range recomputed.KPIs {
		if !sameValue(before[k.Key], k.Value) {
			v.Changed = append(v.Changed, k.Key)
		}
	}
	if !v.Matches && len(v.Changed) == 0 {
		v.Changed = append(v.Changed, "details")
	}
	return v, nil
}

func sameValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
