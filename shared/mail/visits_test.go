package mail

import (
	"strings"
	"testing"
)

func TestDigestMails(t *testing.T) {
	d := DigestMail{Greeting: "Dear <Alice>,", Sections: []DigestSection{{Title: "Today's visits", Lines: []DigestLine{{Text: "10:00 Acme", Link: "http://x/visits/v1?a=1&b=2"}}}}}
	m, err := RenderDigest("visit-digest", "en", []string{"a@b.cn"}, "Your day", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "&lt;Alice&gt;") || !strings.Contains(m.HTML, "Today&#39;s visits (1)") || !strings.Contains(m.Text, "http://x/visits/v1?a=1&b=2") {
		t.Fatalf("%s\n%s", m.HTML, m.Text)
	}
	m.Attachments = []Attachment{{Filename: "visits.ics", ContentType: "text/calendar", Data: make([]byte, MaxAttachments+1)}}
	if m.Validate() == nil {
		t.Fatal("oversized attachment accepted")
	}
	m.Attachments = []Attachment{{Filename: "a\r\nb.ics", ContentType: "text/calendar", Data: []byte("x")}}
	if m.Validate() == nil {
		t.Fatal("header injection in a file name accepted")
	}
}
