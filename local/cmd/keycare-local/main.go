// Command keycare-local runs the whole keycare system on one machine (make
// run): it starts the emulators, creates the table and queues of
// template.yaml, and serves every function through the local runner until
// Ctrl-C, then stops everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"keycare/local/emu"
	"keycare/local/runner"
	"keycare/local/stack"
	"keycare/local/template"
	"keycare/shared/platform"
	"keycare/shared/ses"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "keycare-local:", err)
		os.Exit(1)
	}
}

func run() error {
	defPort := 3000
	if p, err := strconv.Atoi(os.Getenv("PORT")); err == nil {
		defPort = p
	}
	port := flag.Int("port", defPort, "port of the local API (env PORT)")
	tpl := flag.String("template", "template.yaml", "the SAM template")
	basePath := flag.String("base-path", os.Getenv("BASE_PATH"), "serve the API under this prefix, as a custom domain's API mapping does (env BASE_PATH), e.g. /keycare")
	flag.Parse()
	platform.InitLogger()

	// Take the port first: a busy port is the commonest failure, say so at once.
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(*port))
	if err != nil {
		return fmt.Errorf("port %d is not free (%v); stop what uses it or run with PORT=<other port>", *port, err)
	}
	defer ln.Close()

	t, err := template.Load(*tpl)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	localDir, err := emu.LocalDir()
	if err != nil {
		return err
	}
	logDir := os.Getenv("KEYCARE_LOG_DIR")
	if logDir == "" {
		logDir = filepath.Join(localDir, ".logs")
	}
	_ = os.MkdirAll(logDir, 0o755)
	fmt.Println("keycare: starting DynamoDB Local, fauxqs (SQS) and aws-ses-v2-local (SES)…")
	emus, err := emu.Start(ctx, emu.Options{LocalDir: localDir, LogDir: logDir})
	if err != nil {
		return err
	}
	defer emus.Stop()

	clients, err := platform.NewAWS(ctx, platform.Endpoints{DynamoDB: emus.DynamoDB, SQS: emus.SQS, SES: emus.SES}, ses.New)
	if err != nil {
		return err
	}
	root := "http://127.0.0.1:" + strconv.Itoa(*port) // the /_local/ endpoints
	bp := strings.TrimSuffix(*basePath, "/")
	base := root + bp // the API
	params := map[string]string{"PublicBaseUrl": base}
	if bp != "" {
		params["BasePath"] = bp
	}
	res, err := stack.Create(ctx, t, clients, params)
	if err != nil {
		return err
	}
	clock := runner.NewClock()
	r, err := runner.New(t, res, clients, clock, platform.Registry)
	if err != nil {
		return err
	}
	r.SESURL = emus.SES
	dead := ""
	r.Ready = func() error {
		if dead != "" {
			return fmt.Errorf("emulator %s has stopped", dead)
		}
		return nil
	}
	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg := r.Start(runCtx)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	fmt.Printf(`
keycare is running locally.
  API                 %s
  staff console       %s/console  (local sign-in: pick a user id, roles and a department)
  health              %s/_local/healthz
  sent mail (viewer)  %s        (JSON: %s/_local/outbox)
  table / queues      %s / %d queues, created from template.yaml
  a staff token       make token ROLE=manager USER=alice DEPT=sales
                      curl -H "Authorization: Bearer $(make -s token ROLE=admin USER=root)" %s/customers
  move the clock      curl -XPOST %s/_local/clock -d '{"advance":"72h"}'
  emulators           DynamoDB Local %s, SQS %s, SES %s
  emulator logs       %s
Press Ctrl-C to stop everything.
`, base, base, root, emus.SES, root, res.Table, len(res.QueueURLs), base, root, emus.DynamoDB, emus.SQS, emus.SES, logDir)

	var runErr error
	select {
	case <-ctx.Done():
		fmt.Println("\nkeycare: stopping…")
	case name := <-emus.Died():
		dead = name
		runErr = fmt.Errorf("the %s emulator stopped unexpectedly; see %s", name, filepath.Join(logDir, name+".log"))
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = err
		}
	}
	cancel()
	shutCtx, c2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer c2()
	_ = srv.Shutdown(shutCtx)
	wg.Wait()
	emus.Stop()
	slog.Info("stopped")
	if runErr == nil {
		fmt.Println("keycare: stopped; nothing left running.")
	}
	return runErr
}
