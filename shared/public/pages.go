package public

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"keycare/shared/domain"
	"keycare/shared/httpx"
)

//go:embed web/*.html
var webFS embed.FS

// pages are parsed on first use, not at cold start (init time counts).
var pages = sync.OnceValue(func() *template.Template { return template.Must(template.ParseFS(webFS, "web/*.html")) })

// texts are the words of the public pages.
type texts struct {
	Brand, Title, Intro, Promise, FixErrors, Company, Contact, Phone, Email, ContactHint, Category, Request, Choose,
	Description, DescriptionHint, Submit, ThanksTitle, ThanksNumber, ThanksKeep, ThanksGeneric, TrackTitle, Status,
	Received, FirstDue, CloseDue, RejectReason, Reply, Steps, NotFoundTitle, NotFound string
	// product-quality complaints (产品质量)
	ProductTitle, ProductHint, ProductType, ProductBatch, ProducedOn, ArrivedOn string
	// the privacy notice (个人信息保护说明)
	PrivacyTitle, PrivacyWhatLabel, PrivacyWhyLabel, PrivacyHowLongLabel, PrivacyContactLabel     string
	PrivacyWhat, PrivacyWhy, PrivacyHowLong, PrivacyContact, PrivacyContactPerson, PrivacyAddress string
	// a complaint past a deadline (tracking page)
	Late, LateTitle, LateFirstResponse, LateOpinion, LateClose, LateSorry, LateCall string
}

