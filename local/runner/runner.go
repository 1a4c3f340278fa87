// Package runner is keycare's local replacement for `sam local`: it reads
// template.yaml and serves every HttpApi route by the function that owns it
// (through the gateway package, so handlers get real API Gateway events),
// polls every SQS event source and invokes the real SQS handler with batches
// of the declared size, fires every schedule on its expression and on demand,
// and offers local-only endpoints under /_local/.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/local/gateway"
	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/platform"
)

// Runner runs the functions of a template on local resources.
type Runner struct {
	T         *template.Template
	Res       *stack.Resources
	Clients   platform.Clients
	Clock     *Clock
	SESURL    string // the SES emulator, for /_local/outbox
	Secret    []byte
	Ready     func() error // nil when every emulator is alive
	PollWait  time.Duration
	functions map[string]Function
	routes    []gateway.Route
	handler   http.Handler
}

// New builds every function of t from the registry.
func New(t *template.Template, res *stack.Resources, clients platform.Clients, clock *Clock, registry map[string]Factory) (*Runner, error) {
	r := &Runner{T: t, Res: res, Clients: clients, Clock: clock, Secret: gateway.Secret(), functions: map[string]Function{}, PollWait: time.Second}
	for _, f := range t.Functions {
		factory, ok := registry[f.LogicalID]
		if !ok {
			return nil, fmt.Errorf("runner: %s is in template.yaml but has no factory in runner.Registry", f.LogicalID)
		}
		cfg, err := res.Config(t, f)
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", f.LogicalID, err)
		}
		deps := platform.Deps{Config: cfg, Clients: clients, Now: clock.Now}
		fn := factory(deps)
		if len(f.Routes) > 0 && fn.HTTP == nil {
			return nil, fmt.Errorf("runner: %s has HttpApi events but no HTTP handler", f.LogicalID)
		}
		if len(f.Queues) > 0 && fn.SQS == nil {
			return nil, fmt.Errorf("runner: %s has SQS events but no SQS handler", f.LogicalID)
		}
		if len(f.Schedules) > 0 && fn.Schedule == nil {
			return nil, fmt.Errorf("runner: %s has schedules but no scheduled handler", f.LogicalID)
		}
		if fn.Schedule != nil {
			// As its main.go does in Lambda: one run per schedule at a time.
			fn.Schedule = deps.Scheduled(f.LogicalID, fn.Schedule)
		}
		r.functions[f.LogicalID] = fn
		if fn.HTTP != nil {
			proxy := httpadapter.NewV2(fn.HTTP).ProxyWithContext
			for _, rt := range f.Routes {
				r.routes = append(r.routes, gateway.Route{Function: f.LogicalID, Method: rt.Method, Path: rt.Path, Public: rt.Public, Handler: proxy})
			}
		}
	}
	gw := gateway.New(r.Secret, clock.Now, r.routes)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/healthz", r.healthz)
	mux.HandleFunc("GET /_local/outbox", r.outbox)
	mux.HandleFunc("POST /_local/schedules/{id}", r.fireHTTP)
	mux.HandleFunc("GET /_local/clock", r.clockHTTP)
	mux.HandleFunc("POST /_local/clock", r.clockHTTP)
	mux.Handle("/", gw)
	r.handler = mux
	return r, nil
}

// Routes lists the served routes.
func (r *Runner) Routes() []gateway.Route { return r.routes }

// Handler is the local API: every route of template.yaml plus /_local/.
func (r *Runner) Handler() http.Handler { return r.handler }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (r *Runner) healthz(w http.ResponseWriter, _ *http.Request) {
	if r.Ready != nil {
		if err := r.Ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "now": r.Clock.Now().UTC().Format(time.RFC3339)})
}

func (r *Runner) outbox(w http.ResponseWriter, req *http.Request) {
	if r.SESURL == "" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no SES emulator"})
		return
	}
	hreq, _ := http.NewRequestWithContext(req.Context(), http.MethodGet, r.SESURL+"/store", nil)
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "SES emulator: " + err.Error()})
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (r *Runner) clockHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost {
		var in struct {
			Advance string `json:"advance"`
			Now     string `json:"now"`
		}
		if err := json.NewDecoder(io.LimitReader(req.Body, 4096)).Decode(&in); err != nil || (in.Advance == "") == (in.Now == "") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `send {"advance":"72h"} or {"now":"2026-11-22T09:00:00Z"}`})
			return
		}
		if in.Advance != "" {
			d, err := time.ParseDuration(in.Advance)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance: " + err.Error()})
				return
			}
			r.Clock.Advance(d)
		} else {
			t, err := time.Parse(time.RFC3339, in.Now)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "now: " + err.Error()})
				return
			}
			r.Clock.Set(t)
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": r.Clock.Now().UTC().Format(time.RFC3339)})
}

// Fire runs the schedule named id (the function's logical id or the
// schedule event's name) now, as EventBridge would.
func (r *Runner) Fire(ctx context.Context, id string) error {
	for _, f := range r.T.Functions {
		for _, s := range f.Schedules {
			if f.LogicalID == id || s.Event == id {
				return r.invokeSchedule(ctx, f.LogicalID, s)
			}
		}
	}
	return errUnknownSchedule
}

