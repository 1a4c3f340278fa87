package mail

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Customer mail. Each kind greets the contact once (Envelope.Name), shows its
// times with their zone, ends with how to reach a person (Envelope.Brand),
// and carries its link as a button (the text part keeps the full URL).

// DefaultLateWorkingDays is the commitment of a late acceptance when the
// caller gives no new date: "we will close it within 3 working days".
const DefaultLateWorkingDays = 3

// ComplaintReceived acknowledges a complaint ("complaint-received").
type ComplaintReceived struct {
	Number           string
	ReceivedAt       time.Time
	FirstResponseDue time.Time
	CloseDue         time.Time
	TrackingURL      string
}

// ComplaintAccepted tells the customer the complaint was accepted
// ("complaint-accepted"). Envelope.Now is the acceptance time: when CloseDue
// has already passed, the mail apologises and promises NewDue if it lies
// ahead, else to close within WorkingDays working days; it never shows a
// deadline that has passed as a promise.
type ComplaintAccepted struct {
	Number      string
	TrackingURL string
	CloseDue    time.Time // the closure deadline promised at receipt (7 days)
	// FirstResponseDue, when given and past at acceptance, adds an apology
	// for the late answer.
	FirstResponseDue time.Time
	// NewDue is the caller's new commitment after a late acceptance; zero
	// (or already past) means none.
	NewDue time.Time
	// WorkingDays is the commitment when CloseDue has passed and there is no
	// NewDue; 0 is DefaultLateWorkingDays.
	WorkingDays int
}

// ComplaintRejected gives the reason a complaint is not accepted, politely,
// and how to come back ("complaint-rejected").
type ComplaintRejected struct {
	Number      string
	Reason      string // as staff wrote it; its line breaks are kept
	TrackingURL string
}

// ComplaintReplied carries the staff's answer ("complaint-replied").
type ComplaintReplied struct {
	Number      string
	Reply       string // as staff wrote it; its line breaks are kept
	TrackingURL string
}

// SurveyInvitation asks for a satisfaction survey ("survey-invitation").
// Envelope.Lang and Envelope.Name are the chosen contact's.
type SurveyInvitation struct {
	Link      string
	ExpiresAt time.Time
	// ComplaintNumber names the complaint a post-complaint survey is about.
	ComplaintNumber string
}

// SurveyReminder is the one reminder of an unanswered survey
// ("survey-reminder"); the same data as the invitation.
type SurveyReminder SurveyInvitation

// HandoverNotice tells a customer their account has a new manager
// ("handover-notice").
type HandoverNotice struct {
	Account         string // the customer's name
	NewManager      Person
	PreviousManager string    // optional
	EffectiveAt     time.Time // optional
	// CallWithinDays: the new manager will call within this many days
	// (domain.md: 7); 0 leaves the sentence out.
	CallWithinDays int
}

// Person is a member of staff as a customer may reach them.
type Person struct {
	Name  string
	Title string // optional
	Phone string // at least one of Phone and Email
	Email string
}

// Kinds.
func (ComplaintReceived) Kind() string { return "complaint-received" }
func (ComplaintAccepted) Kind() string { return "complaint-accepted" }
func (ComplaintRejected) Kind() string { return "complaint-rejected" }
func (ComplaintReplied) Kind() string  { return "complaint-replied" }
func (SurveyInvitation) Kind() string  { return "survey-invitation" }
func (SurveyReminder) Kind() string    { return "survey-reminder" }
func (HandoverNotice) Kind() string    { return "handover-notice" }

func customerDoc(e *env) *doc { return &doc{customer: true, Greeting: e.greeting()} }

func needComplaint(number, link string) error {
	switch {
	case strings.TrimSpace(number) == "":
		return errors.New("no complaint number")
	case !absolute(link):
		return fmt.Errorf("tracking link %q is not an http(s) URL", link)
	}
	return nil
}

// within names a clock as people do: 24 小时 / 7 天.
func within(d time.Duration, lang string) string {
	if d < 48*time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf(pick(lang, "%d 小时", "%d hours"), int(d/time.Hour))
	}
	days := int((d + 12*time.Hour) / (24 * time.Hour))
	return fmt.Sprintf(pick(lang, "%d 天", "%d days"), days)
}

