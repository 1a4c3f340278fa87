package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/local/runner"
	"keycare/local/testenv"
	"keycare/shared/platform"
)

// recorder stands in for scheduled handlers: it notes each event it gets and
// answers with fail(n) for the n-th call of a function.
type recorder struct {
	mu    sync.Mutex
	calls map[string][]events.CloudWatchEvent
	fail  func(fn string, n int) error
	block chan struct{} // when set, a call waits for it to close
}

func (rec *recorder) registry() map[string]platform.Factory {
	reg := map[string]platform.Factory{}
	for k, v := range platform.Registry {
		reg[k] = v
	}
	for _, fn := range []string{"ComplaintEscalationFunction", "SurveyInvitationsFunction", "SurveyRemindersFunction"} {
		reg[fn] = func(platform.Deps) (platform.Function, error) {
			return platform.Function{Schedule: func(ctx context.Context, payload json.RawMessage) error {
				var ev events.CloudWatchEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return err
				}
				rec.mu.Lock()
				rec.calls[fn] = append(rec.calls[fn], ev)
				n := len(rec.calls[fn])
				rec.mu.Unlock()
				if rec.block != nil {
					<-rec.block
				}
				if rec.fail != nil {
					return rec.fail(fn, n)
				}
				return nil
			}}, nil
		}
	}
	return reg
}

func (rec *recorder) got(fn string) []events.CloudWatchEvent {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]events.CloudWatchEvent(nil), rec.calls[fn]...)
}

