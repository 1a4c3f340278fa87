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

// Register is the complaint register (投诉登记簿): each year's numbering
// counter and one line per number, a card's or a void's (domain/register.go).
type Register struct{ t *table }

func counterKey(year int) map[string]types.AttributeValue {
	return key("SEQ#CMP#"+strconv.Itoa(year), "SEQ")
}

func registerPK(year int) string { return "REG#CMP#" + strconv.Itoa(year) }

func registerSK(seq int) string { return fmt.Sprintf("%09d", seq) }

// reserve takes the next number of year from its counter: one UpdateItem
// with ADD, which concurrent submissions never contend on. With day (a web
// complaint) the same write counts the number against the day's quota, on
// condition that it is not full (domain.Counter.DayFull: then no number is
// taken and the answer is domain.ErrQuotaFull); the first web complaint of
// a day starts its count, a second write once a day. It returns the
// number and the round trips it took.
func (r Register) reserve(ctx context.Context, year int, receivedAt time.Time, day *domain.Quota) (int, int, error) {
	at := str(receivedAt.UTC().Format(time.RFC3339Nano))
	if day == nil {
		out, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(r.t.name), Key: counterKey(year),
			UpdateExpression:          aws.String("ADD #last :one SET #at = :at"),
			ExpressionAttributeNames:  map[string]string{"#last": "last", "#at": "lastAt"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":at": at},
			ReturnValues:              types.ReturnValueUpdatedNew,
		})
		if err != nil {
			return 0, 1, fmt.Errorf("store: reserve a complaint number: %w", err)
		}
		n, err := reserved(out.Attributes)
		return n, 1, err
	}
	names := map[string]string{"#last": "last", "#at": "lastAt", "#dk": "dayKey", "#dn": "dayCount"}
	trips := 0
	for attempt := 0; attempt < 4; attempt++ {
		// The day's count goes on: the counter is on this day (or a later
		// one) and below the quota.
		out, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(r.t.name), Key: counterKey(year),
			UpdateExpression:                    aws.String("ADD #last :one, #dn :one SET #at = :at"),
			ConditionExpression:                 aws.String("#dk >= :dk AND #dn < :limit"),
			ExpressionAttributeNames:            names,
			ExpressionAttributeValues:           map[string]types.AttributeValue{":one": num(1), ":at": at, ":dk": str(day.Key), ":limit": num(day.Limit)},
			ReturnValues:                        types.ReturnValueUpdatedNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		trips++
		var ccf *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			n, err := reserved(out.Attributes)
			return n, trips, err
		case !errors.As(err, &ccf):
			return 0, trips, fmt.Errorf("store: reserve a complaint number: %w", err)
		}
		var old counterItem
		if err := unmarshal(ccf.Item, &old); err != nil {
			return 0, trips, err
		}
		if (domain.Counter{DayKey: old.DayKey, DayCount: old.DayCount}).DayFull(*day) {
			return 0, trips, fmt.Errorf("store: the day's web complaints (%s): %w", day.Key, domain.ErrQuotaFull)
		}
		// A new day (or the year's first number): its count starts at
		// this one, unless another submission started it meanwhile.
		out, err = r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(r.t.name), Key: counterKey(year),
			UpdateExpression:          aws.String("ADD #last :one SET #at = :at, #dk = :dk, #dn = :one"),
			ConditionExpression:       aws.String("attribute_not_exists(#dk) OR #dk < :dk"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":at": at, ":dk": str(day.Key)},
			ReturnValues:              types.ReturnValueUpdatedNew,
		})
		trips++
		switch {
		case err == nil:
			n, err := reserved(out.Attributes)
			return n, trips, err
		case !conditionFailed(err):
			return 0, trips, fmt.Errorf("store: reserve a complaint number: %w", err)
		}
	}
	return 0, trips, fmt.Errorf("store: reserve a complaint number: the day's count kept changing: %w", domain.ErrBusy)
}

