package domain

import (
	"fmt"
	"strings"
	"time"
)

// Complaint is a complaint's record card (投诉记录卡 / 客户投诉登记表) with
// its workflow state, clocks and history.
type Complaint struct {
	Number     string `json:"number"`
	Year       int    `json:"year"`
	Seq        int    `json:"seq"`
	CustomerID string `json:"customerId,omitempty"` // linked account, when known
	MatchedBy  string `json:"matchedBy,omitempty"`  // how it was linked: entered, contact (email or phone on one file), supervisor
	// SuggestedCustomerID is a file whose name is the sender's company: a
	// supervisor confirms it (link) or not; it links nothing by itself.
	SuggestedCustomerID string    `json:"suggestedCustomerId,omitempty"`
	CustomerName        string    `json:"customerName"`          // as given, for unknown senders
	ManagerID           string    `json:"managerId,omitempty"`   // of the linked account
	AccountDept         string    `json:"accountDept,omitempty"` // department of the linked account
	AccountTier         Tier      `json:"accountTier,omitempty"` // tier of the linked account
	Contact             Contact   `json:"contact"`
	Channel             Channel   `json:"channel"`
	Category            Category  `json:"category"`
	Severity            Severity  `json:"severity"`
	Request             Request   `json:"request"`
	Description         string    `json:"description"`
	Product             *Product  `json:"product,omitempty"` // product-quality complaints: product type, batch, dates
	ReceivedAt          time.Time `json:"receivedAt"`
	ReceivedBy          string    `json:"receivedBy,omitempty"` // staff who entered it; empty for the web form
	Language            string    `json:"language"`             // the customer's: zh or en

	Status           ComplaintStatus `json:"status"`
	Department       string          `json:"department,omitempty"`      // handling department (受理部门)
	HandlingOpinion  string          `json:"handlingOpinion,omitempty"` // 受理意见
	RejectReason     string          `json:"rejectReason,omitempty"`
	Investigation    *Investigation  `json:"investigation,omitempty"` // 调查报告
	SentBack         int             `json:"sentBack"`                // times the review sent it back
	Reply            *Reply          `json:"reply,omitempty"`
	Settlement       *Settlement     `json:"settlement,omitempty"` // of a disputed quality case (with the reply)
	Callback         *Callback       `json:"callback,omitempty"`   // 回访
	ResponsibleFault *bool           `json:"responsibleFault,omitempty"`

	SLA             SLA        `json:"sla"` // the clock settings it was opened under
	Deadlines       Deadlines  `json:"deadlines"`
	FirstResponseAt *time.Time `json:"firstResponseAt,omitempty"`
	OpinionAt       *time.Time `json:"opinionAt,omitempty"`
	ClosedAt        *time.Time `json:"closedAt,omitempty"`

	// The tracking link's token is not stored (tokens.go): the card keeps
	// the nonce it is made from and its SHA-256. Staff answers show neither.
	TrackingNonce string `json:"trackingNonce,omitempty"`
	TrackingHash  string `json:"trackingHash,omitempty"`
	History       []Step `json:"history"`
	Version       int    `json:"version"`
}

// Channel is how a complaint arrived.
type Channel string

// Channels.
const (
	ChannelWeb    Channel = "web"
	ChannelPhone  Channel = "phone"
	ChannelLetter Channel = "letter"
	ChannelEmail  Channel = "email"
	ChannelVisit  Channel = "visit"
)

// Category is the record card's category.
type Category string

// Categories of the record card.
const (
	CategoryService   Category = "service"   // 服务质量
	CategoryProduct   Category = "product"   // 产品质量
	CategoryLogistics Category = "logistics" // 物流
	CategoryBilling   Category = "billing"   // 价格/账务
	CategoryStaff     Category = "staff"     // 人员
	CategoryOther     Category = "other"     // 其他
)

// Categories lists them in display order.
var Categories = []Category{CategoryService, CategoryProduct, CategoryLogistics, CategoryBilling, CategoryStaff, CategoryOther}

