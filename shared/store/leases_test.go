package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keycare/local/testenv"
	"keycare/shared/store"
)

func leases(t *testing.T, now func() time.Time) *store.Leases {
	env := testenv.New(t)
	return store.New(env.AWS.DynamoDB, env.Resources.Table).Leases(now)
}

func TestAcquireRelease(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	l := leases(t, func() time.Time { return now })
	steps := []struct {
		name, op, lease, owner string
		until                  time.Duration // from now, for acquire
		advance                time.Duration // move the clock first
		want                   error
	}{
		{"free lease is taken", "acquire", "A", "run1", time.Minute, 0, nil},
		{"held lease is refused", "acquire", "A", "run2", time.Minute, 0, store.ErrLeaseHeld},
		{"another schedule has its own lease", "acquire", "B", "run3", time.Minute, 0, nil},
		{"a stranger cannot release it", "release", "A", "run2", 0, 0, nil},
		{"still held after a stranger's release", "acquire", "A", "run2", time.Minute, 0, store.ErrLeaseHeld},
		{"the holder releases it", "release", "A", "run1", 0, 0, nil},
		{"released lease is free again", "acquire", "A", "run4", time.Minute, 0, nil},
		{"a lapsed lease is taken over", "acquire", "A", "run5", time.Minute, 61 * time.Second, nil},
		{"the lapsed holder's release leaves the new holder alone", "release", "A", "run4", 0, 0, nil},
		{"new holder still holds it", "acquire", "A", "run6", time.Minute, 0, store.ErrLeaseHeld},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		var err error
		if s.op == "acquire" {
			err = l.Acquire(ctx, s.lease, s.owner, now.Add(s.until))
		} else {
			err = l.Release(ctx, s.lease, s.owner)
		}
		if !errors.Is(err, s.want) && !(err == nil && s.want == nil) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
	}
}

// Two runs of one schedule at once: one runs, the other is skipped without
// an error; runs of different schedules do not wait for each other; after a
// run (failed or not) the next one runs.
func TestScheduledRunsAlonePerSchedule(t *testing.T) {
	l := leases(t, time.Now)
	release := make(chan struct{})
	var ran atomic.Int32
	started := make(chan string, 4)
	slow := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			ran.Add(1)
			started <- name
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	a := l.Run("A", slow("A"))
	b := l.Run("B", slow("B"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(2)
	go func() { defer wg.Done(); errs <- a(ctx) }()
	go func() { defer wg.Done(); errs <- b(ctx) }()
	<-started
	<-started // A and B both run at once
	short, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	if err := a(short); err != nil {
		t.Fatalf("second run of A while the first holds the lease: %v, want nil (skipped)", err)
	}
	if ran.Load() != 2 {
		t.Fatalf("%d runs started, want 2 (the second run of A skipped)", ran.Load())
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	failing := l.Run("A", func(context.Context) error { return boom })
	if err := failing(ctx); !errors.Is(err, boom) {
		t.Fatalf("a failing run returns %v, want its error (Lambda retries it)", err)
	}
	if err := a(ctx); err != nil || ran.Load() != 3 {
		t.Fatalf("the run after a failed one: %v, %d runs", err, ran.Load())
	}
}
