package platform

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"keycare/shared/lease"
)

// ScheduledHandler is a scheduled function's handler.
type ScheduledHandler = func(ctx context.Context, ev events.CloudWatchEvent) error

// Scheduled is how every scheduled function runs, in Lambda (its main.go)
// and in the local runner alike: alone per schedule, under the lease
// LEASE#<name> in the table (see package lease), instead of reserved
// concurrency. name is the function's logical id; each has one schedule.
func (d Deps) Scheduled(name string, h ScheduledHandler) ScheduledHandler {
	return lease.Scheduled(&lease.Leases{DB: d.Clients.DynamoDB, Table: d.Config.Table, Now: d.Now}, name, h)
}
