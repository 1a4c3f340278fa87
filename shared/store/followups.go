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

// FollowUps are the callbacks (回访) managers owe, by manager and due time;
// the open ones also by due time across managers (the daily run) and by
// customer (a handover moves them).
type FollowUps struct{ t *table }

func followUpPK(id string) string { return "FOLLOWUP#" + id }

func followUpItem(f *domain.FollowUp) (map[string]types.AttributeValue, error) {
	due := f.DueAt.UTC().Format(time.RFC3339Nano) + "#" + f.ID
	keys := map[string]string{attrPK: followUpPK(f.ID), attrSK: "TASK", "type": "follow-up",
		"GSI1PK": "MGRFOLLOWUP#" + f.ManagerID, "GSI1SK": due}
	if f.CustomerID != "" {
		keys["GSI3PK"], keys["GSI3SK"] = "CUSTFOLLOWUP#"+f.CustomerID, due
	}
	if f.Status == domain.FollowUpOpen {
		keys["GSI2PK"], keys["GSI2SK"] = "FOLLOWUPOPEN", due
	}
	// Every follow-up by the UTC month it falls due (the monthly report).
	keys["GSI4PK"], keys["GSI4SK"] = "FOLLOWUPDUE#"+f.DueAt.UTC().Format("2006-01"), sortTime(f.DueAt)+"#"+f.ID
	return marshal(f, keys)
}

// DueBetween lists every follow-up, open or done, due at from or later and
// before to: one Query per UTC month the range spans.
func (r *FollowUps) DueBetween(ctx context.Context, from, to time.Time) ([]domain.FollowUp, error) {
	var out []domain.FollowUp
	a, b := sortTime(from), sortTime(to.Add(-time.Nanosecond))+"#~"
	for m := time.Date(from.UTC().Year(), from.UTC().Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		got, err := all[domain.FollowUp](ctx, r.t, query{index: "GSI4", pk: "FOLLOWUPDUE#" + m.Format("2006-01"), sk: skCond{op: "between", a: a, b: b}})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// Of lists a manager's follow-ups by due time.
func (r *FollowUps) Of(ctx context.Context, manager string, limit int32, cursor string) (domain.Page[domain.FollowUp], error) {
	return page[domain.FollowUp](ctx, r.t, query{index: "GSI1", pk: "MGRFOLLOWUP#" + manager, limit: limit, cursor: cursor})
}

// OpenOf lists a manager's open follow-ups due before (RFC 3339; "" for all), by due time.
func (r *FollowUps) OpenOf(ctx context.Context, manager string, before time.Time) ([]domain.FollowUp, error) {
	f := &filterExpr{}
	f.eq("status", domain.FollowUpOpen)
	q := query{index: "GSI1", pk: "MGRFOLLOWUP#" + manager, filter: f, limit: 500}
	if !before.IsZero() {
		q.sk = skCond{op: "<", a: before.UTC().Format(time.RFC3339Nano)}
	}
	return all[domain.FollowUp](ctx, r.t, q)
}

// OpenDueBefore lists every open follow-up due before t, across managers.
func (r *FollowUps) OpenDueBefore(ctx context.Context, t time.Time) ([]domain.FollowUp, error) {
	return all[domain.FollowUp](ctx, r.t, query{index: "GSI2", pk: "FOLLOWUPOPEN", sk: skCond{op: "<", a: t.UTC().Format(time.RFC3339Nano)}, limit: 500})
}

// OpenOfCustomer lists a customer's open follow-ups.
func (r *FollowUps) OpenOfCustomer(ctx context.Context, customer string) ([]domain.FollowUp, error) {
	f := &filterExpr{}
	f.eq("status", domain.FollowUpOpen)
	return all[domain.FollowUp](ctx, r.t, query{index: "GSI3", pk: "CUSTFOLLOWUP#" + customer, filter: f, limit: 500})
}

// Get reads a follow-up (domain.ErrNotFound when there is none).
func (r *FollowUps) Get(ctx context.Context, id string) (*domain.FollowUp, error) {
	return get[domain.FollowUp](ctx, r.t, followUpPK(id), "TASK", "follow-up "+id)
}

// Create stores a follow-up once: false when its id exists (schedules
// derive ids from what caused them, so a retry creates nothing twice).
func (r *FollowUps) Create(ctx context.Context, f *domain.FollowUp) (bool, error) {
	item, err := followUpItem(f)
	if err != nil {
		return false, err
	}
	err = r.t.putIfVersion(ctx, item, 0, "follow-up "+f.ID)
	if errors.Is(err, domain.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// Complete stores a completed follow-up if it is still open (else
// domain.ErrConflict), with its audit entry.
func (r *FollowUps) Complete(ctx context.Context, f *domain.FollowUp, audit domain.AuditEntry) error {
	item, err := followUpItem(f)
	if err != nil {
		return err
	}
	ap, err := r.t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("#s = :open"),
			ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":open": str(domain.FollowUpOpen)}}},
		{Put: ap},
	}})
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: follow-up %s is no longer open: %w", f.ID, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: complete follow-up: %w", err)
	}
	return nil
}

// Move gives an open follow-up of from to to (condition: still from's).
func (r *FollowUps) Move(ctx context.Context, id, from, to string) error {
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key(followUpPK(id), "TASK"),
		UpdateExpression:          aws.String("SET managerId = :to, GSI1PK = :g"),
		ConditionExpression:       aws.String("managerId = :from"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": str(to), ":from": str(from), ":g": str("MGRFOLLOWUP#" + to)}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store: move follow-up: %w", err)
	}
	return nil
}
