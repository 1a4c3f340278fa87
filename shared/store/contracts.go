package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Contracts are the accounts' contracts and monthly business volume, kept
// in the account's partition, indexed by the month a contract ends and by
// the month a volume figure is for.
type Contracts struct{ t *table }

func contractKey(customer, id string) map[string]types.AttributeValue {
	return key(customerPK(customer), "CONTRACT#"+id)
}

// Add stores a new contract with its audit entry and, when it renews
// another contract of the account, marks that one renewed — in one
// transaction. A renewed contract that does not exist (for this account)
// is a domain.ValidationError on renews; one already renewed domain.ErrConflict.
func (r *Contracts) Add(ctx context.Context, k *domain.ContractRecord, audit domain.AuditEntry) error {
	item, err := marshal(k, map[string]string{attrPK: customerPK(k.CustomerID), attrSK: "CONTRACT#" + k.ID, "type": "contract",
		"GSI1PK": "CONTRACTEND#" + k.End[:7], "GSI1SK": k.End + "#" + k.ID})
	if err != nil {
		return err
	}
	auditPut, err := r.t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: auditPut},
	}
	if k.Renews != "" {
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{TableName: aws.String(r.t.name), Key: contractKey(k.CustomerID, k.Renews),
			UpdateExpression:                    aws.String("SET renewedBy = :id, renewedAt = :at"),
			ConditionExpression:                 aws.String("attribute_exists(PK) AND attribute_not_exists(renewedBy)"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":id": str(k.ID), ":at": str(k.CreatedAt.UTC().Format(time.RFC3339Nano))},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if conditionFailedAt(err, 2) && errors.As(err, &tce) && len(tce.CancellationReasons) > 2 {
		if tce.CancellationReasons[2].Item == nil {
			return &domain.ValidationError{Fields: map[string]string{"renews": "no such contract of this account 该客户没有此合同"}}
		}
		return fmt.Errorf("store: contract %s was already renewed: %w", k.Renews, domain.ErrConflict)
	}
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: contract %s exists: %w", k.ID, domain.ErrConflict)
	}
	return fmt.Errorf("store: add contract: %w", err)
}

// Get reads one contract of an account (domain.ErrNotFound when unknown).
func (r *Contracts) Get(ctx context.Context, customer, id string) (*domain.ContractRecord, error) {
	return get[domain.ContractRecord](ctx, r.t, customerPK(customer), "CONTRACT#"+id, "contract "+id)
}

// Ending reads the contracts that end from..to (YYYY-MM-DD, inclusive): the
// end-month partitions that span it, each by its date range.
func (r *Contracts) Ending(ctx context.Context, from, to string) ([]domain.ContractRecord, error) {
	var out []domain.ContractRecord
	for _, m := range monthsSpanned(from, to) {
		got, err := all[domain.ContractRecord](ctx, r.t, query{index: "GSI1", pk: "CONTRACTEND#" + m, sk: skCond{op: "between", a: from, b: to + "~"}})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// PutVolume stores (or corrects) an account's volume of a month, with its
// audit entry, in one transaction.
func (r *Contracts) PutVolume(ctx context.Context, v *domain.Volume, audit domain.AuditEntry) error {
	item, err := marshal(v, map[string]string{attrPK: customerPK(v.CustomerID), attrSK: "VOLUME#" + v.Month, "type": "volume",
		"GSI1PK": "VOLMONTH#" + v.Month, "GSI1SK": v.CustomerID})
	if err != nil {
		return err
	}
	auditPut, err := r.t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: item}}, {Put: auditPut}}})
	if err != nil {
		return fmt.Errorf("store: put volume: %w", err)
	}
	return nil
}

// VolumeIn reads every account's volume of month (YYYY-MM).
func (r *Contracts) VolumeIn(ctx context.Context, month string) ([]domain.Volume, error) {
	return all[domain.Volume](ctx, r.t, query{index: "GSI1", pk: "VOLMONTH#" + month})
}
