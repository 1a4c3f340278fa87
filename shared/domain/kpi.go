package domain

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// The monthly report's figures (每月服务质量报告, 服务质量监督): each is
// computed here from the month's raw items as they stood at the report's
// cut-off (AsOf: the month's end, or now for the month in progress), so a
// recount of the same items always gives the same figures.
//
// Definitions:
//   - CSAT: share of the month's answers with overall 4–5 (target
//     Targets.SatisfactionPct); NPS: promoters minus detractors; response
//     rate: of the invitations sent in the month, the share answered by the
//     cut-off.
//   - Complaints closed in the month are the base of the handling figures:
//     timeliness 及时率 = closed within their closure deadline (7 days of
//     receipt, under the clock they were opened with); pass rate 合格率 =
//     approved at the first review and never sent back (SentBack = 0; there
//     is no reopening in the workflow); handling satisfaction 满意率 =
//     satisfied at the closing callback or in the post-complaint survey
//     answered by the cut-off; company at fault 有责 counted apart.
//   - A complaint counts against the staff member its investigation names
//     (responsibleStaff) in the month it is closed, when its investigation
//     is final.
//   - Repeat complainer: an account with RepeatComplaints (2) or more
//     complaints received in the RepeatMonths (3) months ending with this
//     one, one of them this month.
//   - Open and overdue are counted at the cut-off.
//   - Renewal rate: of the strategic and key accounts' contracts that ended
//     in the month, the share renewed (a contract recorded as renewing it)
//     by the cut-off (target RenewalPct); a contract that ended without a
//     renewal is an account lost. Growth: business volume of the strategic
//     and key accounts this month against the same month a year before
//     (target GrowthPct).
//   - Risk list: accounts whose contract ends within RiskDays of the cut-off
//     and that have an open or overdue complaint, a detractor answer this
//     month, a missed visit or a survey unanswered after its reminder.

// MonthInput is everything a month's reports are computed from: the
// month's items, read through indexes, shared by every scope.
type MonthInput struct {
	Month Month
	Zone  string    // the company's time zone
	AsOf  time.Time // the cut-off: the month's end, or now for the month in progress

	Received        []Complaint      // received in the month
	Done            []Complaint      // closed or rejected in the month
	Open            []Complaint      // candidates open at the cut-off (those received before it and open then count)
	PriorComplaints map[string]int   // per account: complaints received in the RepeatMonths-1 months before
	Invitations     []Invitation     // survey invitations sent in the month
	Responses       []SurveyResponse // answers submitted in the month
	Ending          []ContractRecord // contracts ending in the month
	Upcoming        []ContractRecord // contracts ending within RiskDays after the cut-off
	Volume          []Volume         // business volume of the month
	VolumeLastYear  []Volume         // of the same month a year before
	Visits          VisitMonth
}

// Location is the input's time zone (UTC+8 when unknown).
func (in *MonthInput) Location() *time.Location { return zone(in.Zone) }

// ReportBasis is what the figures are judged by, kept in the report so a
// recount uses the same: the targets, the report settings and the survey
// reminder delay (a survey counts as unanswered once its reminder is due).
type ReportBasis struct {
	Targets         Targets        `json:"targets"`
	Reports         ReportSettings `json:"reports"`
	RemindAfterDays int            `json:"remindAfterDays"`
}

// BasisOf takes the basis from the settings in force.
func BasisOf(s Settings) ReportBasis {
	s.FillDefaults()
	return ReportBasis{Targets: s.Targets, Reports: s.Reports, RemindAfterDays: s.Survey.RemindAfterDays}
}

// Report is one scope's figures for one month.
type Report struct {
	Month        string              `json:"month"`
	Scope        string              `json:"scope"`
	TimeZone     string              `json:"timeZone"`
	AsOf         time.Time           `json:"asOf"`
	Final        bool                `json:"final"` // the month has ended
	Empty        bool                `json:"empty"` // nothing happened in the scope this month
	Basis        ReportBasis         `json:"basis"`
	KPIs         []KPI               `json:"kpis"`
	Risk         []RiskEntry         `json:"risk"`
	Satisfaction SatisfactionFigures `json:"satisfaction"`
	Complaints   ComplaintFigures    `json:"complaints"`
	Staff        []StaffFigure       `json:"staff"`
	Accounts     AccountFigures      `json:"accounts"`
	Visits       VisitFigures        `json:"visits"`
	Managers     []ManagerFigure     `json:"managers"` // department and company scopes: the managers ranked
	Trend        []TrendPoint        `json:"trend"`    // the 12 months ending with this one
	Table        *ComplaintTable     `json:"complaintTable,omitempty"`
}

// Shown lists what a report names one by one — the accounts on its risk
// list, among its repeat complainers, lost or below their visit frequency,
// and the complaints it lists as overdue or slowest to close — each once,
// sorted. A member of staff reading the report has each on its own access
// record, as a listing does.
func (r Report) Shown() (customers, complaints []string) {
	cs, ns := map[string]bool{}, map[string]bool{}
	for _, e := range r.Risk {
		cs[e.CustomerID] = true
	}
	for _, x := range r.Complaints.Repeat {
		cs[x.CustomerID] = true
	}
	for _, x := range r.Accounts.Lost {
		cs[x.CustomerID] = true
	}
	for _, id := range r.Visits.BelowFrequency {
		cs[id] = true
	}
	for _, o := range r.Complaints.Overdue {
		ns[o.Number] = true
	}
	ns[r.Complaints.WorstNumber] = true
	delete(cs, "")
	delete(ns, "")
	return slices.Sorted(maps.Keys(cs)), slices.Sorted(maps.Keys(ns))
}

