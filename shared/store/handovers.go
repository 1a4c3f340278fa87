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

// Handovers are handover jobs (交接): the job with its progress, a lock per
// outgoing manager (one running job each), and the conditional moves of
// accounts that make a retried job move nothing twice.
type Handovers struct{ t *table }

func handoverPK(id string) string { return "HANDOVER#" + id }
func lockPK(from string) string   { return "HANDOVERFROM#" + from }

func handoverItem(h *domain.Handover) (map[string]types.AttributeValue, error) {
	keys := map[string]string{attrPK: handoverPK(h.ID), attrSK: "JOB", "type": "handover"}
	if h.Status == domain.HandoverRunning {
		keys["GSI1PK"], keys["GSI1SK"] = "HANDOVERRUN", h.StartedAt.UTC().Format(time.RFC3339Nano)+"#"+h.ID
	}
	return marshal(h, keys)
}

// Start stores a new job and locks its outgoing manager. When a job for
// the same manager is running, it returns that job's id and false.
func (r *Handovers) Start(ctx context.Context, h *domain.Handover) (string, bool, error) {
	item, err := handoverItem(h)
	if err != nil {
		return "", false, err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: map[string]types.AttributeValue{attrPK: str(lockPK(h.From)), attrSK: str("LOCK"),
			"type": str("handover-lock"), "jobId": str(h.ID)}, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}})
	if conditionFailedAt(err, 1) {
		out, gerr := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key(lockPK(h.From), "LOCK"), ConsistentRead: aws.Bool(true)})
		if gerr != nil {
			return "", false, fmt.Errorf("store: handover lock: %w", gerr)
		}
		if v, ok := out.Item["jobId"].(*types.AttributeValueMemberS); ok {
			return v.Value, false, nil
		}
		return "", false, fmt.Errorf("store: handover of %s: %w", h.From, domain.ErrConflict)
	}
	if err != nil {
		return "", false, fmt.Errorf("store: start handover: %w", err)
	}
	return h.ID, true, nil
}

// Get reads a job (consistently: a resumed job sees its own progress).
func (r *Handovers) Get(ctx context.Context, id string) (*domain.Handover, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key(handoverPK(id), "JOB"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("store: get handover: %w", err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: handover %s: %w", id, domain.ErrNotFound)
	}
	var h domain.Handover
	return &h, unmarshal(out.Item, &h)
}

// Running lists the jobs not finished (the daily run resumes them).
func (r *Handovers) Running(ctx context.Context) ([]domain.Handover, error) {
	return all[domain.Handover](ctx, r.t, query{index: "GSI1", pk: "HANDOVERRUN", limit: 100})
}

func (r *Handovers) mark(list, id string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(r.t.name), Key: key(handoverPK(id), "JOB"),
		UpdateExpression:          aws.String("SET #l = list_append(if_not_exists(#l, :empty), :x)"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#l": list},
		ExpressionAttributeValues: map[string]types.AttributeValue{":x": &types.AttributeValueMemberL{}, ":empty": &types.AttributeValueMemberL{}}}}
}

func (r *Handovers) append(list, job, account string, ifNot bool) types.TransactWriteItem {
	u := r.mark(list, job).Update
	u.ExpressionAttributeValues[":x"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{str(account)}}
	u.ExpressionAttributeValues[":a"] = str(account)
	if ifNot {
		u.ConditionExpression = aws.String("attribute_exists(PK) AND NOT contains(#l, :a)")
	}
	return types.TransactWriteItem{Update: u}
}

// MoveAccount gives account id of from to to and records it in the job, in
// one transaction: the account's manager changes only while it is still
// from's and the job does not list it yet, so a retry never moves twice.
// It reports whether this call moved it; an account no longer from's is
// recorded as moved without changing it.
func (r *Handovers) MoveAccount(ctx context.Context, job *domain.Handover, id string, audit domain.AuditEntry) (bool, error) {
	ap, err := r.t.auditPut(audit, 0)
	if err != nil {
		return false, err
	}
	now := audit.At.UTC().Format(time.RFC3339Nano)
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String(r.t.name), Key: key(customerPK(id), skProfile),
			UpdateExpression:         aws.String("SET managerId = :to, GSI1PK = :g, version = version + :one, updatedBy = :by, updatedAt = :at"),
			ConditionExpression:      aws.String("managerId = :from"),
			ExpressionAttributeNames: nil,
			ExpressionAttributeValues: map[string]types.AttributeValue{":to": str(job.To), ":from": str(job.From), ":g": str("MGR#" + job.To),
				":one": num(1), ":by": str(audit.Actor), ":at": str(now)}}},
		{Put: ap},
		r.append("moved", job.ID, id, true),
	}})
	if err == nil {
		return true, nil
	}
	if conditionFailedAt(err, 2) {
		return false, nil // already recorded
	}
	if conditionFailedAt(err, 0) {
		_, err := r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{r.append("moved", job.ID, id, true)}})
		if err != nil && !conditionFailedAt(err, 0) {
			return false, fmt.Errorf("store: handover record: %w", err)
		}
		return false, nil
	}
	return false, fmt.Errorf("store: handover move: %w", err)
}

// Notified records that account id's contact, open work and callback are done.
func (r *Handovers) Notified(ctx context.Context, job, id string) error {
	_, err := r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{r.append("notified", job, id, true)}})
	if err != nil && !conditionFailedAt(err, 0) {
		return fmt.Errorf("store: handover notified: %w", err)
	}
	return nil
}

// Finish marks the job done and frees the outgoing manager's lock.
func (r *Handovers) Finish(ctx context.Context, h *domain.Handover, at time.Time) error {
	_, err := r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String(r.t.name), Key: key(handoverPK(h.ID), "JOB"),
			UpdateExpression:          aws.String("SET #s = :done, finishedAt = :at REMOVE GSI1PK, GSI1SK"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(domain.HandoverDone), ":at": str(at.UTC().Format(time.RFC3339Nano))}}},
		{Delete: &types.Delete{TableName: aws.String(r.t.name), Key: key(lockPK(h.From), "LOCK")}},
	}})
	if err != nil {
		return fmt.Errorf("store: finish handover: %w", err)
	}
	return nil
}
