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

func auditPK(entity, id string) string { return "AUDIT#" + entity + "#" + id }

// auditPut builds the Put of an audit entry; n tells apart several entries
// of one request.
func (s *Store) auditPut(e domain.AuditEntry, n int) (*types.Put, error) {
	sk := fmt.Sprintf("%s#%s#%d", e.At.UTC().Format(time.RFC3339Nano), e.RequestID, n)
	item, err := marshal(e, map[string]string{
		attrPK: auditPK(e.Entity, e.EntityID), attrSK: sk,
		"GSI1PK": "ACTOR#" + e.Actor, "GSI1SK": sk,
		"type": "audit",
	})
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}, nil
}

// PutAudit writes one audit entry on its own (reads and exports).
func (s *Store) PutAudit(ctx context.Context, e domain.AuditEntry) error {
	p, err := s.auditPut(e, 0)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression})
	if err != nil {
		return fmt.Errorf("store: put audit: %w", err)
	}
	return nil
}

// ListAudit returns an entity's audit trail, newest first.
func (s *Store) ListAudit(ctx context.Context, entity, id string, limit int32, cursor string) (Page[domain.AuditEntry], error) {
	return s.auditPage(ctx, "", auditPK(entity, id), limit, cursor)
}

// ListAuditByActor returns what one person looked at or changed, newest first.
func (s *Store) ListAuditByActor(ctx context.Context, actor string, limit int32, cursor string) (Page[domain.AuditEntry], error) {
	return s.auditPage(ctx, "GSI1", "ACTOR#"+actor, limit, cursor)
}

func (s *Store) auditPage(ctx context.Context, index, pk string, limit int32, cursor string) (Page[domain.AuditEntry], error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	items, next, err := s.query(ctx, index, pk, limit, cursor, true, nil)
	if err != nil {
		return Page[domain.AuditEntry]{}, err
	}
	page := Page[domain.AuditEntry]{Items: make([]domain.AuditEntry, 0, len(items)), NextCursor: next}
	for _, it := range items {
		var e domain.AuditEntry
		if err := unmarshal(it, &e); err != nil {
			return Page[domain.AuditEntry]{}, err
		}
		page.Items = append(page.Items, e)
	}
	return page, nil
}