// KPI keys, in the order reports show them.
const (
	KPICSAT                 = "csat"
	KPINPS                  = "nps"
	KPIResponseRate         = "responseRate"
	KPIComplaints           = "complaints"
	KPITimeliness           = "timeliness"
	KPIPassRate             = "passRate"
	KPIHandlingSatisfaction = "handlingSatisfaction"
	KPIAtFault              = "atFault"
	KPIOverdue              = "overdue"
	KPIRenewalRate          = "renewalRate"
	KPIGrowth               = "growth"
	KPIVisitsDone           = "visitsDone"
	KPIVisitReportsOnTime   = "visitReportsOnTime"
	KPIFollowUpsOnTime      = "followUpsOnTime"
	KPIBelowFrequency       = "belowFrequency"
)

// KPI is one headline figure with its target (where domain.md has one),
// whether it is met, and last month's value. A nil value means there was
// nothing to measure.
type KPI struct {
	Key       string   `json:"key"`
	Unit      string   `json:"unit"` // "%", "count" or "points" (NPS)
	Value     *float64 `json:"value"`
	Target    *float64 `json:"target,omitempty"`
	Met       *bool    `json:"met,omitempty"`
	LastMonth *float64 `json:"lastMonth"`
	Num       int      `json:"num,omitempty"` // of a rate: counted / out of
	Den       int      `json:"den,omitempty"`
}

// Missed reports whether the figure has a target and misses it.
func (k KPI) Missed() bool { return k.Met != nil && !*k.Met }

// SatisfactionFigures are the survey figures of the month.
type SatisfactionFigures struct {
	Invitations  int                `json:"invitations"`
	Answered     int                `json:"answered"` // of those, answered by the cut-off
	ResponseRate *float64           `json:"responseRate"`
	Answers      int                `json:"answers"` // submitted in the month
	Satisfied    int                `json:"satisfied"`
	CSAT         *float64           `json:"csat"`
	NPS          *float64           `json:"nps"`
	Promoters    int                `json:"promoters"`
	Passives     int                `json:"passives"`
	Detractors   int                `json:"detractors"`
	Aspects      AspectAverages     `json:"aspects"`
	ByTier       []TierSatisfaction `json:"byTier"`
}

// AspectAverages are the averages (1–5) of the aspects answered.
type AspectAverages struct {
	Responsiveness  *float64 `json:"responsiveness"`
	Quality         *float64 `json:"quality"`
	Professionalism *float64 `json:"professionalism"`
}

// TierSatisfaction is one tier's survey figures.
type TierSatisfaction struct {
	Tier         Tier     `json:"tier"` // "" for answers without an account
	Invitations  int      `json:"invitations"`
	ResponseRate *float64 `json:"responseRate"`
	Answers      int      `json:"answers"`
	CSAT         *float64 `json:"csat"`
	NPS          *float64 `json:"nps"`
}

// Count is a number of complaints with one value of a dimension.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// ComplaintFigures are the complaint figures of the month.
type ComplaintFigures struct {
	Received             int                `json:"received"`
	ByCategory           []Count            `json:"byCategory"`
	BySeverity           []Count            `json:"bySeverity"`
	ByChannel            []Count            `json:"byChannel"`
	ByDepartment         []Count            `json:"byDepartment"` // handling department at the cut-off ("" = not assigned yet)
	ByTier               []Count            `json:"byTier"`       // "" = not linked to an account
	Rejected             int                `json:"rejected"`
	Closed               int                `json:"closed"`
	ClosedOnTime         int                `json:"closedOnTime"`
	Timeliness           *float64           `json:"timeliness"`
	Passed               int                `json:"passed"`
	PassRate             *float64           `json:"passRate"`
	Satisfied            int                `json:"satisfied"`
	HandlingSatisfaction *float64           `json:"handlingSatisfaction"`
	AtFault              int                `json:"atFault"` // closed, company at fault (有责)
	AvgCloseDays         *float64           `json:"avgCloseDays"`
	WorstCloseDays       *float64           `json:"worstCloseDays"`
	WorstNumber          string             `json:"worstNumber,omitempty"`
	Repeat               []RepeatComplainer `json:"repeat"`
	OpenAtEnd            int                `json:"openAtEnd"`
	OverdueAtEnd         int                `json:"overdueAtEnd"`
	Overdue              []OverdueComplaint `json:"overdue"` // the longest overdue first, at most 50
}

// RepeatComplainer is an account that complained again.
type RepeatComplainer struct {
	CustomerID   string `json:"customerId"`
	CustomerName string `json:"customerName"`
	InMonth      int    `json:"inMonth"`
	InWindow     int    `json:"inWindow"` // in the RepeatMonths months ending with this one
}

// OverdueComplaint is a complaint open past its closure deadline at the cut-off.
type OverdueComplaint struct {
	Number       string  `json:"number"`
	CustomerName string  `json:"customerName"`
	Department   string  `json:"department"`
	DaysOverdue  float64 `json:"daysOverdue"`
}

// StaffFigure is one staff member named responsible for complaints closed
// in the month, with the ladder's step beside the count.
type StaffFigure struct {
	StaffID string `json:"staffId"`
	InScope int    `json:"inScope"` // complaints of this scope
	Total   int    `json:"total"`   // in the whole company: the ladder applies to it
	Serious int    `json:"serious"`
	LadderOutcome
}

// LadderOutcome is where a count stands on the ladder.
type LadderOutcome struct {
	Flagged         bool `json:"flagged"`
	Criticism       bool `json:"criticism"`
	FineYuan        int  `json:"fineYuan"`
	DismissalReview bool `json:"dismissalReview"`
}

// For is the outcome of count complaints in a month, serious of them serious.
func (l StaffLadder) For(count, serious int) LadderOutcome {
	var o LadderOutcome
	for _, st := range l.Steps {
		if count >= st.AtLeast {
			o.Flagged = true
			o.FineYuan = st.FineYuan
			o.Criticism = o.Criticism || st.Criticism
		}
	}
	o.DismissalReview = count > l.DismissalAbove && serious > 0
	return o
}