var pageTexts = map[string]texts{
	"zh": {Brand: "客户服务中心", Title: "客户投诉", Intro: "请告诉我们发生了什么。我们会认真对待每一条投诉，每一步处理都有记录。",
		Promise: "我们承诺：24 小时内首次答复，7 天内办结。", FixErrors: "请修改以下内容：", Company: "公司（客户）名称", Contact: "联系人",
		Phone: "电话", Email: "电子邮箱", ContactHint: "电话和邮箱至少填写一项；留下邮箱可收到确认邮件和处理进度。", Category: "投诉类别", Request: "您的诉求", Choose: "请选择",
		Description: "问题描述", DescriptionHint: "请写明时间、地点、涉及的产品或人员，以及您希望如何解决。", Submit: "提交投诉",
		ThanksTitle: "感谢您的反馈", ThanksNumber: "您的投诉已登记，投诉单号：", ThanksKeep: "请保存以下链接，可随时查看处理进度：",
		ThanksGeneric: "我们已收到您的信息。", TrackTitle: "投诉处理进度", Status: "当前状态", Received: "登记时间", FirstDue: "首次答复期限",
		CloseDue: "办结期限", RejectReason: "不予受理的原因", Reply: "我们的答复", Steps: "处理记录", NotFoundTitle: "未找到",
		NotFound:     "没有找到这条投诉，请检查链接是否完整。",
		ProductTitle: "产品信息（产品质量投诉填写）", ProductHint: "批号通常印在包装、标签或合格证上；不清楚的可以不填。",
		ProductType: "产品类型", ProductBatch: "批号", ProducedOn: "生产日期", ArrivedOn: "到货日期",
		PrivacyTitle: "个人信息保护说明", PrivacyWhatLabel: "收集哪些信息", PrivacyWhyLabel: "用途", PrivacyHowLongLabel: "保存多久", PrivacyContactLabel: "联系我们",
		PrivacyWhat:    "您在本表单中填写的公司名称、联系人姓名、电话、电子邮箱、投诉内容和产品信息。为防止滥用，系统只临时保存您 IP 地址和邮箱的不可还原摘要，计数期（最长一天）结束后失效，随后自动删除。",
		PrivacyWhy:     "仅用于登记、处理和答复您的投诉：与贵公司的客户档案关联，以便客户经理跟进；向您发送确认、处理进度和答复；办结后邀请您评价处理情况。不用于营销。",
		PrivacyHowLong: "投诉办结后保存 %d 年，之后删除您的联系信息，仅保留不含个人信息的统计数据。",
		PrivacyContact: "如需查询、更正或删除您的个人信息，请联系%s：电话 %s，邮箱 %s。", PrivacyContactPerson: "%s（%s）", PrivacyAddress: "通信地址：%s。",
		Late: "已超期", LateTitle: "很抱歉，我们晚了", LateFirstResponse: "我们承诺在 %s前首次答复您，但没有做到。",
		LateOpinion: "我们承诺在 %s前给出处理意见，但没有做到。", LateClose: "我们承诺在 %s前办结您的投诉，但还没有办结。",
		LateSorry: "非常抱歉耽误了您的时间。主管已收到超期通知并督办此事，我们最迟将在 %s前与您联系，告知处理进展。",
		LateCall:  "如情况紧急，请致电 %s。"},
	"en": {Brand: "Customer Service", Title: "Make a complaint", Intro: "Tell us what happened. We take every complaint seriously and record every step we take.",
		Promise: "Our promise: a first answer within 24 hours, and the case closed within 7 days.", FixErrors: "Please correct the following:",
		Company: "Company (customer) name", Contact: "Contact name", Phone: "Phone", Email: "Email",
		ContactHint: "Give a phone number or an email address, or both; with an email you receive a confirmation and updates.",
		Category:    "Category", Request: "What you ask for", Choose: "Choose…", Description: "What happened",
		DescriptionHint: "When and where it happened, the product or people involved, and how you would like it resolved.", Submit: "Send complaint",
		ThanksTitle: "Thank you for telling us", ThanksNumber: "Your complaint is registered. Its number is:", ThanksKeep: "Keep this link to follow its progress:",
		ThanksGeneric: "We received your message.", TrackTitle: "Complaint", Status: "Status", Received: "Received", FirstDue: "First answer due",
		CloseDue: "To be closed by", RejectReason: "Why it was not accepted", Reply: "Our answer", Steps: "What we did", NotFoundTitle: "Not found",
		NotFound:     "We could not find this complaint. Please check that the link is complete.",
		ProductTitle: "Product details (product-quality complaints)", ProductHint: "The batch number is usually printed on the package, the label or the certificate; leave out what you do not know.",
		ProductType: "Product type", ProductBatch: "Batch number", ProducedOn: "Production date", ArrivedOn: "Arrival date",
		PrivacyTitle: "Your personal information", PrivacyWhatLabel: "What we collect", PrivacyWhyLabel: "Why", PrivacyHowLongLabel: "For how long", PrivacyContactLabel: "Whom to contact",
		PrivacyWhat:    "What you enter in this form: company name, contact name, phone, email, your complaint and the product details. To prevent abuse we keep only an irreversible digest of your IP address and email address, which expires when its counting period (at most a day) ends and is then deleted automatically.",
		PrivacyWhy:     "Only to register, handle and answer your complaint: we link it to your company's customer file so that your account manager can follow it up, send you the confirmation, progress and our answer, and after closing it ask you to rate how we handled it. Never for marketing.",
		PrivacyHowLong: "%d years after the complaint is closed; then your contact details are deleted and only statistics without personal information remain.",
		PrivacyContact: "To see, correct or delete your personal information, contact %s: phone %s, email %s.", PrivacyContactPerson: "%s (%s)", PrivacyAddress: "Postal address: %s.",
		Late: "Late", LateTitle: "We are sorry: we are late", LateFirstResponse: "We promised you a first answer by %s and did not give it.",
		LateOpinion: "We promised a decision on how to handle it by %s and have not made it.", LateClose: "We promised to close your complaint by %s and have not closed it.",
		LateSorry: "We are sorry to keep you waiting. Our supervisors have been told and are seeing to it; you will hear from us by %s at the latest, with where things stand.",
		LateCall:  "If it is urgent, please call %s."},
}

