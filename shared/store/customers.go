package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Customers are the key-account files (大客户档案).
type Customers struct{ t *table }

const skProfile = "PROFILE"

func customerPK(id string) string { return "CUST#" + id }

func customerItem(c *domain.Customer) (map[string]types.AttributeValue, error) {
	return marshal(c, map[string]string{
		attrPK: customerPK(c.ID), attrSK: skProfile,
		"GSI1PK": "MGR#" + c.ManagerID, "GSI1SK": "CUST#" + c.ID,
		"GSI2PK": "TIER#" + string(c.Tier), "GSI2SK": "CUST#" + c.ID,
		"GSI3PK": "DEPT#" + c.Department, "GSI3SK": "CUST#" + c.ID,
		"GSI4PK": "CUSTOMERS", "GSI4SK": "CUST#" + c.ID,
		"type": "customer",
	})
}

func lookupPK(key string) string { return "LOOKUP#" + key }

// lookups are the writes that keep the lookup items of a file (its name and
// contacts, domain.Customer.LookupKeys) in step when it goes from prev (nil:
// new) to next.
func (r *Customers) lookups(prev, next *domain.Customer) []types.TransactWriteItem {
	had := map[string]bool{}
	if prev != nil {
		for _, k := range prev.LookupKeys() {
			had[k] = true
		}
	}
	var out []types.TransactWriteItem
	for _, k := range next.LookupKeys() {
		if had[k] {
			delete(had, k)
			continue
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(r.t.name), Item: map[string]types.AttributeValue{
			attrPK: str(lookupPK(k)), attrSK: str("CUST#" + next.ID), "type": str("customer-lookup"), "customerId": str(next.ID)}}})
	}
	for k := range had {
		out = append(out, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(r.t.name), Key: key(lookupPK(k), "CUST#"+next.ID)}})
	}
	return out
}

// Create stores a new file, its lookup items and its audit entry in one
// transaction, with
// the Idempotency-Key it was opened with (nil: none; a replay is a
// *domain.ReplayError naming the first file, other content
// domain.ErrIdempotencyMismatch). c.Version must be 1; an existing id is
// domain.ErrConflict.
func (r *Customers) Create(ctx context.Context, c *domain.Customer, audit domain.AuditEntry, idem *domain.IdempotencyRecord) error {
	item, err := customerItem(c)
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
	if idem != nil {
		p, err := r.t.idemPut(*idem)
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: p})
	}
	tx = append(tx, r.lookups(nil, c)...) // after the idempotency key: its condition is at index 2
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if idem != nil && conditionFailedAt(err, 2) {
		return r.t.idemOutcome(ctx, *idem)
	}
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: customer %s exists: %w", c.ID, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create customer: %w", err)
	}
	return nil
}

// Get reads a file by id (domain.ErrNotFound when there is none).
func (r *Customers) Get(ctx context.Context, id string) (*domain.Customer, error) {
	return get[domain.Customer](ctx, r.t, customerPK(id), skProfile, "customer "+id)
}

// Update replaces the file prev (as read, at version expectedVersion) with
// c if its stored version is still expectedVersion, and writes the audit
// entry and the changes of its lookup items in the same transaction.
// c.Version must already be expectedVersion+1. A stale version is
// domain.ErrConflict, a missing file domain.ErrNotFound.
func (r *Customers) Update(ctx context.Context, prev, c *domain.Customer, expectedVersion int, audit domain.AuditEntry) error {
	item, err := customerItem(c)
	if err != nil {
		return err
	}
	auditPut, err := r.t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{
		{Put: &types.Put{
			TableName:                           aws.String(r.t.name),
			Item:                                item,
			ConditionExpression:                 aws.String("attribute_exists(PK) AND #v = :v"),
			ExpressionAttributeNames:            map[string]string{"#v": "version"},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":v": num(expectedVersion)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: auditPut},
	}, r.lookups(prev, c)...)})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && len(tce.CancellationReasons) > 0 && aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		if tce.CancellationReasons[0].Item == nil {
			return fmt.Errorf("store: customer %s: %w", c.ID, domain.ErrNotFound)
		}
		return fmt.Errorf("store: customer %s changed since version %d: %w", c.ID, expectedVersion, domain.ErrConflict)
	}
	return fmt.Errorf("store: update customer: %w", err)
}

// List returns one page of files, by the most selective index.
func (r *Customers) List(ctx context.Context, q domain.CustomerQuery) (domain.Page[domain.Customer], error) {
	qq := query{limit: q.Limit, cursor: q.Cursor, filter: &filterExpr{}}
	switch {
	case q.Manager != "":
		qq.index, qq.pk = "GSI1", "MGR#"+q.Manager
		if q.Tier != "" {
			qq.filter.eq("tier", string(q.Tier))
		}
		if q.Department != "" {
			qq.filter.eq("department", q.Department)
		}
	case q.Tier != "":
		qq.index, qq.pk = "GSI2", "TIER#"+string(q.Tier)
		if q.Department != "" {
			qq.filter.eq("department", q.Department)
		}
	case q.Department != "":
		qq.index, qq.pk = "GSI3", "DEPT#"+q.Department
	default:
		qq.index, qq.pk = "GSI4", "CUSTOMERS"
	}
	if qq.limit <= 0 || qq.limit > 100 {
		qq.limit = 50
	}
	return page[domain.Customer](ctx, r.t, qq)
}

// Lookup lists the files found under lookup key k (domain.EmailKey,
// PhoneKey, NameKey), at most 10.
func (r *Customers) Lookup(ctx context.Context, k string) ([]string, error) {
	if k == "" {
		return nil, nil
	}
	items, _, err := r.t.items(ctx, query{pk: lookupPK(k), limit: 10})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if v, ok := it["customerId"].(*types.AttributeValueMemberS); ok {
			out = append(out, v.Value)
		}
	}
	return out, nil
}
