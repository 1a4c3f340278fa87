package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Staff is the staff directory: one item per person, all in one index
// partition (a company has hundreds of staff, not millions).
type Staff struct{ t *table }

func staffPK(id string) string { return "STAFF#" + id }

// Get reads one person (domain.ErrNotFound when unknown).
func (r *Staff) Get(ctx context.Context, id string) (*domain.StaffMember, error) {
	return get[domain.StaffMember](ctx, r.t, staffPK(id), "PERSON", "staff member "+id)
}

// Put stores m (m.Version = expectedVersion+1) if the stored entry is still
// at expectedVersion (0: new), with its audit entry. Otherwise
// domain.ErrConflict.
func (r *Staff) Put(ctx context.Context, m *domain.StaffMember, expectedVersion int, audit domain.AuditEntry) error {
	item, err := marshal(m, map[string]string{attrPK: staffPK(m.ID), attrSK: "PERSON", "type": "staff",
		"GSI1PK": "STAFF", "GSI1SK": m.ID})
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
		return fmt.Errorf("store: staff member %s changed since version %d: %w", m.ID, expectedVersion, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put staff member: %w", err)
	}
	return nil
}

// List returns a page of the directory, by id.
func (r *Staff) List(ctx context.Context, limit int32, cursor string) (domain.Page[domain.StaffMember], error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return page[domain.StaffMember](ctx, r.t, query{index: "GSI1", pk: "STAFF", limit: limit, cursor: cursor})
}
