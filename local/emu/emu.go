// Package emu starts and stops the local stand-ins for AWS services: AWS's
// DynamoDB Local (from the npm package amplify-dynamodb-simulator), fauxqs for
// SQS and aws-ses-v2-local for SES v2, each on a free loopback port. They are
// installed into local/node_modules by `npm ci` (make deps).
package emu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Stack is a running set of emulators.
type Stack struct {
	DynamoDB string // endpoint URLs
	SQS      string
	SES      string
	LogDir   string

	procs []*proc
	died  chan string
	once  sync.Once
}

type proc struct {
	name  string
	cmd   *exec.Cmd
	done  chan struct{}
	port  int
	start func(port int) (*exec.Cmd, error)
	ready func(ctx context.Context, url string) error
	// stopping marks an exit we asked for, which is not reported on Died.
	stopping atomic.Bool
}

// Options tune Start.
type Options struct {
	LocalDir string   // the folder holding node_modules; found from the module root when empty
	LogDir   string   // where emulator logs go; a temp dir when empty
	Only     []string // start only these (dynamodb, sqs, ses); all when empty
}

// LocalDir finds <module root>/local from the working directory upwards.
func LocalDir() (string, error) {
	if d := os.Getenv("KEYCARE_LOCAL_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "local"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("emu: cannot find the keycare module root (go.mod) above the working directory")
		}
		dir = parent
	}
}

// Check tells what is missing to run the emulators, in words a user can act on.
func Check(localDir string) error {
	var missing []string
	if _, err := exec.LookPath("java"); err != nil {
		missing = append(missing, "Java 17+ is not on PATH (DynamoDB Local needs it): install a JRE, e.g. apt-get install openjdk-17-jre-headless")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "Node.js 20+ is not on PATH (the SQS and SES emulators need it)")
	}
	for _, p := range []string{dynamoJar(localDir), fauxqsCLI(localDir), sesCLI(localDir)} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, fmt.Sprintf("%s is missing: run `make deps` (npm ci in local/)", p))
			break
		}
	}
	if len(missing) > 0 {
		return errors.New("emu: cannot start the local stack:\n  - " + strings.Join(missing, "\n  - "))
	}
	return nil
}

