package store

import (
	"context"

	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Settings is the one versioned settings record.
type Settings struct{ t *table }

// Get reads the stored settings; domain.ErrNotFound while none were ever
// stored (the defaults apply).
func (r *Settings) Get(ctx context.Context) (*domain.Settings, error) {
	return get[domain.Settings](ctx, r.t, "SETTINGS", "CURRENT", "settings")
}

// Put stores s (s.Version = expectedVersion+1) if the stored record is
// still at expectedVersion (0: none stored), with its audit entry, in one
// transaction. Otherwise domain.ErrConflict.
func (r *Settings) Put(ctx context.Context, s domain.Settings, expectedVersion int, audit domain.AuditEntry) error {
	item, err := marshal(s, map[string]string{attrPK: "SETTINGS", attrSK: "CURRENT", "type": "settings"})
	if err != nil {
		return err
	}
	put := &types.Put{TableName: aws.String(r.t.name), Item: item}
	if expectedVersion == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("#v = :v")
		put.ExpressionAttributeNames = map[string]string{"#v": "version"}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(expectedVersion)}
	}
	auditPut, err := r.t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: put}, {Put: auditPut}}})
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: settings changed since version %d: %w", expectedVersion, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put settings: %w", err)
	}
	return nil
}
