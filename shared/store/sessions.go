package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Sessions are the staff console's sessions: one item per sign-in, keyed by
// the SHA-256 of the cookie's random id (the id itself is never stored), with
// the table's TTL at the moment the session would end. DynamoDB removes
// expired items late (within days), so readers check the expiry themselves
// (domain.Session.Expired).
type Sessions struct{ t *table }

const skSession = "SESSION"

func sessionPK(key string) string { return "SESSION#" + key }

func ttl(at time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Unix(), 10)}
}

// Create stores a new session that ends at expires (the TTL); a session
// with the same key is domain.ErrConflict (the caller made a poor id).
func (r *Sessions) Create(ctx context.Context, s *domain.Session, expires time.Time) error {
	item, err := marshal(s, map[string]string{attrPK: sessionPK(s.Key), attrSK: skSession, "type": "session"})
	if err != nil {
		return err
	}
	item[attrTTL] = ttl(expires)
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if conditionFailed(err) {
		return fmt.Errorf("store: session exists: %w", domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Get reads the session of key k (domain.ErrNotFound when there is none,
// which includes a malformed key).
func (r *Sessions) Get(ctx context.Context, k string) (*domain.Session, error) {
	if !domain.ValidSessionKey(k) {
		return nil, fmt.Errorf("store: session: %w", domain.ErrNotFound)
	}
	return get[domain.Session](ctx, r.t, sessionPK(k), skSession, "session")
}

// Touch records activity on session k at seen, its TTL moved to expires,
// and its language when lang is not empty. A session deleted meanwhile
// (signed out elsewhere) is domain.ErrNotFound.
func (r *Sessions) Touch(ctx context.Context, k string, seen, expires time.Time, lang string) error {
	set := "SET seenAt = :seen, #ttl = :ttl"
	values := map[string]types.AttributeValue{":seen": str(seen.UTC().Format(time.RFC3339Nano)), ":ttl": ttl(expires)}
	if lang != "" {
		set += ", lang = :lang"
		values[":lang"] = str(lang)
	}
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key(sessionPK(k), skSession),
		UpdateExpression: aws.String(set), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#ttl": attrTTL}, ExpressionAttributeValues: values})
	if conditionFailed(err) {
		return fmt.Errorf("store: session: %w", domain.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// Delete removes session k (sign-out, expiry); a missing one is not an error.
func (r *Sessions) Delete(ctx context.Context, k string) error {
	if !domain.ValidSessionKey(k) {
		return nil
	}
	_, err := r.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.t.name), Key: key(sessionPK(k), skSession)})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
