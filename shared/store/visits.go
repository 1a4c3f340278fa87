package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Visits are visit plans (拜访计划书), visits with their reports, customer
// events, relationship plans and each account's last reported visit.
type Visits struct{ t *table }

func planPK(id string) string  { return "VPLAN#" + id }
func visitPK(id string) string { return "VISIT#" + id }

const (
	skPlan    = "PLAN"
	skVisit   = "VISIT"
	skRelPlan = "RELPLAN"
	pkLast    = "VISITLAST"
)

func planItem(p *domain.VisitPlan) (map[string]types.AttributeValue, error) {
	return marshal(p, map[string]string{attrPK: planPK(p.ID), attrSK: skPlan, "type": "visit-plan",
		"GSI1PK": "PLANMONTH#" + p.Month, "GSI1SK": p.ManagerID, "GSI2PK": "MGRPLAN#" + p.ManagerID, "GSI2SK": p.Month})
}

func visitItem(v *domain.Visit) (map[string]types.AttributeValue, error) {
	keys := map[string]string{attrPK: visitPK(v.ID), attrSK: skVisit, "type": "visit",
		"GSI1PK": "MGRVISIT#" + v.ManagerID, "GSI1SK": v.Date + "#" + v.ID,
		"GSI2PK": "CUSTVISIT#" + v.CustomerID, "GSI2SK": v.Date + "#" + v.ID}
	if v.Status.Open() {
		keys["GSI3PK"], keys["GSI3SK"] = "VISITOPEN", v.Date+"#"+v.ID
	}
	if v.Status == domain.VisitReported && v.Report != nil {
		keys["GSI4PK"], keys["GSI4SK"] = "VISITDONE#"+v.Report.HappenedOn[:7], v.CustomerID+"#"+v.ID
		// While a promised action is open, the visit is listed by the
		// earliest open one's due date (the digest's actions due).
		if due := earliestOpenAction(v.Report); due != "" {
			keys["GSI3PK"], keys["GSI3SK"] = "VISITACTIONS", due+"#"+v.ID
		}
	}
	return marshal(v, keys)
}

func earliestOpenAction(r *domain.VisitReport) string {
	due := ""
	for _, a := range r.Actions {
		if !a.Done && (due == "" || a.Due < due) {
			due = a.Due
		}
	}
	return due
}

// versioned is a Put of item that expects the stored version (0: a new item).
func (t *table) versionedPut(item map[string]types.AttributeValue, expected int) *types.Put {
	p := &types.Put{TableName: aws.String(t.name), Item: item}
	if expected == 0 {
		p.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		p.ConditionExpression = aws.String("#v = :v")
		p.ExpressionAttributeNames = map[string]string{"#v": "version"}
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(expected)}
	}
	return p
}

func (t *table) putIfVersion(ctx context.Context, item map[string]types.AttributeValue, expected int, what string) error {
	p := t.versionedPut(item, expected)
	_, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
		ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues})
	if conditionFailed(err) {
		return fmt.Errorf("store: %s changed or exists: %w", what, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put %s: %w", what, err)
	}
	return nil
}

// GetPlan reads a visit plan (domain.ErrNotFound when there is none).
func (r *Visits) GetPlan(ctx context.Context, id string) (*domain.VisitPlan, error) {
	return get[domain.VisitPlan](ctx, r.t, planPK(id), skPlan, "visit plan "+id)
}

// PutPlan stores a plan still at expectedVersion (0: new; one plan per
// manager and month, a second is domain.ErrConflict).
func (r *Visits) PutPlan(ctx context.Context, p *domain.VisitPlan, expected int) error {
	item, err := planItem(p)
	if err != nil {
		return err
	}
	return r.t.putIfVersion(ctx, item, expected, "visit plan "+p.ID)
}

// PlansOfMonth lists every manager's plan for month.
func (r *Visits) PlansOfMonth(ctx context.Context, month string) ([]domain.VisitPlan, error) {
	return all[domain.VisitPlan](ctx, r.t, query{index: "GSI1", pk: "PLANMONTH#" + month, limit: 500})
}

// PlansOfManager lists a manager's plans, newest month first.
func (r *Visits) PlansOfManager(ctx context.Context, manager string, limit int32, cursor string) (domain.Page[domain.VisitPlan], error) {
	return page[domain.VisitPlan](ctx, r.t, query{index: "GSI2", pk: "MGRPLAN#" + manager, limit: limit, cursor: cursor, newestFirst: true})
}

