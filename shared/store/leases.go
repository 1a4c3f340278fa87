// Leases keep each scheduled run alone without reserved concurrency:
// a run first takes its schedule's lease, one item in the table written with
// a conditional PutItem; a second run of the same schedule while the lease is
// held is skipped (the first covers it: the runs are idempotent); the lease
// is released when the run ends, and lapses by itself when the run's Lambda
// deadline passes, so a crashed run never blocks the next one.
//
//	item   PK=LEASE#<schedule>  SK=LEASE  owner, until (Unix ms), expiresAt (TTL)
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrLeaseHeld means another run holds the lease.
var ErrLeaseHeld = errors.New("lease: held by another run")

// DefaultLeaseTerm is how long a lease lasts when the run's context has no
// deadline (in Lambda it always has: the function's timeout).
const DefaultLeaseTerm = 15 * time.Minute

// Leases takes and releases the leases of scheduled runs, on a clock.
type Leases struct {
	t   *table
	Now func() time.Time
}

// Leases are the schedules' leases, on the clock now.
func (s *Store) Leases(now func() time.Time) *Leases { return &Leases{t: s.t, Now: now} }

func leaseKey(name string) map[string]types.AttributeValue { return key("LEASE#"+name, "LEASE") }

// Acquire takes the lease name for owner until the given time, if it is free
// or has lapsed; ErrHeld otherwise.
func (l *Leases) Acquire(ctx context.Context, name, owner string, until time.Time) error {
	item := leaseKey(name)
	item["owner"] = &types.AttributeValueMemberS{Value: owner}
	item["until"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.UnixMilli(), 10)}
	item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Add(24*time.Hour).Unix(), 10)}
	_, err := l.t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(l.t.name),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #until < :now"),
		ExpressionAttributeNames: map[string]string{"#until": "until"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(l.Now().UnixMilli(), 10)},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrLeaseHeld
	}
	if err != nil {
		return fmt.Errorf("lease: acquire %s: %w", name, err)
	}
	return nil
}

// Release gives the lease back if owner still holds it.
func (l *Leases) Release(ctx context.Context, name, owner string) error {
	_, err := l.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(l.t.name),
		Key:                       leaseKey(name),
		ConditionExpression:       aws.String("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("lease: release %s: %w", name, err)
	}
	return nil
}

// Run runs h under the lease name: one run of the schedule at a time. The
// lease lasts until the context's deadline (the Lambda timeout), on the
// leases' clock. A run that finds the lease held returns nil without running
// (an error would make Lambda retry a run that is already under way).
func (l *Leases) Run(name string, h func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		term := DefaultLeaseTerm
		if dl, ok := ctx.Deadline(); ok {
			term = time.Until(dl)
		}
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		owner := hex.EncodeToString(b)
		switch err := l.Acquire(ctx, name, owner, l.Now().Add(term)); {
		case errors.Is(err, ErrLeaseHeld):
			slog.WarnContext(ctx, "schedule skipped: another run holds its lease", "schedule", name)
			return nil
		case err != nil:
			return err
		}
		defer func() {
			if err := l.Release(context.WithoutCancel(ctx), name, owner); err != nil {
				slog.WarnContext(ctx, "lease not released; it lapses at the run's deadline", "schedule", name, "err", err.Error())
			}
		}()
		return h(ctx)
	}
}
