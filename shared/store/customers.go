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

// CreateCustomer stores a new file and its audit entry in one transaction.
// c.Version must be 1.
func (s *Store) CreateCustomer(ctx context.Context, c *domain.Customer, audit domain.AuditEntry) error {
	item, err := customerItem(c)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: auditPut},
	}})
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: customer %s exists: %w", c.ID, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create customer: %w", err)
	}
	return nil
}

// GetCustomer reads a customer file by id.
func (s *Store) GetCustomer(ctx context.Context, id string) (*domain.Customer, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(customerPK(id), skProfile)})
	if err != nil {
		return nil, fmt.Errorf("store: get customer: %w", err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: customer %s: %w", id, domain.ErrNotFound)
	}
	var c domain.Customer
	if err := unmarshal(out.Item, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCustomer replaces the file if its stored version is still
// expectedVersion, and writes the audit entry in the same transaction.
// c.Version must already be expectedVersion+1. A stale version is ErrConflict,
// a missing file ErrNotFound.
func (s *Store) UpdateCustomer(ctx context.Context, c *domain.Customer, expectedVersion int, audit domain.AuditEntry) error {
	item, err := customerItem(c)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName:                           aws.String(s.table),
			Item:                                item,
			ConditionExpression:                 aws.String("attribute_exists(PK) AND #v = :v"),
			ExpressionAttributeNames:            map[string]string{"#v": "version"},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":v": num(expectedVersion)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: auditPut},
	}})
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

// CustomerQuery selects a page of customers. Exactly one of Manager, Tier,
// Department or All picks the index; the others filter.
type CustomerQuery struct {
	Manager    string
	Tier       domain.Tier
	Department string
	Limit      int32
	Cursor     string
}

// ListCustomers returns one page of customers, by the most selective index.
func (s *Store) ListCustomers(ctx context.Context, q CustomerQuery) (Page[domain.Customer], error) {
	var index, pk string
	f := &filterExpr{}
	switch {
	case q.Manager != "":
		index, pk = "GSI1", "MGR#"+q.Manager
		if q.Tier != "" {
			f.eq("tier", string(q.Tier))
		}
		if q.Department != "" {
			f.eq("department", q.Department)
		}
	case q.Tier != "":
		index, pk = "GSI2", "TIER#"+string(q.Tier)
		if q.Department != "" {
			f.eq("department", q.Department)
		}
	case q.Department != "":
		index, pk = "GSI3", "DEPT#"+q.Department
	default:
		index, pk = "GSI4", "CUSTOMERS"
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 50
	}
	items, next, err := s.query(ctx, index, pk, q.Limit, q.Cursor, false, f)
	if err != nil {
		return Page[domain.Customer]{}, err
	}
	page := Page[domain.Customer]{Items: make([]domain.Customer, 0, len(items)), NextCursor: next}
	for _, it := range items {
		var c domain.Customer
		if err := unmarshal(it, &c); err != nil {
			return Page[domain.Customer]{}, err
		}
		page.Items = append(page.Items, c)
	}
	return page, nil
}
