package mail

import (
	"bytes"
	"fmt"
	htmltpl "html/template"
	"strings"
)

// The list mail of visits and handovers: the daily reminder digest (one per
// person per day, sections of lines with links, an optional .ics of today's
// visits) and the handover list both managers get. (The handover notice to
// a customer is HandoverNotice, through Compose.)

// DigestLine is one entry of a digest section.
type DigestLine struct {
	Text string
	Link string // optional
}

// DigestSection is a titled list.
type DigestSection struct {
	Title string
	Lines []DigestLine
}

// DigestMail is a list mail: the daily digest (kind "visit-digest",
// "supervisor-digest") or the handover list ("handover-list").
type DigestMail struct {
	Greeting string // "王经理，您好：" / "Dear Alice,"
	Intro    string
	Sections []DigestSection
	Outro    string
}

const digestLayout = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#1f2933">
<table role="presentation" width="100%" style="max-width:640px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<tr><td><h1 style="font-size:20px;margin:0 0 16px">{{.Subject}}</h1>
<p style="line-height:1.6;margin:0 0 12px">{{.D.Greeting}}</p>{{if .D.Intro}}<p style="line-height:1.6;margin:0 0 12px">{{.D.Intro}}</p>{{end}}
{{range .D.Sections}}<h2 style="font-size:16px;margin:20px 0 8px;border-bottom:1px solid #e4e7eb;padding-bottom:4px">{{.Title}} ({{len .Lines}})</h2>
<ul style="margin:0;padding-left:20px">{{range .Lines}}<li style="line-height:1.6;margin:0 0 4px">{{.Text}}{{if .Link}} — <a href="{{.Link}}">{{.Link}}</a>{{end}}</li>
{{end}}</ul>
{{end}}{{if .D.Outro}}<p style="line-height:1.6;margin:16px 0 0">{{.D.Outro}}</p>{{end}}<p style="color:#6b7785;font-size:12px;margin-top:24px">{{.Footer}}</p></td></tr></table></body></html>`

var digestTpl = htmltpl.Must(htmltpl.New("digest").Parse(digestLayout))

// RenderDigest renders a list mail with HTML and text parts.
func RenderDigest(kind, lang string, to []string, subject string, d DigestMail) (Message, error) {
	if lang != "en" {
		lang = "zh"
	}
	subject = strings.NewReplacer("\r", " ", "\n", " ").Replace(subject)
	var h bytes.Buffer
	if err := digestTpl.Execute(&h, map[string]any{"Lang": lang, "Subject": subject, "D": d, "Footer": listFooter(lang)}); err != nil {
		return Message{}, fmt.Errorf("mail: %s html: %w", kind, err)
	}
	var t strings.Builder
	t.WriteString(subject + "\n\n" + d.Greeting + "\n")
	if d.Intro != "" {
		t.WriteString(d.Intro + "\n")
	}
	for _, s := range d.Sections {
		fmt.Fprintf(&t, "\n%s (%d)\n", s.Title, len(s.Lines))
		for _, l := range s.Lines {
			t.WriteString("  - " + l.Text)
			if l.Link != "" {
				t.WriteString("\n    " + l.Link)
			}
			t.WriteString("\n")
		}
	}
	if d.Outro != "" {
		t.WriteString("\n" + d.Outro + "\n")
	}
	t.WriteString("\n-- \n" + listFooter(lang) + "\n")
	m := Message{ID: NewID(kind), Kind: kind, Lang: lang, To: to, Subject: subject, HTML: h.String(), Text: t.String()}
	return m, m.Validate()
}

func listFooter(lang string) string {
	if lang == "en" {
		return "keycare, key-account service. This is an automatic message; please do not reply to it."
	}
	return "keycare 大客户服务。本邮件由系统自动发送，请勿直接回复。"
}
