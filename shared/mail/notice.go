package mail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"keycare/shared/domain"
)

// Staff notices. Each names the complaint (number, account, description),
// shows labels, never codes (severity 一般/重大, status, department and
// reminder names), says how late the item is and who owns it, and links to
// it: Case.URL, the console page once it exists, the API route until then.

// Case is a complaint as staff notices show it.
type Case struct {
	Number      string
	Customer    string      // the account's name, or the sender's for unknown senders
	Tier        domain.Tier // of the linked account; "" when not linked
	Severity    domain.Severity
	Status      domain.ComplaintStatus
	Category    domain.Category
	Description string // shortened in the notice
	// Department is the handling department's id; DepartmentName its name
	// as people know it (shown; the id when empty).
	Department     string
	DepartmentName string
	// Owner is who must act now; empty: the handling department, or the
	// service-quality supervisors before assignment.
	Owner            string
	Manager          string // the account manager's name (the id when no name is known)
	ReceivedAt       time.Time
	FirstResponseDue time.Time
	CloseDue         time.Time
	URL              string // the item: http(s) becomes a button; a path is shown as text
}

// CaseOf is the Case of a complaint; url links to it. Names the complaint
// does not hold (department and manager names) are the caller's to fill.
func CaseOf(c *domain.Complaint, url string) Case {
	return Case{Number: c.Number, Customer: c.CustomerName, Tier: c.AccountTier, Severity: c.Severity, Status: c.Status,
		Category: c.Category, Description: c.Description, Department: c.Department, Manager: c.ManagerID,
		ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue, CloseDue: c.Deadlines.CloseDue, URL: url}
}

func (c Case) check() error {
	switch {
	case strings.TrimSpace(c.Number) == "":
		return errors.New("no complaint number")
	case strings.TrimSpace(c.Customer) == "":
		return errors.New("no customer name")
	case strings.TrimSpace(c.URL) == "":
		return errors.New("no link to the complaint")
	}
	return nil
}

func (c Case) department(e *env) string {
	switch {
	case strings.TrimSpace(c.DepartmentName) != "":
		return oneLine(c.DepartmentName)
	case c.Department != "":
		return c.Department
	}
	return e.s("未分派", "not assigned yet")
}

func (c Case) owner(e *env) string {
	switch {
	case strings.TrimSpace(c.Owner) != "":
		return oneLine(c.Owner)
	case c.Department != "" || c.DepartmentName != "":
		return c.department(e)
	}
	return e.s("客服质量部（主管）", "Service quality (supervisors)")
}

func (c Case) customer(e *env) string {
	name := oneLine(c.Customer)
	if c.Tier != "" {
		return name + e.s("（"+tierLabel(c.Tier, e.lang)+"）", " ("+tierLabel(c.Tier, e.lang)+")")
	}
	return name
}

// facts are the rows every complaint notice shows; due is the deadline that
// matters to this notice (zero: closure).
func (c Case) facts(e *env, due time.Time, dueLabel string) []fact {
	if due.IsZero() {
		due, dueLabel = c.CloseDue, e.s("结案期限", "Closure due")
	}
	var dueValue string
	if !due.IsZero() {
		dueValue = e.when(due) + e.s("，", ", ") + e.late(due)
	}
	severity := ""
	if c.Severity != "" {
		severity = SeverityLabel(c.Severity, e.lang)
	}
	status, category := "", ""
	if c.Status != "" {
		status = statusLabel(c.Status, e.lang)
	}
	if c.Category != "" {
		category = label(categoryLabels, string(c.Category), e.lang)
	}
	return []fact{
		{Label: e.s("投诉单号", "Complaint"), Value: c.Number, Strong: true},
		{Label: e.s("客户", "Account"), Value: c.customer(e)},
		{Label: e.s("严重程度", "Severity"), Value: severity, Alert: c.Severity == domain.SeveritySerious},
		{Label: e.s("类别", "Category"), Value: category},
		{Label: e.s("当前状态", "Status"), Value: status},
		{Label: e.s("受理部门", "Department"), Value: c.department(e)},
		{Label: e.s("负责人", "Owner"), Value: c.owner(e)},
		{Label: e.s("客户经理", "Account manager"), Value: oneLine(c.Manager)},
		{Label: dueLabel, Value: dueValue, Alert: !due.IsZero() && e.Now.After(due)},
	}
}

