package mail

import (
	"bytes"
	"fmt"
	htmltpl "html/template"
	"strings"
	"sync"
	"time"
)

// Envelope is what every message needs beside its own data: whom it goes
// to, in which language, and how its times are shown.
type Envelope struct {
	To   []string
	Lang string // "zh" or "en"; anything else is Chinese
	// Name is whom a customer mail greets, once: "尊敬的{Name}：" / "Dear
	// {Name},". The contact person; empty greets "尊敬的客户" / "Dear customer".
	// Staff notices greet nobody.
	Name string
	// Zone is the zone times are shown in, with its label (北京时间 or the
	// UTC offset); nil is DefaultZone.
	Zone *time.Location
	// Now is when the message is composed: deadlines are compared with it
	// (a late acceptance, how late a reminder is). Zero is time.Now().
	Now time.Time
	// Brand says whose mail it is; customer mail needs a valid one (its
	// address is also the message's Reply-To). Staff notices ignore it.
	Brand Brand
}

// Data is one kind of message with what it shows: ComplaintReceived,
// ComplaintAccepted, ComplaintRejected, ComplaintReplied, SurveyInvitation,
// SurveyReminder, HandoverNotice (customer mail); ComplaintReminder,
// NewComplaint, ComplaintAssigned, ComplaintForReview, ComplaintForApproval,
// PoorSurveyAnswer, VisitDigest, HandoverList (staff notices).
type Data interface {
	// Kind is the message kind ("complaint-received", …).
	Kind() string
	compose(e *env) (*doc, error)
}

// Compose renders d for e as a message with an HTML and a text part.
func Compose(e Envelope, d Data) (Message, error) {
	if d == nil {
		return Message{}, fmt.Errorf("mail: no data")
	}
	v := &env{Envelope: e, lang: "zh"}
	if e.Lang == "en" {
		v.lang = "en"
	}
	if v.Zone == nil {
		v.Zone = defaultLocation()
	}
	if v.Now.IsZero() {
		v.Now = time.Now()
	}
	dc, err := d.compose(v)
	if err != nil {
		return Message{}, fmt.Errorf("mail: %s: %w", d.Kind(), err)
	}
	kind := d.Kind()
	dc.Lang = v.lang
	if dc.customer {
		if err := e.Brand.Validate(); err != nil {
			return Message{}, fmt.Errorf("mail: %s: %w", kind, err)
		}
		dc.brand(v)
	} else {
		dc.staffFooter(v)
	}
	dc.Subject = oneLine(dc.Subject)
	var h bytes.Buffer
	if err := layout().Execute(&h, dc); err != nil {
		return Message{}, fmt.Errorf("mail: %s html: %w", kind, err)
	}
	m := Message{ID: NewID(kind), Kind: kind, Lang: v.lang, To: e.To, Subject: dc.Subject, HTML: h.String(), Text: dc.text()}
	if dc.customer {
		m.ReplyTo = []string{e.Brand.ReplyTo}
	}
	return m, m.Validate()
}

// env is the envelope while composing.
type env struct {
	Envelope
	lang string
}

func (e *env) zh() bool                       { return e.lang != "en" }
func (e *env) s(zh, en string) string         { return pick(e.lang, zh, en) }
func (e *env) when(t time.Time) string        { return when(t, e.Zone, e.lang) }
func (e *env) late(deadline time.Time) string { return lateness(deadline, e.Now, e.lang) }

// greeting is the one salutation of a customer mail.
func (e *env) greeting() string {
	name := oneLine(e.Name)
	if e.zh() {
		if name == "" {
			name = "客户"
		}
		return "尊敬的" + name + "："
	}
	if name == "" {
		name = "customer"
	}
	return "Dear " + name + ","
}

// doc is a message before rendering: the same content makes the HTML and
// the text part.
type doc struct {
	customer  bool
	Lang      string
	Subject   string
	Preheader string // the line mail clients show beside the subject
	Masthead  string // the sender, at the top
	Tag       string // a short label above the heading (staff: 提醒, 待审核)
	Urgent    bool   // the tag is red
	Heading   string
	Greeting  string
	Blocks    []block
	Footer    []footLine
}

