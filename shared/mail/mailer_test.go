package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

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
		record(t, "b", message("mail-b", "b@example.com")),
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

// rejectingSES refuses every message the way SES does for an unverified
// recipient in the sandbox: the error text names the address.
type rejectingSES struct{}

func (rejectingSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "MessageRejected",
		Message: "Email address is not verified. The following identities failed the check in region US-EAST-1: " + in.Destination.ToAddresses[0]}
}

// The mailer logs SES's error code, never its text (which names the recipient).
func TestMailerLogsTheErrorCodeNotTheRecipient(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	m := &mail.Mailer{SES: rejectingSES{}, From: "noreply@example.com", Sent: neverSent{}, Now: time.Now}
	resp, _ := m.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(t, "r", message("mail-r", "wang.wei@acme.cn"))}})
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("a rejected message did not fail: %+v", resp)
	}
	logged := buf.String()
	if strings.Contains(logged, "wang.wei@acme.cn") || !strings.Contains(logged, "MessageRejected") {
		t.Fatalf("log holds the recipient, or not the error code:\n%s", logged)
	}
}

type neverSent struct{}

func (neverSent) Sent(context.Context, string) (bool, error)        { return false, nil }
func (neverSent) MarkSent(context.Context, string, time.Time) error { return nil }