func staffDoc(c Case) *doc { return &doc{Urgent: c.Severity == domain.SeveritySerious} }

// finish ends a complaint notice: the link, its facts, what the customer wrote.
func (c Case) finish(m *doc, e *env, f []fact) *doc {
	m.link(e, e.s("查看投诉", "Open the complaint"), c.URL)
	m.Blocks = append(m.Blocks, block{Facts: keep(f)})
	m.quote(e.s("投诉内容", "What the customer wrote"), excerpt(c.Description, 200))
	return m
}

func subjectOf(e *env, tag string, c Case, tail string) string {
	s := e.s("【"+tag+"】投诉 "+c.Number+" · "+oneLine(c.Customer), "["+tag+"] Complaint "+c.Number+" · "+oneLine(c.Customer))
	if c.Severity == domain.SeveritySerious {
		s = e.s("【重大】", "[Serious] ") + s
	}
	if tail != "" {
		s += " · " + tail
	}
	return s
}

// ComplaintReminder is a reminder before a deadline or an escalation after
// it ("complaint-reminder"); for the executive ("complaint-escalation") it
// has its own wording.
type ComplaintReminder struct {
	Case     Case
	Reminder domain.Reminder // its Kind, To and Deadline
}

// Kind of a reminder: the executive's escalation is "complaint-escalation".
func (d ComplaintReminder) Kind() string {
	if d.Reminder.To == domain.ToExecutive {
		return "complaint-escalation"
	}
	return "complaint-reminder"
}

func (d ComplaintReminder) compose(e *env) (*doc, error) {
	c, r := d.Case, d.Reminder
	if err := c.check(); err != nil {
		return nil, err
	}
	if r.Deadline.IsZero() {
		return nil, errors.New("no deadline")
	}
	if _, ok := reminderLabels[r.Kind]; !ok {
		return nil, fmt.Errorf("unknown reminder kind %q", r.Kind)
	}
	what := map[string]Text{
		"close-soon":             {"结案", "closure"},
		"first-response-soon":    {"首次答复客户", "the first answer to the customer"},
		"opinion-soon":           {"提出处理意见", "the handling opinion"},
		"close-overdue":          {"结案", "closure"},
		"first-response-overdue": {"首次答复客户", "the first answer to the customer"},
		"opinion-overdue":        {"提出处理意见", "the handling opinion"},
	}[r.Kind].In(e.lang)
	late, due, owner := e.late(r.Deadline), e.when(r.Deadline), c.owner(e)
	m := staffDoc(c)
	m.Tag = ReminderKindLabel(r.Kind, e.lang)
	overdue := e.Now.After(r.Deadline)
	m.Urgent = m.Urgent || overdue
	m.Subject = subjectOf(e, m.Tag, c, late)
	dueLabel := e.s("时限", "Deadline")
	switch {
	case r.To == domain.ToExecutive:
		m.Tag = e.s("升级督办", "Escalated to you")
		m.Subject = subjectOf(e, m.Tag, c, e.s(what+late, capitalize(what)+" "+late))
		m.Heading = e.s("请督办：投诉 "+c.Number+" "+what+late, "Please step in: complaint "+c.Number+", "+what+" "+late)
		rule := Text{}
		if strings.HasPrefix(r.Kind, "close") && !c.ReceivedAt.IsZero() && c.CloseDue.After(c.ReceivedAt) {
			d := c.CloseDue.Sub(c.ReceivedAt)
			en := strings.NewReplacer(" days", "-day", " hours", "-hour").Replace(within(d, "en"))
			rule = Text{"（" + within(d, "zh") + "结案）", ", under the " + en + " rule,"}
		}
		m.para(e.s("这件投诉应在 "+due+"前"+what+rule.ZH+"，现"+late+"。主管已收到超时通知，投诉仍未办结，按规定升级至您。",
			"This complaint was due for "+what+" by "+due+rule.EN+" and is now "+late+". The supervisors were told when it became overdue; it is still open, so, as the rules say, it comes to you."))
		m.para(e.s("目前由"+owner+"负责。请您督促处理，并确认已向客户说明进度。",
			owner+" owns it now. Please see that it is handled and that the customer has been told where it stands."))
	case !overdue:
		m.Heading = e.s("投诉 "+c.Number+" "+late+"到"+what+"期限", "Complaint "+c.Number+": "+what+" "+late)
		m.para(e.s("这件投诉须在 "+due+"前"+what+"，"+late+"。请"+owner+"尽快完成处理；如需协调，请联系客服质量部。",
			"This complaint is due for "+what+" by "+due+" ("+late+"). "+owner+", please complete it; the service-quality team can help if you need others."))
	default:
		m.Heading = e.s("投诉 "+c.Number+" "+what+late, "Complaint "+c.Number+": "+what+" "+late)
		var act Text
		switch r.Kind {
		case "first-response-overdue":
			act = Text{"请尽快联系客户：受理，或说明不受理的原因；重大投诉无法在期限内处理的，应向客户说明并承诺解决日期。",
				"Please contact the customer now: accept the complaint or explain why not; if a serious case cannot be resolved in time, explain and promise a date."}
		case "opinion-overdue":
			act = Text{"请尽快提出处理意见并分派受理部门。", "Please give the handling opinion and assign a department now."}
		default:
			act = Text{"请督促" + owner + "尽快办结，并向客户说明进度。", "Please see that " + owner + " closes it soon, and tell the customer where it stands."}
		}
		m.para(e.s("这件投诉应在 "+due+"前"+what+"，"+late+"。", "This complaint was due for "+what+" by "+due+" and is "+late+". ") + act.In(e.lang))
	}
	return c.finish(m, e, c.facts(e, r.Deadline, dueLabel)), nil
}

