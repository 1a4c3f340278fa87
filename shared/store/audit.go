package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Audit is the access record (查阅登记): every look at and change of a
// record, never changed once written.
type Audit struct{ t *table }

func auditPK(entity, id string) string { return "AUDIT#" + entity + "#" + id }

// auditPut builds the Put of an audit entry; n tells apart several entries
// of one request.
func (t *table) auditPut(e domain.AuditEntry, n int) (*types.Put, error) {
	sk := fmt.Sprintf("%s#%s#%d", e.At.UTC().Format(time.RFC3339Nano), e.RequestID, n)
	item, err := marshal(e, map[string]string{
		attrPK: auditPK(e.Entity, e.EntityID), attrSK: sk,
		"GSI1PK": "ACTOR#" + e.Actor, "GSI1SK": sk,
		"type": "audit",
	})
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: aws.String(t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}, nil
}

// Put writes one entry on its own (reads and exports).
func (r *Audit) Put(ctx context.Context, e domain.AuditEntry) error {
	p, err := r.t.auditPut(e, 0)
	if err != nil {
		return err
	}
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression})
	if err != nil {
		return fmt.Errorf("store: put audit: %w", err)
	}
	return nil
}

// PutAll writes entries in transactions of up to 100 (a listing records
// one entry per record shown, and a summary).
func (r *Audit) PutAll(ctx context.Context, entries []domain.AuditEntry) error {
	if len(entries) == 1 {
		return r.Put(ctx, entries[0])
	}
	for start := 0; start < len(entries); start += 100 {
		chunk := entries[start:min(start+100, len(entries))]
		tx := make([]types.TransactWriteItem, 0, len(chunk))
		for i, e := range chunk {
			p, err := r.t.auditPut(e, start+i)
			if err != nil {
				return err
			}
			tx = append(tx, types.TransactWriteItem{Put: p})
		}
		if _, err := r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
			return fmt.Errorf("store: put audit entries: %w", err)
		}
	}
	return nil
}

// Of returns an entity's trail, newest first.
func (r *Audit) Of(ctx context.Context, entity, id string, limit int32, cursor string) (domain.Page[domain.AuditEntry], error) {
	return page[domain.AuditEntry](ctx, r.t, query{pk: auditPK(entity, id), limit: auditLimit(limit), cursor: cursor, newestFirst: true})
}

// ByActor returns what one person looked at or changed, newest first.
func (r *Audit) ByActor(ctx context.Context, actor string, limit int32, cursor string) (domain.Page[domain.AuditEntry], error) {
	return page[domain.AuditEntry](ctx, r.t, query{index: "GSI1", pk: "ACTOR#" + actor, limit: auditLimit(limit), cursor: cursor, newestFirst: true})
}

func auditLimit(n int32) int32 {
	if n <= 0 || n > 200 {
		return 50
	}
	return n
}
