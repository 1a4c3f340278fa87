package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"keycare/local/template"
)

// errTimeout is a function that ran past its Timeout.
var errTimeout = errors.New("Task timed out")

// withTimeout applies a function's Timeout as Lambda does: the handler's
// context ends at the deadline and, if the handler has not returned by then,
// the invocation fails with "Task timed out after N seconds" (Lambda would
// stop the process; here the late handler's result is dropped).
func withTimeout[E, R any](f template.Function, h func(context.Context, E) (R, error)) func(context.Context, E) (R, error) {
	limit := time.Duration(f.Timeout) * time.Second
	return func(ctx context.Context, ev E) (R, error) {
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		type result struct {
			r   R
			err error
		}
		done := make(chan result, 1)
		go func() {
			r, err := h(ctx, ev)
			done <- result{r, err}
		}()
		select {
		case res := <-done:
			return res.r, res.err
		case <-ctx.Done():
			var zero R
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return zero, fmt.Errorf("%s: %w after %.2f seconds", f.LogicalID, errTimeout, limit.Seconds())
			}
			return zero, ctx.Err()
		}
	}
}
