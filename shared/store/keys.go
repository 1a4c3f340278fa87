package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Keys is the stack's secret: 256 random bits made once per stack, in the
// table (never in the code, the template or the environment). The first
// function that needs it creates it with a conditional put; every other
// one reads it, once per cold start. Each use gets its own key derived from
// it (HMAC-SHA256 of the use's name): pagination cursors, the complaint
// form's tokens, tracking links.
type Keys struct{ t *table }

const (
	keyPK   = "KEY#stack"
	keySK   = "KEY"
	keyAttr = "secret"
)

// Key returns the key of one use ("cursor", "form", "tracking", …).
func (k *Keys) Key(ctx context.Context, use string) ([]byte, error) { return k.t.key(ctx, use) }

func (t *table) key(ctx context.Context, use string) ([]byte, error) {
	master, err := t.masterKey(ctx)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, master)
	m.Write([]byte("keycare/" + use))
	return m.Sum(nil), nil
}

func (t *table) masterKey(ctx context.Context) ([]byte, error) {
	t.keyMu.Lock()
	defer t.keyMu.Unlock()
	if t.master != nil {
		return t.master, nil
	}
	read := func() ([]byte, error) {
		out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: key(keyPK, keySK), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("store: read the stack key: %w", err)
		}
		if b, ok := out.Item[keyAttr].(*types.AttributeValueMemberB); ok && len(b.Value) == 32 {
			return b.Value, nil
		}
		return nil, nil
	}
	k, err := read()
	if err != nil {
		return nil, err
	}
	if k == nil {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("store: make the stack key: %w", err)
		}
		_, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name),
			Item:                map[string]types.AttributeValue{attrPK: str(keyPK), attrSK: str(keySK), "type": str("stack-key"), keyAttr: &types.AttributeValueMemberB{Value: fresh}},
			ConditionExpression: aws.String("attribute_not_exists(PK)")})
		switch {
		case err == nil:
			k = fresh
		case conditionFailed(err): // another function made it first: use theirs
			if k, err = read(); err != nil {
				return nil, err
			}
			if k == nil {
				return nil, fmt.Errorf("store: the stack key item is malformed")
			}
		default:
			return nil, fmt.Errorf("store: write the stack key: %w", err)
		}
	}
	t.master = k
	return k, nil
}