// fieldMessages are the client- and server-side messages of the form.
var fieldMessages = map[string]map[string]string{
	"zh": {"required": "此项为必填。", "contact": "请至少填写电话或邮箱。", "phone": "电话号码格式不正确。", "email": "邮箱地址格式不正确。",
		"category": "请选择投诉类别。", "request": "请选择您的诉求。", "tooLong": "内容不能超过 5000 字。", "sending": "正在提交…",
		"date": "请按“年-月-日”填写日期，例如 2026-11-20。", "arrivedBefore": "到货日期不能早于生产日期。", "text": "内容过长或含有无法识别的字符。"},
	"en": {"required": "This field is required.", "contact": "Give a phone number or an email address.", "phone": "This is not a valid phone number.",
		"email": "This is not a valid email address.", "category": "Choose a category.", "request": "Choose what you ask for.",
		"tooLong": "At most 5,000 characters.", "sending": "Sending…",
		"date": "Give the date as year-month-day, e.g. 2026-11-20.", "arrivedBefore": "The arrival date cannot be before the production date.",
		"text": "Too long, or holds characters we cannot read."},
}

var categoryLabels = map[string]map[domain.Category]string{
	"zh": {domain.CategoryService: "服务质量", domain.CategoryProduct: "产品质量", domain.CategoryLogistics: "物流配送", domain.CategoryBilling: "价格/账务", domain.CategoryStaff: "人员态度", domain.CategoryOther: "其他"},
	"en": {domain.CategoryService: "Service quality", domain.CategoryProduct: "Product quality", domain.CategoryLogistics: "Delivery / logistics", domain.CategoryBilling: "Price / billing", domain.CategoryStaff: "Staff conduct", domain.CategoryOther: "Other"},
}

var requestLabels = map[string]map[domain.Request]string{
	"zh": {domain.RequestPriceReduction: "减价", domain.RequestReturn: "退货", domain.RequestExchange: "换货", domain.RequestCompensation: "损害赔偿", domain.RequestSuggestion: "批评建议", domain.RequestOther: "其他"},
	"en": {domain.RequestPriceReduction: "Price reduction", domain.RequestReturn: "Return", domain.RequestExchange: "Exchange", domain.RequestCompensation: "Compensation", domain.RequestSuggestion: "Criticism / suggestion", domain.RequestOther: "Other"},
}

var actionLabels = map[string]map[domain.Action]string{
	"zh": {domain.ActionReceive: "投诉已登记", domain.ActionAccept: "已受理", domain.ActionReject: "不予受理", domain.ActionAssign: "已分派处理部门",
		domain.ActionInvestigation: "调查完成", domain.ActionReview: "审核", domain.ActionApprove: "领导审批", domain.ActionReply: "已答复", domain.ActionCallback: "已回访", domain.ActionClose: "已结案"},
	"en": {domain.ActionReceive: "Complaint registered", domain.ActionAccept: "Accepted", domain.ActionReject: "Not accepted", domain.ActionAssign: "Assigned to a department",
		domain.ActionInvestigation: "Investigation done", domain.ActionReview: "Reviewed", domain.ActionApprove: "Approved by management", domain.ActionReply: "Answered", domain.ActionCallback: "Called back", domain.ActionClose: "Closed"},
}

func lang(s string) string {
	if s == "en" {
		return "en"
	}
	return "zh"
}

type option struct{ Value, Label string }

type pageData struct {
	Lang         string
	T            texts
	OtherLangURL string
	// Root leads from the page to the root of the routes ("./", "../",
	// "../../"): every link of the pages is relative, so that they work
	// under a custom domain's base path or a stage too (BASE_PATH is
	// stripped before the handlers see the path).
	Root string
}

func newPage(r *http.Request, l string) pageData {
	other := "en"
	if l == "en" {
		other = "zh"
	}
	return pageData{Lang: l, T: pageTexts[l], OtherLangURL: pageURL(r, other), Root: root(r)}
}

