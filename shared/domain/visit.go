package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Visits (客户拜访): the monthly visit plan (拜访计划书) a manager submits
// and a supervisor reviews, planned and ad-hoc visits, the visit report
// (拜访报告) due 2 working days after the visit with its promised actions,
// and the minimum visit frequency per tier.

// VisitPurpose is why a visit is made.
type VisitPurpose string

// Purposes of a visit.
const (
	PurposeResearch   VisitPurpose = "research"   // 市场调研
	PurposeCompetitor VisitPurpose = "competitor" // 竞争对手观察
	PurposeCare       VisitPurpose = "care"       // 关系维护
	PurposePayment    VisitPurpose = "payment"    // 催收货款
	PurposeBusiness   VisitPurpose = "business"   // 新业务
	PurposeProduct    VisitPurpose = "product"    // 新产品推介
	PurposeComplaint  VisitPurpose = "complaint"  // 投诉处理
	PurposeOther      VisitPurpose = "other"      // 其他
)

// VisitPurposes lists them in display order.
var VisitPurposes = []VisitPurpose{PurposeResearch, PurposeCompetitor, PurposeCare, PurposePayment, PurposeBusiness, PurposeProduct, PurposeComplaint, PurposeOther}

// Label is the purpose's name as users know it.
func (p VisitPurpose) Label(lang string) string {
	zh := map[VisitPurpose]string{PurposeResearch: "市场调研", PurposeCompetitor: "竞争对手观察", PurposeCare: "关系维护", PurposePayment: "催收货款",
		PurposeBusiness: "新业务", PurposeProduct: "新产品推介", PurposeComplaint: "投诉处理", PurposeOther: "其他"}
	en := map[VisitPurpose]string{PurposeResearch: "Market research", PurposeCompetitor: "Competitor watch", PurposeCare: "Relationship care",
		PurposePayment: "Collecting payment", PurposeBusiness: "New business", PurposeProduct: "New product", PurposeComplaint: "Complaint", PurposeOther: "Other"}
	if lang == "en" {
		return en[p]
	}
	return zh[p]
}

// Limits of plans and reports.
const (
	MaxPlanItems     = 200
	MaxParticipants  = 20
	MaxActions       = 50
	MaxVisitTextLen  = 5000
	MaxRelPlanAction = 50
)

// StateError says a step does not apply to a record in its current state
// (a second report, an approved plan edited): the API answers 409.
type StateError struct {
	Entity, Action, State string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("%s is not possible while the %s is %s", e.Action, e.Entity, e.State)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *StateError) Is(target error) bool { return target == ErrConflict }

// PlanStatus is a visit plan's state.
type PlanStatus string

// Plan states: submitted → approved (final) | returned → (edited) submitted.
const (
	PlanSubmitted PlanStatus = "submitted" // 已提交
	PlanReturned  PlanStatus = "returned"  // 已退回
	PlanApproved  PlanStatus = "approved"  // 已批准
)

// PlanItem is one planned visit.
type PlanItem struct {
	CustomerID   string       `json:"customerId"`
	CustomerName string       `json:"customerName,omitempty"`
	Date         string       `json:"date"` // YYYY-MM-DD
	Purpose      VisitPurpose `json:"purpose"`
	Participants []string     `json:"participants,omitempty"`
	Note         string       `json:"note,omitempty"`
	VisitID      string       `json:"visitId,omitempty"` // the planned visit, once approved
}