// AccountFigures are renewals, volume growth and accounts lost.
type AccountFigures struct {
	Ending         int           `json:"ending"` // strategic and key contracts that ended in the month
	Renewed        int           `json:"renewed"`
	RenewalRate    *float64      `json:"renewalRate"`
	Lost           []LostAccount `json:"lost"` // any tier: ended without a renewal
	Volume         int64         `json:"volume"`
	VolumeLastYear int64         `json:"volumeLastYear"`
	Growth         *float64      `json:"growth"` // strategic and key accounts
	ByTier         []TierVolume  `json:"byTier"`
}

// LostAccount is an account whose contract ended without a renewal.
type LostAccount struct {
	CustomerID   string `json:"customerId"`
	CustomerName string `json:"customerName"`
	Tier         Tier   `json:"tier"`
	ContractEnd  string `json:"contractEnd"`
}

// TierVolume is one tier's business volume against a year before.
type TierVolume struct {
	Tier     Tier     `json:"tier"`
	Volume   int64    `json:"volume"`
	LastYear int64    `json:"lastYear"`
	Growth   *float64 `json:"growth"`
}

// VisitFigures are the visit figures, when visits are recorded.
type VisitFigures struct {
	Recorded        bool     `json:"recorded"`
	Planned         int      `json:"planned"`
	Done            int      `json:"done"`
	DoneRate        *float64 `json:"doneRate"`
	ReportsDue      int      `json:"reportsDue"`
	ReportsOnTime   int      `json:"reportsOnTime"`
	ReportsRate     *float64 `json:"reportsRate"`
	FollowUpsDue    int      `json:"followUpsDue"`
	FollowUpsOnTime int      `json:"followUpsOnTime"`
	FollowUpsRate   *float64 `json:"followUpsRate"`
	BelowFrequency  []string `json:"belowFrequency"` // customer ids
}

// ManagerFigure is one manager's line in a department's or the company's
// ranking (by CSAT, then NPS, then fewer complaints).
type ManagerFigure struct {
	Rank         int      `json:"rank"`
	ManagerID    string   `json:"managerId"`
	Invitations  int      `json:"invitations"`
	ResponseRate *float64 `json:"responseRate"`
	Answers      int      `json:"answers"`
	CSAT         *float64 `json:"csat"`
	NPS          *float64 `json:"nps"`
	Complaints   int      `json:"complaints"`
	Closed       int      `json:"closed"`
	Timeliness   *float64 `json:"timeliness"`
	OverdueAtEnd int      `json:"overdueAtEnd"`
}

// RiskEntry is an account on the risk list, with its reasons.
type RiskEntry struct {
	CustomerID   string       `json:"customerId"`
	CustomerName string       `json:"customerName"`
	ManagerID    string       `json:"managerId"`
	Tier         Tier         `json:"tier"`
	ContractEnd  string       `json:"contractEnd"`
	Reasons      []RiskReason `json:"reasons"`
}

// Risk reason kinds.
const (
	RiskOverdueComplaint = "overdue-complaint"
	RiskOpenComplaint    = "open-complaint"
	RiskDetractor        = "detractor"
	RiskMissedVisit      = "missed-visit"
	RiskUnansweredSurvey = "unanswered-survey"
)

// RiskReason is one reason an account is at risk; Ref names the complaint
// or gives the score or count.
type RiskReason struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref,omitempty"`
}

// ComplaintTable is the complaint statistics table (投诉统计表): one row per
// category and handling department.
type ComplaintTable struct {
	Month string     `json:"month"`
	AsOf  time.Time  `json:"asOf"`
	Rows  []TableRow `json:"rows"`
	Total TableRow   `json:"total"`
}

// TableRow is one category × department line of the table.
type TableRow struct {
	Category     Category `json:"category"`
	Department   string   `json:"department"` // "" = not assigned
	Received     int      `json:"received"`
	Closed       int      `json:"closed"`
	ClosedInTime int      `json:"closedInTime"` // within the 7-day deadline
	AtFault      int      `json:"atFault"`
	AvgDays      *float64 `json:"avgDays"` // of the closed ones
	Overdue      int      `json:"overdue"` // open past the deadline at the cut-off
	closeDays    float64
}

// Complaint history as of a moment: steps strictly before t have happened.

// StatusAt is the complaint's state just before t ("" before its receipt).
func (c *Complaint) StatusAt(t time.Time) ComplaintStatus {
	var st ComplaintStatus
	if !c.ReceivedAt.Before(t) {
		return st
	}
	for _, s := range c.History {
		if s.At.Before(t) {
			st = s.To
		}
	}
	return st
}

// OpenAt reports whether the complaint was received before t and still open then.
func (c *Complaint) OpenAt(t time.Time) bool {
	st := c.StatusAt(t)
	return st != "" && st.Open()
}

// DoneAt is when the complaint left the open states (closed or rejected), or nil.
func (c *Complaint) DoneAt() *time.Time {
	switch c.Status {
	case StatusClosed:
		if c.ClosedAt != nil {
			return c.ClosedAt
		}
	case StatusRejected:
		for i := len(c.History) - 1; i >= 0; i-- {
			if c.History[i].Action == ActionReject {
				at := c.History[i].At
				return &at
			}
		}
	}
	return nil
}

// DepartmentAt is the handling department assigned before t ("" for none):
// the assign step records it as "<department>: <opinion>".
func (c *Complaint) DepartmentAt(t time.Time) string {
	dept := ""
	for _, s := range c.History {
		if s.Action == ActionAssign && s.At.Before(t) {
			d, _, ok := strings.Cut(s.Comment, ": ")
			if !ok || !ValidID(d) {
				d = c.Department
			}
			dept = d
		}
	}
	return dept
}

// CloseDays is how long a closed complaint took, in days.
func (c *Complaint) CloseDays() float64 {
	if c.ClosedAt == nil {
		return 0
	}
	return c.ClosedAt.Sub(c.ReceivedAt).Hours() / 24
}

func f64(x float64) *float64 { x = round1(x); return &x }

// rate is n of d in percent (nil when d is 0).
func rate(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	return f64(100 * float64(n) / float64(d))
}

