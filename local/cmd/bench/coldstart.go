package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"keycare/local/stack"
)

// runtimeAPI is a minimal Lambda Runtime API: it hands out one event and
// notes when the answer comes.
type runtimeAPI struct {
	mu      sync.Mutex
	event   []byte
	served  bool
	ready   time.Time // the first GET /next: init is over
	answers chan string
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/invocation/next"):
		a.mu.Lock()
		ev, served := a.event, a.served
		a.served = true
		if a.ready.IsZero() {
			a.ready = time.Now()
		}
		a.mu.Unlock()
		if served { // one invocation per process: hold the runtime until it is stopped
			<-r.Context().Done()
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "bench-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:bench")
		_, _ = w.Write(ev)
	case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/response"):
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		a.answers <- "ok"
	case r.Method == "POST" && strings.Contains(r.URL.Path, "/error"):
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		a.answers <- "error: " + string(b)
	default:
		http.NotFound(w, r)
	}
}

// coldStarts runs each function's bootstrap (built for this machine) from
// exec to its first answered invocation of its first sample event, beside
// a hello-world Go Lambda and the SDK floors (a Lambda that builds only the
// DynamoDB and SQS clients every function needs; one that also builds the
// SES client, as MailerFunction does). The runs are interleaved,
// each target once per copy per round in a shuffled order, so that a change
// in the machine's load weighs on all of them alike. Each target runs from
// several copies of its binary: on this VM two byte-identical files start
// up to 1 ms apart (where their pages sit in memory), more than the
// differences measured here.
func (b *bench) coldStarts(root string, res *stack.Resources, endpoints map[string]string) error {
	dir, err := os.MkdirTemp("", "keycare-cold-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type target struct {
		id, pkg, event string
		bins           []string
		env            []string
		body           []byte
		inits, answers []time.Duration
		outcome        string
	}
	targets := []*target{{id: "hello-world (floor)", pkg: "./local/cmd/bench/hello"}, {id: "SDK floor (DynamoDB+SQS)", pkg: "./local/cmd/bench/sdkfloor"},
		{id: "SDK floor + SES (mailer)", pkg: "./local/cmd/bench/sesfloor"}}
	for _, f := range b.t.Functions {
		var parts []string
		for i, r := range strings.TrimSuffix(f.LogicalID, "Function") {
			if i > 0 && r >= 'A' && r <= 'Z' {
				parts = append(parts, "-")
			}
			parts = append(parts, string(r))
		}
		evs, _ := filepath.Glob(filepath.Join(root, "events", f.LogicalID, "*.json"))
		sort.Strings(evs)
		ev := ""
		if len(evs) > 0 {
			ev = evs[0]
		}
		targets = append(targets, &target{id: f.LogicalID, pkg: "./functions/" + strings.ToLower(strings.Join(parts, "")), event: ev})
	}
	for _, tg := range targets {
		bin := filepath.Join(dir, filepath.Base(tg.pkg))
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, tg.pkg)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", tg.pkg, err, out)
		}
		tg.bins = []string{bin}
		for c := 1; c < copies; c++ {
			cp := fmt.Sprintf("%s.%d", bin, c)
			if err := copyFile(bin, cp); err != nil {
				return err
			}
			tg.bins = append(tg.bins, cp)
		}
		tg.body = []byte("{}")
		if tg.event != "" {
			if tg.body, err = os.ReadFile(tg.event); err != nil {
				return err
			}
		}
		tg.env = os.Environ()
		if f, ok := b.t.Function(tg.id); ok {
			vars, err := b.t.Environment(f, res.Resolver)
			if err != nil {
				return err
			}
			for k, v := range vars {
				tg.env = append(tg.env, k+"="+v)
			}
		}
		tg.env = append(tg.env, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=keycare", "AWS_SECRET_ACCESS_KEY=local",
			"AWS_ENDPOINT_URL_DYNAMODB="+endpoints["dynamodb"], "AWS_ENDPOINT_URL_SQS="+endpoints["sqs"], "AWS_ENDPOINT_URL_SESV2="+endpoints["ses"],
			"AWS_ENDPOINT_URL_SES="+endpoints["ses"])
	}
	const runs = 12
	fmt.Printf("## Cold start (%s build of the same code, median of %d runs: %d shuffled rounds × %d copies of each binary): init = exec of bootstrap to its first Runtime API /next;\n", runtime.GOARCH, runs*copies, runs, copies)
	fmt.Println("   first answer = exec to the answer of its first sample event (that event's I/O included)")
	type run struct {
		tg  *target
		bin string
	}
	var order []run
	for _, tg := range targets {
		for _, bin := range tg.bins {
			order = append(order, run{tg, bin})
		}
	}
	rng := rand.New(rand.NewPCG(11, 23))
	for i := 0; i < runs; i++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, r := range order {
			init, d, out, err := coldStart(r.bin, r.tg.env, r.tg.body)
			if err != nil {
				return fmt.Errorf("%s: %w", r.tg.id, err)
			}
			r.tg.inits, r.tg.answers, r.tg.outcome = append(r.tg.inits, init), append(r.tg.answers, d), out
		}
	}
	median := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	floor := median(targets[0].inits)
	fmt.Printf("  %-30s %9s %8s %13s %9s\n", "function", "init", "× hello", "first answer", "binary")
	for _, tg := range targets {
		in, an := median(tg.inits), median(tg.answers)
		st, _ := os.Stat(tg.bins[0])
		outcome := ""
		if tg.outcome != "ok" && tg.outcome != "hello" {
			outcome = "  (" + tg.outcome + ")"
			if len(outcome) > 60 {
				outcome = outcome[:60] + "…"
			}
		}
		fmt.Printf("  %-30s %9s %7.2f× %13s %6.1f MiB%s\n", tg.id, ms(in), float64(in)/float64(floor), ms(an), float64(st.Size())/(1<<20), outcome)
	}
	fmt.Println()
	return nil
}

// copies is how many files each target's binary is run from.
const copies = 3

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}

// coldStart runs bin once and returns its init (exec to the first /next),
// its first answer (exec to the response) and what it answered.
func coldStart(bin string, env []string, event []byte) (time.Duration, time.Duration, string, error) {
	api := &runtimeAPI{event: event, answers: make(chan string, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, "", err
	}
	srv := &http.Server{Handler: api}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(), "AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, "", err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case out := <-api.answers:
		answered := time.Since(start)
		api.mu.Lock()
		init := api.ready.Sub(start)
		api.mu.Unlock()
		return init, answered, out, nil
	case <-time.After(30 * time.Second):
		return 0, 0, "", fmt.Errorf("no answer within 30s")
	}
}