// A failed scheduled run is retried as Lambda retries an asynchronous
// invocation (MaximumRetryAttempts 2: three invocations, the same payload)
// and then lands in the schedule's own DLQ as Lambda's destination record.
func TestScheduledRunRetriesThenDeadLetters(t *testing.T) {
	env := testenv.New(t)
	boom := errors.New("boom")
	rec := &recorder{calls: map[string][]events.CloudWatchEvent{}, fail: func(fn string, n int) error {
		if fn == "SurveyRemindersFunction" || n == 1 {
			return boom
		}
		return nil
	}}
	r, err := runner.New(env.Template, env.Resources, env.AWS, runner.NewClock(), rec.registry())
	if err != nil {
		t.Fatal(err)
	}
	r.RetryDelay = 20 * time.Millisecond
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	if err := r.Deliver(ctx, "SurveyRemindersFunction", at); !errors.Is(err, boom) {
		t.Fatalf("Deliver: %v, want boom", err)
	}
	calls := rec.got("SurveyRemindersFunction")
	if len(calls) != 3 {
		t.Fatalf("%d invocations, want 3 (1 + MaximumRetryAttempts 2)", len(calls))
	}
	for _, ev := range calls {
		if ev.Source != "aws.scheduler" || ev.DetailType != "Scheduled Event" || !ev.Time.Equal(at) || ev.ID != calls[0].ID ||
			len(ev.Resources) != 1 || !strings.HasPrefix(ev.Resources[0], "arn:aws:scheduler:") || !strings.Contains(string(ev.Detail), `"attempt":"1"`) {
			t.Errorf("event %+v", ev)
		}
	}
	dlq := env.Resources.QueueURLs["SurveyRemindersScheduleDLQ"]
	out, err := env.AWS.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("schedule DLQ: %v, %d messages, want 1", err, len(out.Messages))
	}
	var record struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  events.CloudWatchEvent `json:"requestPayload"`
		ResponsePayload struct {
			ErrorMessage string `json:"errorMessage"`
		} `json:"responsePayload"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &record); err != nil {
		t.Fatal(err)
	}
	if record.RequestContext.Condition != "RetriesExhausted" || record.RequestContext.ApproximateInvokeCount != 3 ||
		!record.RequestPayload.Time.Equal(at) || !strings.Contains(record.ResponsePayload.ErrorMessage, "boom") {
		t.Errorf("destination record %+v", record)
	}
	// A run that fails once and then succeeds is retried once and sends nothing to its DLQ.
	if err := r.Deliver(ctx, "SurveyInvitationsFunction", at); err != nil {
		t.Fatalf("Deliver after one failure: %v", err)
	}
	if n := len(rec.got("SurveyInvitationsFunction")); n != 2 {
		t.Errorf("%d invocations, want 2", n)
	}
	if n := queueDepth(t, env, "SurveyInvitationsScheduleDLQ"); n != 0 {
		t.Errorf("%d messages in the invitations' DLQ", n)
	}
}

// Each schedule has its own lock (its lease): two schedules run at once; a
// second run of one schedule while the first runs is skipped.
func TestScheduleLockPerSchedule(t *testing.T) {
	env := testenv.New(t)
	rec := &recorder{calls: map[string][]events.CloudWatchEvent{}, block: make(chan struct{})}
	r, err := runner.New(env.Template, env.Resources, env.AWS, runner.NewClock(), rec.registry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	at := time.Now().UTC().Truncate(time.Minute)
	var wg sync.WaitGroup
	for _, fn := range []string{"SurveyRemindersFunction", "SurveyInvitationsFunction"} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Deliver(ctx, fn, at) }()
	}
	waitUntil(t, 10*time.Second, func() bool {
		return len(rec.got("SurveyRemindersFunction")) == 1 && len(rec.got("SurveyInvitationsFunction")) == 1
	}, "both schedules running at once")
	if err := r.Deliver(ctx, "SurveyRemindersFunction", at); err != nil {
		t.Fatalf("second run while the first holds the lease: %v", err)
	}
	if n := len(rec.got("SurveyRemindersFunction")); n != 1 {
		t.Errorf("the reminders ran %d times at once, want 1", n)
	}
	close(rec.block)
	wg.Wait()
}

// Schedules run by the local clock in company time: at 10:00 in Shanghai
// (02:00 UTC) the daily reminders and the hourly escalation fall due, the
// monthly invitations (the 1st, 09:00) do not.
func TestSchedulesFollowCompanyTime(t *testing.T) {
	env := testenv.New(t)
	rec := &recorder{calls: map[string][]events.CloudWatchEvent{}}
	clock := runner.NewClock()
	clock.Set(time.Date(2026, 11, 23, 1, 59, 57, 0, time.UTC))
	r, err := runner.New(env.Template, env.Resources, env.AWS, clock, rec.registry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wg := r.Start(ctx)
	defer wg.Wait()
	defer cancel()
	want := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	waitUntil(t, 15*time.Second, func() bool {
		return len(rec.got("SurveyRemindersFunction")) == 1 && len(rec.got("ComplaintEscalationFunction")) == 1
	}, "reminders and escalation due at 10:00 Shanghai")
	for _, fn := range []string{"SurveyRemindersFunction", "ComplaintEscalationFunction"} {
		if ev := rec.got(fn)[0]; !ev.Time.Equal(want) {
			t.Errorf("%s: scheduled time %s, want %s", fn, ev.Time, want)
		}
	}
	if n := len(rec.got("SurveyInvitationsFunction")); n != 0 {
		t.Errorf("invitations ran %d times on the 23rd", n)
	}
}

// The sample events of the scheduled functions have the shape of what their
// schedule delivers (template.yaml's Input), so `sam local invoke -e` tries
// what Lambda gets.
func TestScheduleSamplesMatchTemplate(t *testing.T) {
	env := testenv.New(t)
	r, err := runner.New(env.Template, env.Resources, env.AWS, runner.NewClock(), platform.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range env.Template.Functions {
		if len(f.Schedules) == 0 {
			continue
		}
		p, err := r.Payload(f.LogicalID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(testenv.Root(t), "events", f.LogicalID, "*.json"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := shape(t, b), shape(t, p); !reflect.DeepEqual(got, want) {
				t.Errorf("%s has the fields %v; the schedule delivers %v", file, got, want)
			}
		}
	}
}

// shape lists the fields of a JSON object, nested ones as a.b.
func shape(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			out = append(out, prefix+k)
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", m)
	sort.Strings(out)
	return out
}

func waitUntil(t *testing.T, d time.Duration, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