func (d ComplaintReceived) compose(e *env) (*doc, error) {
	if err := needComplaint(d.Number, d.TrackingURL); err != nil {
		return nil, err
	}
	if d.ReceivedAt.IsZero() || d.FirstResponseDue.IsZero() || d.CloseDue.IsZero() {
		return nil, errors.New("receipt time or deadlines missing")
	}
	first, close := within(d.FirstResponseDue.Sub(d.ReceivedAt), e.lang), within(d.CloseDue.Sub(d.ReceivedAt), e.lang)
	m := customerDoc(e)
	m.Subject = e.s("您的投诉已登记（单号 "+d.Number+"）", "We have received your complaint (No. "+d.Number+")")
	m.Heading = e.s("您的投诉已登记", "We have received your complaint")
	m.Preheader = e.s("投诉单号 "+d.Number+"，我们将在 "+first+"内首次答复您。", "Complaint No. "+d.Number+": you will hear from us within "+first+".")
	m.para(e.s("感谢您花时间告诉我们。我们已收到您的投诉，每一步处理都会记录在案。",
		"Thank you for taking the time to tell us. We have received your complaint, and every step we take will be put on record."))
	m.facts(
		fact{Label: e.s("投诉单号", "Complaint No."), Value: d.Number, Strong: true},
		fact{Label: e.s("登记时间", "Received"), Value: e.when(d.ReceivedAt)},
		fact{Label: e.s("首次答复", "First answer"), Value: e.s(e.when(d.FirstResponseDue)+"前", "by "+e.when(d.FirstResponseDue))},
		fact{Label: e.s("办结期限", "Closed by"), Value: e.when(d.CloseDue)},
	)
	m.para(e.s("接下来：我们会在 "+first+"内给您首次答复，并在 "+close+"内办结。您可以随时查看处理进度。",
		"What happens next: you will hear from us within "+first+", and we will close the case within "+close+". You can follow its progress at any time."))
	m.link(e, e.s("查看处理进度", "Track your complaint"), d.TrackingURL)
	m.para(contactLine(e))
	return m, nil
}

func (d ComplaintAccepted) compose(e *env) (*doc, error) {
	if err := needComplaint(d.Number, d.TrackingURL); err != nil {
		return nil, err
	}
	if d.CloseDue.IsZero() {
		return nil, errors.New("no closure deadline")
	}
	m := customerDoc(e)
	m.Subject = e.s("您的投诉已受理（单号 "+d.Number+"）", "Your complaint has been accepted (No. "+d.Number+")")
	m.Heading = e.s("您的投诉已受理", "Your complaint has been accepted")
	m.para(e.s("您的投诉（单号 "+d.Number+"）已受理，我们正在调查处理。",
		"Your complaint (No. "+d.Number+") has been accepted and we are looking into it."))
	late := !e.Now.Before(d.CloseDue)
	if !late {
		if !d.FirstResponseDue.IsZero() && e.Now.After(d.FirstResponseDue) {
			m.para(e.s("很抱歉这么晚才给您答复。", "We are sorry to have taken so long to get back to you."))
		}
		m.Preheader = e.s("我们将在 "+e.when(d.CloseDue)+"前办结。", "We will close it by "+e.when(d.CloseDue)+".")
		m.facts(
			fact{Label: e.s("投诉单号", "Complaint No."), Value: d.Number, Strong: true},
			fact{Label: e.s("办结期限", "Closed by"), Value: e.when(d.CloseDue), Strong: true},
		)
		m.para(e.s("我们将在 "+e.when(d.CloseDue)+"前办结，并把处理结果告诉您。",
			"We will close it by "+e.when(d.CloseDue)+" and tell you the outcome."))
	} else {
		var promise, row string
		if !d.NewDue.IsZero() && d.NewDue.After(e.Now) {
			row = e.when(d.NewDue)
			promise = e.s("我们将在 "+row+"前办结，并把处理结果告诉您。", "We will close it by "+row+" and tell you the outcome.")
		} else {
			n := d.WorkingDays
			if n <= 0 {
				n = DefaultLateWorkingDays
			}
			row = fmt.Sprintf(e.s("%d 个工作日内", "within %d working days"), n)
			promise = fmt.Sprintf(e.s("我们将在 %d 个工作日内办结，并把处理结果告诉您。", "We will close it within %d working days and tell you the outcome."), n)
		}
		m.Preheader = e.s("很抱歉处理晚了。", "We are sorry for the delay. ") + promise
		m.para(e.s("很抱歉，我们未能在承诺的 "+e.when(d.CloseDue)+"前办结您的投诉，耽误了您的时间。",
			"We are sorry: we promised to close your complaint by "+e.when(d.CloseDue)+" and did not, and we have kept you waiting."))
		m.facts(
			fact{Label: e.s("投诉单号", "Complaint No."), Value: d.Number, Strong: true},
			fact{Label: e.s("新的办结期限", "New commitment"), Value: row, Strong: true},
		)
		m.para(promise)
	}
	m.link(e, e.s("查看处理进度", "Track your complaint"), d.TrackingURL)
	m.para(contactLine(e))
	return m, nil
}

