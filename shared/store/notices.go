package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Notices records each notice that went out (a complaint's reminder, a
// daily digest, a report), so that a rerun or a retry sends it only once.
type Notices struct{ t *table }

// NoticeTTL is how long the record of a notice is kept: longer than any
// rerun could repeat it.
const NoticeTTL = 400 * 24 * time.Hour

func noticePK(k string) string { return "NOTICE#" + k }

// Claim records notice k as sent at at. It returns false when it already
// was: the caller sends nothing.
func (r *Notices) Claim(ctx context.Context, k string, at time.Time) (bool, error) {
	_, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name),
		Item: map[string]types.AttributeValue{attrPK: str(noticePK(k)), attrSK: str("NOTICE"), "type": str("notice"),
			"at": str(at.UTC().Format(time.RFC3339)), attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Add(NoticeTTL).Unix(), 10)}},
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: claim notice: %w", err)
	}
	return true, nil
}

// Release forgets notice k, whose message could not be queued, so that the
// next run sends it.
func (r *Notices) Release(ctx context.Context, k string) error {
	_, err := r.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.t.name), Key: key(noticePK(k), "NOTICE")})
	if err != nil {
		return fmt.Errorf("store: release notice: %w", err)
	}
	return nil
}