// keep drops the rows without a value.
func keep(f []fact) []fact {
	var out []fact
	for _, x := range f {
		if strings.TrimSpace(x.Value) != "" {
			out = append(out, x)
		}
	}
	return out
}

// NewComplaint is the copy of a new complaint to the supervising leader and,
// for a key account, its manager ("complaint-new").
type NewComplaint struct {
	Case       Case
	Channel    domain.Channel
	Request    domain.Request
	ForManager bool // the copy to the account's manager: worded for them
}

// ComplaintAssigned tells the handling department ("complaint-assigned").
type ComplaintAssigned struct {
	Case    Case
	Opinion string // the handling opinion (受理意见)
	By      string // who assigned it
}

// ComplaintForReview tells the reviewer an investigation report is ready
// ("complaint-review").
type ComplaintForReview struct {
	Case           Case
	Conclusion     string
	CompanyAtFault bool
	By             string // who reported (the department's member)
}

// ComplaintForApproval asks the executive to approve a serious complaint's
// handling before the reply ("complaint-approval").
type ComplaintForApproval struct {
	Case       Case
	ReviewedBy string
	Comment    string // the reviewer's comment
}

// PoorSurveyAnswer tells the supervisors of a poor answer from a strategic
// account ("survey-poor-answer").
type PoorSurveyAnswer struct {
	Customer        string
	Tier            domain.Tier
	Manager         string // the account manager's name (the id when no name is known)
	Overall         int    // 1–5
	Recommend       int    // 0–10
	Comment         string
	ComplaintNumber string // a post-complaint survey's complaint
	AnsweredAt      time.Time
	FollowUpDue     time.Time // the manager's follow-up task, when one was opened
	URL             string    // the answers (console page; the API route until then)
}

// Kinds.
func (NewComplaint) Kind() string         { return "complaint-new" }
func (ComplaintAssigned) Kind() string    { return "complaint-assigned" }
func (ComplaintForReview) Kind() string   { return "complaint-review" }
func (ComplaintForApproval) Kind() string { return "complaint-approval" }
func (PoorSurveyAnswer) Kind() string     { return "survey-poor-answer" }