// VisitPlan is a manager's plan for a month (拜访计划书).
type VisitPlan struct {
	ID            string     `json:"id"` // <month>-<manager>: one plan per manager and month
	ManagerID     string     `json:"managerId"`
	Department    string     `json:"department"`
	Month         string     `json:"month"` // YYYY-MM
	Items         []PlanItem `json:"items"`
	Status        PlanStatus `json:"status"`
	DueDate       string     `json:"dueDate"` // the last working day of the month before
	SubmittedAt   time.Time  `json:"submittedAt"`
	Late          bool       `json:"late"` // submitted after its due date
	ReviewedBy    string     `json:"reviewedBy,omitempty"`
	ReviewedAt    *time.Time `json:"reviewedAt,omitempty"`
	ReviewComment string     `json:"reviewComment,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	Version       int        `json:"version"`
}

// PlanID is the id of manager's plan for month.
func PlanID(month, manager string) string { return month + "-" + manager }

// ValidMonth reports whether s is YYYY-MM.
func ValidMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	_, err := time.Parse("2006-01", s)
	return err == nil
}

// Today is now's date in the calendar's zone.
func (s SLA) Today(now time.Time) string { return now.In(s.Location()).Format(time.DateOnly) }

// DateAt is 00:00 of date in the calendar's zone, in UTC.
func (s SLA) DateAt(date string) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, date, s.Location())
	return d.UTC()
}

// AddWorkingDaysToDate returns the date n working days after date.
func (s SLA) AddWorkingDaysToDate(date string, n int) string {
	return s.AddWorkingDays(s.DateAt(date).Add(12*time.Hour), n).In(s.Location()).Format(time.DateOnly)
}

// LastWorkingDayBefore is the last working day before month (YYYY-MM) begins.
func (s SLA) LastWorkingDayBefore(month string) string {
	first := s.DateAt(month + "-01")
	d := first.In(s.Location()).AddDate(0, 0, -1)
	for i := 0; i < 60 && !s.IsWorkingDay(d.Add(12*time.Hour)); i++ {
		d = d.AddDate(0, 0, -1)
	}
	return d.Format(time.DateOnly)
}

// SubtractWorkingDays returns the date n working days before date.
func (s SLA) SubtractWorkingDays(date string, n int) string {
	d := s.DateAt(date).In(s.Location())
	for i := 0; i < n; {
		d = d.AddDate(0, 0, -1)
		if s.IsWorkingDay(d.Add(12 * time.Hour)) {
			i++
		}
	}
	return d.Format(time.DateOnly)
}

// PlanDeadline is when the plan for month is due and from when it is reminded.
func PlanDeadline(month string, cal SLA, vs VisitSettings) (due, remindFrom string) {
	due = cal.LastWorkingDayBefore(month)
	return due, cal.SubtractWorkingDays(due, vs.PlanReminderWorkingDays)
}

// NextMonth is the month after month (YYYY-MM).
func NextMonth(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, 0).Format("2006-01")
}

func checkParticipants(v *ValidationError, f string, ps []string) {
	if len(ps) > MaxParticipants {
		v.Add(f, "too many participants 参与人过多")
	}
	for _, x := range ps {
		checkText(v, f, x, MaxNameLen, true)
	}
}

// NewVisitPlan checks a plan manager submits for month at now (its items
// still to be checked against the accounts): the month is this one or later,
// every date lies in it and is not past, purposes are known.
func NewVisitPlan(month string, items []PlanItem, manager, dept string, now time.Time, cal SLA, vs VisitSettings) (*VisitPlan, error) {
	v := &ValidationError{}
	today := cal.Today(now)
	switch {
	case !ValidMonth(month):
		v.Add("month", "must be YYYY-MM 月份格式为 YYYY-MM")
	case month < today[:7]:
		v.Add("month", "this month is past; plan this month or a later one 不能为过去的月份提交计划")
	}
	checkPlanItems(v, month, items, today)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now = now.UTC()
	due, _ := PlanDeadline(month, cal, vs)
	p := &VisitPlan{ID: PlanID(month, manager), ManagerID: manager, Department: dept, Month: month, Items: items, Status: PlanSubmitted,
		DueDate: due, SubmittedAt: now, Late: today > due, CreatedAt: now, UpdatedAt: now, Version: 1}
	return p, nil
}

func checkPlanItems(v *ValidationError, month string, items []PlanItem, today string) {
	if len(items) == 0 {
		v.Add("items", "plan at least one visit 请至少安排一次拜访")
	}
	if len(items) > MaxPlanItems {
		v.Add("items", "too many visits in one plan 计划拜访过多")
	}
	for i, it := range items {
		f := "items[" + strconv.Itoa(i) + "]"
		if !ValidID(it.CustomerID) {
			v.Add(f+".customerId", "not a customer id 客户标识无效")
		}
		switch {
		case !ValidDate(it.Date):
			v.Add(f+".date", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		case !strings.HasPrefix(it.Date, month+"-"):
			v.Add(f+".date", "the date is outside the plan's month 日期不在计划月份内")
		case it.Date < today:
			v.Add(f+".date", "the date is past 日期已过")
		}
		if !oneOf(it.Purpose, VisitPurposes) {
			v.Add(f+".purpose", "purpose must be research, competitor, care, payment, business, product, complaint or other 拜访目的无效")
		}
		checkParticipants(v, f+".participants", it.Participants)
		checkText(v, f+".note", it.Note, MaxTextLen, false)
	}
}

// Edit replaces the items of a submitted or returned plan and submits it
// again; an approved plan is final (changes go through ad-hoc visits).
func (p *VisitPlan) Edit(items []PlanItem, now time.Time, cal SLA) error {
	if p.Status == PlanApproved {
		return &StateError{Entity: "plan", Action: "edit", State: string(p.Status)}
	}
	v := &ValidationError{}
	today := cal.Today(now)
	checkPlanItems(v, p.Month, items, today)
	if err := v.Err(); err != nil {
		return err
	}
	p.Items, p.Status, p.SubmittedAt, p.UpdatedAt = items, PlanSubmitted, now.UTC(), now.UTC()
	p.Late = today > p.DueDate
	p.Version++
	return nil
}

// Review approves or returns a submitted plan.
func (p *VisitPlan) Review(approve bool, comment, by string, now time.Time) error {
	if p.Status != PlanSubmitted {
		return &StateError{Entity: "plan", Action: "review", State: string(p.Status)}
	}
	v := &ValidationError{}
	checkText(v, "comment", comment, MaxTextLen, !approve)
	if err := v.Err(); err != nil {
		return err
	}
	now = now.UTC()
	p.Status, p.ReviewedBy, p.ReviewedAt, p.ReviewComment, p.UpdatedAt = PlanReturned, by, &now, comment, now
	if approve {
		p.Status = PlanApproved
	}
	p.Version++
	return nil
}

// CanReviewPlan: the supervisor of the plan's department (or an admin or executive).
func CanReviewPlan(p Principal, dept string) bool {
	return p.HasAny(RoleAdmin, RoleExecutive) || (p.Has(RoleSupervisor) && p.Department != "" && p.Department == dept)
}

// VisitStatus is a visit's state.
type VisitStatus string

// Visit states.
const (
	VisitProposed  VisitStatus = "proposed"  // ad-hoc, awaiting the supervisor's approval
	VisitPlanned   VisitStatus = "planned"   // approved: to be made and reported
	VisitReported  VisitStatus = "reported"  // 已报告
	VisitCancelled VisitStatus = "cancelled" // 已取消
	VisitOverdue   VisitStatus = "overdue"   // a listing filter: planned, its report past due
)

// Open reports whether the visit still waits for its report.
func (s VisitStatus) Open() bool { return s == VisitProposed || s == VisitPlanned }

// Visit is one planned or ad-hoc visit and, once made, its report.
type Visit struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customerId"`
	CustomerName string       `json:"customerName"`
	ManagerID    string       `json:"managerId"`
	Department   string       `json:"department"`
	Date         string       `json:"date"` // YYYY-MM-DD
	Purpose      VisitPurpose `json:"purpose"`
	Participants []string     `json:"participants,omitempty"`
	Note         string       `json:"note,omitempty"`
	Source       string       `json:"source"` // plan | ad-hoc
	PlanID       string       `json:"planId,omitempty"`
	Status       VisitStatus  `json:"status"`
	ApprovedBy   string       `json:"approvedBy,omitempty"`
	ApprovedAt   *time.Time   `json:"approvedAt,omitempty"`
	ReportDue    string       `json:"reportDue"` // 2 working days after the visit date
	Report       *VisitReport `json:"report,omitempty"`
	CancelReason string       `json:"cancelReason,omitempty"`
	SurveyToken  string       `json:"surveyToken,omitempty"` // the satisfaction survey the report sent
	CreatedBy    string       `json:"createdBy"`
	CreatedAt    time.Time    `json:"createdAt"`
	UpdatedAt    time.Time    `json:"updatedAt"`
	Version      int          `json:"version"`
}