// Severity is normal or serious (重大).
type Severity string

// Severities.
const (
	SeverityNormal  Severity = "normal"
	SeveritySerious Severity = "serious"
)

// Request is what the customer asks for.
type Request string

// Requests.
const (
	RequestPriceReduction Request = "price-reduction" // 减价
	RequestReturn         Request = "return"          // 退货
	RequestExchange       Request = "exchange"        // 换货
	RequestCompensation   Request = "compensation"    // 损害赔偿
	RequestSuggestion     Request = "suggestion"      // 批评建议
	RequestOther          Request = "other"
)

// Requests lists them in display order.
var Requests = []Request{RequestPriceReduction, RequestReturn, RequestExchange, RequestCompensation, RequestSuggestion, RequestOther}

// ComplaintStatus is a workflow state.
type ComplaintStatus string

// The workflow: received → accepted | rejected → assigned → investigated →
// reviewed (or back to assigned) → [approved, serious only] → replied →
// called-back → closed.
const (
	StatusReceived     ComplaintStatus = "received"     // 已登记
	StatusAccepted     ComplaintStatus = "accepted"     // 已受理
	StatusRejected     ComplaintStatus = "rejected"     // 不受理
	StatusAssigned     ComplaintStatus = "assigned"     // 已分派
	StatusInvestigated ComplaintStatus = "investigated" // 已调查
	StatusReviewed     ComplaintStatus = "reviewed"     // 已审核
	StatusApproved     ComplaintStatus = "approved"     // 已审批 (serious complaints)
	StatusReplied      ComplaintStatus = "replied"      // 已答复
	StatusCalledBack   ComplaintStatus = "called-back"  // 已回访
	StatusClosed       ComplaintStatus = "closed"       // 已结案
)

// AllStatuses lists every state.
var AllStatuses = []ComplaintStatus{StatusReceived, StatusAccepted, StatusRejected, StatusAssigned, StatusInvestigated,
	StatusReviewed, StatusApproved, StatusReplied, StatusCalledBack, StatusClosed}

// Open reports whether the complaint still runs against its clocks.
func (s ComplaintStatus) Open() bool { return s != StatusClosed && s != StatusRejected }

// Label is the state's name as users know it.
func (s ComplaintStatus) Label(lang string) string {
	zh := map[ComplaintStatus]string{StatusReceived: "已登记", StatusAccepted: "已受理", StatusRejected: "不受理", StatusAssigned: "已分派",
		StatusInvestigated: "已调查", StatusReviewed: "已审核", StatusApproved: "已审批", StatusReplied: "已答复", StatusCalledBack: "已回访", StatusClosed: "已结案"}
	en := map[ComplaintStatus]string{StatusReceived: "Received", StatusAccepted: "Accepted", StatusRejected: "Not accepted", StatusAssigned: "Assigned",
		StatusInvestigated: "Investigated", StatusReviewed: "Reviewed", StatusApproved: "Approved", StatusReplied: "Replied", StatusCalledBack: "Called back", StatusClosed: "Closed"}
	if lang == "en" {
		return en[s]
	}
	return zh[s]
}

// Investigation is the handling department's report (调查报告).
type Investigation struct {
	Cause           string `json:"cause"`           // 发生原因
	WhatHappened    string `json:"whatHappened"`    // 具体经过
	Responsible     string `json:"responsible"`     // 责任者
	Conclusion      string `json:"conclusion"`      // 结论
	CompanyAtFault  bool   `json:"companyAtFault"`  // 有责投诉
	Countermeasures string `json:"countermeasures"` // 对策和防范措施

	// ResponsibleStaff is the staff id of the person responsible, if any
	// (optional): reports count complaints per staff member against the
	// policy's ladder (domain.StaffLadder).
	ResponsibleStaff string `json:"responsibleStaff,omitempty"`
}

