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

// MaxPart is the largest message part the table keeps (an item holds 400 KB).
const MaxPart = 380 << 10

// PutPart keeps one large part of a queued message (an attachment) until
// expires, so that the job on the mail queue carries only its reference.
func (r *Mail) PutPart(ctx context.Context, id string, data []byte, expires time.Time) error {
	if len(data) > MaxPart {
		return fmt.Errorf("store: mail part %s is %d bytes, over %d", id, len(data), MaxPart)
	}
	_, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: map[string]types.AttributeValue{
		attrPK: str("MAILPART#" + id), attrSK: str("PART"), "type": str("mail-part"), "data": &types.AttributeValueMemberB{Value: data},
		attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
	}})
	if err != nil {
		return fmt.Errorf("store: put mail part: %w", err)
	}
	return nil
}

// Part reads a kept part (domain.ErrNotFound when it is gone).
func (r *Mail) Part(ctx context.Context, id string) ([]byte, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key("MAILPART#"+id, "PART")})
	if err != nil {
		return nil, fmt.Errorf("store: get mail part: %w", err)
	}
	b, ok := out.Item["data"].(*types.AttributeValueMemberB)
	if out.Item == nil || !ok {
		return nil, fmt.Errorf("store: mail part %s: %w", id, domain.ErrNotFound)
	}
	return b.Value, nil
}
