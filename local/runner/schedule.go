package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/local/template"
	"keycare/shared/domain"
	"keycare/shared/platform"
)

// schedule is one schedule event of a function, resolved against the local
// resources: its clock (ScheduleExpressionTimezone) and its payload.
type schedule struct {
	fn    template.Function
	s     template.Schedule
	loc   *time.Location
	input string // ScheduleV2 Input with <aws.scheduler.*> placeholders; "" for none
	due   func(last, now time.Time) (time.Time, bool)
}

// newSchedule resolves s of f.
func (r *Runner) newSchedule(f template.Function, s template.Schedule) (*schedule, error) {
	sc := &schedule{fn: f, s: s, loc: time.UTC}
	if s.V2 && s.Timezone.Kind != 0 {
		zone, err := r.Res.Resolver.Resolve(s.Timezone)
		if err != nil {
			return nil, err
		}
		if zone != "" {
			if sc.loc, err = time.LoadLocation(zone); err != nil {
				return nil, fmt.Errorf("ScheduleExpressionTimezone %q: %w", zone, err)
			}
		}
	}
	if s.V2 && s.Input.Kind != 0 {
		in, err := r.Res.Resolver.Resolve(s.Input)
		if err != nil {
			return nil, err
		}
		if !json.Valid([]byte(in)) {
			return nil, fmt.Errorf("Input is not JSON: %s", in)
		}
		sc.input = in
	}
	due, err := ParseExpressionIn(s.Expression, sc.loc)
	if err != nil {
		return nil, err
	}
	sc.due = due
	return sc, nil
}

func (r *Runner) findSchedule(id string) (*schedule, error) {
	for _, sc := range r.schedules {
		if sc.fn.LogicalID == id || sc.s.Event == id {
			return sc, nil
		}
	}
	return nil, errUnknownSchedule
}

var errUnknownSchedule = errors.New("no such schedule")

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Payload is what the schedule delivers for the run due at: a ScheduleV2's
// Input with EventBridge Scheduler's context attributes filled in, or, for
// a Schedule (EventBridge rule), the "Scheduled Event".
func (sc *schedule) Payload(at time.Time, attempt int) []byte {
	name := "keycare-local-" + sc.fn.LogicalID + sc.s.Event
	if !sc.s.V2 {
		ev := events.CloudWatchEvent{Version: "0", ID: randomID(), DetailType: "Scheduled Event", Source: "aws.events",
			AccountID: "000000000000", Time: at.UTC(), Region: platform.LocalRegion,
			Resources: []string{"arn:aws:events:" + platform.LocalRegion + ":000000000000:rule/" + name}, Detail: json.RawMessage("{}")}
		b, _ := json.Marshal(ev)
		return b
	}
	if sc.input == "" {
		return []byte("{}")
	}
	return []byte(strings.NewReplacer(
		"<aws.scheduler.schedule-arn>", "arn:aws:scheduler:"+platform.LocalRegion+":000000000000:schedule/default/"+name,
		"<aws.scheduler.scheduled-time>", at.UTC().Format("2006-01-02T15:04:05Z"),
		"<aws.scheduler.execution-id>", randomID(),
		"<aws.scheduler.attempt-number>", strconv.Itoa(attempt),
	).Replace(sc.input))
}

// invoke runs the scheduled handler once on payload, as the Lambda runtime
// does: the payload decoded into the handler's event, the function's
// timeout applied.
func (r *Runner) invoke(ctx context.Context, sc *schedule, payload []byte) error {
	var ev json.RawMessage
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("%s: payload does not decode: %w", sc.fn.LogicalID, err)
	}
	ctx = domain.WithRequestID(ctx, "local-"+randomID())
	h := withTimeout(sc.fn, func(ctx context.Context, ev json.RawMessage) (struct{}, error) {
		return struct{}{}, r.functions[sc.fn.LogicalID].Schedule(ctx, ev)
	})
	start := time.Now()
	_, err := h(ctx, ev)
	slog.Info("schedule", "function", sc.fn.LogicalID, "event", sc.s.Event, "ms", time.Since(start).Milliseconds(), "ok", err == nil)
	return err
}

// Fire runs the schedule named id (the function's logical id or the
// schedule event's name) once, now, and returns its result: the demo and
// test shortcut of POST /_local/schedules/{id}. Runs due by the clock are
// delivered as in AWS instead (Deliver).
func (r *Runner) Fire(ctx context.Context, id string) error {
	sc, err := r.findSchedule(id)
	if err != nil {
		return err
	}
	return r.invoke(ctx, sc, sc.Payload(r.Clock.Now().Truncate(time.Minute), 1))
}