// root is the relative address of the routes' root from r's page.
func root(r *http.Request) string {
	if n := strings.Count(r.URL.Path, "/") - 1; n > 0 {
		return strings.Repeat("../", n)
	}
	return "./"
}

// pageURL is the address of the page r shows, in language l, relative to
// it: the page itself for a GET; for the answer to a post (an error, the
// form shown again, a thank-you), the page the post came from — the form
// or the survey — as only GET routes can be opened by a link.
func pageURL(r *http.Request, l string) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q := r.URL.Query()
		q.Set("lang", l)
		q.Del("new")
		return root(r) + strings.TrimPrefix(r.URL.Path, "/") + "?" + q.Encode()
	}
	if tok, ok := strings.CutPrefix(r.URL.Path, "/public/surveys/"); ok && tok != "" && !strings.Contains(tok, "/") {
		return root(r) + "s/" + url.PathEscape(tok) + "?lang=" + l
	}
	return root(r) + "complaint-form?lang=" + l
}

type formData struct {
	pageData
	Values         map[string]string
	Errors         map[string]string
	ErrorList      []struct{ ID, Label, Msg string }
	Notice         string // a message above the fields (send again)
	IdempotencyKey string
	FormToken      string // signed issue time (domain.FormToken)
	Categories     []option
	Requests       []option
	DescriptionLen int
	JSMessages     template.JS
	Privacy        privacyNotice
}

// privacyNotice is the form's short privacy notice (PIPL), from the
// settings: the retention and the brand's contact.
type privacyNotice struct{ What, Why, HowLong, Contact, Address string }

func newPrivacyNotice(t texts, l string, set domain.Settings) privacyNotice {
	b := set.Brand
	who := b.Company.In(l)
	if c := b.Contact.In(l); c != "" {
		who = fmt.Sprintf(t.PrivacyContactPerson, c, who)
	}
	n := privacyNotice{What: t.PrivacyWhat, Why: t.PrivacyWhy, HowLong: fmt.Sprintf(t.PrivacyHowLong, set.Retention.ComplaintYears),
		Contact: fmt.Sprintf(t.PrivacyContact, who, b.Hotline, b.ReplyTo)}
	if a := b.Address.In(l); a != "" {
		n.Address = fmt.Sprintf(t.PrivacyAddress, a)
	}
	return n
}

