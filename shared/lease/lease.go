// Package lease keeps each scheduled run alone without reserved concurrency:
// a run first takes its schedule's lease, one item in the table written with
// a conditional PutItem; a second run of the same schedule while the lease is
// held is skipped (the first covers it: the runs are idempotent); the lease
// is released when the run ends, and lapses by itself when the run's Lambda
// deadline passes, so a crashed run never blocks the next one.
//
//	item   PK=LEASE#<schedule>  SK=LEASE  owner, until (Unix ms), expiresAt (TTL)
package lease

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

// DB is the part of the DynamoDB client a lease uses.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// ErrHeld means another run holds the lease.
var ErrHeld = errors.New("lease: held by another run")

// DefaultTerm is how long a lease lasts when the run's context has no
// deadline (in Lambda it always has: the function's timeout).
const DefaultTerm = 15 * time.Minute

// Leases takes and releases leases in one table.
type Leases struct {
	DB    DB
	Table string
	Now   func() time.Time
}

func key(name string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "LEASE#" + name},
		"SK": &types.AttributeValueMemberS{Value: "LEASE"},
	}
}

// Acquire takes the lease name for owner until the given time, if it is free
// or has lapsed; ErrHeld otherwise.
func (l *Leases) Acquire(ctx context.Context, name, owner string, until time.Time) error {
	item := key(name)
	item["owner"] = &types.AttributeValueMemberS{Value: owner}
	item["until"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.UnixMilli(), 10)}
	item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Add(24*time.Hour).Unix(), 10)}
	_, err := l.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(l.Table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #until < :now"),
		ExpressionAttributeNames: map[string]string{"#until": "until"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(l.Now().UnixMilli(), 10)},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrHeld
	}
	if err != nil {
		return fmt.Errorf("lease: acquire %s: %w", name, err)
	}
	return nil
}

// Release gives the lease back if owner still holds it.
func (l *Leases) Release(ctx context.Context, name, owner string) error {
	_, err := l.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       key(name),
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

// Scheduled runs h under the lease name: one run of the schedule at a time.
// The lease lasts until the context's deadline (the Lambda timeout), on the
// leases' clock. A run that finds the lease held returns nil without running
// (an error would make Lambda retry a run that is already under way).
func Scheduled[E any](l *Leases, name string, h func(context.Context, E) error) func(context.Context, E) error {
	return func(ctx context.Context, ev E) error {
		term := DefaultTerm
		if dl, ok := ctx.Deadline(); ok {
			term = time.Until(dl)
		}
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		owner := hex.EncodeToString(b)
		switch err := l.Acquire(ctx, name, owner, l.Now().Add(term)); {
		case errors.Is(err, ErrHeld):
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
		return h(ctx, ev)
	}
}