func (d NewComplaint) compose(e *env) (*doc, error) {
	c := d.Case
	if err := c.check(); err != nil {
		return nil, err
	}
	m := staffDoc(c)
	m.Tag = e.s("新投诉", "New complaint")
	m.Subject = subjectOf(e, m.Tag, c, "")
	m.Heading = e.s("新投诉 "+c.Number+"："+oneLine(c.Customer), "New complaint "+c.Number+": "+oneLine(c.Customer))
	channel := label(channelLabels, string(d.Channel), e.lang)
	if d.ForManager {
		m.para(e.s("您负责的客户"+c.customer(e)+"有一件新投诉（"+channel+"），已登记为 "+c.Number+"，由客服质量部受理。特此抄送，请了解情况，必要时与客户联系。",
			"An account you manage, "+c.customer(e)+", has made a new complaint ("+channel+"), registered as "+c.Number+"; the service-quality team handles it. This copy is for you to know, and to call the customer if needed."))
	} else {
		first := ""
		if !c.FirstResponseDue.IsZero() {
			first = e.s("请在 "+e.when(c.FirstResponseDue)+"前首次答复客户，并决定是否受理。", "Please answer the customer by "+e.when(c.FirstResponseDue)+" and decide whether to accept it.")
		}
		m.para(e.s("收到一件新投诉（"+channel+"），已登记为 "+c.Number+"。", "A new complaint ("+channel+") has been registered as "+c.Number+". ") + first)
	}
	f := c.facts(e, c.FirstResponseDue, e.s("首次答复期限", "First answer due"))
	if d.Request != "" {
		f = append(f, fact{Label: e.s("客户诉求", "Customer asks for"), Value: label(requestLabels, string(d.Request), e.lang)})
	}
	if !c.ReceivedAt.IsZero() {
		f = append(f, fact{Label: e.s("登记时间", "Received"), Value: e.when(c.ReceivedAt)})
	}
	if !c.CloseDue.IsZero() {
		f = append(f, fact{Label: e.s("结案期限", "Closure due"), Value: e.when(c.CloseDue)})
	}
	return c.finish(m, e, f), nil
}

func (d ComplaintAssigned) compose(e *env) (*doc, error) {
	c := d.Case
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Department == "" && c.DepartmentName == "" {
		return nil, errors.New("no department")
	}
	dept := c.department(e)
	m := staffDoc(c)
	m.Tag = e.s("已分派", "Assigned")
	m.Subject = subjectOf(e, m.Tag, c, e.s("请"+dept+"调查处理", "for "+dept+" to investigate"))
	m.Heading = e.s("请调查处理投诉 "+c.Number, "Please investigate complaint "+c.Number)
	by := ""
	if b := oneLine(d.By); b != "" {
		by = e.s("（"+b+"）", " ("+b+")")
	}
	dueZH, dueEN := "请", ""
	if !c.CloseDue.IsZero() {
		dueZH, dueEN = "请在 "+e.when(c.CloseDue)+"前", " by "+e.when(c.CloseDue)
	}
	m.para(e.s("客服质量部"+by+"已将投诉 "+c.Number+" 分派给"+dept+"。"+dueZH+"完成调查并提交调查报告：发生原因、具体经过、责任者、结论、是否有责、对策和防范措施。",
		"The service-quality team"+by+" has assigned complaint "+c.Number+" to "+dept+". Please investigate it and file the report"+dueEN+": cause, what happened, who is responsible, conclusion, whether the company is at fault, countermeasures."))
	m.quote(e.s("处理意见", "Handling opinion"), d.Opinion)
	return c.finish(m, e, c.facts(e, time.Time{}, "")), nil
}

func (d ComplaintForReview) compose(e *env) (*doc, error) {
	c := d.Case
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Owner == "" { // the reviewer's turn
		c.Owner = e.s("客服质量部（主管）", "Service quality (supervisors)")
	}
	m := staffDoc(c)
	m.Tag = e.s("待审核", "To review")
	m.Subject = subjectOf(e, m.Tag, c, e.s("调查报告", "investigation report"))
	m.Heading = e.s("请审核投诉 "+c.Number+" 的调查报告", "Please review the investigation of complaint "+c.Number)
	who := c.department(e)
	if b := oneLine(d.By); b != "" {
		who += e.s("（"+b+"）", " ("+b+")")
	}
	m.para(e.s(who+"已提交投诉 "+c.Number+" 的调查报告。请审核：通过，或退回受理部门补充。",
		who+" has filed the investigation report of complaint "+c.Number+". Please review it: approve it, or send it back to the department."))
	m.quote(e.s("结论", "Conclusion"), d.Conclusion)
	f := c.facts(e, time.Time{}, "")
	f = append(f[:3], append([]fact{{Label: e.s("是否有责", "Company at fault"), Value: e.s(map[bool]string{true: "有责投诉", false: "无责"}[d.CompanyAtFault],
		map[bool]string{true: "Yes", false: "No"}[d.CompanyAtFault]), Alert: d.CompanyAtFault}}, f[3:]...)...)
	return c.finish(m, e, f), nil
}

