package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"keycare/local/emu"
	"keycare/local/runner"
	"keycare/local/template"
	"keycare/local/testenv"
	"keycare/shared/mail"
	"keycare/shared/platform"
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
	m, err := env.App(t, "MailerFunction", nil).Mailer()
	if err != nil {
		t.Fatal(err)
	}
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

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {7, 64 * time.Minute}, {8, 2 * time.Hour}, {9, 2 * time.Hour}, {50, 2 * time.Hour}} {
		if got := mail.Backoff(tt.n); got != tt.want {
			t.Errorf("Backoff(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
	// The mail queue's receives must outlast an SES outage of 2 hours, and
	// every wait must fit SQS's 12-hour visibility limit.
	tpl, err := template.Load(filepath.Join(testenv.Root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var maxReceives int
	for _, q := range tpl.Queues {
		if q.LogicalID == "MailQueue" {
			maxReceives = q.MaxReceiveCount
		}
	}
	if span := mail.BackoffSpan(mail.Backoff, maxReceives); span < 2*time.Hour {
		t.Errorf("with maxReceiveCount %d a message reaches the DLQ %s after its first try; an SES outage of 2 h needs more", maxReceives, span)
	}
	for n := 1; n <= maxReceives; n++ {
		if mail.Backoff(n) > 12*time.Hour {
			t.Errorf("Backoff(%d) exceeds SQS's 12 h visibility limit", n)
		}
	}
}

// recordingSES notes when each send was tried.
type recordingSES struct {
	mail.SES
	mu    sync.Mutex
	tries []time.Time
}

func (r *recordingSES) Send(ctx context.Context, from string, m mail.Message) error {
	r.mu.Lock()
	r.tries = append(r.tries, time.Now())
	r.mu.Unlock()
	return r.SES.Send(ctx, from, m)
}

func (r *recordingSES) snapshot() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.tries...)
}

// Through the runner's SQS poller and the real queue (visibility timeout
// 360 s, maxReceiveCount 10 as in template.yaml): while the SES emulator is
// down each try fails and the message waits the backoff of its receive count
// (here n seconds instead of minutes) instead of the queue's 6 minutes; when
// SES is back it is sent once and nothing reaches the DLQ.
func TestMailerBacksOffThroughSESOutage(t *testing.T) {
	env := testenv.New(t)
	ses := &recordingSES{}
	reg := map[string]platform.Factory{}
	for k, v := range platform.Registry {
		reg[k] = v
	}
	reg["MailerFunction"] = func(d platform.Deps) (platform.Function, error) {
		a, err := platform.Wire(d)
		if err != nil {
			return platform.Function{}, err
		}
		m, err := a.Mailer()
		if err != nil {
			return platform.Function{}, err
		}
		ses.SES = m.SES
		m.SES = ses
		m.Backoff = func(n int) time.Duration { return time.Duration(n) * time.Second }
		return platform.Function{SQS: m.Handle}, nil
	}
	r, err := runner.New(env.Template, env.Resources, env.AWS, runner.NewClock(), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env.Emu.StopOne("ses")
	restarted := false
	defer func() {
		if !restarted {
			_ = env.Emu.Restart(context.Background(), "ses")
		}
	}()
	body, _ := json.Marshal(message("outage-1", "o@example.com"))
	mq := aws.String(env.Resources.QueueURLs["MailQueue"])
	if _, err := env.AWS.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: mq, MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	wg := r.Start(ctx)
	defer wg.Wait()
	defer cancel()
	down := time.Now()
	waitFor(t, 40*time.Second, func() bool { return len(ses.snapshot()) >= 4 }, func() string {
		return fmt.Sprintf("%d tries while SES was down; without the backoff the next try waits the queue's 360 s", len(ses.snapshot()))
	})
	if err := env.Emu.Restart(ctx, "ses"); err != nil {
		t.Fatal(err)
	}
	restarted = true
	outage := time.Since(down)
	waitFor(t, 40*time.Second, func() bool { return len(sesStore(t, env.Emu.SES)) == 1 }, func() string { return "the mail was not sent after SES came back" })
	tries := ses.snapshot()
	for i := 1; i < len(tries)-1; i++ { // the gaps between failed tries
		if gap := tries[i].Sub(tries[i-1]); gap < time.Duration(i)*time.Second-100*time.Millisecond {
			t.Errorf("try %d came %s after try %d; the backoff of receive %d is %ds", i+1, gap.Round(time.Millisecond), i, i, i)
		}
	}
	if dlq := depth(t, env, "MailDeadLetterQueue"); dlq != 0 {
		t.Errorf("%d messages in the mail DLQ after an outage of %s", dlq, outage.Round(time.Second))
	}
	waitFor(t, 10*time.Second, func() bool { return depth(t, env, "MailQueue") == 0 }, func() string { return "the sent message is still on the queue" })
	t.Logf("SES down %s, %d tries, sent once, DLQ empty; tries at %v", outage.Round(time.Second), len(tries), offsets(tries))
}

func waitFor(t *testing.T, d time.Duration, ok func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, why())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func depth(t *testing.T, env *testenv.Env, q string) int {
	t.Helper()
	out, err := env.AWS.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(env.Resources.QueueURLs[q]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	b, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return a + b
}

func offsets(ts []time.Time) []string {
	var out []string
	for _, x := range ts {
		out = append(out, x.Sub(ts[0]).Round(100*time.Millisecond).String())
	}
	return out
}

// rejectingSES refuses every message the way SES does for an unverified
// recipient in the sandbox: the error text names the address.
type rejectingSES struct{}

func (rejectingSES) Send(ctx context.Context, from string, m mail.Message) error {
	return &smithy.GenericAPIError{Code: "MessageRejected",
		Message: "Email address is not verified. The following identities failed the check in region US-EAST-1: " + m.To[0]}
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

// hangingSES never answers, as an SES endpoint that takes the connection
// and stalls.
type hangingSES struct{ calls atomic.Int32 }

func (h *hangingSES) Send(ctx context.Context, from string, m mail.Message) error {
	h.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

// visibilities records the visibility timeout set per receipt handle.
type visibilities struct {
	mu   sync.Mutex
	secs map[string]int32
}

func (v *visibilities) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.secs[aws.ToString(in.ReceiptHandle)] = in.VisibilityTimeout
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// With SES hanging instead of failing, each message gets SendTimeout and
// the mailer stops trying while the invocation still has time to answer:
// every message of the batch fails with its backoff set. Without the
// budget the whole invocation would time out, and the batch would come
// back after the queue's visibility timeout with no backoff at all.
func TestMailerAnswersBeforeTheInvocationTimesOut(t *testing.T) {
	env := testenv.New(t)
	m, err := env.App(t, "MailerFunction", nil).Mailer()
	if err != nil {
		t.Fatal(err)
	}
	ses, vis := &hangingSES{}, &visibilities{secs: map[string]int32{}}
	// Only SES hangs: the sent log answers at once (a slow table under load
	// would use up the 500 ms before SES is reached).
	m.SES, m.Sent, m.Queue, m.QueueURL, m.SendTimeout = ses, neverSent{}, vis, "https://sqs.example/mail", 500*time.Millisecond
	m.Backoff = func(n int) time.Duration { return time.Duration(n) * time.Minute }
	var ev events.SQSEvent
	for i := range 8 {
		r := record(t, fmt.Sprint("m", i), message(fmt.Sprint("hang-", i), "h@example.com"))
		r.ReceiptHandle, r.Attributes = fmt.Sprint("rh-", i), map[string]string{"ApproximateReceiveCount": "2"}
		ev.Records = append(ev.Records, r)
	}
	const invocation = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), invocation)
	defer cancel()
	start := time.Now()
	resp, err := m.Handle(ctx, ev)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took >= invocation || ctx.Err() != nil {
		t.Errorf("answered after %s, past the invocation's %s", took.Round(time.Millisecond), invocation)
	}
	if f := failed(resp); len(f) != len(ev.Records) {
		t.Errorf("%d of %d messages failed, want all (SES never answered)", len(f), len(ev.Records))
	}
	if n := int(ses.calls.Load()); n == 0 || n >= len(ev.Records) {
		t.Errorf("%d sends tried of %d messages: want some tried, the rest left for lack of time", n, len(ev.Records))
	}
	for _, r := range ev.Records {
		if s := vis.secs[r.ReceiptHandle]; s != 120 {
			t.Errorf("%s: visibility %d s, want the backoff of its 2nd receive (120 s)", r.MessageId, s)
		}
	}
	t.Logf("answered in %s: %d sends tried, %d left for the next receive", took.Round(time.Millisecond), ses.calls.Load(), len(ev.Records)-int(ses.calls.Load()))
}

// timedSES answers at once and notes when each send came, and to how many.
type timedSES struct {
	mu sync.Mutex
	at []time.Time
	to []int
}

func (s *timedSES) Send(ctx context.Context, from string, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at, s.to = append(s.at, time.Now()), append(s.to, len(m.To))
	return nil
}

// A mailer keeps its share of SES's send rate, which counts recipients:
// after a message to n recipients the next send waits n × Interval, within
// a batch and from one batch to the next.
func TestMailerPacesItsSends(t *testing.T) {
	env := testenv.New(t)
	m, err := env.App(t, "MailerFunction", nil).Mailer()
	if err != nil {
		t.Fatal(err)
	}
	if m.Interval <= 0 {
		t.Errorf("the mailer of template.yaml's configuration is not paced (Interval %s)", m.Interval)
	}
	ses := &timedSES{}
	m.SES, m.Interval = ses, 100*time.Millisecond
	for b := range 2 {
		var ev events.SQSEvent
		for i := range 4 {
			msg := message(fmt.Sprint("paced-", b, "-", i), "p@example.com")
			if i == 1 {
				msg.To = []string{"a@example.com", "b@example.com", "c@example.com"}
			}
			ev.Records = append(ev.Records, record(t, fmt.Sprint("p", b, i), msg))
		}
		resp, err := m.Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("batch %d: %v %+v", b, err, resp)
		}
	}
	if len(ses.at) != 8 {
		t.Fatalf("%d sends, want 8", len(ses.at))
	}
	for i := 1; i < len(ses.at); i++ {
		want := time.Duration(ses.to[i-1]) * m.Interval
		if gap := ses.at[i].Sub(ses.at[i-1]); gap < want-5*time.Millisecond {
			t.Errorf("send %d came %s after one to %d recipients, want at least %s", i+1, gap.Round(time.Millisecond), ses.to[i-1], want)
		}
	}
}