// block is a paragraph, a table of facts, quoted text (kept line by line),
// or a list of linked items.
type block struct {
	Button *button
	List   *list
	Para   string
	Facts  []fact
	Quote  []string
	Small  bool // a paragraph in small print
	Title  string
}

type fact struct {
	Label, Value string
	Href         htmltpl.URL // the value links here (tel:, mailto:)
	Strong       bool
	Alert        bool // red: overdue, serious
}

type button struct {
	Label    string
	URL      string      // absolute: a button; else shown as text
	Href     htmltpl.URL // URL once checked (http(s), tel:, mailto:)
	Short    string      // the link as shown under the button
	Fallback string      // "按钮无法点击？请打开：" before Short
	Tappable bool        // a button (http(s), tel:, mailto:); else the route is shown as text
}

type footLine struct {
	Label, Value string
	Href         htmltpl.URL
	Strong       bool
}

func (d *doc) para(s string) *doc { d.Blocks = append(d.Blocks, block{Para: s}); return d }
func (d *doc) small(s string) *doc {
	d.Blocks = append(d.Blocks, block{Para: s, Small: true})
	return d
}

// facts adds the rows that have a value.
func (d *doc) facts(f ...fact) *doc {
	if k := keep(f); len(k) > 0 {
		d.Blocks = append(d.Blocks, block{Facts: k})
	}
	return d
}
func (d *doc) quote(title, s string) *doc {
	if l := lines(s); len(l) > 0 {
		d.Blocks = append(d.Blocks, block{Title: title, Quote: l})
	}
	return d
}

func (d *doc) link(e *env, label, u string) *doc {
	b := &button{Label: label, URL: u, Tappable: absolute(u), Short: shortURL(u, 34),
		Fallback: e.s("按钮无法点击？请打开：", "Button not working? Open: ")}
	if b.Tappable {
		b.Href = htmltpl.URL(u) // checked by absolute: http(s) only
	} else {
		b.Short = u
	}
	d.Blocks = append(d.Blocks, block{Button: b})
	return d
}

func telHref(phone string) htmltpl.URL {
	if p := dialable(phone); p != "" {
		return htmltpl.URL("tel:" + p) // digits and + only
	}
	return ""
}

func mailtoHref(addr string) htmltpl.URL {
	if validAddress(addr) {
		return htmltpl.URL("mailto:" + addr)
	}
	return ""
}

// brand fills the masthead and footer of a customer mail.
func (d *doc) brand(e *env) {
	b, l := e.Brand, e.lang
	d.Masthead = strings.TrimSpace(b.Company.In(l) + " " + b.Service.In(l))
	if b.Service.In(l) == b.Company.In(l) {
		d.Masthead = b.Company.In(l)
	}
	d.Footer = []footLine{{Value: d.Masthead, Strong: true}}
	d.Footer = append(d.Footer, footLine{Label: e.s("客服热线", "Hotline"), Value: b.Hotline, Href: telHref(b.Hotline)})
	d.Footer = append(d.Footer, footLine{Label: e.s("邮箱", "Email"), Value: b.ReplyTo, Href: mailtoHref(b.ReplyTo)})
	if c := b.Contact.In(l); c != "" {
		d.Footer = append(d.Footer, footLine{Label: e.s("联系人", "Contact"), Value: c})
	}
	if a := b.Address.In(l); a != "" {
		d.Footer = append(d.Footer, footLine{Label: e.s("地址", "Address"), Value: a})
	}
}

func (d *doc) staffFooter(e *env) {
	d.Masthead = e.s("大客户服务质量监督", "Key-account service quality")
	d.Footer = []footLine{{Value: e.s("本通知由大客户服务质量监督系统（keycare）发送，每项通知只发送一次。",
		"Sent by keycare, the key-account service-quality system. Each notice is sent once.")}}
}

// contactLine is the sentence that says how to reach a person.
func contactLine(e *env) string {
	h := e.Brand.Hotline
	return e.s("如有任何疑问，请拨打客服热线 "+h+"，或直接回复本邮件。", "If you have any questions, call our hotline "+h+" or simply reply to this email.")
}