var errUnknownSchedule = errors.New("no such schedule")

func (r *Runner) invokeSchedule(ctx context.Context, fn string, s template.Schedule) error {
	ev := events.CloudWatchEvent{Version: "0", ID: strconv.FormatInt(time.Now().UnixNano(), 36), DetailType: "Scheduled Event",
		Source: "aws.events", AccountID: "000000000000", Time: r.Clock.Now().UTC(), Region: platform.LocalRegion,
		Resources: []string{"arn:aws:events:us-east-1:000000000000:rule/" + fn + "-" + s.Event}, Detail: json.RawMessage("{}")}
	start := time.Now()
	err := r.functions[fn].Schedule(ctx, ev)
	slog.Info("schedule", "function", fn, "event", s.Event, "ms", time.Since(start).Milliseconds(), "ok", err == nil)
	return err
}

func (r *Runner) fireHTTP(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	err := r.Fire(req.Context(), id)
	switch {
	case errors.Is(err, errUnknownSchedule):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no schedule named " + id})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"fired": id, "at": r.Clock.Now().UTC().Format(time.RFC3339)})
	}
}

// Start runs the SQS pollers and the schedules until ctx ends.
func (r *Runner) Start(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, f := range r.T.Functions {
		for _, q := range f.Queues {
			wg.Add(1)
			go func(fn string, q template.QueueEvent) { defer wg.Done(); r.poll(ctx, fn, q) }(f.LogicalID, q)
		}
		for _, s := range f.Schedules {
			wg.Add(1)
			go func(fn string, s template.Schedule) { defer wg.Done(); r.schedule(ctx, fn, s) }(f.LogicalID, s)
		}
	}
	return &wg
}

// poll is the SQS event source mapping: receive up to BatchSize, invoke,
// delete what succeeded; failures become visible again after the visibility
// timeout and reach the DLQ after maxReceiveCount.
func (r *Runner) poll(ctx context.Context, fn string, q template.QueueEvent) {
	url := r.Res.QueueURLs[q.Queue]
	handler := r.functions[fn].SQS
	arn := r.Res.QueueARNs[q.Queue]
	for ctx.Err() == nil {
		out, err := r.Clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: int32(min(q.BatchSize, 10)),
			WaitTimeSeconds:             int32(r.PollWait / time.Second),
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() == nil {
				slog.Warn("sqs poll failed", "function", fn, "err", err.Error())
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(out.Messages) == 0 {
			continue
		}
		ev := events.SQSEvent{}
		for _, m := range out.Messages {
			attrs := map[string]string{}
			for k, v := range m.Attributes {
				attrs[k] = v
			}
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: attrs,
				EventSource: "aws:sqs", EventSourceARN: arn, AWSRegion: platform.LocalRegion})
		}
		start := time.Now()
		resp, err := handler(ctx, ev)
		failed := map[string]bool{}
		if err != nil {
			for _, m := range ev.Records {
				failed[m.MessageId] = true
			}
		} else if q.ReportFailures {
			for _, f := range resp.BatchItemFailures {
				failed[f.ItemIdentifier] = true
			}
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range ev.Records {
			if !failed[m.MessageId] {
				del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
			}
		}
		if len(del) > 0 {
			if _, err := r.Clients.SQS.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del}); err != nil {
				slog.Warn("sqs delete failed", "function", fn, "err", err.Error())
			}
		}
		slog.Info("sqs batch", "function", fn, "queue", q.Queue, "size", len(ev.Records), "failed", len(failed), "ms", time.Since(start).Milliseconds())
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// schedule fires a rate() or cron() expression on the local clock.
func (r *Runner) schedule(ctx context.Context, fn string, s template.Schedule) {
	due, err := ParseExpression(s.Expression)
	if err != nil {
		slog.Error("schedule not understood", "function", fn, "event", s.Event, "err", err.Error())
		return
	}
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
		if due(last, now) {
			if err := r.invokeSchedule(ctx, fn, s); err != nil && ctx.Err() == nil {
				slog.Warn("schedule failed", "function", fn, "event", s.Event, "err", err.Error())
			}
		}
		last = now
	}
}

// ParseExpression turns an EventBridge schedule expression into a test of
// whether it fell due in (last, now]: rate(N minute[s]|hour[s]|day[s]) and
// cron(min hour day-of-month month day-of-week year) with *, ?, numbers,
// lists, ranges and steps, evaluated in UTC as EventBridge does.
func ParseExpression(expr string) (func(last, now time.Time) bool, error) {
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
		return func(last, now time.Time) bool { return now.Truncate(every).After(last.Truncate(every)) }, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
		if err != nil {
			return nil, err
		}
		return func(last, now time.Time) bool {
			// Each minute crossed, at most one day's worth after a clock jump.
			m := last.UTC().Truncate(time.Minute).Add(time.Minute)
			for i := 0; !m.After(now.UTC()) && i < 24*60; i++ {
				if c.match(m) {
					return true
				}
				m = m.Add(time.Minute)
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("unsupported schedule expression %q", expr)
}
