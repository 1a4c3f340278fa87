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

// Mail is the mailer's record of what it sent (so a redelivered job is not
// mailed twice) and the jobs kept when the mail queue could not take them.
type Mail struct{ t *table }

// SentTTL is how long the record of a sent message is kept.
const SentTTL = 7 * 24 * time.Hour

// Sent reports whether message id was sent.
func (r *Mail) Sent(ctx context.Context, id string) (bool, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key("MAILSENT#"+id, "MAIL")})
	if err != nil {
		return false, fmt.Errorf("store: mail sent: %w", err)
	}
	return out.Item != nil, nil
}

// MarkSent records that message id was sent at at (kept SentTTL).
func (r *Mail) MarkSent(ctx context.Context, id string, at time.Time) error {
	_, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: map[string]types.AttributeValue{
		attrPK: str("MAILSENT#" + id), attrSK: str("MAIL"), "type": str("mail-sent"),
		attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Add(SentTTL).Unix(), 10)},
	}})
	if err != nil {
		return fmt.Errorf("store: mark mail sent: %w", err)
	}
	return nil
}

func pendingMailItem(p domain.PendingMail) (map[string]types.AttributeValue, error) {
	return marshal(p, map[string]string{attrPK: "MAILPENDING#" + p.ID, attrSK: "MAIL", "type": "mail-pending",
		"GSI1PK": "MAILPENDING", "GSI1SK": p.At.UTC().Format(time.RFC3339Nano) + "#" + p.ID})
}

// mailPuts are the Puts of mail jobs written in the transaction of the
// change that sends them (the transactional outbox).
func (t *table) mailPuts(jobs []domain.PendingMail) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	for _, p := range jobs {
		item, err := pendingMailItem(p)
		if err != nil {
			return nil, err
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(t.name), Item: item}})
	}
	return out, nil
}

// Keep stores a job that could not be queued.
func (r *Mail) Keep(ctx context.Context, p domain.PendingMail) error {
	item, err := pendingMailItem(p)
	if err != nil {
		return err
	}
	if _, err := r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item}); err != nil {
		return fmt.Errorf("store: keep mail: %w", err)
	}
	return nil
}

// Kept lists jobs kept before a time, waiting to be queued, oldest first.
func (r *Mail) Kept(ctx context.Context, before time.Time, limit int32) ([]domain.PendingMail, error) {
	p, err := page[domain.PendingMail](ctx, r.t, query{index: "GSI1", pk: "MAILPENDING", limit: limit,
		sk: skCond{op: "<", a: before.UTC().Format(time.RFC3339Nano)}})
	return p.Items, err
}

// Drop removes a kept job once it is queued.
func (r *Mail) Drop(ctx context.Context, id string) error {
	_, err := r.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.t.name), Key: key("MAILPENDING#"+id, "MAIL")})
	if err != nil {
		return fmt.Errorf("store: drop kept mail: %w", err)
	}
	return nil
}
