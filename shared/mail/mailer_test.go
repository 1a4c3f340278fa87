package mail_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"keycare/local/emu"
	"keycare/local/testenv"
	"keycare/shared/mail"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func record(t *testing.T, id string, m any) events.SQSMessage {
	t.Helper()
	body, ok := m.(string)
	if !ok {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs"}
}

func message(id, to string) mail.Message {
	return mail.Message{ID: id, Kind: "test", Lang: "en", To: []string{to}, Subject: "Subject " + id, HTML: "<p>" + id + "</p>", Text: id}
}

func failed(resp events.SQSEventResponse) map[string]bool {
	out := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		out[f.ItemIdentifier] = true
	}
	return out
}

func TestMailerBatchFailuresAndSESOutage(t *testing.T) {
	env := testenv.New(t)
	m := env.App(t, "MailerFunction", nil).Mailer()
	ctx := context.Background()
	before := len(sesStore(t, env.Emu.SES))

	ev := events.SQSEvent{Records: []events.SQSMessage{
		record(t, "a", message("mail-a", "a@example.com")),
		record(t, "bad-json", "{not json"),
		record(t, "no-recipient", mail.Message{ID: "x", Subject: "s", HTML: "h", Text: "t"}),
		record(t, "b", withReplyTo(message("mail-b", "b@example.com"), "kefu@example.cn")),
	}}
	resp, err := m.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if f := failed(resp); len(f) != 2 || !f["bad-json"] || !f["no-recipient"] {
		t.Fatalf("failures %v, want exactly the two bad messages", f)
	}
	if got := len(sesStore(t, env.Emu.SES)) - before; got != 2 {
		t.Fatalf("%d mails sent, want 2", got)
	}
	// The customer's answer goes to the brand's mailbox, not the no-reply sender.
	if got := replyTo(t, env.Emu.SES, "Subject mail-b"); len(got) != 1 || got[0] != "kefu@example.cn" {
		t.Fatalf("reply-to of mail-b: %v", got)
	}
	// A redelivered message is not sent again.
	resp, _ = m.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{record(t, "a2", message("mail-a", "a@example.com"))}})
	if len(resp.BatchItemFailures) != 0 || len(sesStore(t, env.Emu.SES))-before != 2 {
		t.Fatalf("duplicate handling: %+v", resp)
	}

	// SES down: every message fails alone and stays on the queue...
	env.Emu.StopOne("ses")
	outage := events.SQSEvent{Records: []events.SQSMessage{record(t, "c", message("mail-c", "c@example.com")), record(t, "d", message("mail-d", "d@example.com"))}}
	resp, _ = m.Handle(ctx, outage)
	if f := failed(resp); len(f) != 2 {
		t.Fatalf("with SES down: failures %v, want both", f)
	}
	// ...and is sent when SES is back (the emulator restarts empty).
	if err := env.Emu.Restart(ctx, "ses"); err != nil {
		t.Fatal(err)
	}
	resp, _ = m.Handle(ctx, outage)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after SES is back: %+v", resp)
	}
	sent := sesStore(t, env.Emu.SES)
	if len(sent) != 2 {
		t.Fatalf("after the outage %d mails in SES, want 2: %v", len(sent), sent)
	}
}

// sesStore lists what the SES emulator holds.
func sesStore(t *testing.T, url string) []emu.SentEmail {
	t.Helper()
	sent, err := emu.SentEmails(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return sent
}

func withReplyTo(m mail.Message, addr string) mail.Message {
	m.ReplyTo = []string{addr}
	return m
}

// replyTo is the Reply-To the SES emulator received for the mail with subject.
func replyTo(t *testing.T, url, subject string) []string {
	t.Helper()
	resp, err := http.Get(url + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			Subject string   `json:"subject"`
			ReplyTo []string `json:"replyTo"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	for _, e := range store.Emails {
		if e.Subject == subject {
			return e.ReplyTo
		}
	}
	t.Fatalf("no mail %q in the SES emulator", subject)
	return nil
}