// all reads every page of q.
func all[T any](ctx context.Context, t *table, q query) ([]T, error) {
	var out []T
	for {
		p, err := page[T](ctx, t, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		q.cursor = p.NextCursor
	}
}

// GetVisit reads a visit (domain.ErrNotFound when there is none).
func (r *Visits) GetVisit(ctx context.Context, id string) (*domain.Visit, error) {
	return get[domain.Visit](ctx, r.t, visitPK(id), skVisit, "visit "+id)
}

// CreateVisit stores a new visit; an existing id is domain.ErrConflict
// (visits of a plan have ids derived from it, so approving twice makes none twice).
func (r *Visits) CreateVisit(ctx context.Context, v *domain.Visit) error {
	item, err := visitItem(v)
	if err != nil {
		return err
	}
	return r.t.putIfVersion(ctx, item, 0, "visit "+v.ID)
}

// SaveVisit writes a visit still at expectedVersion (else domain.ErrConflict)
// with its audit entry. A reported visit also advances the account's last
// reported visit, in the same transaction.
func (r *Visits) SaveVisit(ctx context.Context, v *domain.Visit, expected int, audit *domain.AuditEntry) error {
	item, err := visitItem(v)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: r.t.versionedPut(item, expected)}}
	if audit != nil {
		ap, err := r.t.auditPut(*audit, 0)
		if err != nil {
			return err
		}
		tx = append(tx, types.TransactWriteItem{Put: ap})
	}
	if v.Status == domain.VisitReported && v.Report != nil {
		last, err := r.lastOf(ctx, v.CustomerID)
		if err != nil {
			return err
		}
		if v.Report.HappenedOn > last {
			put := &types.Put{TableName: aws.String(r.t.name), Item: map[string]types.AttributeValue{attrPK: str(pkLast), attrSK: str(v.CustomerID),
				"type": str("visit-last"), "customerId": str(v.CustomerID), "lastOn": str(v.Report.HappenedOn)}}
			if last == "" {
				put.ConditionExpression = aws.String("attribute_not_exists(PK)")
			} else {
				put.ConditionExpression = aws.String("lastOn = :l")
				put.ExpressionAttributeValues = map[string]types.AttributeValue{":l": str(last)}
			}
			tx = append(tx, types.TransactWriteItem{Put: put})
		}
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if conditionFailedAt(err, -1) || IsTransactionConflict(err) {
		return fmt.Errorf("store: visit %s changed: %w", v.ID, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: save visit: %w", err)
	}
	return nil
}

func (r *Visits) lastOf(ctx context.Context, customer string) (string, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key(pkLast, customer), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("store: last visit: %w", err)
	}
	if v, ok := out.Item["lastOn"].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// LastVisits maps every account to the date of its last reported visit
// (one small item per account, in one partition).
func (r *Visits) LastVisits(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	q := query{pk: pkLast}
	for {
		items, next, err := r.t.items(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			c, _ := it[attrSK].(*types.AttributeValueMemberS)
			l, _ := it["lastOn"].(*types.AttributeValueMemberS)
			if c != nil && l != nil {
				out[c.Value] = l.Value
			}
		}
		if next == "" {
			return out, nil
		}
		q.cursor = next
	}
}

// ListVisits returns a page of visits: of a manager by date (from..to), or
// of a customer, newest first.
func (r *Visits) ListVisits(ctx context.Context, q domain.VisitQuery) (domain.Page[domain.Visit], error) {
	qq := query{limit: q.Limit, cursor: q.Cursor}
	if qq.limit <= 0 || qq.limit > 200 {
		qq.limit = 100
	}
	from, to := q.From, q.To
	if from == "" {
		from = "0000"
	}
	if to == "" {
		to = "9999"
	}
	switch {
	case q.Customer != "":
		qq.index, qq.pk, qq.newestFirst = "GSI2", "CUSTVISIT#"+q.Customer, true
	case q.Manager != "":
		qq.index, qq.pk = "GSI1", "MGRVISIT#"+q.Manager
	default:
		return domain.Page[domain.Visit]{}, fmt.Errorf("store: list visits needs a manager or a customer")
	}
	qq.sk = skCond{op: "between", a: from, b: to + "#~"}
	return page[domain.Visit](ctx, r.t, qq)
}

// OpenVisitsUntil lists every open visit (planned or awaiting approval)
// dated up to date, oldest first: what is due, across all managers.
func (r *Visits) OpenVisitsUntil(ctx context.Context, date string) ([]domain.Visit, error) {
	return all[domain.Visit](ctx, r.t, query{index: "GSI3", pk: "VISITOPEN", sk: skCond{op: "<", a: date + "#~"}, limit: 500})
}

// ReportedIn lists the reported visits whose visit happened in month (YYYY-MM).
func (r *Visits) ReportedIn(ctx context.Context, month string) ([]domain.Visit, error) {
	return all[domain.Visit](ctx, r.t, query{index: "GSI4", pk: "VISITDONE#" + month, limit: 500})
}

// OpenVisitsOf lists a customer's open visits (handover moves them).
func (r *Visits) OpenVisitsOf(ctx context.Context, customer string) ([]domain.Visit, error) {
	vs, err := all[domain.Visit](ctx, r.t, query{index: "GSI2", pk: "CUSTVISIT#" + customer, limit: 200})
	if err != nil {
		return nil, err
	}
	out := vs[:0]
	for _, v := range vs {
		if v.Status.Open() {
			out = append(out, v)
		}
	}
	return out, nil
}

// MoveVisit gives an open visit of from to to (condition: still from's), so
// moving twice changes nothing.
func (r *Visits) MoveVisit(ctx context.Context, id, from, to string) error {
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.t.name), Key: key(visitPK(id), skVisit),
		UpdateExpression:          aws.String("SET managerId = :to, GSI1PK = :g, version = version + :one"),
		ConditionExpression:       aws.String("managerId = :from"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": str(to), ":from": str(from), ":g": str("MGRVISIT#" + to), ":one": num(1)}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store: move visit: %w", err)
	}
	return nil
}