func dynamoDir(l string) string {
	return filepath.Join(l, "node_modules", "amplify-dynamodb-simulator", "emulator")
}
func dynamoJar(l string) string { return filepath.Join(dynamoDir(l), "DynamoDBLocal.jar") }
func fauxqsCLI(l string) string { return filepath.Join(l, "node_modules", "fauxqs", "dist", "cli.js") }
func sesCLI(l string) string {
	return filepath.Join(l, "node_modules", "aws-ses-v2-local", "dist", "cli.js")
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start launches the emulators and waits until each answers.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.LocalDir == "" {
		d, err := LocalDir()
		if err != nil {
			return nil, err
		}
		o.LocalDir = d
	}
	if err := Check(o.LocalDir); err != nil {
		return nil, err
	}
	if o.LogDir == "" {
		d, err := os.MkdirTemp("", "keycare-emu-")
		if err != nil {
			return nil, err
		}
		o.LogDir = d
	}
	want := func(n string) bool {
		if len(o.Only) == 0 {
			return true
		}
		for _, x := range o.Only {
			if x == n {
				return true
			}
		}
		return false
	}
	s := &Stack{LogDir: o.LogDir, died: make(chan string, 3)}
	type spec struct {
		name  string
		start func(port int) (*exec.Cmd, error)
		ready func(ctx context.Context, url string) error
		dst   *string
	}
	specs := []spec{
		{"dynamodb", func(port int) (*exec.Cmd, error) {
			dir := dynamoDir(o.LocalDir)
			c := exec.Command("java", "-Xms64m", "-Xmx512m", "-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
				"-jar", dynamoJar(o.LocalDir), "-inMemory", "-port", strconv.Itoa(port), "-disableTelemetry")
			c.Dir = dir
			return c, nil
		}, httpReady, &s.DynamoDB},
		{"sqs", func(port int) (*exec.Cmd, error) {
			c := exec.Command("node", fauxqsCLI(o.LocalDir))
			c.Env = append(os.Environ(), "FAUXQS_PORT="+strconv.Itoa(port), "FAUXQS_HOST=127.0.0.1", "FAUXQS_LOGGER=false")
			return c, nil
		}, httpReady, &s.SQS},
		{"ses", func(port int) (*exec.Cmd, error) {
			return exec.Command("node", sesCLI(o.LocalDir), "--port", strconv.Itoa(port)), nil
		}, func(ctx context.Context, url string) error { return httpReady(ctx, url+"/store") }, &s.SES},
	}
	for _, sp := range specs {
		if !want(sp.name) {
			continue
		}
		port, err := FreePort()
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("emu: %s: no free port: %w", sp.name, err)
		}
		p, url, err := s.launch(sp.name, port, sp.start)
		if err != nil {
			s.Stop()
			return nil, err
		}
		p.ready = sp.ready
		*sp.dst = url
	}
	for _, sp := range specs {
		if !want(sp.name) {
			continue
		}
		if err := s.wait(ctx, sp.name, *sp.dst, sp.ready); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

func (s *Stack) launch(name string, port int, start func(port int) (*exec.Cmd, error)) (*proc, string, error) {
	cmd, err := start(port)
	if err != nil {
		return nil, "", err
	}
	logf, err := os.OpenFile(filepath.Join(s.LogDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, "", fmt.Errorf("emu: start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), port: port, start: start}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		if !p.stopping.Load() {
			select {
			case s.died <- name:
			default:
			}
		}
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	return p, "http://127.0.0.1:" + strconv.Itoa(port), nil
}

func (s *Stack) wait(ctx context.Context, name, url string, ready func(context.Context, string) error) error {
	p := s.proc(name)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("emu: %s exited while starting; see %s", name, filepath.Join(s.LogDir, name+".log"))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if err := ready(ctx, url); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emu: %s did not answer on %s within 60s; see %s", name, url, filepath.Join(s.LogDir, name+".log"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpReady(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Died receives the name of an emulator that exited unexpectedly.
func (s *Stack) Died() <-chan string { return s.died }

func (s *Stack) proc(name string) *proc {
	var p *proc
	for _, x := range s.procs {
		if x.name == name {
			p = x // the latest launch
		}
	}
	return p
}

// PID is the process id of emulator name (0 when it is not running); the
// bench reads its CPU time from /proc.
func (s *Stack) PID(name string) int {
	if p := s.proc(name); p != nil && p.cmd.Process != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// StopOne stops one emulator (tests use it to simulate an outage). Its
// exit is expected: it is not reported on Died.
func (s *Stack) StopOne(name string) {
	if p := s.proc(name); p != nil {
		kill(p)
	}
}

// Restart starts a stopped emulator again on its old port and waits for it.
// DynamoDB Local runs in memory: restarting it loses its data.
func (s *Stack) Restart(ctx context.Context, name string) error {
	p := s.proc(name)
	if p == nil {
		return fmt.Errorf("emu: no emulator %s", name)
	}
	select {
	case <-p.done:
	default:
		return fmt.Errorf("emu: %s is still running", name)
	}
	np, url, err := s.launch(name, p.port, p.start)
	if err != nil {
		return err
	}
	np.ready = p.ready
	return s.wait(ctx, name, url, p.ready)
}

func kill(p *proc) {
	p.stopping.Store(true)
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// Stop ends every emulator this Stack started.
func (s *Stack) Stop() {
	s.once.Do(func() {
		var wg sync.WaitGroup
		for _, p := range s.procs {
			wg.Add(1)
			go func(p *proc) { defer wg.Done(); kill(p) }(p)
		}
		wg.Wait()
	})
}

// SentEmail is one message the SES emulator holds.
type SentEmail struct {
	Subject     string `json:"subject"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Body struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Attachments []SentAttachment `json:"attachments"`
}

// SentAttachment is an attachment as the SES emulator keeps it.
type SentAttachment struct {
	Filename           string `json:"filename"`
	ContentType        string `json:"contentType"`
	ContentDisposition string `json:"contentDisposition"`
	ContentID          string `json:"contentId"`
	Content            string `json:"content"` // base64
	Size               int    `json:"size"`
}

// SentEmails lists what the SES emulator at url holds (its GET /store).
func SentEmails(ctx context.Context, url string) ([]SentEmail, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/store", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emu: SES store: %w", err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []SentEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("emu: SES store: %w", err)
	}
	return store.Emails, nil
}
