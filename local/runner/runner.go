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
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"keycare/local/gateway"
	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/platform"
)

// Runner runs the functions of a template on local resources.
type Runner struct {
	T        *template.Template
	Res      *stack.Resources
	AWS      platform.AWS
	Clock    *Clock
	SESURL   string // the SES emulator, for /_local/outbox
	Secret   []byte
	Ready    func() error // nil when every emulator is alive
	PollWait time.Duration
	// RetryDelay stands for Lambda's one minute before the first retry of a
	// failed scheduled run (two before the second).
	RetryDelay time.Duration
	functions  map[string]platform.Function
	schedules  []*schedule
	routes     []gateway.Route
	handler    http.Handler
}

// New builds every function of t from the registry (platform.Registry), as
// each function's main.go does, on the local resources; handlers and
// schedules see the clock.
func New(t *template.Template, res *stack.Resources, aws platform.AWS, clock *Clock, registry map[string]platform.Factory) (*Runner, error) {
	r := &Runner{T: t, Res: res, AWS: aws, Clock: clock, Secret: gateway.Secret(), functions: map[string]platform.Function{},
		PollWait: time.Second, RetryDelay: time.Minute}
	for _, f := range t.Functions {
		factory, ok := registry[f.LogicalID]
		if !ok {
			return nil, fmt.Errorf("runner: %s is in template.yaml but has no factory in platform.Registry", f.LogicalID)
		}
		cfg, err := res.Config(t, f)
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", f.LogicalID, err)
		}
		// The console's local-only sign-in page (make run has no Cognito);
		// nothing in a deployed function can turn it on.
		cfg.LocalSignIn = true
		deps := platform.Deps{Config: cfg, Clients: aws.Clients(), Now: clock.Now}
		fn, err := factory(deps)
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", f.LogicalID, err)
		}
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
			// As its main.go does in Lambda, under the function's Timeout.
			proxy := withTimeout(f, deps.HTTP(fn.HTTP))
			for _, rt := range f.Routes {
				r.routes = append(r.routes, gateway.Route{Function: f.LogicalID, Method: rt.Method, Path: rt.Path, Public: rt.Public, Handler: proxy})
			}
		}
		for _, s := range f.Schedules {
			sc, err := r.newSchedule(f, s)
			if err != nil {
				return nil, fmt.Errorf("runner: %s schedule %s: %w", f.LogicalID, s.Event, err)
			}
			r.schedules = append(r.schedules, sc)
		}
	}
	opts, err := r.gatewayOptions()
	if err != nil {
		return nil, err
	}
	// Tokens expire in real time, as API Gateway checks them; the moved
	// clock is what handlers and schedules see.
	gw := gateway.New(r.Secret, time.Now, r.routes, opts)
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

// gatewayOptions are the API's base path (the BasePath parameter: a custom
// domain's mapping) and its CORS block, resolved.
func (r *Runner) gatewayOptions() (gateway.Options, error) {
	opts := gateway.Options{BasePath: r.Res.Resolver.Params["BasePath"]}
	for _, api := range r.T.HttpApis {
		if api.Cors == nil {
			continue
		}
		origins, err := r.Res.Resolver.ResolveList(api.Cors.AllowOrigins)
		if err != nil {
			return opts, fmt.Errorf("runner: %s CORS: %w", api.LogicalID, err)
		}
		opts.Cors = &gateway.Cors{AllowOrigins: origins, AllowMethods: api.Cors.AllowMethods, AllowHeaders: api.Cors.AllowHeaders,
			ExposeHeaders: api.Cors.ExposeHeaders, MaxAge: api.Cors.MaxAge, AllowCredentials: api.Cors.AllowCredentials}
	}
	return opts, nil
}

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
	}
	spawn := func(run func()) {
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	for _, sc := range r.schedules {
		wg.Add(1)
		go func(sc *schedule) { defer wg.Done(); r.runSchedule(ctx, sc, spawn) }(sc)
	}
	return &wg
}

// poll is the SQS event source mapping: receive up to BatchSize, invoke,
// delete what succeeded; failures become visible again after the visibility
// timeout and reach the DLQ after maxReceiveCount.
func (r *Runner) poll(ctx context.Context, fn string, q template.QueueEvent) {
	url := r.Res.QueueURLs[q.Queue]
	f, _ := r.T.Function(fn)
	handler := withTimeout(f, r.functions[fn].SQS)
	arn := r.Res.QueueARNs[q.Queue]
	for ctx.Err() == nil {
		out, err := r.AWS.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
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
			if _, err := r.AWS.SQS.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del}); err != nil {
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