func (d ComplaintRejected) compose(e *env) (*doc, error) {
	if err := needComplaint(d.Number, d.TrackingURL); err != nil {
		return nil, err
	}
	if len(lines(d.Reason)) == 0 {
		return nil, errors.New("no reason")
	}
	b := e.Brand
	m := customerDoc(e)
	m.Subject = e.s("关于您的投诉（单号 "+d.Number+"）", "About your complaint (No. "+d.Number+")")
	m.Heading = e.s("关于您的投诉", "About your complaint")
	m.Preheader = e.s("您的投诉暂不能受理，原因和联系方式见内。", "We cannot accept your complaint; the reason and how to reach us are inside.")
	m.para(e.s("非常感谢您花时间向我们反映问题。经认真核实，您的投诉（单号 "+d.Number+"）暂不能受理，原因如下：",
		"Thank you for taking the time to tell us about this. Having looked into it carefully, we are unable to accept your complaint (No. "+d.Number+"), for this reason:"))
	m.quote("", d.Reason)
	m.para(e.s("如您有新的情况或不同意见，请拨打客服热线 "+b.Hotline+"，或直接回复本邮件（"+b.ReplyTo+"），我们会再次认真核实。给您带来的不便，敬请谅解。",
		"If you have new information or see it differently, please call our hotline "+b.Hotline+" or reply to this email ("+b.ReplyTo+"), and we will look at it again. We are sorry for any inconvenience."))
	m.link(e, e.s("查看投诉记录", "See the record"), d.TrackingURL)
	return m, nil
}

func (d ComplaintReplied) compose(e *env) (*doc, error) {
	if err := needComplaint(d.Number, d.TrackingURL); err != nil {
		return nil, err
	}
	if len(lines(d.Reply)) == 0 {
		return nil, errors.New("no reply text")
	}
	m := customerDoc(e)
	m.Subject = e.s("您的投诉（单号 "+d.Number+"）处理答复", "Our answer to your complaint (No. "+d.Number+")")
	m.Heading = e.s("我们对您投诉的答复", "Our answer to your complaint")
	m.Preheader = excerpt(d.Reply, 80)
	m.para(e.s("关于您的投诉（单号 "+d.Number+"），我们的答复如下：", "Here is our answer to your complaint (No. "+d.Number+"):"))
	m.quote("", d.Reply)
	m.para(e.s("稍后我们会对您进行回访，了解您对处理结果是否满意。", "We will contact you shortly to ask whether you are satisfied with the outcome."))
	m.link(e, e.s("查看处理记录", "See the record"), d.TrackingURL)
	m.para(contactLine(e))
	return m, nil
}

func (d SurveyInvitation) compose(e *env) (*doc, error) { return surveyDoc(e, d, false) }
func (d SurveyReminder) compose(e *env) (*doc, error)   { return surveyDoc(e, SurveyInvitation(d), true) }

