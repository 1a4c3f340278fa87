// Package testenv gives tests real local AWS stand-ins: one set of
// emulators per test binary (started on first use, on free ports, stopped
// when the binary ends) and a fresh table and queues from template.yaml for
// each test that asks.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/local/emu"
	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/mail"
	"keycare/shared/platform"
	"keycare/shared/ses"
)

var (
	once     sync.Once
	started  *emu.Stack
	startErr error
	clients  platform.AWS
	seq      atomic.Int64
)

// Main runs the tests and then stops the emulators: call it from TestMain.
// Every log line of the run, at every level, goes through the personal
// data detector (PII); a hit fails the test binary.
func Main(m *testing.M) int {
	// Handlers log a line per request; in tests only warnings and errors are shown.
	check := newPIICheck(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	slog.SetDefault(slog.New(check))
	code := m.Run()
	if started != nil {
		started.Stop()
	}
	if hits := check.Hits(); len(hits) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the log output holds personal data (%d lines):\n", len(hits))
		for _, h := range hits {
			fmt.Fprintln(os.Stderr, "  "+h)
		}
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Env is one test's resources.
type Env struct {
	Emu       *emu.Stack
	AWS       platform.AWS
	Template  *template.Template
	Resources *stack.Resources
}

// Root is the module root (where template.yaml is).
func Root(t testing.TB) string {
	d, err := emu.LocalDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(d)
}

// Emulators starts the shared emulators (once) and returns them.
func Emulators(t testing.TB) (*emu.Stack, platform.AWS) {
	t.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		started, startErr = emu.Start(ctx, emu.Options{})
		if startErr != nil {
			return
		}
		clients, startErr = platform.NewAWS(context.Background(), platform.Endpoints{DynamoDB: started.DynamoDB, SQS: started.SQS, SES: started.SES}, ses.New)
	})
	if startErr != nil {
		t.Fatalf("local emulators: %v\n(run `make deps` first; `make test` does it for you)", startErr)
	}
	return started, clients
}

// New creates a fresh table and queues for one test, named apart from every
// other test's.
func New(t testing.TB) *Env {
	t.Helper()
	es, cl := Emulators(t)
	tpl, err := template.Load(filepath.Join(Root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stage := fmt.Sprintf("t%d-%d", os.Getpid(), seq.Add(1))
	res, err := stack.Create(context.Background(), tpl, cl, map[string]string{"Stage": stage, "PublicBaseUrl": "http://keycare.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Emu: es, AWS: cl, Template: tpl, Resources: res}
}

// Deps are the dependencies of function fn (its template environment) on
// this env, with the given clock.
func (e *Env) Deps(t testing.TB, fn string, now func() time.Time) platform.Deps {
	t.Helper()
	f, ok := e.Template.Function(fn)
	if !ok {
		t.Fatalf("no function %s in template.yaml", fn)
	}
	cfg, err := e.Resources.Config(e.Template, f)
	if err != nil {
		t.Fatal(err)
	}
	if now == nil {
		now = time.Now
	}
	return platform.Deps{Config: cfg, Clients: e.AWS.Clients(), Now: now}
}

// App is function fn's services wired on this env (platform.Wire), with the
// given clock.
func (e *Env) App(t testing.TB, fn string, now func() time.Time) *platform.App {
	t.Helper()
	a, err := platform.Wire(e.Deps(t, fn, now))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// DrainMail takes every message off this env's mail queue, as the mailer
// would, and returns them.
func (e *Env) DrainMail(t testing.TB) []mail.Message {
	t.Helper()
	url := aws.String(e.Resources.QueueURLs["MailQueue"])
	var out []mail.Message
	for {
		r, err := e.AWS.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			var msg mail.Message
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &msg); err != nil {
				t.Fatalf("mail queue holds a message that is not a mail.Message: %v", err)
			}
			out = append(out, msg)
			if _, err := e.AWS.SQS.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