// Product is what a product-quality complaint (产品质量) also records.
type Product struct {
	Type       string `json:"type,omitempty"`       // product type 产品类型
	Batch      string `json:"batch,omitempty"`      // batch number 批号
	ProducedOn string `json:"producedOn,omitempty"` // production date 生产日期, YYYY-MM-DD
	ArrivedOn  string `json:"arrivedOn,omitempty"`  // arrival date 到货日期, YYYY-MM-DD
}

func (pd *Product) check(v *ValidationError) {
	checkText(v, "product.type", pd.Type, MaxNameLen, false)
	checkText(v, "product.batch", pd.Batch, 100, false)
	for f, d := range map[string]string{"product.producedOn": pd.ProducedOn, "product.arrivedOn": pd.ArrivedOn} {
		if d != "" && !ValidDate(d) {
			v.Add(f, "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		}
	}
	if ValidDate(pd.ProducedOn) && ValidDate(pd.ArrivedOn) && pd.ArrivedOn < pd.ProducedOn {
		v.Add("product.arrivedOn", "arrived before it was produced 到货日期早于生产日期")
	}
}

// Settlement is how a disputed quality case ends (协商解决): a compensation
// or a discount, its amount, and who bears which cost.
type Settlement struct {
	Kind    string `json:"kind"`              // compensation 赔偿 | discount 折让
	Amount  string `json:"amount"`            // yuan, e.g. "1500.50"
	BorneBy string `json:"borneBy,omitempty"` // who bears which cost 费用承担
}

var amountRE = lazyRE(`^\d{1,10}(\.\d{1,2})?$`)

func (st *Settlement) check(v *ValidationError) {
	if st.Kind != "compensation" && st.Kind != "discount" {
		v.Add("settlement.kind", "must be compensation or discount 须为 compensation（赔偿）或 discount（折让）")
	}
	if !amountRE().MatchString(st.Amount) {
		v.Add("settlement.amount", "an amount in yuan such as 1500.50 金额格式如 1500.50")
	}
	checkText(v, "settlement.borneBy", st.BorneBy, MaxTextLen, false)
}

// Reply is the answer given to the customer.
type Reply struct {
	Text       string      `json:"text"`
	Method     string      `json:"method"` // written | oral
	Settlement *Settlement `json:"-"`      // a quality case's settlement, kept on the card
}

// Callback is the closing call (回访).
type Callback struct {
	Method    string `json:"method"` // phone | visit | email
	Result    string `json:"result"`
	Satisfied bool   `json:"satisfied"`
}

// Step is one entry of the history: who did what, when, from which state
// to which.
type Step struct {
	Action  Action          `json:"action"`
	Actor   string          `json:"actor"`
	Role    Role            `json:"role,omitempty"`
	At      time.Time       `json:"at"`
	From    ComplaintStatus `json:"from,omitempty"`
	To      ComplaintStatus `json:"to"`
	Comment string          `json:"comment,omitempty"`
}

// Action is a workflow step.
type Action string

// Actions, one endpoint each.
const (
	ActionReceive       Action = "receive"
	ActionAccept        Action = "accept"
	ActionReject        Action = "reject"
	ActionAssign        Action = "assign"
	ActionInvestigation Action = "investigation"
	ActionReview        Action = "review"
	ActionApprove       Action = "approve"
	ActionReply         Action = "reply"
	ActionCallback      Action = "callback"
	ActionClose         Action = "close"
	ActionCorrect       Action = "correct" // a supervisor links the account or corrects category or severity (not a workflow step)
)

// AllActions lists every action after receipt.
var AllActions = []Action{ActionAccept, ActionReject, ActionAssign, ActionInvestigation, ActionReview, ActionApprove, ActionReply, ActionCallback, ActionClose}

// Limits of the public form and the record card.
const (
	MaxDescription = 5000
	MaxStepText    = 5000
)

// ValidateNew checks a new complaint's card (before numbering).
func (c *Complaint) ValidateNew() error {
	v := &ValidationError{}
	checkText(v, "customerName", c.CustomerName, MaxNameLen, true)
	checkText(v, "contact.name", c.Contact.Name, MaxNameLen, true)
	if c.Contact.Phone == "" && c.Contact.Email == "" {
		v.Add("contact.phone", "give a phone number or an email address 请至少填写电话或邮箱")
		v.Add("contact.email", "give a phone number or an email address 请至少填写电话或邮箱")
	}
	if c.Contact.Phone != "" && !ValidPhone(c.Contact.Phone) {
		v.Add("contact.phone", "not a phone number 电话格式无效")
	}
	if c.Contact.Email != "" && !ValidEmail(c.Contact.Email) {
		v.Add("contact.email", "not an email address 邮箱格式无效")
	}
	switch c.Channel {
	case ChannelWeb, ChannelPhone, ChannelLetter, ChannelEmail, ChannelVisit:
	default:
		v.Add("channel", "must be web, phone, letter, email or visit 渠道无效")
	}
	if !oneOf(c.Category, Categories) {
		v.Add("category", "choose a category 请选择投诉类别")
	}
	if c.Severity != SeverityNormal && c.Severity != SeveritySerious {
		v.Add("severity", "must be normal or serious 严重程度无效")
	}
	if !oneOf(c.Request, Requests) {
		v.Add("request", "choose what you ask for 请选择诉求")
	}
	checkText(v, "description", c.Description, MaxDescription, true)
	if c.Product != nil {
		if c.Category != CategoryProduct {
			v.Add("product", "product details belong to product-quality complaints 仅产品质量投诉可填写产品信息")
		}
		c.Product.check(v)
	}
	if c.Language != "zh" && c.Language != "en" {
		v.Add("language", "must be zh or en 语言须为 zh 或 en")
	}
	return v.Err()
}

func oneOf[T comparable](x T, list []T) bool {
	for _, y := range list {
		if x == y {
			return true
		}
	}
	return false
}

// Open starts the workflow of a numbered complaint received at c.ReceivedAt
// under sla.
func (c *Complaint) Open(sla SLA, actor string, role Role) {
	c.SLA = sla.Freeze(c.ReceivedAt.In(sla.Location()).Year())
	c.Status = StatusReceived
	c.Deadlines = sla.DeadlinesFor(c.ReceivedAt)
	c.Version = 1
	c.History = []Step{{Action: ActionReceive, Actor: actor, Role: role, At: c.ReceivedAt, To: StatusReceived}}
}

// StepInput is what a step carries.
type StepInput struct {
	Reason        string         // reject
	Department    string         // assign
	Opinion       string         // assign: the handling opinion (受理意见)
	Investigation *Investigation // investigation
	Approve       *bool          // review: approve (true) or send back (false); approve step: approve or not
	Comment       string         // review, approve
	Reply         *Reply         // reply
	Callback      *Callback      // callback
}

// IllegalStepError says an action does not apply in the current state.
type IllegalStepError struct {
	Action Action
	State  ComplaintStatus
}

func (e *IllegalStepError) Error() string {
	return fmt.Sprintf("%s is not possible while the complaint is %s", e.Action, e.State)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *IllegalStepError) Is(target error) bool { return target == ErrConflict }

// transitions is the state machine: for each action, the states it may
// start from and the roles that may take it.
var transitions = map[Action]struct {
	from  []ComplaintStatus
	roles []Role
}{
	ActionAccept:        {[]ComplaintStatus{StatusReceived}, []Role{RoleSupervisor}},
	ActionReject:        {[]ComplaintStatus{StatusReceived}, []Role{RoleSupervisor}},
	ActionAssign:        {[]ComplaintStatus{StatusAccepted, StatusAssigned}, []Role{RoleSupervisor}},
	ActionInvestigation: {[]ComplaintStatus{StatusAssigned}, []Role{RoleDepartment}},
	ActionReview:        {[]ComplaintStatus{StatusInvestigated}, []Role{RoleSupervisor}},
	ActionApprove:       {[]ComplaintStatus{StatusReviewed}, []Role{RoleExecutive}},
	ActionReply:         {[]ComplaintStatus{StatusReviewed, StatusApproved}, []Role{RoleSupervisor}},
	ActionCallback:      {[]ComplaintStatus{StatusReplied}, []Role{RoleSupervisor, RoleManager}},
	ActionClose:         {[]ComplaintStatus{StatusCalledBack}, []Role{RoleSupervisor}},
}

// Allowed reports whether action may start from state for this complaint
// (the approval step exists for serious complaints only, and a serious
// complaint is replied to only once approved).
func (c *Complaint) Allowed(a Action) bool {
	tr, ok := transitions[a]
	if !ok || !oneOf(c.Status, tr.from) {
		return false
	}
	switch a {
	case ActionApprove:
		return c.Severity == SeveritySerious
	case ActionReply:
		return c.Status == StatusApproved || c.Severity != SeveritySerious
	}
	return true
}

// Apply takes one workflow step by p at now. It checks the state (an
// IllegalStepError, which is a conflict), the role (ForbiddenError), and the
// step's input (ValidationError), then changes c and appends to its history.
func (c *Complaint) Apply(a Action, in StepInput, p Principal, now time.Time) error {
	tr, ok := transitions[a]
	if !ok {
		return &ValidationError{Fields: map[string]string{"action": "unknown step 未知操作"}}
	}
	if !c.Allowed(a) {
		return &IllegalStepError{Action: a, State: c.Status}
	}
	if err := c.checkActor(a, tr.roles, p); err != nil {
		return err
	}
	v := &ValidationError{}
	now = now.UTC()
	step := Step{Action: a, Actor: p.Sub, Role: p.Primary(), At: now, From: c.Status}
	var to ComplaintStatus
	switch a {
	case ActionAccept:
		to = StatusAccepted
		due := c.SLA.AddWorkingDays(now, c.SLA.OpinionWorkingDays)
		c.Deadlines.OpinionDue = &due
		c.firstResponse(now)
	case ActionReject:
		checkText(v, "reason", in.Reason, MaxStepText, true)
		to, c.RejectReason, step.Comment = StatusRejected, in.Reason, in.Reason
		c.firstResponse(now)
	case ActionAssign:
		if !ValidID(in.Department) {
			v.Add("department", "name the handling department 请指定受理部门")
		}
		checkText(v, "opinion", in.Opinion, MaxStepText, true)
		to, c.Department, c.HandlingOpinion, step.Comment = StatusAssigned, in.Department, in.Opinion, in.Department+": "+in.Opinion
		if c.OpinionAt == nil {
			c.OpinionAt = &now
		}
	case ActionInvestigation:
		r := in.Investigation
		if r == nil {
			r = &Investigation{}
		}
		checkText(v, "cause", r.Cause, MaxStepText, true)
		checkText(v, "whatHappened", r.WhatHappened, MaxStepText, true)
		checkText(v, "responsible", r.Responsible, MaxNameLen, true)
		checkText(v, "conclusion", r.Conclusion, MaxStepText, true)
		checkText(v, "countermeasures", r.Countermeasures, MaxStepText, true)
		if r.ResponsibleStaff != "" && !ValidID(r.ResponsibleStaff) {
			v.Add("responsibleStaff", "not a staff id 员工标识无效")
		}
		to, c.Investigation = StatusInvestigated, r
		fault := r.CompanyAtFault
		c.ResponsibleFault = &fault
	case ActionReview:
		if in.Approve == nil {
			v.Add("approve", "say whether the report is approved (true) or sent back (false) 请选择通过或退回")
		} else if !*in.Approve {
			checkText(v, "comment", in.Comment, MaxStepText, true)
		}
		checkText(v, "comment", in.Comment, MaxStepText, false)
		to, step.Comment = StatusReviewed, in.Comment
		if in.Approve != nil && !*in.Approve {
			to = StatusAssigned
			c.SentBack++
		}
	case ActionApprove:
		checkText(v, "comment", in.Comment, MaxStepText, false)
		to, step.Comment = StatusApproved, in.Comment
		if in.Approve != nil && !*in.Approve {
			checkText(v, "comment", in.Comment, MaxStepText, true)
			to = StatusAssigned // not approved: back to the department with the executive's comment
			c.SentBack++
		}
	case ActionReply:
		r := in.Reply
		if r == nil {
			r = &Reply{}
		}
		checkText(v, "text", r.Text, MaxStepText, true)
		if r.Method == "" {
			r.Method = "written"
		}
		if r.Method != "written" && r.Method != "oral" {
			v.Add("method", "must be written or oral 答复方式须为 written 或 oral")
		}
		if st := r.Settlement; st != nil {
			if c.Category != CategoryProduct {
				v.Add("settlement", "a settlement ends a product-quality case 仅产品质量投诉可记录协商结果")
			} else {
				st.check(v)
			}
			c.Settlement = st
		}
		to, c.Reply = StatusReplied, r
		c.firstResponse(now)
	case ActionCallback:
		cb := in.Callback
		if cb == nil {
			cb = &Callback{}
		}
		if cb.Method == "" {
			cb.Method = "phone"
		}
		if !oneOf(cb.Method, []string{"phone", "visit", "email"}) {
			v.Add("method", "must be phone, visit or email 回访方式无效")
		}
		checkText(v, "result", cb.Result, MaxStepText, true)
		to, c.Callback, step.Comment = StatusCalledBack, cb, cb.Result
	case ActionClose:
		to = StatusClosed
		c.ClosedAt = &now
	}
	if err := v.Err(); err != nil {
		return err
	}
	step.To = to
	c.Status = to
	c.History = append(c.History, step)
	c.Version++
	return nil
}

// checkActor is who may take step a on c: its roles, the assigned
// department for the investigation, the account's manager (or a
// supervisor) for the callback.
func (c *Complaint) checkActor(a Action, roles []Role, p Principal) error {
	if !p.HasAny(roles...) {
		return Forbidden("%s is for %s", a, rolesText(roles))
	}
	if a == ActionInvestigation && p.Department != c.Department {
		return Forbidden("only the assigned department (%s) reports the investigation", c.Department)
	}
	if a == ActionCallback && !p.Has(RoleSupervisor) && c.ManagerID != p.Sub {
		return Forbidden("only the account's manager or a supervisor records the callback")
	}
	return nil
}

// MayTake reports whether p may take step a on c now: the step applies in
// c's state (Allowed) and p is who takes it (the rules of Apply). Pages
// offer the forms of these steps only.
func (c *Complaint) MayTake(p Principal, a Action) bool {
	tr, ok := transitions[a]
	return ok && c.Allowed(a) && c.checkActor(a, tr.roles, p) == nil
}

// CanCorrectComplaint: supervisors link, re-link and correct a card (Correct).
func CanCorrectComplaint(p Principal) bool { return p.Has(RoleSupervisor) }

func (c *Complaint) firstResponse(now time.Time) {
	if c.FirstResponseAt == nil {
		c.FirstResponseAt = &now
	}
}

func rolesText(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

// CanSeeComplaint: supervisors (the quality department), executives and
// admins see all complaints; a handling department those assigned to it; a
// manager those of the accounts they manage now. account is the linked
// file as it is now (nil for an unlinked complaint): after a handover the
// new manager sees the account's complaints and the old one no longer
// does, whatever manager the card recorded when it was opened.
func CanSeeComplaint(p Principal, c *Complaint, account *Customer) bool {
	manager := ""
	if account != nil {
		manager = account.ManagerID
	}
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor):
		return true
	case p.Has(RoleDepartment) && c.Department != "" && c.Department == p.Department:
		return true
	case p.Has(RoleManager) && manager != "" && manager == p.Sub:
		return true
	}
	return false
}

// ClosedOnTime reports whether a closed complaint met its 7-day deadline.
func (c *Complaint) ClosedOnTime() bool {
	return c.ClosedAt != nil && !c.ClosedAt.After(c.Deadlines.CloseDue)
}

// Intake rules: who records a complaint, and how it is linked to its account.

// CanRecordComplaint reports whether p may enter a complaint received by
// phone, letter, email or visit: supervisors, managers (for their own
// accounts) and admins.
func CanRecordComplaint(p Principal) bool {
	return p.HasAny(RoleSupervisor, RoleManager, RoleAdmin)
}

// MaxEntryDelay is how far back a staff-entered complaint's receipt may be dated.
const MaxEntryDelay = 30 * 24 * time.Hour

// CheckStaffEntry checks a complaint p enters by hand: the role, the
// channel (web complaints come through the public form), the receipt time
// (not in the future, within the last 30 days) and, for a manager, that it
// is linked to one of their own accounts (account is nil when unlinked).
func CheckStaffEntry(p Principal, c *Complaint, account *Customer, now time.Time) error {
	if !CanRecordComplaint(p) {
		return Forbidden("supervisors, managers and admins record complaints")
	}
	if c.Channel == ChannelWeb {
		return &ValidationError{Fields: map[string]string{"channel": "web complaints come through the public form 网页投诉请通过公开表单提交"}}
	}
	if c.ReceivedAt.After(now) || now.Sub(c.ReceivedAt) > MaxEntryDelay {
		return &ValidationError{Fields: map[string]string{"receivedAt": "must be within the last 30 days 须为近 30 天内的时间"}}
	}
	if !p.HasAny(RoleSupervisor, RoleAdmin) {
		if account == nil {
			return &ValidationError{Fields: map[string]string{"customerId": "managers record complaints of their own accounts: give customerId 客户经理请指定客户"}}
		}
		if account.ManagerID != p.Sub {
			return Forbidden("managers record complaints of their own accounts")
		}
	}
	return nil
}

// LinkAccount links the complaint to its key-account file (how: entered,
// contact, supervisor): the account's manager, department and tier then
// apply (access, urgency, statistics).
func (c *Complaint) LinkAccount(a *Customer, how string) {
	c.CustomerID, c.ManagerID, c.AccountDept, c.AccountTier, c.MatchedBy = a.ID, a.ManagerID, a.Department, a.Tier, how
	if c.SuggestedCustomerID == a.ID {
		c.SuggestedCustomerID = ""
	}
	if c.CustomerName == "" {
		c.CustomerName = a.Name
	}
}

// ScopeComplaints narrows a complaint listing to what p may see:
// supervisors, executives and admins all; a handling department its own;
// a manager one account at a time (each item is then checked with
// CanSeeComplaint).
func ScopeComplaints(p Principal, q ComplaintQuery) (ComplaintQuery, error) {
	switch {
	case p.HasAny(RoleAdmin, RoleExecutive, RoleSupervisor):
	case p.Has(RoleDepartment):
		if q.Department != "" && q.Department != p.Department {
			return q, Forbidden("departments list their own complaints")
		}
		q.Department = p.Department
	case p.Has(RoleManager):
		if q.Customer == "" {
			return q, &ValidationError{Fields: map[string]string{"customer": "managers list complaints per account: give customer= 客户经理请按客户查询"}}
		}
	default:
		return q, Forbidden("your role has no access to complaints")
	}
	return q, nil
}

// CustomerNotice is the email a step sends the customer ("" for none):
// acceptance, rejection (with its reason) and the reply.
func CustomerNotice(a Action) string {
	switch a {
	case ActionAccept:
		return "complaint-accepted"
	case ActionReject:
		return "complaint-rejected"
	case ActionReply:
		return "complaint-replied"
	}
	return ""
}

// SurveyAfterClose reports whether closing c invites its contact to rate the
// handling (domain.md: after closure the customer receives a satisfaction
// survey): when the contact gave an email address.
func (c *Complaint) SurveyAfterClose() bool {
	return c.Status == StatusClosed && c.Contact.Email != ""
}

// AllowedActions lists the steps that may be taken now.
func (c *Complaint) AllowedActions() []Action {
	out := []Action{}
	for _, a := range AllActions {
		if c.Allowed(a) {
			out = append(out, a)
		}
	}
	return out
}

// Receipt is what a new complaint's sender gets back: its number, the
// tracking link (from its nonce) and the clocks. A submission repeated with
// the same idempotency key within 24 h gets the first one's receipt (Replayed).
type Receipt struct {
	Number           string    `json:"number"`
	TrackingNonce    string    `json:"trackingNonce"`
	ReceivedAt       time.Time `json:"receivedAt"`
	FirstResponseDue time.Time `json:"firstResponseDue"`
	CloseDue         time.Time `json:"closeDue"`
	Fingerprint      string    `json:"fingerprint"` // of the submitted content: the same key with other content is refused
	Replayed         bool      `json:"-"`
	RoundTrips       int       `json:"-"` // DynamoDB round trips the submission took (figures)
}

// IdempotencyWindow is how long a submission's idempotency key is remembered.
const IdempotencyWindow = 24 * time.Hour

// Correction is what a supervisor corrects after intake: the linked
// account (CustomerID: link or re-link), the category or the severity, with
// the reason, which goes on the record card.
type Correction struct {
	CustomerID *string   `json:"customerId"`
	Category   *Category `json:"category"`
	Severity   *Severity `json:"severity"`
	Reason     string    `json:"reason"`
}

// Correct applies in on behalf of p at now: supervisors correct; account is
// the file in.CustomerID names (nil when it names none). Linking recomputes
// what follows the account (its manager sees the card, a strategic account
// makes the complaint urgent, statistics count it under the tier). It
// reports whether the linked account changed.
func (c *Complaint) Correct(in Correction, account *Customer, p Principal, now time.Time) (bool, error) {
	if !CanCorrectComplaint(p) {
		return false, Forbidden("corrections are for supervisors")
	}
	v := &ValidationError{}
	checkText(v, "reason", in.Reason, MaxStepText, true)
	if in.Category != nil && !oneOf(*in.Category, Categories) {
		v.Add("category", "choose a category 请选择投诉类别")
	}
	if in.Severity != nil && *in.Severity != SeverityNormal && *in.Severity != SeveritySerious {
		v.Add("severity", "must be normal or serious 严重程度无效")
	}
	if in.CustomerID != nil && account == nil {
		v.Add("customerId", "no such customer 客户不存在")
	}
	if in.CustomerID == nil && in.Category == nil && in.Severity == nil {
		v.Add("customerId", "say what to correct: customerId, category or severity 请指定要更正的内容")
	}
	if err := v.Err(); err != nil {
		return false, err
	}
	var changes []string
	relinked := false
	if account != nil && account.ID != c.CustomerID {
		c.LinkAccount(account, "supervisor")
		changes, relinked = append(changes, "account "+account.ID), true
	}
	if in.Category != nil && *in.Category != c.Category {
		c.Category = *in.Category
		changes = append(changes, "category "+string(*in.Category))
	}
	if in.Severity != nil && *in.Severity != c.Severity {
		c.Severity = *in.Severity
		changes = append(changes, "severity "+string(*in.Severity))
	}
	if len(changes) == 0 {
		return false, nil
	}
	c.History = append(c.History, Step{Action: ActionCorrect, Actor: p.Sub, Role: p.Primary(), At: now.UTC(), From: c.Status, To: c.Status,
		Comment: strings.Join(changes, ", ") + ": " + in.Reason})
	c.Version++
	return relinked, nil
}