// VisitReport is what a manager reports of a visit (拜访报告).
type VisitReport struct {
	HappenedOn string           `json:"happenedOn"`
	Attendees  []string         `json:"attendees"`
	Learned    string           `json:"learned"`
	Needs      string           `json:"needs,omitempty"`
	Actions    []PromisedAction `json:"actions,omitempty"`
	NextStep   string           `json:"nextStep,omitempty"`
	ReportedBy string           `json:"reportedBy"`
	ReportedAt time.Time        `json:"reportedAt"`
	Due        string           `json:"due"`
	Late       bool             `json:"late"` // reported after its due date: accepted and marked
}

// PromisedAction is an action promised to the customer, tracked until done.
type PromisedAction struct {
	Text   string     `json:"text"`
	Owner  string     `json:"owner"`
	Due    string     `json:"due"`
	Done   bool       `json:"done"`
	DoneAt *time.Time `json:"doneAt,omitempty"`
	DoneBy string     `json:"doneBy,omitempty"`
}

// VisitDraft is a visit as proposed (an ad-hoc visit) or planned.
type VisitDraft struct {
	CustomerID   string       `json:"customerId"`
	Date         string       `json:"date"`
	Purpose      VisitPurpose `json:"purpose"`
	Participants []string     `json:"participants"`
	Note         string       `json:"note"`
}