// ComputeReport computes the report of scope from in, judged by basis;
// history holds the scope's earlier months (last month and the trend).
func ComputeReport(in *MonthInput, scope ReportScope, history []TrendPoint, basis ReportBasis) Report {
	loc := in.Location()
	start, end := in.Month.Start(loc), in.Month.End(loc)
	asOf := in.AsOf
	if asOf.After(end) {
		asOf = end
	}
	r := Report{Month: in.Month.String(), Scope: scope.String(), TimeZone: in.Zone, AsOf: asOf.UTC(), Final: !asOf.Before(end), Basis: basis}
	inScopeC := func(c *Complaint) bool { return scope.Includes(c.ManagerID, c.AccountDept) }

	// What happened by the cut-off.
	var received, closed, open []*Complaint
	rejected := 0
	for i := range in.Received {
		c := &in.Received[i]
		if !c.ReceivedAt.Before(start) && c.ReceivedAt.Before(asOf) && inScopeC(c) {
			received = append(received, c)
		}
	}
	for i := range in.Done {
		c := &in.Done[i]
		at := c.DoneAt()
		if at == nil || at.Before(start) || !at.Before(asOf) || !inScopeC(c) {
			continue
		}
		if c.Status == StatusClosed {
			closed = append(closed, c)
		} else {
			rejected++
		}
	}
	openAll := map[string]*Complaint{} // every complaint open at the cut-off, any scope (risk list)
	for _, list := range [][]Complaint{in.Open, in.Received} {
		for i := range list {
			c := &list[i]
			if c.OpenAt(asOf) {
				openAll[c.Number] = c
			}
		}
	}
	for _, c := range openAll {
		if inScopeC(c) {
			open = append(open, c)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].Number < open[j].Number })

	r.Complaints = complaintFigures(in, received, closed, open, rejected, asOf, basis)
	surveySatisfied := postComplaintSatisfaction(in, asOf)
	for _, c := range closed {
		if (c.Callback != nil && c.Callback.Satisfied) || surveySatisfied[c.Number] {
			r.Complaints.Satisfied++
		}
	}
	r.Complaints.HandlingSatisfaction = rate(r.Complaints.Satisfied, len(closed))
	r.Complaints.Repeat = repeatComplainers(in, received, basis.Reports)
	r.Staff = staffFigures(in, scope, start, asOf, basis.Reports.Ladder)

	// Surveys.
	var invitations []*Invitation
	for i := range in.Invitations {
		iv := &in.Invitations[i]
		if !iv.CreatedAt.Before(start) && iv.CreatedAt.Before(asOf) && scope.Includes(iv.ManagerID, iv.Department) {
			invitations = append(invitations, iv)
		}
	}
	var responses []*SurveyResponse
	for i := range in.Responses {
		x := &in.Responses[i]
		if !x.SubmittedAt.Before(start) && x.SubmittedAt.Before(asOf) && scope.Includes(x.ManagerID, x.Department) {
			responses = append(responses, x)
		}
	}
	r.Satisfaction = satisfactionFigures(invitations, responses, asOf)

	// Accounts, visits, the managers and the risk list.
	r.Accounts = accountFigures(in, scope, asOf, loc)
	r.Visits = visitFigures(in.Visits, scope)
	if scope.Kind != ScopeManager {
		r.Managers = managerFigures(received, closed, open, invitations, responses, asOf)
	} else {
		r.Managers = []ManagerFigure{}
	}
	r.Risk = riskList(in, scope, openAll, asOf, loc, basis)

	r.KPIs = headline(r, basis, history, in.Month)
	r.Trend = trend(history, in.Month, r.KPIs)
	if scope.Kind == ScopeCompany {
		t := ComputeComplaintTable(in)
		r.Table = &t
	}
	r.Empty = r.Quiet() && len(r.Risk) == 0 && len(r.Visits.BelowFrequency) == 0
	return r
}

// Quiet reports whether nothing happened in the report's scope and month:
// no complaint received, closed, rejected or open at its end, no survey
// sent or answered, no contract ended, no business volume, no visit planned
// and no visit report or follow-up due. Accounts below their visit
// frequency are a standing state, not something that happened: a quiet
// month that lists them is not Empty (its readers should see them), but
// the monthly run does not keep it for the trend (before a company records
// anything, every month would have them).
func (r Report) Quiet() bool {
	c, a, v := r.Complaints, r.Accounts, r.Visits
	return c.Received == 0 && c.Closed == 0 && c.Rejected == 0 && c.OpenAtEnd == 0 && r.Satisfaction.Invitations == 0 && r.Satisfaction.Answers == 0 &&
		a.Ending == 0 && len(a.Lost) == 0 && a.Volume == 0 && a.VolumeLastYear == 0 && v.Planned == 0 && v.ReportsDue == 0 && v.FollowUpsDue == 0
}