func surveyDoc(e *env, d SurveyInvitation, reminder bool) (*doc, error) {
	if !absolute(d.Link) {
		return nil, fmt.Errorf("survey link %q is not an http(s) URL", d.Link)
	}
	if d.ExpiresAt.IsZero() {
		return nil, errors.New("no expiry")
	}
	company := e.Brand.Company.In(e.lang)
	n := d.ComplaintNumber
	m := customerDoc(e)
	switch {
	case n != "":
		m.Subject = e.s("请评价您的投诉（单号 "+n+"）的处理", "How did we handle your complaint No. "+n+"?")
		m.Heading = e.s("请评价我们对您投诉的处理", "How did we handle your complaint?")
		m.para(e.s("您的投诉（单号 "+n+"）已办结。您对这次处理满意吗？诚邀您花约 2 分钟告诉我们。",
			"Your complaint (No. "+n+") has been closed. Were you satisfied with how we handled it? Two minutes of your time would tell us."))
	default:
		m.Subject = e.s(company+"诚邀您评价我们的服务", "How did we do? A short survey from "+company)
		m.Heading = e.s("请评价我们的服务", "How did we do?")
		m.para(e.s("感谢您一直以来对我们的支持。为了持续改进服务，诚邀您花约 2 分钟填写满意度问卷。",
			"Thank you for working with us. To keep improving, we would value two minutes of your time for a short survey."))
	}
	if reminder {
		m.Subject = e.s("提醒：", "Reminder: ") + m.Subject
		m.Heading = e.s("提醒：", "Reminder: ") + m.Heading
		m.Blocks = m.Blocks[:0]
		about := e.s("我们的服务", "our service")
		if n != "" {
			about = e.s("投诉（单号 "+n+"）的处理", "how we handled your complaint (No. "+n+")")
		}
		m.para(e.s("前几天我们邀请您评价"+about+"，尚未收到您的回答。您的意见对我们非常重要，填写只需约 2 分钟。",
			"A few days ago we asked you to rate "+about+" and have not heard from you yet. Your opinion matters a great deal to us, and it takes about two minutes."))
	}
	m.Preheader = e.s("问卷约 2 分钟，"+e.when(d.ExpiresAt)+"前有效。", "About two minutes; the link works until "+e.when(d.ExpiresAt)+".")
	m.link(e, e.s("开始填写问卷", "Start the survey"), d.Link)
	m.facts(fact{Label: e.s("有效期至", "Link valid until"), Value: e.when(d.ExpiresAt)})
	note := e.s("此链接仅供您本人使用，请勿转发；提交后才会记录您的回答。", "The link is for you alone; please do not forward it. Nothing is recorded until you submit.")
	if reminder {
		note += e.s("本提醒只发送一次。", " This is our only reminder.")
	}
	m.small(note)
	m.para(contactLine(e))
	return m, nil
}

func (d HandoverNotice) compose(e *env) (*doc, error) {
	p := d.NewManager
	switch {
	case strings.TrimSpace(d.Account) == "":
		return nil, errors.New("no account name")
	case strings.TrimSpace(p.Name) == "":
		return nil, errors.New("no new manager")
	case dialable(p.Phone) == "" && !validAddress(p.Email):
		return nil, errors.New("the new manager has neither phone nor email")
	}
	name, account := oneLine(p.Name), oneLine(d.Account)
	m := customerDoc(e)
	m.Subject = e.s("您的客户经理已变更为"+name, "Your new account manager: "+name)
	m.Heading = e.s("您的新客户经理", "Your new account manager")
	m.Preheader = e.s(name+"将负责"+account+"的服务。", name+" now looks after "+account+".")
	since := ""
	if !d.EffectiveAt.IsZero() {
		since = e.s("自"+day(d.EffectiveAt, e.Zone, e.lang)+"起，", "From "+day(d.EffectiveAt, e.Zone, e.lang)+", ")
	}
	if prev := oneLine(d.PreviousManager); prev != "" {
		m.para(e.s("为了更好地为您服务，"+since+account+"的客户经理由"+prev+"变更为"+name+"。感谢"+prev+"一直以来的服务。",
			capitalize(since+"your account manager for "+account+" is "+name+", taking over from "+prev+", to serve you better.")))
	} else {
		m.para(e.s("为了更好地为您服务，"+since+account+"的客户经理变更为"+name+"。",
			capitalize(since+"your account manager for "+account+" is "+name+", to serve you better.")))
	}
	m.facts(
		fact{Label: e.s("客户经理", "Account manager"), Value: name, Strong: true},
		fact{Label: e.s("职务", "Title"), Value: oneLine(p.Title)},
		fact{Label: e.s("电话", "Phone"), Value: oneLine(p.Phone), Href: telHref(p.Phone)},
		fact{Label: e.s("邮箱", "Email"), Value: oneLine(p.Email), Href: mailtoHref(p.Email)},
	)
	if d.CallWithinDays > 0 {
		m.para(fmt.Sprintf(e.s("%s将在 %d 天内与您联系，了解您的需求。", "%s will call you within %d days to hear what you need."), name, d.CallWithinDays))
	}
	m.para(e.s("您的服务不会中断：进行中的投诉、订单和合同都会照常处理。", "Nothing changes in your service: open complaints, orders and contracts carry on as before."))
	if tel := telHref(p.Phone); tel != "" {
		m.Blocks = append(m.Blocks, block{Button: &button{Label: e.s("致电", "Call ") + name, URL: "tel:" + dialable(p.Phone), Href: tel, Tappable: true}})
	} else {
		m.Blocks = append(m.Blocks, block{Button: &button{Label: e.s("给"+name+"发邮件", "Email "+name), URL: "mailto:" + p.Email, Href: mailtoHref(p.Email), Tappable: true}})
	}
	m.para(contactLine(e))
	return m, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