// NewVisit builds a visit of account a: from an approved plan (planned) or
// ad hoc (proposed until a supervisor approves it). Ad-hoc dates are today or later.
func NewVisit(id string, d VisitDraft, a *Customer, source, planID, by string, now time.Time, cal SLA, vs VisitSettings) (*Visit, error) {
	v := &ValidationError{}
	switch {
	case !ValidDate(d.Date):
		v.Add("date", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	case source != "plan" && d.Date < cal.Today(now):
		v.Add("date", "the date is past; report a visit already made through its plan or ask your supervisor 日期已过")
	}
	if !oneOf(d.Purpose, VisitPurposes) {
		v.Add("purpose", "purpose must be research, competitor, care, payment, business, product, complaint or other 拜访目的无效")
	}
	checkParticipants(v, "participants", d.Participants)
	checkText(v, "note", d.Note, MaxTextLen, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now = now.UTC()
	vi := &Visit{ID: id, CustomerID: a.ID, CustomerName: a.Name, ManagerID: a.ManagerID, Department: a.Department, Date: d.Date, Purpose: d.Purpose,
		Participants: d.Participants, Note: d.Note, Source: source, PlanID: planID, Status: VisitPlanned, ReportDue: cal.AddWorkingDaysToDate(d.Date, vs.ReportWorkingDays),
		CreatedBy: by, CreatedAt: now, UpdatedAt: now, Version: 1}
	if source != "plan" {
		vi.Status = VisitProposed
	}
	return vi, nil
}

// CanSeeVisit: as for customer files — the account's manager, the
// department's supervisor, executives and admins.
func CanSeeVisit(p Principal, v *Visit) bool {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive):
		return true
	case p.Has(RoleSupervisor) && p.Department != "" && v.Department == p.Department:
		return true
	case p.Has(RoleManager) && v.ManagerID == p.Sub:
		return true
	}
	return false
}

// ApproveAdHoc is the supervisor's approval of an unplanned visit (the
// policy asks leadership to approve them).
func (v *Visit) ApproveAdHoc(p Principal, now time.Time) error {
	if !CanReviewPlan(p, v.Department) {
		return Forbidden("the supervisor of the visit's department approves it")
	}
	if v.Status != VisitProposed {
		return &StateError{Entity: "visit", Action: "approve", State: string(v.Status)}
	}
	now = now.UTC()
	v.Status, v.ApprovedBy, v.ApprovedAt, v.UpdatedAt = VisitPlanned, p.Sub, &now, now
	v.Version++
	return nil
}

// ReportInput is the body of a visit report.
type ReportInput struct {
	HappenedOn string           `json:"happenedOn"`
	Attendees  []string         `json:"attendees"`
	Learned    string           `json:"learned"`
	Needs      string           `json:"needs"`
	Actions    []PromisedAction `json:"actions"`
	NextStep   string           `json:"nextStep"`
}

