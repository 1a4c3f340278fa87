package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Idempotency-Keys of staff requests (customers, invitations): an item
// IDEM#<key> written in the transaction of what the request creates, kept
// domain.IdempotencyWindow (TTL; a key older than that is free again even
// before TTL removes it). Complaints keep their receipt the same way
// (complaints.go).

func idemKey(k string) map[string]types.AttributeValue { return key("IDEM#"+k, "IDEM") }

// idemPut is the Put of rec, to add to a transaction: it fails while the
// key is held by an earlier request.
func (t *table) idemPut(rec domain.IdempotencyRecord) (*types.Put, error) {
	item, err := marshal(rec, map[string]string{attrPK: "IDEM#" + rec.Key, attrSK: "IDEM", "type": "idempotency"})
	if err != nil {
		return nil, err
	}
	item[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(rec.At.Add(domain.IdempotencyWindow).Unix(), 10)}
	return &types.Put{TableName: aws.String(t.name), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #exp <= :now"),
		ExpressionAttributeNames:  map[string]string{"#exp": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(rec.At.Unix(), 10)}},
	}, nil
}

// idemOutcome is the answer to a request whose key was held: a replay of
// the same content (*domain.ReplayError) or domain.ErrIdempotencyMismatch.
func (t *table) idemOutcome(ctx context.Context, rec domain.IdempotencyRecord) error {
	out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: idemKey(rec.Key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("store: read idempotency key: %w", err)
	}
	if out.Item == nil { // gone between the write and the read: retrying is safe
		return fmt.Errorf("store: idempotency key: %w", domain.ErrBusy)
	}
	var first domain.IdempotencyRecord
	if err := unmarshal(out.Item, &first); err != nil {
		return err
	}
	if first.Fingerprint != rec.Fingerprint {
		return domain.ErrIdempotencyMismatch
	}
	return &domain.ReplayError{First: first}
}
