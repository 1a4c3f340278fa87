package mail

import (
	"bytes"
	"fmt"
	htmltpl "html/template"
	"strings"
	texttpl "text/template"
)

// ComplaintMail is what the complaint emails show.
type ComplaintMail struct {
	Lang         string
	To           []string
	Number       string
	ContactName  string
	CustomerName string
	ReceivedAt   string // formatted in the company's time zone
	FirstDue     string
	CloseDue     string
	TrackingURL  string
	Status       string
	Reason       string // rejection reason
	ReplyText    string
	Department   string
	Kind         string // reminder kind
	Deadline     string // reminder deadline
	Severity     string
}

// The wording of each complaint email, in Chinese and English. Each entry
// is a subject and paragraphs; {{.Field}} refers to ComplaintMail. The
// acknowledgement carries nothing the sender typed (anyone can make the
// public form mail any address): no name, only the number, dates and link.
var wording = map[string]map[string]struct {
	Subject string
	Paras   []string
}{
	"complaint-received": {
		"zh": {"您的投诉已登记，单号 {{.Number}}", []string{
			"您好：",
			"我们已于 {{.ReceivedAt}} 收到您的投诉，投诉单号为 {{.Number}}。",
			"接下来：我们将在 24 小时内（{{.FirstDue}} 之前）给您首次答复，并在 7 天内（{{.CloseDue}} 之前）办结。每一步处理都会记录在案。",
			"您可以随时通过以下链接查看处理进度：{{.TrackingURL}}",
			"感谢您的信任与监督。"}},
		"en": {"We received your complaint, No. {{.Number}}", []string{
			"Hello,",
			"We received your complaint on {{.ReceivedAt}}. Its number is {{.Number}}.",
			"What happens next: you will hear from us within 24 hours (by {{.FirstDue}}), and we will close the case within 7 days (by {{.CloseDue}}). Every step is put on record.",
			"Follow its progress at any time: {{.TrackingURL}}",
			"Thank you for helping us improve."}},
	},
	"complaint-accepted": {
		"zh": {"您的投诉 {{.Number}} 已受理", []string{
			"{{.ContactName}}，您好：",
			"您的投诉（单号 {{.Number}}）已受理，正在调查处理中，我们将在 {{.CloseDue}} 之前办结。",
			"处理进度：{{.TrackingURL}}"}},
		"en": {"Your complaint {{.Number}} has been accepted", []string{
			"Dear {{.ContactName}},",
			"Your complaint (No. {{.Number}}) has been accepted and is being investigated. We will close it by {{.CloseDue}}.",
			"Progress: {{.TrackingURL}}"}},
	},
	"complaint-rejected": {
		"zh": {"关于您的投诉 {{.Number}}", []string{
			"{{.ContactName}}，您好：",
			"非常感谢您花时间向我们反映问题。经认真核实，您的投诉（单号 {{.Number}}）暂不能受理，原因如下：",
			"{{.Reason}}",
			"如您有新的情况或不同意见，欢迎随时与我们联系，我们会再次认真对待。给您带来的不便，敬请谅解。",
			"详情：{{.TrackingURL}}"}},
		"en": {"About your complaint {{.Number}}", []string{
			"Dear {{.ContactName}},",
			"Thank you for taking the time to tell us about this. Having looked into it carefully, we are unable to accept your complaint (No. {{.Number}}), for this reason:",
			"{{.Reason}}",
			"If you have new information or see it differently, please contact us at any time and we will look at it again. We are sorry for any inconvenience.",
			"Details: {{.TrackingURL}}"}},
	},
	"complaint-replied": {
		"zh": {"您的投诉 {{.Number}} 处理答复", []string{
			"{{.ContactName}}，您好：",
			"关于您的投诉（单号 {{.Number}}），我们的答复如下：",
			"{{.ReplyText}}",
			"稍后我们会对您进行回访，了解您对处理结果是否满意。",
			"处理记录：{{.TrackingURL}}"}},
		"en": {"Our answer to your complaint {{.Number}}", []string{
			"Dear {{.ContactName}},",
			"Here is our answer to your complaint (No. {{.Number}}):",
			"{{.ReplyText}}",
			"We will call you shortly to ask whether you are satisfied with the outcome.",
			"Record of the handling: {{.TrackingURL}}"}},
	},
	"complaint-reminder": {
		"zh": {"【{{.Kind}}】投诉 {{.Number}}（{{.CustomerName}}）", []string{
			"投诉单号：{{.Number}}　客户：{{.CustomerName}}　严重程度：{{.Severity}}",
			"当前状态：{{.Status}}　受理部门：{{.Department}}",
			"时限：{{.Deadline}}",
			"请及时处理。此提醒每项只发送一次。"}},
		"en": {"[{{.Kind}}] complaint {{.Number}} ({{.CustomerName}})", []string{
			"Complaint {{.Number}}, customer {{.CustomerName}}, severity {{.Severity}}.",
			"Status: {{.Status}}. Handling department: {{.Department}}.",
			"Deadline: {{.Deadline}}.",
			"Please act on it. Each reminder is sent once."}},
	},
}

// SurveyMail is what the survey emails show.
type SurveyMail struct {
	ContactName  string
	CustomerName string
	Link         string
	ExpiresAt    string
	Overall      int
	Recommend    int
	Comment      string
	ManagerID    string
}