// FileReport records the visit's report: only the visit's manager, once
// (a second report is a StateError), for a visit that happened (not in the
// future). A report after its due date is accepted and marked late.
func (v *Visit) FileReport(in ReportInput, p Principal, now time.Time, cal SLA, vs VisitSettings) error {
	if v.ManagerID != p.Sub {
		return Forbidden("the visit's manager reports it")
	}
	if v.Status != VisitPlanned {
		return &StateError{Entity: "visit", Action: "report", State: string(v.Status)}
	}
	today := cal.Today(now)
	e := &ValidationError{}
	switch {
	case !ValidDate(in.HappenedOn):
		e.Add("happenedOn", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	case in.HappenedOn > today:
		e.Add("happenedOn", "the visit has not happened yet 拜访尚未发生")
	}
	if len(in.Attendees) == 0 {
		e.Add("attendees", "name who attended 请填写参加人员")
	}
	checkParticipants(e, "attendees", in.Attendees)
	checkText(e, "learned", in.Learned, MaxVisitTextLen, true)
	checkText(e, "needs", in.Needs, MaxVisitTextLen, false)
	checkText(e, "nextStep", in.NextStep, MaxVisitTextLen, false)
	if len(in.Actions) > MaxActions {
		e.Add("actions", "too many actions 行动项过多")
	}
	for i, a := range in.Actions {
		f := "actions[" + strconv.Itoa(i) + "]"
		checkText(e, f+".text", a.Text, MaxTextLen, true)
		checkText(e, f+".owner", a.Owner, MaxNameLen, true)
		if !ValidDate(a.Due) {
			e.Add(f+".due", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		}
		if a.Done || a.DoneAt != nil || a.DoneBy != "" {
			e.Add(f+".done", "actions are marked done one by one 行动项须逐项标记完成")
		}
	}
	if err := e.Err(); err != nil {
		return err
	}
	due := v.ReportDue
	if ValidDate(in.HappenedOn) {
		due = cal.AddWorkingDaysToDate(in.HappenedOn, vs.ReportWorkingDays)
	}
	now = now.UTC()
	v.Report = &VisitReport{HappenedOn: in.HappenedOn, Attendees: in.Attendees, Learned: in.Learned, Needs: in.Needs, Actions: in.Actions,
		NextStep: in.NextStep, ReportedBy: p.Sub, ReportedAt: now, Due: due, Late: today > due}
	v.Status, v.UpdatedAt = VisitReported, now
	v.Version++
	return nil
}

// ErrNoSuchAction: the action index is not one of the report's.
var ErrNoSuchAction = fmt.Errorf("no such action: %w", ErrNotFound)

// ActionDone marks promised action n done.
func (v *Visit) ActionDone(n int, p Principal, now time.Time) error {
	if v.ManagerID != p.Sub && !CanReviewPlan(p, v.Department) {
		return Forbidden("the visit's manager or supervisor marks its actions")
	}
	if v.Report == nil || n < 0 || n >= len(v.Report.Actions) {
		return ErrNoSuchAction
	}
	a := &v.Report.Actions[n]
	if a.Done {
		return &StateError{Entity: "action", Action: "done", State: "done"}
	}
	now = now.UTC()
	a.Done, a.DoneAt, a.DoneBy = true, &now, p.Sub
	v.UpdatedAt = now
	v.Version++
	return nil
}

// Cancel cancels an open visit with a reason.
func (v *Visit) Cancel(reason string, p Principal, now time.Time) error {
	if v.ManagerID != p.Sub && !CanReviewPlan(p, v.Department) {
		return Forbidden("the visit's manager or supervisor cancels it")
	}
	if !v.Status.Open() {
		return &StateError{Entity: "visit", Action: "cancel", State: string(v.Status)}
	}
	e := &ValidationError{}
	checkText(e, "reason", reason, MaxTextLen, true)
	if err := e.Err(); err != nil {
		return err
	}
	v.Status, v.CancelReason, v.UpdatedAt = VisitCancelled, reason, now.UTC()
	v.Version++
	return nil
}

// ReportOverdue reports whether a planned visit's report is past due on today.
func (v *Visit) ReportOverdue(today string) bool {
	return v.Status == VisitPlanned && today > v.ReportDue
}

// ListStatus is the visit's status as listings filter it: overdue for a
// planned visit whose report is past due.
func (v *Visit) ListStatus(today string) VisitStatus {
	if v.ReportOverdue(today) {
		return VisitOverdue
	}
	return v.Status
}

// VisitQuery selects visits: of a manager (optionally a date range) or of a customer.
type VisitQuery struct {
	Manager  string
	Customer string
	From, To string // YYYY-MM-DD
	Status   VisitStatus
	Limit    int32
	Cursor   string
}

// ScopeVisits narrows a listing to what p may see: a manager their own, a
// supervisor their department's managers (manager= required), executives
// and admins any.
func ScopeVisits(p Principal, q VisitQuery) (VisitQuery, error) {
	if q.From != "" && !ValidDate(q.From) {
		return q, &ValidationError{Fields: map[string]string{"from": "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD"}}
	}
	if q.To != "" && !ValidDate(q.To) {
		return q, &ValidationError{Fields: map[string]string{"to": "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD"}}
	}
	switch q.Status {
	case "", VisitProposed, VisitPlanned, VisitReported, VisitCancelled, VisitOverdue:
	default:
		return q, &ValidationError{Fields: map[string]string{"status": "status must be proposed, planned, reported, overdue or cancelled 状态无效"}}
	}
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor):
		if q.Manager == "" && q.Customer == "" {
			return q, &ValidationError{Fields: map[string]string{"manager": "give manager= (or list a customer's visits) 请指定客户经理"}}
		}
		return q, nil
	case p.Has(RoleManager):
		if q.Manager != "" && q.Manager != p.Sub {
			return q, Forbidden("managers list their own visits")
		}
		if q.Customer == "" {
			q.Manager = p.Sub
		}
		return q, nil
	}
	return q, Forbidden("your role has no access to visits")
}