func (d ComplaintForApproval) compose(e *env) (*doc, error) {
	c := d.Case
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Owner == "" { // the executive's turn
		c.Owner = e.s("总经理", "Executive")
	}
	m := staffDoc(c)
	m.Tag = e.s("待审批", "To approve")
	m.Urgent = true
	m.Subject = e.s("【待审批】重大投诉 "+c.Number+" · "+oneLine(c.Customer), "[To approve] Serious complaint "+c.Number+" · "+oneLine(c.Customer))
	m.Heading = e.s("请审批重大投诉 "+c.Number, "Please approve serious complaint "+c.Number)
	by := ""
	if b := oneLine(d.ReviewedBy); b != "" {
		by = e.s("（审核人："+b+"）", " (by "+b+")")
	}
	m.para(e.s("重大投诉 "+c.Number+" 的调查报告已审核通过"+by+"。按规定，答复客户前需要您审批。",
		"The investigation of serious complaint "+c.Number+" has been reviewed and approved"+by+". As the rules say, it needs your approval before the customer is answered."))
	m.quote(e.s("审核意见", "Reviewer's comment"), d.Comment)
	return c.finish(m, e, c.facts(e, time.Time{}, "")), nil
}

func (d PoorSurveyAnswer) compose(e *env) (*doc, error) {
	switch {
	case strings.TrimSpace(d.Customer) == "":
		return nil, errors.New("no customer name")
	case d.Overall < 1 || d.Overall > 5 || d.Recommend < 0 || d.Recommend > 10:
		return nil, fmt.Errorf("scores %d/%d out of range", d.Overall, d.Recommend)
	}
	customer, tier := oneLine(d.Customer), ""
	if d.Tier != "" {
		tier = tierLabel(d.Tier, e.lang)
	}
	m := &doc{Urgent: true}
	m.Tag = e.s("评价偏低", "Poor answer")
	if tier != "" {
		m.Subject = e.s("【"+tier+"】满意度评价偏低："+customer, "["+tier+" account] Poor survey answer: "+customer)
	} else {
		m.Subject = e.s("【评价偏低】满意度问卷："+customer, "[Poor answer] Survey: "+customer)
	}
	m.Heading = e.s(customer+" 的满意度评价偏低", "A poor survey answer from "+customer)
	manager := oneLine(d.Manager)
	task := ""
	if manager != "" && !d.FollowUpDue.IsZero() {
		task = e.s("已为客户经理"+manager+"创建回访任务，请关注跟进。", "A follow-up task was opened for the account manager, "+manager+"; please watch it.")
	}
	who := e.s(tier+customer, "The account "+customer)
	if tier != "" && !e.zh() {
		who = "The " + strings.ToLower(tier) + " account " + customer
	}
	m.para(who + e.s("在满意度问卷中给出了较低的评价。", " answered the survey poorly. ") + task)
	if strings.TrimSpace(d.URL) != "" {
		m.link(e, e.s("查看问卷回答", "Open the answers"), d.URL)
	}
	var answered, followUp string
	if !d.AnsweredAt.IsZero() {
		answered = e.when(d.AnsweredAt)
	}
	if !d.FollowUpDue.IsZero() {
		followUp = e.when(d.FollowUpDue) + e.s("，", ", ") + e.late(d.FollowUpDue)
	}
	m.facts(
		fact{Label: e.s("客户", "Account"), Value: customer, Strong: true},
		fact{Label: e.s("客户等级", "Tier"), Value: tier},
		fact{Label: e.s("总体满意度", "Overall satisfaction"), Value: fmt.Sprintf("%d / 5", d.Overall), Alert: d.Overall <= 2},
		fact{Label: e.s("推荐意愿", "Would recommend"), Value: fmt.Sprintf("%d / 10", d.Recommend), Alert: d.Recommend <= 6},
		fact{Label: e.s("回答时间", "Answered"), Value: answered},
		fact{Label: e.s("关联投诉", "Complaint"), Value: d.ComplaintNumber},
		fact{Label: e.s("客户经理", "Account manager"), Value: manager},
		fact{Label: e.s("回访期限", "Follow-up due"), Value: followUp, Alert: !d.FollowUpDue.IsZero() && e.Now.After(d.FollowUpDue)},
	)
	m.quote(e.s("客户意见", "Comment"), d.Comment)
	return m, nil
}
