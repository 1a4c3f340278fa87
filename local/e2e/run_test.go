package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"keycare/local/emu"
	"keycare/local/testenv"
)

// stack is the local stack started as a user starts it (make run): the
// keycare-local command in the module root, on a free port.
type stack struct {
	Base   string
	cmd    *exec.Cmd
	out    *syncBuffer
	banner string
	root   string
}

// syncBuffer collects the runner's output lines as they come.
type syncBuffer struct {
	mu     sync.Mutex
	lines  []string
	closed bool
}

func (b *syncBuffer) add(l string) {
	b.mu.Lock()
	b.lines = append(b.lines, l)
	b.mu.Unlock()
}

func (b *syncBuffer) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// snapshot returns the lines so far and whether the output has ended.
func (b *syncBuffer) snapshot() ([]string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...), b.closed
}

// startStack builds and starts keycare-local and waits for its banner.
func startStack(t *testing.T) *stack {
	t.Helper()
	root := testenv.Root(t)
	bin := filepath.Join(t.TempDir(), "keycare-local")
	build := exec.Command("go", "build", "-o", bin, "./local/cmd/keycare-local")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build keycare-local: %v\n%s", err, b)
	}
	port, err := emu.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "KEYCARE_LOG_DIR="+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &stack{Base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: &syncBuffer{}, root: root}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.out.add(sc.Text())
		}
		s.out.close()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(120 * time.Second)
	for {
		lines, closed := s.out.snapshot()
		for _, l := range lines {
			if strings.Contains(l, "Press Ctrl-C") {
				s.banner = strings.Join(lines, "\n")
				return s
			}
		}
		if closed {
			t.Fatalf("keycare-local exited before it was ready:\n%s", strings.Join(lines, "\n"))
		}
		if time.Now().After(deadline) {
			t.Fatalf("keycare-local not ready after 120s:\n%s", strings.Join(lines, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *stack) do(t *testing.T, method, path, tok, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.Base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// tokenCmd runs the token command as `make token` does.
func tokenCmd(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "./local/cmd/token"}, args...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// stop sends Ctrl-C and checks that the runner and every emulator it started end.
func (s *stack) stop(t *testing.T) {
	t.Helper()
	ports := regexp.MustCompile(`http://127\.0\.0\.1:(\d+)`).FindAllStringSubmatch(s.banner, -1)
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("keycare-local exited with %v after Ctrl-C", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("keycare-local did not stop within 30s of Ctrl-C")
	}
	if len(ports) < 4 {
		t.Fatalf("the banner should list the API and three emulator URLs:\n%s", s.banner)
	}
	for _, p := range ports {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+p[1], time.Second); err == nil {
			c.Close()
			t.Errorf("port %s still answers after Ctrl-C", p[1])
		}
	}
}

func TestLocalStackAsAUserRunsIt(t *testing.T) {
	s := startStack(t)
	code, body := s.do(t, "GET", "/_local/healthz", "", "")
	if code != 200 {
		t.Fatalf("healthz: %d %s", code, body)
	}
	tok := tokenCmd(t, s.root, "-role", "manager", "-user", "alice", "-dept", "sales")
	if code, _ := s.do(t, "GET", "/customers", "", ""); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	code, body = s.do(t, "POST", "/customers", tok, `{"name":"端到端测试客户","contacts":[{"name":"李娜","phone":"13900001111"}]}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var c struct {
		ID, Name string
	}
	_ = json.Unmarshal(body, &c)
	code, body = s.do(t, "GET", "/customers/"+c.ID, tok, "")
	if code != 200 || !strings.Contains(string(body), "端到端测试客户") {
		t.Fatalf("read back: %d %s", code, body)
	}
	code, body = s.do(t, "GET", "/_local/outbox", "", "")
	if code != 200 || !json.Valid(body) {
		t.Fatalf("outbox: %d %s", code, body)
	}
	s.stop(t)
}

// The runner says plainly what is wrong: a busy port, missing emulators.
func TestLocalStackExplainsWhatIsWrong(t *testing.T) {
	root := testenv.Root(t)
	bin := filepath.Join(t.TempDir(), "keycare-local")
	build := exec.Command("go", "build", "-o", bin, "./local/cmd/keycare-local")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"busy port", []string{fmt.Sprintf("PORT=%d", port)}, fmt.Sprintf("port %d is not free", port)},
		{"no emulators installed", []string{"PORT=0", "KEYCARE_LOCAL_DIR=" + t.TempDir()}, "run `make deps`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), tt.env...)
			done := make(chan struct{})
			var out []byte
			var err error
			go func() { out, err = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("did not exit within 30s")
			}
			if err == nil || !strings.Contains(string(out), tt.want) {
				t.Fatalf("exit %v, output:\n%s\nwant it to say %q", err, out, tt.want)
			}
		})
	}
}

// pidListening finds the process that listens on a loopback TCP port.
func pidListening(t *testing.T, port string) int {
	t.Helper()
	p, _ := strconv.Atoi(port)
	want := fmt.Sprintf(":%04X", p)
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 9 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" { // 0A = LISTEN
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if target, err := os.Readlink(fd); err == nil && inodes[target] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	t.Fatalf("no process listens on port %s", port)
	return 0
}

// When an emulator dies, the runner says which and stops everything else.
func TestLocalStackStopsWhenAnEmulatorDies(t *testing.T) {
	s := startStack(t)
	m := regexp.MustCompile(`SES http://127\.0\.0\.1:(\d+)`).FindStringSubmatch(s.banner)
	if m == nil {
		t.Fatalf("no SES port in the banner:\n%s", s.banner)
	}
	if err := syscall.Kill(pidListening(t, m[1]), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		var lines []string
		for i := 0; i < 100; i++ { // the output may trail the exit a little
			var closed bool
			if lines, closed = s.out.snapshot(); closed {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		out := strings.Join(lines, "\n")
		if err == nil || !strings.Contains(out, "the ses emulator stopped unexpectedly") {
			t.Fatalf("exit %v, output:\n%s", err, out)
		}
		for _, p := range regexp.MustCompile(`http://127\.0\.0\.1:(\d+)`).FindAllStringSubmatch(s.banner, -1) {
			if c, err := net.DialTimeout("tcp", "127.0.0.1:"+p[1], time.Second); err == nil {
				c.Close()
				t.Errorf("port %s still answers", p[1])
			}
		}
	case <-time.After(30 * time.Second):
		lines, _ := s.out.snapshot()
		t.Fatalf("still running 30s after the SES emulator died:\n%s", strings.Join(lines, "\n"))
	}
}
