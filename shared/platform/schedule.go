package platform

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"keycare/shared/domain"
	"keycare/shared/store"
)

// Scheduled is how every scheduled function runs, in Lambda (Start) and in
// the local runner alike: alone per schedule, under the lease
// LEASE#<name> in the table (store.Leases), instead of reserved
// concurrency; with the invocation's request id in the context (audit
// entries record it) and one log line. name is the function's logical id;
// each has one schedule.
func (d Deps) Scheduled(name string, h ScheduledHandler) ScheduledHandler {
	leases := store.New(d.Clients.DynamoDB, d.Config.Table).Leases(d.Now)
	return func(ctx context.Context, event json.RawMessage) error {
		if lc, ok := lambdacontext.FromContext(ctx); ok && domain.RequestID(ctx) == "" {
			ctx = domain.WithRequestID(ctx, lc.AwsRequestID)
		}
		start := time.Now()
		err := leases.Run(name, func(ctx context.Context) error { return h(ctx, event) })(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "scheduled run failed", "function", name, "ms", time.Since(start).Milliseconds(), "err", err.Error())
		} else {
			slog.InfoContext(ctx, "scheduled run", "function", name, "ms", time.Since(start).Milliseconds())
		}
		return err
	}
}
