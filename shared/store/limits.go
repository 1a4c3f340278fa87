package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Limits are the public form's per-client counters (LIMIT#<key>, one item
// per window, removed by TTL an hour after the window) and its "at most
// once in a while" marks (ONCE#<key>, e.g. an address's acknowledgement).
type Limits struct{ t *table }

// Take counts one request against each quota, all at once (one UpdateItem
// each, atomic counters, no transaction: the daily counter everyone shares
// must not become a point of conflict). It returns the quota that was
// already full (the one that frees last), or nil when the request may go.
// A full counter is not incremented; the others are.
func (r *Limits) Take(ctx context.Context, quotas []domain.Quota) (*domain.Quota, error) {
	type outcome struct {
		full bool
		err  error
	}
	out := make([]outcome, len(quotas))
	var wg sync.WaitGroup
	for i, q := range quotas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key("LIMIT#"+q.Key, "N"),
				UpdateExpression:         aws.String("ADD #n :one SET #exp = :exp, #t = :t"),
				ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :limit"),
				ExpressionAttributeNames: map[string]string{"#n": "n", "#exp": attrTTL, "#t": "type"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":limit": num(q.Limit), ":t": str("limit"),
					":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(q.End.Add(time.Hour).Unix(), 10)}}})
			if conditionFailed(err) {
				out[i].full = true
				return
			}
			out[i].err = err
		}()
	}
	wg.Wait()
	var full *domain.Quota
	for i, o := range out {
		if o.err != nil {
			return nil, fmt.Errorf("store: count a request: %w", o.err)
		}
		if o.full && (full == nil || quotas[i].End.After(full.End)) {
			full = &quotas[i]
		}
	}
	return full, nil
}

// Once marks key at now unless it was marked less than gap ago; it reports
// whether it marked it (the caller may act).
func (r *Limits) Once(ctx context.Context, key string, now time.Time, gap time.Duration) (bool, error) {
	_, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name),
		Item: map[string]types.AttributeValue{attrPK: str("ONCE#" + key), attrSK: str("ONCE"), "type": str("once"),
			"at": str(now.UTC().Format(time.RFC3339Nano)), attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(gap).Unix(), 10)}},
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #at < :cut"),
		ExpressionAttributeNames:  map[string]string{"#at": "at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":cut": str(now.Add(-gap).UTC().Format(time.RFC3339Nano))}})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: mark once: %w", err)
	}
	return true, nil
}

// Forget removes the mark of key (what it allowed did not happen).
func (r *Limits) Forget(ctx context.Context, key string) error {
	_, err := r.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.t.name), Key: onceKey(key)})
	if err != nil {
		return fmt.Errorf("store: forget mark: %w", err)
	}
	return nil
}

func onceKey(k string) map[string]types.AttributeValue { return key("ONCE#"+k, "ONCE") }