// Deliver runs the schedule named id for the run due at as AWS does: the
// scheduler invokes the function asynchronously; Lambda retries a failed run
// MaximumRetryAttempts times (EventInvokeConfig; after RetryDelay, then
// twice that, standing for Lambda's 1 and 2 minutes) while the event is
// younger than MaximumEventAgeInSeconds, then sends it to the OnFailure
// destination. Delivery itself (the scheduler's RetryPolicy and
// DeadLetterConfig) cannot fail locally. It returns the last error.
func (r *Runner) Deliver(ctx context.Context, id string, at time.Time) error {
	sc, err := r.findSchedule(id)
	if err != nil {
		return err
	}
	payload := sc.Payload(at, 1)
	first := time.Now()
	invokes := 0
	for {
		invokes++
		err = r.invoke(ctx, sc, payload)
		if err == nil || ctx.Err() != nil {
			return err
		}
		wait := r.RetryDelay * time.Duration(invokes)
		if invokes > sc.fn.Async.MaxRetries || time.Since(first)+wait > time.Duration(sc.fn.Async.MaxAge)*time.Second {
			break
		}
		slog.Warn("scheduled run failed; Lambda retries it", "function", sc.fn.LogicalID, "invokes", invokes, "retryIn", wait.String(), "err", err.Error())
		sleep(ctx, wait)
		if ctx.Err() != nil {
			return err
		}
	}
	slog.Error("scheduled run failed after its retries", "function", sc.fn.LogicalID, "invokes", invokes, "err", err.Error())
	if q := sc.fn.Async.OnFailure; q != "" {
		if derr := r.sendFailure(context.WithoutCancel(ctx), sc, q, payload, invokes, err); derr != nil {
			slog.Error("OnFailure destination not reached", "function", sc.fn.LogicalID, "queue", q, "err", derr.Error())
		}
	}
	return err
}

// sendFailure puts Lambda's destination record of a failed asynchronous
// invocation on queue q.
func (r *Runner) sendFailure(ctx context.Context, sc *schedule, q string, payload []byte, invokes int, cause error) error {
	url, ok := r.Res.QueueURLs[q]
	if !ok {
		return fmt.Errorf("queue %s not created", q)
	}
	errType := "errorString"
	if errors.Is(cause, errTimeout) {
		errType = "Sandbox.Timedout"
	}
	record := map[string]any{
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"requestContext": map[string]any{
			"requestId": randomID(), "functionArn": "arn:aws:lambda:" + platform.LocalRegion + ":000000000000:function:" + sc.fn.LogicalID + ":$LATEST",
			"condition": "RetriesExhausted", "approximateInvokeCount": invokes,
		},
		"requestPayload":  json.RawMessage(payload),
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]string{"errorMessage": cause.Error(), "errorType": errType},
	}
	b, _ := json.Marshal(record)
	_, err := r.AWS.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(string(b))})
	return err
}

// runSchedule delivers each run of sc that falls due on the local clock, in
// its own goroutine (a slow or retried run does not hold the next back; the
// lease keeps two runs of a schedule apart).
func (r *Runner) runSchedule(ctx context.Context, sc *schedule, spawn func(func())) {
	last := r.Clock.Now()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := r.Clock.Now()
		if at, ok := sc.due(last, now); ok {
			spawn(func() {
				if err := r.Deliver(ctx, sc.fn.LogicalID, at); err != nil && ctx.Err() == nil {
					slog.Warn("schedule failed", "function", sc.fn.LogicalID, "event", sc.s.Event, "err", err.Error())
				}
			})
		}
		last = now
	}
}

// ParseExpression is ParseExpressionIn UTC, as EventBridge rules evaluate.
func ParseExpression(expr string) (func(last, now time.Time) (time.Time, bool), error) {
	return ParseExpressionIn(expr, time.UTC)
}

// ParseExpressionIn turns a schedule expression into a test of whether it
// fell due in (last, now], and when: rate(N minute[s]|hour[s]|day[s]) and
// cron(min hour day-of-month month day-of-week year) with *, ?, numbers,
// lists, ranges and steps, the cron fields read in loc (a ScheduleV2's
// ScheduleExpressionTimezone; a local time skipped by a daylight-saving
// change never falls due).
func ParseExpressionIn(expr string, loc *time.Location) (func(last, now time.Time) (time.Time, bool), error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
		if len(f) != 2 {
			return nil, fmt.Errorf("bad rate %q", expr)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad rate %q", expr)
		}
		unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[f[1]]
		if unit == 0 {
			return nil, fmt.Errorf("bad rate unit %q", expr)
		}
		every := time.Duration(n) * unit
		return func(last, now time.Time) (time.Time, bool) {
			at := now.Truncate(every)
			return at, at.After(last.Truncate(every))
		}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
		if err != nil {
			return nil, err
		}
		return func(last, now time.Time) (time.Time, bool) {
			// Each minute crossed (the last day's, after a clock jump); the
			// latest one due.
			var at time.Time
			from := last
			if day := now.Add(-24 * time.Hour); day.After(from) {
				from = day
			}
			m := from.UTC().Truncate(time.Minute).Add(time.Minute)
			for !m.After(now.UTC()) {
				if c.match(m.In(loc)) {
					at = m
				}
				m = m.Add(time.Minute)
			}
			return at, !at.IsZero()
		}, nil
	}
	return nil, fmt.Errorf("unsupported schedule expression %q", expr)
}

// Payload is what the schedule named id delivers for the run due at.
func (r *Runner) Payload(id string, at time.Time) ([]byte, error) {
	sc, err := r.findSchedule(id)
	if err != nil {
		return nil, err
	}
	return sc.Payload(at, 1), nil
}