func renderPage(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := pages().ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// errorWords are the error pages of form posts, which answer HTML (a
// browser shows a JSON body as text): heading and message per kind.
var errorWords = map[string]map[string][2]string{
	"zh": {
		"bad_form":    {"无法读取表单", "提交的内容无法读取，请返回表单重新填写后提交。"},
		"too_large":   {"内容过长", "提交的内容超出了长度限制，请精简后重新提交。"},
		"unsupported": {"无法读取表单", "请通过页面上的表单提交。"},
		"bad_key":     {"无法提交", "表单已失效，请刷新页面后重新提交。"},
		"form_token":  {"请重新提交", "为防止自动程序提交，表单需在打开后停留片刻、并在 24 小时内提交。请返回表单检查内容后再次提交。"},
		"too_many":    {"提交过于频繁", "来自您的提交次数已达上限，请在 %s 后再试。如情况紧急，请直接致电客户服务热线。"},
		"unavailable": {"暂时无法提交", "系统暂时无法接收您的提交，请稍后重试。"},
		"internal":    {"系统错误", "系统出现错误，请稍后重试。"},
	},
	"en": {
		"bad_form":    {"The form could not be read", "What was sent could not be read. Please go back to the form, fill it in again and send it."},
		"too_large":   {"Too long", "What was sent is longer than we accept. Please shorten it and send it again."},
		"unsupported": {"The form could not be read", "Please send it with the form on the page."},
		"bad_key":     {"Not sent", "The form has expired. Please reload the page and send it again."},
		"form_token":  {"Please send it again", "To keep automated senders out, a form must stay open a few seconds and be sent within 24 hours. Please go back, check the form and send it again."},
		"too_many":    {"Too many submissions", "We have received as many submissions from you as we can take for now. Please try again in %s. If it is urgent, please call our customer service line."},
		"unavailable": {"Not sent", "We cannot take your submission just now. Please try again in a minute."},
		"internal":    {"Something went wrong", "Something went wrong on our side. Please try again later."},
	},
}

type errorPage struct {
	pageData
	Heading, Message, Back, BackLabel string
}

// renderError answers a form post's error as an HTML page in the visitor's
// language; args fill the message (the wait, for too_many).
func renderError(w http.ResponseWriter, r *http.Request, status int, l, kind string, args ...any) {
	words, ok := errorWords[lang(l)][kind]
	if !ok {
		words = errorWords[lang(l)]["internal"]
	}
	msg := words[1]
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	p := errorPage{pageData: newPage(r, lang(l)), Heading: words[0], Message: msg}
	p.T.Title = words[0]
	switch {
	case strings.HasPrefix(r.URL.Path, "/public/surveys/"):
		p.Back, p.BackLabel = pageURL(r, lang(l)), map[string]string{"zh": "返回调查问卷", "en": "Back to the survey"}[lang(l)]
	case strings.HasPrefix(r.URL.Path, "/public/complaints") || r.URL.Path == "/complaint-form":
		p.Back, p.BackLabel = root(r)+"complaint-form?lang="+lang(l), map[string]string{"zh": "返回投诉表单", "en": "Back to the form"}[lang(l)]
	}
	renderPage(w, status, "error.html", p)
}

// failForm answers err as the HTML error page of a form post.
func failForm(w http.ResponseWriter, r *http.Request, l string, err error) {
	status, d := httpx.Status(err)
	kind := "internal"
	switch {
	case status == http.StatusRequestEntityTooLarge:
		kind = "too_large"
	case status == http.StatusUnsupportedMediaType:
		kind = "unsupported"
	case d.Code == "bad_idempotency_key":
		kind = "bad_key"
	case status == http.StatusServiceUnavailable:
		kind = "unavailable"
	case status < 500:
		kind = "bad_form"
	default:
		slog.ErrorContext(r.Context(), "request failed", "requestId", httpx.RequestID(r), "err", err.Error())
	}
	renderError(w, r, status, l, kind)
}

func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func jsMessages(l string) template.JS {
	b, _ := json.Marshal(fieldMessages[l])
	return template.JS(b)
}

func formPage(r *http.Request, l string, set domain.Settings, values, errs map[string]string, idemKey, formToken string) formData {
	d := formData{pageData: newPage(r, l), Values: values, Errors: errs, IdempotencyKey: idemKey, FormToken: formToken, JSMessages: jsMessages(l)}
	d.Privacy = newPrivacyNotice(d.T, l, set)
	for _, c := range domain.Categories {
		d.Categories = append(d.Categories, option{string(c), categoryLabels[l][c]})
	}
	for _, rq := range domain.Requests {
		d.Requests = append(d.Requests, option{string(rq), requestLabels[l][rq]})
	}
	d.DescriptionLen = len([]rune(values["description"]))
	labels := map[string]string{"customerName": d.T.Company, "contactName": d.T.Contact, "phone": d.T.Phone, "email": d.T.Email,
		"category": d.T.Category, "request": d.T.Request, "description": d.T.Description,
		"productType": d.T.ProductType, "productBatch": d.T.ProductBatch, "producedOn": d.T.ProducedOn, "arrivedOn": d.T.ArrivedOn}
	for _, f := range []string{"customerName", "contactName", "phone", "email", "category", "request", "productType", "productBatch", "producedOn", "arrivedOn", "description"} {
		if m := errs[f]; m != "" {
			d.ErrorList = append(d.ErrorList, struct{ ID, Label, Msg string }{f, labels[f], m})
		}
	}
	return d
}