func init() {
	wording["survey-invitation"] = map[string]struct {
		Subject string
		Paras   []string
	}{
		"zh": {"请您评价我们的服务", []string{"{{.ContactName}}，您好：", "感谢您一直以来对我们的支持。为了持续改进服务，诚邀您花两分钟填写满意度问卷：",
			"{{.Link}}", "链接仅供您本人使用，{{.ExpiresAt}} 前有效。"}},
		"en": {"How did we do?", []string{"Dear {{.ContactName}},", "Thank you for working with us. To keep improving, we would value two minutes of your time for a short survey:",
			"{{.Link}}", "The link is for you alone and works until {{.ExpiresAt}}."}},
	}
	wording["survey-reminder"] = map[string]struct {
		Subject string
		Paras   []string
	}{
		"zh": {"提醒：满意度问卷", []string{"{{.ContactName}}，您好：", "我们尚未收到您的问卷反馈。您的意见对我们非常重要：", "{{.Link}}", "链接 {{.ExpiresAt}} 前有效。本提醒只发送一次。"}},
		"en": {"Reminder: a short survey", []string{"Dear {{.ContactName}},", "We have not yet heard from you. Your opinion matters a great deal to us:", "{{.Link}}", "The link works until {{.ExpiresAt}}. This is our only reminder."}},
	}
	wording["survey-poor-answer"] = map[string]struct {
		Subject string
		Paras   []string
	}{
		"zh": {"【战略客户】满意度评价偏低：{{.CustomerName}}", []string{"战略客户 {{.CustomerName}} 的满意度问卷评价偏低：", "总体满意度 {{.Overall}}/5，推荐意愿 {{.Recommend}}/10。",
			"客户意见：{{.Comment}}", "已为客户经理 {{.ManagerID}} 创建回访任务，请关注跟进。"}},
		"en": {"[Strategic account] Poor survey answer: {{.CustomerName}}", []string{"The strategic account {{.CustomerName}} answered the survey poorly:",
			"overall satisfaction {{.Overall}}/5, likelihood to recommend {{.Recommend}}/10.", "Comment: {{.Comment}}", "A follow-up task was opened for the account manager {{.ManagerID}}; please watch it."}},
	}
}

// ReminderKindLabel names a reminder kind in lang.
func ReminderKindLabel(kind, lang string) string {
	zh := map[string]string{"close-soon": "即将到期", "first-response-overdue": "首次答复超时", "opinion-overdue": "受理意见超时", "close-overdue": "结案超时"}
	en := map[string]string{"close-soon": "due soon", "first-response-overdue": "first response overdue", "opinion-overdue": "handling opinion overdue", "close-overdue": "closure overdue"}
	if lang == "en" {
		return en[kind]
	}
	return zh[kind]
}

const htmlLayout = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#1f2933">
<table role="presentation" width="100%" style="max-width:600px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<tr><td><h1 style="font-size:20px;margin:0 0 16px">{{.Subject}}</h1>
{{range .Paras}}<p style="line-height:1.6;margin:0 0 12px">{{.}}</p>
{{end}}<p style="color:#6b7785;font-size:12px;margin-top:24px">{{.Footer}}</p></td></tr></table></body></html>`

var layout = htmltpl.Must(htmltpl.New("layout").Parse(htmlLayout))

func footer(lang string) string {
	if lang == "en" {
		return "Customer Service Centre. This is an automatic message; please do not reply to it."
	}
	return "客户服务中心。本邮件由系统自动发送，请勿直接回复。"
}

// Complaint renders the email kind for d as a message with HTML and text parts.
func Complaint(kind string, d ComplaintMail) (Message, error) { return Render(kind, d.Lang, d.To, d) }

// Render renders the email kind in lang with data for the fields its
// wording refers to, as a message with HTML and text parts.
func Render(kind, lang string, to []string, d any) (Message, error) {
	if lang != "en" {
		lang = "zh"
	}
	texts, ok := wording[kind][lang]
	if !ok {
		return Message{}, fmt.Errorf("mail: no template %s/%s", kind, lang)
	}
	fill := func(s string) (string, error) {
		t, err := texttpl.New("").Option("missingkey=error").Parse(s)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	subject, err := fill(texts.Subject)
	if err != nil {
		return Message{}, fmt.Errorf("mail: %s subject: %w", kind, err)
	}
	subject = strings.NewReplacer("\r", " ", "\n", " ").Replace(subject)
	paras := make([]string, 0, len(texts.Paras))
	for _, p := range texts.Paras {
		s, err := fill(p)
		if err != nil {
			return Message{}, fmt.Errorf("mail: %s: %w", kind, err)
		}
		paras = append(paras, s)
	}
	var h bytes.Buffer
	if err := layout.Execute(&h, map[string]any{"Lang": lang, "Subject": subject, "Paras": paras, "Footer": footer(lang)}); err != nil {
		return Message{}, fmt.Errorf("mail: %s html: %w", kind, err)
	}
	text := subject + "\n\n" + strings.Join(paras, "\n\n") + "\n\n-- \n" + footer(lang) + "\n"
	m := Message{ID: NewID(kind), Kind: kind, Lang: lang, To: to, Subject: subject, HTML: h.String(), Text: text}
	return m, m.Validate()
}