func complaintFigures(in *MonthInput, received, closed, open []*Complaint, rejected int, asOf time.Time, basis ReportBasis) ComplaintFigures {
	f := ComplaintFigures{Received: len(received), Rejected: rejected, Closed: len(closed), Repeat: []RepeatComplainer{}, Overdue: []OverdueComplaint{}}
	cat, sev, ch, dept, tier := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, c := range received {
		cat[string(c.Category)]++
		sev[string(c.Severity)]++
		ch[string(c.Channel)]++
		dept[c.DepartmentAt(asOf)]++
		tier[string(c.AccountTier)]++
	}
	f.ByCategory = ordered(cat, strs(Categories), true)
	f.BySeverity = ordered(sev, []string{string(SeverityNormal), string(SeveritySerious)}, true)
	f.ByChannel = ordered(ch, []string{string(ChannelWeb), string(ChannelPhone), string(ChannelLetter), string(ChannelEmail), string(ChannelVisit)}, true)
	f.ByDepartment = ordered(dept, nil, false)
	f.ByTier = ordered(tier, []string{string(TierStrategic), string(TierKey), string(TierOrdinary), ""}, false)

	var total, worst float64
	for _, c := range closed {
		if c.ClosedOnTime() {
			f.ClosedOnTime++
		}
		if c.SentBack == 0 {
			f.Passed++
		}
		if c.ResponsibleFault != nil && *c.ResponsibleFault {
			f.AtFault++
		}
		d := c.CloseDays()
		total += d
		if f.WorstNumber == "" || d > worst || (d == worst && c.Number < f.WorstNumber) {
			worst, f.WorstNumber = d, c.Number
		}
	}
	f.Timeliness = rate(f.ClosedOnTime, len(closed))
	f.PassRate = rate(f.Passed, len(closed))
	if len(closed) > 0 {
		f.AvgCloseDays = f64(total / float64(len(closed)))
		f.WorstCloseDays = f64(worst)
	}
	f.OpenAtEnd = len(open)
	for _, c := range open {
		if asOf.After(c.Deadlines.CloseDue) {
			f.OverdueAtEnd++
			f.Overdue = append(f.Overdue, OverdueComplaint{Number: c.Number, CustomerName: c.CustomerName, Department: c.DepartmentAt(asOf),
				DaysOverdue: round1(asOf.Sub(c.Deadlines.CloseDue).Hours() / 24)})
		}
	}
	sort.Slice(f.Overdue, func(i, j int) bool {
		a, b := f.Overdue[i], f.Overdue[j]
		return a.DaysOverdue > b.DaysOverdue || (a.DaysOverdue == b.DaysOverdue && a.Number < b.Number)
	})
	if len(f.Overdue) > 50 {
		f.Overdue = f.Overdue[:50]
	}
	return f
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// ordered lists the counts in the given order (with zeros when all), then
// any other keys sorted ("" last).
func ordered(m map[string]int, order []string, all bool) []Count {
	out := []Count{}
	seen := map[string]bool{}
	for _, k := range order {
		seen[k] = true
		if m[k] > 0 || all {
			out = append(out, Count{Key: k, N: m[k]})
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if (rest[i] == "") != (rest[j] == "") {
			return rest[j] == ""
		}
		return rest[i] < rest[j]
	})
	for _, k := range rest {
		out = append(out, Count{Key: k, N: m[k]})
	}
	return out
}

// postComplaintSatisfaction tells, per complaint number, whether its
// post-complaint survey was answered satisfied by the cut-off (the
// invitation and the answer of the month).
func postComplaintSatisfaction(in *MonthInput, asOf time.Time) map[string]bool {
	byToken := map[string]string{}
	for _, iv := range in.Invitations {
		if iv.Reason == SurveyAfterComplaint && iv.ComplaintNumber != "" {
			byToken[iv.Token] = iv.ComplaintNumber
		}
	}
	out := map[string]bool{}
	for _, x := range in.Responses {
		if n, ok := byToken[x.Token]; ok && x.SubmittedAt.Before(asOf) && x.Answer.Satisfied() {
			out[n] = true
		}
	}
	return out
}

func repeatComplainers(in *MonthInput, received []*Complaint, rs ReportSettings) []RepeatComplainer {
	month := map[string]int{}
	for i := range in.Received {
		c := &in.Received[i]
		if c.CustomerID != "" && c.ReceivedAt.Before(in.AsOf) {
			month[c.CustomerID]++
		}
	}
	out := []RepeatComplainer{}
	seen := map[string]bool{}
	for _, c := range received {
		id := c.CustomerID
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		window := month[id]
		if rs.RepeatMonths > 1 {
			window += in.PriorComplaints[id]
		}
		if window >= rs.RepeatComplaints {
			out = append(out, RepeatComplainer{CustomerID: id, CustomerName: c.CustomerName, InMonth: month[id], InWindow: window})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].InWindow > out[j].InWindow || (out[i].InWindow == out[j].InWindow && out[i].CustomerID < out[j].CustomerID)
	})
	return out
}

func staffFigures(in *MonthInput, scope ReportScope, start, asOf time.Time, ladder StaffLadder) []StaffFigure {
	total, serious, inScope := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range in.Done {
		c := &in.Done[i]
		at := c.DoneAt()
		if c.Status != StatusClosed || at == nil || at.Before(start) || !at.Before(asOf) || c.Investigation == nil || c.Investigation.ResponsibleStaff == "" {
			continue
		}
		id := c.Investigation.ResponsibleStaff
		total[id]++
		if c.Severity == SeveritySerious {
			serious[id]++
		}
		if scope.Includes(c.ManagerID, c.AccountDept) {
			inScope[id]++
		}
	}
	out := []StaffFigure{}
	for id, n := range inScope {
		out = append(out, StaffFigure{StaffID: id, InScope: n, Total: total[id], Serious: serious[id], LadderOutcome: ladder.For(total[id], serious[id])})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Total > out[j].Total || (out[i].Total == out[j].Total && out[i].StaffID < out[j].StaffID)
	})
	return out
}

func satisfactionFigures(invitations []*Invitation, responses []*SurveyResponse, asOf time.Time) SatisfactionFigures {
	f := SatisfactionFigures{Invitations: len(invitations), Answers: len(responses), ByTier: []TierSatisfaction{}}
	type tierAcc struct {
		inv, answered int
		agg           Aggregate
	}
	tiers := map[Tier]*tierAcc{}
	acc := func(t Tier) *tierAcc {
		if tiers[t] == nil {
			tiers[t] = &tierAcc{}
		}
		return tiers[t]
	}
	for _, iv := range invitations {
		a := acc(iv.Tier)
		a.inv++
		if iv.AnsweredAt != nil && iv.AnsweredAt.Before(asOf) {
			f.Answered++
			a.answered++
		}
	}
	var all Aggregate
	var aspects [3]struct{ sum, n int }
	for _, x := range responses {
		all.Add(x.Answer)
		acc(x.Tier).agg.Add(x.Answer)
		for i, v := range []int{x.Answer.Responsiveness, x.Answer.Quality, x.Answer.Professionalism} {
			if v > 0 {
				aspects[i].sum += v
				aspects[i].n++
			}
		}
	}
	f.ResponseRate = rate(f.Answered, f.Invitations)
	f.Satisfied, f.Promoters, f.Passives, f.Detractors = all.Satisfied, all.Promoters, all.Passives, all.Detractors
	f.CSAT, f.NPS = csat(all), nps(all)
	avg := func(i int) *float64 {
		if aspects[i].n == 0 {
			return nil
		}
		return f64(float64(aspects[i].sum) / float64(aspects[i].n))
	}
	f.Aspects = AspectAverages{Responsiveness: avg(0), Quality: avg(1), Professionalism: avg(2)}
	for _, t := range []Tier{TierStrategic, TierKey, TierOrdinary, ""} {
		if a := tiers[t]; a != nil {
			f.ByTier = append(f.ByTier, TierSatisfaction{Tier: t, Invitations: a.inv, ResponseRate: rate(a.answered, a.inv), Answers: a.agg.Answers,
				CSAT: csat(a.agg), NPS: nps(a.agg)})
		}
	}
	return f
}