// reserved is the number an UpdateItem of the counter took.
func reserved(attrs map[string]types.AttributeValue) (int, error) {
	n := seqValue(attrs)
	if n < 1 {
		return 0, fmt.Errorf("store: reserve a complaint number: the counter answered %d", n)
	}
	return n, nil
}

func seqValue(it map[string]types.AttributeValue) int {
	if v, ok := it["last"].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.Atoi(v.Value)
		return n
	}
	return 0
}

// linePut is the conditional write of number l.Seq's line: a number has
// one line, a card's or a void's, whichever comes first.
func (r Register) linePut(l domain.RegisterLine) (*types.Put, error) {
	keys := map[string]string{attrPK: registerPK(l.Year), attrSK: registerSK(l.Seq), "type": "register"}
	if l.Void {
		keys["GSI1PK"], keys["GSI1SK"] = "CMPVOID#"+strconv.Itoa(l.Year), registerSK(l.Seq)
	}
	item, err := marshal(l, keys)
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}, nil
}

// Void writes void record l unless number l.Seq has its line already
// (then it reports false: the card came after all).
func (r Register) Void(ctx context.Context, l domain.RegisterLine) (bool, error) {
	l.Void = true
	put, err := r.linePut(l)
	if err != nil {
		return false, err
	}
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: void complaint number %d/%d: %w", l.Year, l.Seq, err)
	}
	return true, nil
}

// counterItem is the counter as stored.
type counterItem struct {
	Last     int       `json:"last"`
	LastAt   time.Time `json:"lastAt"`
	Settled  int       `json:"settled"`
	SeenLast int       `json:"seenLast"`
	SeenAt   time.Time `json:"seenAt"`
	DayKey   string    `json:"dayKey"`
	DayCount int       `json:"dayCount"`
}

// Counter reads year's counter (zero when no number was taken that year).
func (r Register) Counter(ctx context.Context, year int) (domain.Counter, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: counterKey(year), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return domain.Counter{}, fmt.Errorf("store: read the %d numbering counter: %w", year, err)
	}
	c := domain.Counter{Year: year}
	if out.Item == nil {
		return c, nil
	}
	var it counterItem
	if err := unmarshal(out.Item, &it); err != nil {
		return c, err
	}
	c.Last, c.LastAt, c.Settled, c.SeenLast, c.SeenAt = it.Last, it.LastAt, it.Settled, it.SeenLast, it.SeenAt
	c.DayKey, c.DayCount = it.DayKey, it.DayCount
	return c, nil
}

// Lines returns year's register lines from number from to number to, in order.
func (r Register) Lines(ctx context.Context, year, from, to int) ([]domain.RegisterLine, error) {
	var out []domain.RegisterLine
	q := query{pk: registerPK(year), sk: skCond{op: "between", a: registerSK(from), b: registerSK(to)}, limit: 500}
	for {
		p, err := page[domain.RegisterLine](ctx, r.t, q)
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

// Checked records a register check of year at now: every number up to
// settled has its line, and the counter stood at seenLast. settled only
// moves forward.
func (r Register) Checked(ctx context.Context, year, settled, seenLast int, now time.Time) error {
	_, err := r.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(r.t.name), Key: counterKey(year),
		UpdateExpression:          aws.String("SET #s = :s, #sl = :sl, #sa = :sa"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(#s) OR #s <= :s)"),
		ExpressionAttributeNames:  map[string]string{"#s": "settled", "#sl": "seenLast", "#sa": "seenAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": num(settled), ":sl": num(seenLast), ":sa": str(now.UTC().Format(time.RFC3339Nano))},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // a check running beside this one got further
	}
	if err != nil {
		return fmt.Errorf("store: record the %d register check: %w", year, err)
	}
	return nil
}

// Voids lists year's void records, in number order.
func (r Register) Voids(ctx context.Context, year int, limit int32, cursor string) (domain.Page[domain.RegisterLine], error) {
	return page[domain.RegisterLine](ctx, r.t, query{index: "GSI1", pk: "CMPVOID#" + strconv.Itoa(year), limit: limit, cursor: cursor})
}