// text is the plain-text part: the same content, links in full.
func (d *doc) text() string {
	var b strings.Builder
	sep := pick(d.Lang, "：", ": ")
	if d.Greeting != "" {
		b.WriteString(d.Greeting + "\n\n")
	} else {
		b.WriteString(d.Heading + "\n\n")
	}
	for _, bl := range d.Blocks {
		switch {
		case bl.Facts != nil:
			for _, f := range bl.Facts {
				b.WriteString(f.Label + sep + f.Value + "\n")
			}
		case bl.Button != nil:
			if bt := bl.Button; absolute(bt.URL) || !bt.Tappable {
				b.WriteString(bt.Label + pick(d.Lang, "：", ":") + "\n" + bt.URL + "\n")
			} else {
				continue
			}
		case bl.List != nil:
			b.WriteString(bl.List.Title + "\n")
			for _, it := range bl.List.Items {
				b.WriteString("  - " + it.Title + "\n")
				for _, l := range []string{it.Detail, it.When + it.Late, it.URL} {
					if l != "" {
						b.WriteString("    " + l + "\n")
					}
				}
			}
		case bl.Quote != nil:
			if bl.Title != "" {
				b.WriteString(bl.Title + "\n")
			}
			for _, l := range bl.Quote {
				if l != "" {
					b.WriteString("    " + l)
				}
				b.WriteString("\n")
			}
		default:
			b.WriteString(bl.Para + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("-- \n")
	for _, f := range d.Footer {
		if f.Label != "" {
			b.WriteString(f.Label + sep)
		}
		b.WriteString(f.Value + "\n")
	}
	return b.String()
}

// The one layout of every message: tables and inline styles (mail clients
// drop <style> and ignore most CSS layout), one column at most 600 px wide
// that shrinks to any phone, a button-styled link, long links kept short.
const htmlLayout = `<!DOCTYPE html>
<html lang="{{if eq .Lang "en"}}en{{else}}zh-CN{{end}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;width:100%;background-color:#f2f4f7;-webkit-text-size-adjust:100%;text-size-adjust:100%;">
<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;">{{.Preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background-color:#f2f4f7;">
<tr><td align="center" style="padding:12px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border:1px solid #dde2e8;border-radius:8px;border-collapse:separate;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;color:#1f2933;">
<tr><td style="padding:14px 20px;border-bottom:3px solid {{if .Urgent}}#b42318{{else}}#1d4ed8{{end}};font-size:15px;font-weight:bold;color:#1d4ed8;word-break:break-word;overflow-wrap:anywhere;">{{.Masthead}}</td></tr>
<tr><td style="padding:20px 20px 8px 20px;font-size:15px;line-height:1.65;word-break:break-word;overflow-wrap:anywhere;">
{{- if .Tag}}
<p style="margin:0 0 8px 0;"><span style="display:inline-block;padding:2px 8px;border-radius:4px;font-size:13px;font-weight:bold;color:#ffffff;background-color:{{if .Urgent}}#b42318{{else}}#475467{{end}};">{{.Tag}}</span></p>
{{- end}}
<h1 style="margin:0 0 16px 0;font-size:19px;line-height:1.4;font-weight:bold;color:#101828;">{{.Heading}}</h1>
{{- if .Greeting}}
<p style="margin:0 0 12px 0;">{{.Greeting}}</p>
{{- end}}
{{- range .Blocks}}
{{- if .Button}}
{{- with .Button}}
{{- if .Tappable}}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 10px 0;"><tr><td align="center" bgcolor="#1d4ed8" style="border-radius:6px;background-color:#1d4ed8;"><a href="{{.Href}}" target="_blank" style="display:inline-block;padding:13px 24px;font-size:16px;line-height:20px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">{{.Label}}</a></td></tr></table>
{{- if .Short}}
<p style="margin:0 0 14px 0;font-size:12px;line-height:1.5;color:#667085;overflow-wrap:anywhere;word-break:break-word;">{{.Fallback}}<a href="{{.Href}}" target="_blank" style="color:#1d4ed8;">{{.Short}}</a></p>
{{- end}}
{{- else}}
<p style="margin:0 0 14px 0;font-size:14px;word-break:break-all;overflow-wrap:anywhere;">{{.Label}}{{if eq $.Lang "en"}}: {{else}}：{{end}}<code style="font-size:13px;">{{.Short}}</code></p>
{{- end}}
{{- end}}
{{- else if .Facts}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;margin:0 0 14px 0;border-collapse:collapse;font-size:14px;line-height:1.5;">
{{- range .Facts}}
<tr><td valign="top" style="padding:7px 10px 7px 0;border-top:1px solid #eaecf0;color:#667085;white-space:nowrap;width:1%;">{{.Label}}</td><td valign="top" style="padding:7px 0;border-top:1px solid #eaecf0;color:#101828;word-break:break-word;overflow-wrap:anywhere;{{if .Strong}}font-weight:bold;{{end}}{{if .Alert}}color:#b42318;font-weight:bold;{{end}}">{{if .Href}}<a href="{{.Href}}" style="color:#1d4ed8;text-decoration:underline;">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td></tr>
{{- end}}
</table>
{{- else if .List}}
{{- with .List}}
<p style="margin:16px 0 0 0;font-size:15px;font-weight:bold;color:{{if .Urgent}}#b42318{{else}}#101828{{end}};">{{.Title}}</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;margin:0 0 8px 0;border-collapse:collapse;">
{{- range .Items}}
<tr><td style="padding:7px 0 7px {{if .Alert}}10px{{else}}0{{end}};border-top:1px solid #eaecf0;{{if .Alert}}border-left:3px solid #b42318;{{end}}font-size:14px;line-height:1.5;word-break:break-word;overflow-wrap:anywhere;">
{{- if .Href}}<a href="{{.Href}}" target="_blank" style="display:block;padding:2px 0;font-size:16px;font-weight:bold;color:#1d4ed8;text-decoration:none;">{{.Title}}&nbsp;&#8250;</a>
{{- else}}<p style="margin:0;padding:2px 0;font-size:16px;font-weight:bold;color:#101828;">{{.Title}}</p>{{end}}
{{- if .Detail}}<p style="margin:2px 0 0 0;color:#344054;">{{.Detail}}</p>{{end}}
{{- if or .When .Late}}<p style="margin:2px 0 0 0;{{if .Alert}}color:#b42318;font-weight:bold;{{else}}color:#667085;{{end}}">{{.When}}{{if .Late}}<span style="white-space:nowrap;">{{.Late}}</span>{{end}}</p>{{end}}
{{- if .Route}}<p style="margin:2px 0 0 0;font-size:13px;color:#667085;word-break:break-all;"><code style="font-size:12px;">{{.Route}}</code></p>{{end}}
</td></tr>
{{- end}}
</table>
{{- end}}
{{- else if .Quote}}
{{- if .Title}}
<p style="margin:0 0 6px 0;font-size:14px;color:#667085;">{{.Title}}</p>
{{- end}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;margin:0 0 14px 0;"><tr><td style="padding:10px 14px;border-left:4px solid #98a2b3;background-color:#f8f9fb;font-size:15px;line-height:1.65;word-break:break-word;overflow-wrap:anywhere;">{{range $i, $l := .Quote}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td></tr></table>
{{- else if .Small}}
<p style="margin:0 0 12px 0;font-size:13px;line-height:1.6;color:#667085;">{{.Para}}</p>
{{- else}}
<p style="margin:0 0 12px 0;">{{.Para}}</p>
{{- end}}
{{- end}}
</td></tr>
<tr><td style="padding:14px 20px 18px 20px;border-top:1px solid #eaecf0;background-color:#f8f9fb;border-radius:0 0 8px 8px;font-size:13px;line-height:1.7;color:#475467;word-break:break-word;overflow-wrap:anywhere;">
{{- range $i, $f := .Footer}}
{{- if $i}}<br>{{end}}
{{- if $f.Label}}{{$f.Label}}{{if eq $.Lang "en"}}: {{else}}：{{end}}{{end}}
{{- if $f.Href}}<a href="{{$f.Href}}" style="color:#1d4ed8;text-decoration:underline;">{{$f.Value}}</a>{{else if $f.Strong}}<strong style="color:#344054;">{{$f.Value}}</strong>{{else}}{{$f.Value}}{{end}}
{{- end}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`

// layout is parsed on first use, not at cold start (init time counts).
var layout = sync.OnceValue(func() *htmltpl.Template { return htmltpl.Must(htmltpl.New("layout").Parse(htmlLayout)) })