func csat(g Aggregate) *float64 {
	if g.Answers == 0 {
		return nil
	}
	return f64(g.CSAT())
}

func nps(g Aggregate) *float64 {
	if g.Answers == 0 {
		return nil
	}
	return f64(g.NPS())
}

// dateOf is t's calendar date in loc, YYYY-MM-DD.
func dateOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// strategicOrKey: the tiers renewal and growth targets apply to.
func strategicOrKey(t Tier) bool { return t == TierStrategic || t == TierKey }

func accountFigures(in *MonthInput, scope ReportScope, asOf time.Time, loc *time.Location) AccountFigures {
	f := AccountFigures{Lost: []LostAccount{}, ByTier: []TierVolume{}}
	today := dateOf(asOf, loc)
	month := in.Month.String()
	for _, k := range in.Ending {
		if !strings.HasPrefix(k.End, month+"-") || k.End >= today || !scope.Includes(k.ManagerID, k.Department) {
			continue
		}
		renewed := k.RenewedAt != nil && k.RenewedAt.Before(asOf)
		if strategicOrKey(k.Tier) {
			f.Ending++
			if renewed {
				f.Renewed++
			}
		}
		if !renewed {
			f.Lost = append(f.Lost, LostAccount{CustomerID: k.CustomerID, CustomerName: k.CustomerName, Tier: k.Tier, ContractEnd: k.End})
		}
	}
	f.RenewalRate = rate(f.Renewed, f.Ending)
	sort.Slice(f.Lost, func(i, j int) bool {
		a, b := f.Lost[i], f.Lost[j]
		return a.ContractEnd < b.ContractEnd || (a.ContractEnd == b.ContractEnd && a.CustomerID < b.CustomerID)
	})

	type pair struct {
		tier      Tier
		cur, prev int64
	}
	acc := map[string]*pair{}
	get := func(id string) *pair {
		if acc[id] == nil {
			acc[id] = &pair{}
		}
		return acc[id]
	}
	for _, v := range in.Volume {
		if v.Month == month && scope.Includes(v.ManagerID, v.Department) {
			p := get(v.CustomerID)
			p.cur += v.Amount
			p.tier = v.Tier
		}
	}
	lastYear := in.Month.Add(-12).String()
	for _, v := range in.VolumeLastYear {
		if v.Month == lastYear && scope.Includes(v.ManagerID, v.Department) {
			p := get(v.CustomerID)
			p.prev += v.Amount
			if p.tier == "" {
				p.tier = v.Tier
			}
		}
	}
	byTier := map[Tier]*TierVolume{}
	var cur, prev int64
	for _, p := range acc {
		f.Volume += p.cur
		f.VolumeLastYear += p.prev
		if strategicOrKey(p.tier) {
			cur += p.cur
			prev += p.prev
		}
		if byTier[p.tier] == nil {
			byTier[p.tier] = &TierVolume{Tier: p.tier}
		}
		byTier[p.tier].Volume += p.cur
		byTier[p.tier].LastYear += p.prev
	}
	f.Growth = growth(cur, prev)
	for _, t := range []Tier{TierStrategic, TierKey, TierOrdinary} {
		if tv := byTier[t]; tv != nil {
			tv.Growth = growth(tv.Volume, tv.LastYear)
			f.ByTier = append(f.ByTier, *tv)
		}
	}
	return f
}

func growth(cur, prev int64) *float64 {
	if prev <= 0 {
		return nil
	}
	return f64(100 * float64(cur-prev) / float64(prev))
}

func visitFigures(vm VisitMonth, scope ReportScope) VisitFigures {
	f := VisitFigures{Recorded: vm.Recorded, BelowFrequency: []string{}}
	if !vm.Recorded {
		return f
	}
	for _, a := range vm.Accounts {
		if !scope.Includes(a.ManagerID, a.Department) {
			continue
		}
		f.Planned += a.Planned
		f.Done += a.Done
		f.ReportsDue += a.ReportsDue
		f.ReportsOnTime += a.ReportsOnTime
		f.FollowUpsDue += a.FollowUpsDue
		f.FollowUpsOnTime += a.FollowUpsOnTime
		if a.BelowFrequency {
			f.BelowFrequency = append(f.BelowFrequency, a.CustomerID)
		}
	}
	sort.Strings(f.BelowFrequency)
	f.DoneRate = rate(f.Done, f.Planned)
	f.ReportsRate = rate(f.ReportsOnTime, f.ReportsDue)
	f.FollowUpsRate = rate(f.FollowUpsOnTime, f.FollowUpsDue)
	return f
}

