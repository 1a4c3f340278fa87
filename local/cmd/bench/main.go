// Command bench prints the figures of DESIGN.md section 4 (make bench),
// measured against the local emulators on this machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"keycare/local/emu"
	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/platform"
	"keycare/shared/ses"
	"keycare/shared/store"
)

func main() {
	n := flag.Int("n", 400, "requests per measured route")
	only := flag.String("only", "", "comma-separated sections to run (customers,complaints,surveys,visits,reports,console,coldstart,sizes); all when empty")
	levels := flag.String("levels", "1,8,32,64", "complaints: the numbers of concurrent clients to measure")
	cpuprofile := flag.String("cpuprofile", "", "write the bench process's CPU profile (the handlers run in it) to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	var lv []int
	for _, x := range strings.Split(*levels, ",") {
		if v, err := strconv.Atoi(strings.TrimSpace(x)); err == nil && v > 0 {
			lv = append(lv, v)
		}
	}
	err := run(*n, *only, lv)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func want(only, s string) bool { return only == "" || strings.Contains(","+only+",", ","+s+",") }

func run(n int, only string, levels []int) error {
	ctx := context.Background()
	root, err := emu.LocalDir()
	if err != nil {
		return err
	}
	root = filepath.Dir(root)
	t, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // handlers' request logs would drown the figures
	fmt.Printf("keycare bench — %s, %s\n\n", time.Now().UTC().Format(time.RFC3339), machine())
	es, err := emu.Start(ctx, emu.Options{})
	if err != nil {
		return err
	}
	defer es.Stop()
	clients, err := platform.NewAWS(ctx, platform.Endpoints{DynamoDB: es.DynamoDB, SQS: es.SQS, SES: es.SES}, ses.New)
	if err != nil {
		return err
	}
	// One process stands for many Lambda instances, each with its own
	// kept-alive connection: keep as many idle connections as clients (the
	// SDK's default keeps 10 per host and closes the rest, so at 32 or 64
	// clients calls beyond 10 at once would open new connections).
	clients.DynamoDB = dynamodb.New(clients.DynamoDB.Options(), func(o *dynamodb.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
		})
	})
	res, err := stack.Create(ctx, t, clients, map[string]string{"Stage": "bench"})
	if err != nil {
		return err
	}
	b := &bench{ctx: ctx, t: t, res: res, clients: clients, n: n, levels: levels, ddbPID: es.PID("dynamodb"), sqsPID: es.PID("sqs")}
	if want(only, "customers") {
		if err := b.customers(); err != nil {
			return err
		}
	}
	if want(only, "complaints") {
		if err := b.complaints(); err != nil {
			return err
		}
	}
	if want(only, "surveys") {
		if err := b.surveys(); err != nil {
			return err
		}
	}
	if want(only, "visits") {
		if err := b.visits(); err != nil {
			return err
		}
	}
	if want(only, "reports") {
		if err := b.reports(); err != nil {
			return err
		}
	}
	if want(only, "console") {
		if err := b.console(); err != nil {
			return err
		}
	}
	if want(only, "coldstart") {
		if err := b.coldStarts(root, res, map[string]string{"dynamodb": es.DynamoDB, "sqs": es.SQS, "ses": es.SES}); err != nil {
			return err
		}
	}
	if want(only, "sizes") {
		if err := sizes(root, t); err != nil {
			return err
		}
	}
	return nil
}

type bench struct {
	ctx     context.Context
	t       *template.Template
	res     *stack.Resources
	clients platform.AWS
	n       int
	levels  []int // complaints: concurrent clients
	// DynamoDB Local's and the SQS emulator's processes, for their CPU time.
	ddbPID, sqsPID int
	submission     []any // one public submission's DynamoDB requests, to replay bare
}

// function builds function id from the registry, as its main.go does, with
// db as its DynamoDB client (a countingDB counts its calls).
func (b *bench) function(id string, db store.DB) (platform.Function, error) {
	return b.functionOn(b.res, id, db)
}

// functionOn is function on the resources res (another table and queues).
func (b *bench) functionOn(res *stack.Resources, id string, db store.DB) (platform.Function, error) {
	cfg, err := res.Config(b.t, mustFunction(b.t, id))
	if err != nil {
		return platform.Function{}, err
	}
	return platform.Registry[id](platform.Deps{Config: cfg, Clients: platform.Clients{DynamoDB: db, SQS: b.clients.SQS, SES: b.clients.SES}, Now: time.Now})
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	cores := strings.Count(string(b), "processor\t:")
	return fmt.Sprintf("%d cores, %s", cores, model)
}