// Visit frequency (拜访频次): each account needs a reported visit in every
// period of its tier (months counted from January: strategic monthly, key
// quarterly, ordinary half-yearly by default).

// PeriodMonths is how many months a tier's visit period lasts.
func (vs VisitSettings) PeriodMonths(t Tier) int {
	m := vs.OrdinaryMonths
	switch t {
	case TierStrategic:
		m = vs.StrategicMonths
	case TierKey:
		m = vs.KeyMonths
	}
	if m <= 0 {
		m = 12
	}
	return m
}

// TierPeriod is the visit period of tier t that contains date: its first
// and last day.
func (vs VisitSettings) TierPeriod(t Tier, date string) (start, end string) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", ""
	}
	m := vs.PeriodMonths(t)
	first := (int(d.Month())-1)/m*m + 1
	s := time.Date(d.Year(), time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	return s.Format(time.DateOnly), s.AddDate(0, m, -1).Format(time.DateOnly)
}

// ParsePeriod reads a coverage period: YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY.
func ParsePeriod(s string) (from, to string, err error) {
	bad := &ValidationError{Fields: map[string]string{"period": "period must be YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY 期间格式无效"}}
	if len(s) < 4 {
		return "", "", bad
	}
	y, e := strconv.Atoi(s[:4])
	if e != nil || y < 2000 || y > 2199 {
		return "", "", bad
	}
	span := func(m, n int) (string, string, error) {
		st := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return st.Format(time.DateOnly), st.AddDate(0, n, -1).Format(time.DateOnly), nil
	}
	rest := s[4:]
	switch {
	case rest == "":
		return span(1, 12)
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		return span(int(rest[2]-'1')*3+1, 3)
	case len(rest) == 3 && rest[:2] == "-H" && (rest[2] == '1' || rest[2] == '2'):
		return span(int(rest[2]-'1')*6+1, 6)
	case ValidMonth(s):
		m, _ := strconv.Atoi(s[5:])
		return span(m, 1)
	}
	return "", "", bad
}

// CoverageStatus says whether an account had its visits.
type CoverageStatus string