func managerFigures(received, closed, open []*Complaint, invitations []*Invitation, responses []*SurveyResponse, asOf time.Time) []ManagerFigure {
	type acc struct {
		inv, answered, complaints, closed, onTime, overdue int
		agg                                                Aggregate
	}
	m := map[string]*acc{}
	get := func(id string) *acc {
		if m[id] == nil {
			m[id] = &acc{}
		}
		return m[id]
	}
	for _, iv := range invitations {
		if iv.ManagerID == "" {
			continue
		}
		a := get(iv.ManagerID)
		a.inv++
		if iv.AnsweredAt != nil && iv.AnsweredAt.Before(asOf) {
			a.answered++
		}
	}
	for _, x := range responses {
		if x.ManagerID != "" {
			get(x.ManagerID).agg.Add(x.Answer)
		}
	}
	for _, c := range received {
		if c.ManagerID != "" {
			get(c.ManagerID).complaints++
		}
	}
	for _, c := range closed {
		if c.ManagerID != "" {
			a := get(c.ManagerID)
			a.closed++
			if c.ClosedOnTime() {
				a.onTime++
			}
		}
	}
	for _, c := range open {
		if c.ManagerID != "" && asOf.After(c.Deadlines.CloseDue) {
			get(c.ManagerID).overdue++
		}
	}
	out := []ManagerFigure{}
	for id, a := range m {
		out = append(out, ManagerFigure{ManagerID: id, Invitations: a.inv, ResponseRate: rate(a.answered, a.inv), Answers: a.agg.Answers,
			CSAT: csat(a.agg), NPS: nps(a.agg), Complaints: a.complaints, Closed: a.closed, Timeliness: rate(a.onTime, a.closed), OverdueAtEnd: a.overdue})
	}
	less := func(a, b *float64) int { // nil last, higher first
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		case b == nil:
			return -1
		case *a > *b:
			return -1
		case *a < *b:
			return 1
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		if c := less(out[i].CSAT, out[j].CSAT); c != 0 {
			return c < 0
		}
		if c := less(out[i].NPS, out[j].NPS); c != 0 {
			return c < 0
		}
		if out[i].Complaints != out[j].Complaints {
			return out[i].Complaints < out[j].Complaints
		}
		return out[i].ManagerID < out[j].ManagerID
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

func riskList(in *MonthInput, scope ReportScope, openAll map[string]*Complaint, asOf time.Time, loc *time.Location, basis ReportBasis) []RiskEntry {
	from, to := dateOf(asOf, loc), dateOf(asOf.AddDate(0, 0, basis.Reports.RiskDays), loc)
	entries := map[string]*RiskEntry{}
	for _, k := range in.Upcoming {
		if k.End < from || k.End > to || (k.RenewedAt != nil && k.RenewedAt.Before(asOf)) || !scope.Includes(k.ManagerID, k.Department) {
			continue
		}
		if e, ok := entries[k.CustomerID]; ok && e.ContractEnd <= k.End {
			continue
		}
		entries[k.CustomerID] = &RiskEntry{CustomerID: k.CustomerID, CustomerName: k.CustomerName, ManagerID: k.ManagerID, Tier: k.Tier, ContractEnd: k.End}
	}
	if len(entries) == 0 {
		return []RiskEntry{}
	}
	reasons := map[string][]RiskReason{}
	var numbers []string
	for n := range openAll {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	for _, n := range numbers {
		c := openAll[n]
		if entries[c.CustomerID] == nil {
			continue
		}
		kind := RiskOpenComplaint
		if asOf.After(c.Deadlines.CloseDue) {
			kind = RiskOverdueComplaint
		}
		reasons[c.CustomerID] = append(reasons[c.CustomerID], RiskReason{Kind: kind, Ref: c.Number})
	}
	for _, x := range in.Responses {
		if entries[x.CustomerID] != nil && x.SubmittedAt.Before(asOf) && x.Answer.NPSGroup() == "detractor" {
			reasons[x.CustomerID] = append(reasons[x.CustomerID], RiskReason{Kind: RiskDetractor, Ref: itoa(x.Answer.Recommend) + "/10"})
		}
	}
	if in.Visits.Recorded {
		for _, a := range in.Visits.Accounts {
			if entries[a.CustomerID] != nil && a.Planned > a.Done {
				reasons[a.CustomerID] = append(reasons[a.CustomerID], RiskReason{Kind: RiskMissedVisit, Ref: itoa(a.Planned - a.Done)})
			}
		}
	}
	due := asOf.Add(-days(basis.RemindAfterDays))
	unanswered := map[string]bool{}
	for _, iv := range in.Invitations {
		if entries[iv.CustomerID] != nil && !iv.CreatedAt.After(due) && (iv.AnsweredAt == nil || !iv.AnsweredAt.Before(asOf)) && !unanswered[iv.CustomerID] {
			unanswered[iv.CustomerID] = true
			reasons[iv.CustomerID] = append(reasons[iv.CustomerID], RiskReason{Kind: RiskUnansweredSurvey})
		}
	}
	out := []RiskEntry{}
	for id, e := range entries {
		if rs := reasons[id]; len(rs) > 0 {
			sort.SliceStable(rs, func(i, j int) bool { return riskOrder[rs[i].Kind] < riskOrder[rs[j].Kind] })
			e.Reasons = rs
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].ContractEnd < out[j].ContractEnd || (out[i].ContractEnd == out[j].ContractEnd && out[i].CustomerID < out[j].CustomerID)
	})
	return out
}

var riskOrder = map[string]int{RiskOverdueComplaint: 0, RiskOpenComplaint: 1, RiskDetractor: 2, RiskMissedVisit: 3, RiskUnansweredSurvey: 4}

func headline(r Report, basis ReportBasis, history []TrendPoint, m Month) []KPI {
	last := map[string]float64{}
	prev := m.Add(-1).String()
	for _, p := range history {
		if p.Month == prev {
			last = p.Values
		}
	}
	kpi := func(key, unit string, v *float64, num, den int) KPI {
		k := KPI{Key: key, Unit: unit, Value: v, Num: num, Den: den}
		if x, ok := last[key]; ok {
			k.LastMonth = &x
		}
		return k
	}
	target := func(k KPI, t float64) KPI {
		k.Target = &t
		if k.Value != nil {
			met := *k.Value >= t
			k.Met = &met
		}
		return k
	}
	count := func(n int) *float64 { x := float64(n); return &x }
	s, c, a, v := r.Satisfaction, r.Complaints, r.Accounts, r.Visits
	out := []KPI{
		target(kpi(KPICSAT, "%", s.CSAT, s.Satisfied, s.Answers), basis.Targets.SatisfactionPct),
		kpi(KPINPS, "points", s.NPS, 0, 0),
		kpi(KPIResponseRate, "%", s.ResponseRate, s.Answered, s.Invitations),
		kpi(KPIComplaints, "count", count(c.Received), 0, 0),
		kpi(KPITimeliness, "%", c.Timeliness, c.ClosedOnTime, c.Closed),
		kpi(KPIPassRate, "%", c.PassRate, c.Passed, c.Closed),
		kpi(KPIHandlingSatisfaction, "%", c.HandlingSatisfaction, c.Satisfied, c.Closed),
		kpi(KPIAtFault, "count", count(c.AtFault), 0, 0),
		kpi(KPIOverdue, "count", count(c.OverdueAtEnd), 0, 0),
		target(kpi(KPIRenewalRate, "%", a.RenewalRate, a.Renewed, a.Ending), basis.Targets.RenewalPct),
		target(kpi(KPIGrowth, "%", a.Growth, 0, 0), basis.Targets.GrowthPct),
	}
	if v.Recorded {
		out = append(out,
			kpi(KPIVisitsDone, "%", v.DoneRate, v.Done, v.Planned),
			kpi(KPIVisitReportsOnTime, "%", v.ReportsRate, v.ReportsOnTime, v.ReportsDue),
			kpi(KPIFollowUpsOnTime, "%", v.FollowUpsRate, v.FollowUpsOnTime, v.FollowUpsDue),
			kpi(KPIBelowFrequency, "count", count(len(v.BelowFrequency)), 0, 0))
	}
	return out
}

// PointOf is the trend point of a report's headline figures.
func PointOf(month string, kpis []KPI) TrendPoint {
	p := TrendPoint{Month: month, Values: map[string]float64{}}
	for _, k := range kpis {
		if k.Value != nil {
			p.Values[k.Key] = *k.Value
		}
	}
	return p
}

// trend is the 12 months ending with m: history where it has them, this
// month's figures last.
func trend(history []TrendPoint, m Month, kpis []KPI) []TrendPoint {
	by := map[string]TrendPoint{}
	for _, p := range history {
		by[p.Month] = p
	}
	out := make([]TrendPoint, 0, 12)
	for i := 11; i >= 1; i-- {
		mm := m.Add(-i).String()
		p, ok := by[mm]
		if !ok || p.Values == nil {
			p = TrendPoint{Month: mm, Values: map[string]float64{}}
		}
		out = append(out, p)
	}
	return append(out, PointOf(m.String(), kpis))
}

// ComputeComplaintTable is the complaint statistics table (投诉统计表) of
// the month: per category and handling department, the complaints
// received, closed, closed within the deadline, at fault, the average days
// to close, and those overdue at the cut-off.
func ComputeComplaintTable(in *MonthInput) ComplaintTable {
	loc := in.Location()
	start, end := in.Month.Start(loc), in.Month.End(loc)
	asOf := in.AsOf
	if asOf.After(end) {
		asOf = end
	}
	rows := map[[2]string]*TableRow{}
	row := func(cat Category, dept string) *TableRow {
		k := [2]string{string(cat), dept}
		if rows[k] == nil {
			rows[k] = &TableRow{Category: cat, Department: dept}
		}
		return rows[k]
	}
	for i := range in.Received {
		c := &in.Received[i]
		if !c.ReceivedAt.Before(start) && c.ReceivedAt.Before(asOf) {
			row(c.Category, c.DepartmentAt(asOf)).Received++
		}
	}
	for i := range in.Done {
		c := &in.Done[i]
		at := c.DoneAt()
		if c.Status != StatusClosed || at == nil || at.Before(start) || !at.Before(asOf) {
			continue
		}
		r := row(c.Category, c.DepartmentAt(asOf))
		r.Closed++
		if c.ClosedOnTime() {
			r.ClosedInTime++
		}
		if c.ResponsibleFault != nil && *c.ResponsibleFault {
			r.AtFault++
		}
		r.closeDays += c.CloseDays()
	}
	seen := map[string]bool{}
	for _, list := range [][]Complaint{in.Open, in.Received} {
		for i := range list {
			c := &list[i]
			if seen[c.Number] || !c.OpenAt(asOf) {
				continue
			}
			seen[c.Number] = true
			if asOf.After(c.Deadlines.CloseDue) {
				row(c.Category, c.DepartmentAt(asOf)).Overdue++
			}
		}
	}
	t := ComplaintTable{Month: in.Month.String(), AsOf: asOf.UTC(), Rows: []TableRow{}}
	catOrder := map[Category]int{}
	for i, c := range Categories {
		catOrder[c] = i
	}
	var totalDays float64
	for _, r := range rows {
		if r.Closed > 0 {
			r.AvgDays = f64(r.closeDays / float64(r.Closed))
		}
		t.Total.Received += r.Received
		t.Total.Closed += r.Closed
		t.Total.ClosedInTime += r.ClosedInTime
		t.Total.AtFault += r.AtFault
		t.Total.Overdue += r.Overdue
		totalDays += r.closeDays
		t.Rows = append(t.Rows, *r)
	}
	if t.Total.Closed > 0 {
		t.Total.AvgDays = f64(totalDays / float64(t.Total.Closed))
	}
	sort.Slice(t.Rows, func(i, j int) bool {
		a, b := t.Rows[i], t.Rows[j]
		if catOrder[a.Category] != catOrder[b.Category] {
			return catOrder[a.Category] < catOrder[b.Category]
		}
		if (a.Department == "") != (b.Department == "") {
			return b.Department == ""
		}
		return a.Department < b.Department
	})
	return t
}