// stats are latency percentiles of one series.
type stats struct{ p50, p99, mean time.Duration }

// measure runs the series fs interleaved (request i of each in turn), so
// that drift of the emulator (JIT, GC, table growth) hits them alike, after
// a warm-up; it returns each series' percentiles.
func measure(n int, fs ...func(i int) error) ([]stats, error) {
	for i := 0; i < min(100, n/2); i++ {
		for _, f := range fs {
			if err := f(-1 - i); err != nil {
				return nil, err
			}
		}
	}
	d := make([][]time.Duration, len(fs))
	for i := 0; i < n; i++ {
		for k, f := range fs {
			start := time.Now()
			if err := f(i); err != nil {
				return nil, err
			}
			d[k] = append(d[k], time.Since(start))
		}
	}
	out := make([]stats, len(fs))
	for k := range d {
		var total time.Duration
		for _, x := range d[k] {
			total += x
		}
		sort.Slice(d[k], func(i, j int) bool { return d[k][i] < d[k][j] })
		out[k] = stats{p50: d[k][n/2], p99: d[k][(n*99)/100], mean: total / time.Duration(n)}
	}
	return out, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// countingDB counts DynamoDB round trips per request and keeps the inputs
// of the last request, so that the same calls can be replayed bare.
type countingDB struct {
	*dynamodb.Client
	calls  atomic.Int64
	record bool // keep the inputs (one client at a time)
	mu     sync.Mutex
	last   []any
}

// note counts a call and keeps its input when recording (a handler may
// make its calls concurrently).
func (c *countingDB) note(in any) {
	c.calls.Add(1)
	if c.record {
		c.mu.Lock()
		c.last = append(c.last, in)
		c.mu.Unlock()
	}
}

func (c *countingDB) reset() { c.last = c.last[:0] }

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.note(in)
	return c.Client.GetItem(ctx, in, o...)
}
func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.note(in)
	return c.Client.PutItem(ctx, in, o...)
}
func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.note(in)
	return c.Client.UpdateItem(ctx, in, o...)
}
func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.note(in)
	return c.Client.Query(ctx, in, o...)
}
func (c *countingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.note(in)
	return c.Client.TransactWriteItems(ctx, in, o...)
}
func (c *countingDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.note(in)
	return c.Client.BatchGetItem(ctx, in, o...)
}

func (c *countingDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.note(in)
	return c.Client.DeleteItem(ctx, in, o...)
}

func sizes(root string, t *template.Template) error {
	fmt.Println("## Binary sizes (linux/arm64, -tags lambda.norpc, stripped)")
	for _, f := range t.Functions {
		out, err := os.MkdirTemp("", "keycare-size-")
		if err != nil {
			return err
		}
		cmd := exec.Command("make", "-s", "build-"+f.LogicalID, "ARTIFACTS_DIR="+out)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", f.LogicalID, err, b)
		}
		st, err := os.Stat(filepath.Join(out, "bootstrap"))
		if err != nil {
			return err
		}
		fmt.Printf("  %-28s %6.1f MiB\n", f.LogicalID, float64(st.Size())/(1<<20))
		os.RemoveAll(out)
	}
	fmt.Println()
	return nil
}

// cpuUse is the CPU time used so far by this process (the bench's clients
// and the handlers it runs), DynamoDB Local and the SQS emulator: on one
// machine they share its cores, so a submission's rate follows their sum.
type cpuUse struct{ self, ddb, sqs time.Duration }

func (b *bench) cpuTimes() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	u.ddb, u.sqs = procCPU(b.ddbPID), procCPU(b.sqsPID)
	return u
}

func (u cpuUse) since(v cpuUse) cpuUse { return cpuUse{u.self - v.self, u.ddb - v.ddb, u.sqs - v.sqs} }

// per is u per one of n operations, in milliseconds: "self/ddb/sqs".
func (u cpuUse) per(n int) string {
	f := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	return fmt.Sprintf("%.1f/%.1f/%.1f", f(u.self), f(u.ddb), f(u.sqs))
}

// procCPU is the user and system CPU time of process pid (0 when unknown).
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis: utime and stime
	// are the 12th and 13th, in clock ticks (USER_HZ, 100 a second).
	i := strings.LastIndexByte(string(st), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(st)[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// loadAverage is the machine's 1-minute load average (other engineers'
// work shares the cores).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