// Coverage states.
const (
	CoverageOK    CoverageStatus = "ok"    // every tier period so far had a reported visit
	CoverageDue   CoverageStatus = "due"   // the running tier period still needs one
	CoverageBelow CoverageStatus = "below" // a tier period ended without one: below the minimum
)

// Coverage is one account's visits in a period against its tier's minimum.
type Coverage struct {
	CustomerID   string         `json:"customerId"`
	CustomerName string         `json:"customerName"`
	ManagerID    string         `json:"managerId"`
	Tier         Tier           `json:"tier"`
	Visits       int            `json:"visits"`   // reported visits in the period
	Required     int            `json:"required"` // tier periods overlapping the period
	Met          int            `json:"met"`      // of those, with a reported visit
	Status       CoverageStatus `json:"status"`
	BelowMinimum bool           `json:"belowMinimum"`
}

// TierPeriodsOverlapping lists the tier periods of t that overlap from..to.
func (vs VisitSettings) TierPeriodsOverlapping(t Tier, from, to string) [][2]string {
	var out [][2]string
	for d := from; d <= to; {
		s, e := vs.TierPeriod(t, d)
		out = append(out, [2]string{s, e})
		nd, _ := time.Parse(time.DateOnly, e)
		d = nd.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	return out
}

// CoverageOf rates account c's reported visit dates (happenedOn) over
// from..to on today: a tier period that has ended without a visit puts the
// account below the minimum; the running one without a visit is due.
func CoverageOf(c *Customer, visited []string, from, to, today string, vs VisitSettings) Coverage {
	cv := Coverage{CustomerID: c.ID, CustomerName: c.Name, ManagerID: c.ManagerID, Tier: c.Tier, Status: CoverageOK}
	for _, d := range visited {
		if d >= from && d <= to {
			cv.Visits++
		}
	}
	created := c.CreatedAt.Format(time.DateOnly)
	for _, p := range vs.TierPeriodsOverlapping(c.Tier, from, to) {
		if p[0] > today || (!c.CreatedAt.IsZero() && p[1] < created) {
			continue // not begun, or before the account existed
		}
		cv.Required++
		hit := false
		for _, d := range visited {
			if d >= p[0] && d <= p[1] {
				hit = true
				break
			}
		}
		switch {
		case hit:
			cv.Met++
		case p[1] < today:
			cv.Status = CoverageBelow
		case cv.Status == CoverageOK:
			cv.Status = CoverageDue
		}
	}
	cv.BelowMinimum = cv.Status == CoverageBelow
	return cv
}

// FrequencyAlert is an account the digest shows for its visit frequency.
type FrequencyAlert struct {
	CustomerID   string `json:"customerId"`
	CustomerName string `json:"customerName"`
	ManagerID    string `json:"managerId"`
	Department   string `json:"department"`
	Tier         Tier   `json:"tier"`
	LastVisit    string `json:"lastVisit,omitempty"`
	NeedBy       string `json:"needBy"` // end of the running period
	Below        bool   `json:"below"`  // the last period ended without a visit
}

// FrequencyAlertFor says whether active account c, last visited on last
// ("" never), needs showing on today: below its frequency (the previous
// tier period ended without a visit), or due within the lead days.
func FrequencyAlertFor(c *Customer, last, today string, vs VisitSettings) *FrequencyAlert {
	if c.Status != StatusActive {
		return nil
	}
	start, end := vs.TierPeriod(c.Tier, today)
	if last >= start {
		return nil
	}
	ps, _ := time.Parse(time.DateOnly, start)
	prevStart, _ := vs.TierPeriod(c.Tier, ps.AddDate(0, 0, -1).Format(time.DateOnly))
	below := last < prevStart && (c.CreatedAt.IsZero() || c.CreatedAt.Format(time.DateOnly) < start)
	te, _ := time.Parse(time.DateOnly, end)
	td, _ := time.Parse(time.DateOnly, today)
	if !below && te.Sub(td) > time.Duration(vs.ReminderLeadDays)*24*time.Hour {
		return nil
	}
	return &FrequencyAlert{CustomerID: c.ID, CustomerName: c.Name, ManagerID: c.ManagerID, Department: c.Department, Tier: c.Tier, LastVisit: last, NeedBy: end, Below: below}
}