// PutEvent records a customer event once (its id is derived from it):
// false when it was recorded before.
func (r *Visits) PutEvent(ctx context.Context, e *domain.CustomerEvent) (bool, error) {
	item, err := marshal(e, map[string]string{attrPK: customerPK(e.CustomerID), attrSK: "EVENT#" + e.Date + "#" + e.ID, "type": "customer-event"})
	if err != nil {
		return false, err
	}
	err = r.t.putIfVersion(ctx, item, 0, "event")
	if errors.Is(err, domain.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// GetRelationshipPlan reads an account's relationship plan.
func (r *Visits) GetRelationshipPlan(ctx context.Context, customer string) (*domain.RelationshipPlan, error) {
	return get[domain.RelationshipPlan](ctx, r.t, customerPK(customer), skRelPlan, "relationship plan of "+customer)
}

// PutRelationshipPlan stores a plan still at expectedVersion (0: none yet).
// A submitted plan is also listed for its supervisor's approval.
func (r *Visits) PutRelationshipPlan(ctx context.Context, p *domain.RelationshipPlan, expected int) error {
	keys := map[string]string{attrPK: customerPK(p.CustomerID), attrSK: skRelPlan, "type": "relationship-plan",
		"GSI1PK": "RELPLANREVIEW", "GSI1SK": p.ReviewBy + "#" + p.CustomerID}
	if p.Status == domain.PlanSubmitted {
		keys["GSI2PK"], keys["GSI2SK"] = "RELPLANSUBMITTED", p.Department+"#"+p.CustomerID
	}
	item, err := marshal(p, keys)
	if err != nil {
		return err
	}
	return r.t.putIfVersion(ctx, item, expected, "relationship plan of "+p.CustomerID)
}

// ReviewsDueBy lists relationship plans whose review date is date or earlier.
func (r *Visits) ReviewsDueBy(ctx context.Context, date string) ([]domain.RelationshipPlan, error) {
	return all[domain.RelationshipPlan](ctx, r.t, query{index: "GSI1", pk: "RELPLANREVIEW", sk: skCond{op: "<", a: date + "#~"}, limit: 500})
}

// RelationshipPlansSubmitted lists the relationship plans waiting for
// their supervisor's approval, by department.
func (r *Visits) RelationshipPlansSubmitted(ctx context.Context) ([]domain.RelationshipPlan, error) {
	return all[domain.RelationshipPlan](ctx, r.t, query{index: "GSI2", pk: "RELPLANSUBMITTED", limit: 500})
}

// OpenActionsUntil lists the reported visits with a promised action still
// open whose earliest open action is due on date or before.
func (r *Visits) OpenActionsUntil(ctx context.Context, date string) ([]domain.Visit, error) {
	return all[domain.Visit](ctx, r.t, query{index: "GSI3", pk: "VISITACTIONS", sk: skCond{op: "<", a: date + "#~"}, limit: 500})
}

// Accounts lists every key-account file in pages of 1,000 (the daily run's
// one pass over the accounts: their tier, manager, contract, anniversaries
// and contacts' birthdays).
func (r *Visits) Accounts(ctx context.Context) ([]domain.Customer, error) {
	return all[domain.Customer](ctx, r.t, query{index: "GSI4", pk: "CUSTOMERS", limit: 1000})
}

// RepliedComplaints lists the open complaints that were replied to and
// wait for their closing callback.
func (r *Visits) RepliedComplaints(ctx context.Context) ([]domain.Complaint, error) {
	f := &filterExpr{}
	f.eq("status", string(domain.StatusReplied))
	return all[domain.Complaint](ctx, r.t, query{index: "GSI2", pk: "OPEN", filter: f, limit: 500})
}

var _ = strconv.Itoa
var _ = time.Now
