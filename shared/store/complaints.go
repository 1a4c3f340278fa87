package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Complaints are the complaint record cards (投诉记录卡), their numbering
// and the idempotency keys of submissions.
type Complaints struct{ t *table }

const skCard = "CARD"

func complaintPK(number string) string { return "CMP#" + number }

func complaintItem(c *domain.Complaint) (map[string]types.AttributeValue, error) {
	at := c.ReceivedAt.UTC().Format(time.RFC3339Nano) + "#" + c.Number
	keys := map[string]string{
		attrPK: complaintPK(c.Number), attrSK: skCard, "type": "complaint",
		"GSI3PK": "CMPMONTH#" + c.ReceivedAt.In(c.SLA.Location()).Format("2006-01"), "GSI3SK": at,
	}
	if c.CustomerID != "" {
		keys["GSI1PK"], keys["GSI1SK"] = "CUSTCMP#"+c.CustomerID, at
	}
	if next, ok := c.NextDeadline(); ok { // open complaints by their next deadline; overdue = before now
		keys["GSI2PK"], keys["GSI2SK"] = "OPEN", next.Due.UTC().Format(time.RFC3339Nano)+"#"+c.Number
	}
	if c.Department != "" {
		keys["GSI4PK"], keys["GSI4SK"] = "CMPDEPT#"+c.Department, at
	}
	return marshal(c, keys)
}

// Submit numbers and stores a new complaint: it reads the year's sequence
// and the idempotency key in one BatchGetItem, then writes the next
// sequence value, the complaint and the key in one transaction, so the
// numbers are gap-free and unique even under concurrent submissions (a lost
// race retries). A key seen within domain.IdempotencyWindow returns the first
// submission's receipt; the same key with another fingerprint is
// domain.ErrIdempotencyMismatch. c gets its Number, Year and Seq.
// mails, when not nil, gives the mail jobs of the numbered complaint
// (its acknowledgement): they are written in the same transaction.
func (r *Complaints) Submit(ctx context.Context, c *domain.Complaint, idemKey, fingerprint string,
	mails func(c *domain.Complaint) ([]domain.PendingMail, error)) (domain.Receipt, error) {
	s := r.t
	loc := c.SLA.Location()
	year := domain.NumberYear(c.ReceivedAt, loc)
	seqKey := key("SEQ#CMP#"+strconv.Itoa(year), "SEQ")
	var idemItemKey map[string]types.AttributeValue
	if idemKey != "" {
		idemItemKey = key("IDEM#"+idemKey, "IDEM")
	}
	trips, throttled := 0, 0
	idemExpired := false
	last := -2 // unknown: read it (and the idempotency key) first
	for attempt := 0; ; attempt++ {
		if attempt >= maxSubmitAttempts {
			return domain.Receipt{}, fmt.Errorf("store: submit complaint: gave up after %d attempts", attempt)
		}
		if last == -2 {
			keys := []map[string]types.AttributeValue{seqKey}
			if idemItemKey != nil {
				keys = append(keys, idemItemKey)
			}
			got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				s.name: {Keys: keys, ConsistentRead: aws.Bool(true)},
			}})
			trips++
			if err != nil {
				return domain.Receipt{}, fmt.Errorf("store: submit: read sequence: %w", err)
			}
			if len(got.UnprocessedKeys) > 0 {
				// The table is throttling: wait, more each time, and give up
				// after a few tries rather than hammer it.
				if throttled++; throttled > maxThrottledReads {
					return domain.Receipt{}, fmt.Errorf("store: submit: the sequence could not be read (throttled %d times)", maxThrottledReads)
				}
				sleepBackoff(ctx, throttled)
				continue
			}
			last = -1 // no sequence item yet
			for _, it := range got.Responses[s.name] {
				if it[attrPK].(*types.AttributeValueMemberS).Value == "SEQ#CMP#"+strconv.Itoa(year) {
					last = seqValue(it)
					continue
				}
				var prev domain.Receipt
				if err := unmarshal(it, &prev); err != nil {
					return domain.Receipt{}, err
				}
				if !c.ReceivedAt.Before(prev.ReceivedAt.Add(domain.IdempotencyWindow)) {
					idemExpired = true // older than 24 h: TTL deletion lags; the key is free again
					continue
				}
				if prev.Fingerprint != fingerprint {
					return domain.Receipt{}, domain.ErrIdempotencyMismatch
				}
				prev.Replayed, prev.RoundTrips = true, trips
				return prev, nil
			}
		}
		n := max(last, 0) + 1
		c.Year, c.Seq, c.Number = year, n, domain.FormatNumber(c.ReceivedAt, loc, n)
		item, err := complaintItem(c)
		if err != nil {
			return domain.Receipt{}, err
		}
		out := domain.Receipt{Number: c.Number, TrackingNonce: c.TrackingNonce, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue,
			CloseDue: c.Deadlines.CloseDue, Fingerprint: fingerprint}
		seqUpdate := &types.Update{TableName: aws.String(s.name), Key: seqKey,
			UpdateExpression:                    aws.String("SET #last = :n"),
			ExpressionAttributeNames:            map[string]string{"#last": "last"},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":n": num(n)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}
		if last < 0 {
			seqUpdate.ConditionExpression = aws.String("attribute_not_exists(PK)")
		} else {
			seqUpdate.ConditionExpression = aws.String("#last = :last")
			seqUpdate.ExpressionAttributeValues[":last"] = num(last)
		}
		tx := []types.TransactWriteItem{
			{Update: seqUpdate},
			{Put: &types.Put{TableName: aws.String(s.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}
		if idemItemKey != nil {
			idem, err := marshal(out, map[string]string{attrPK: "IDEM#" + idemKey, attrSK: "IDEM", "type": "idempotency"})
			if err != nil {
				return domain.Receipt{}, err
			}
			idem[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Add(domain.IdempotencyWindow).Unix(), 10)}
			idemPut := &types.Put{TableName: aws.String(s.name), Item: idem, ConditionExpression: aws.String("attribute_not_exists(PK)")}
			if idemExpired {
				idemPut.ConditionExpression = aws.String("attribute_not_exists(PK) OR #exp < :now")
				idemPut.ExpressionAttributeNames = map[string]string{"#exp": attrTTL}
				idemPut.ExpressionAttributeValues = map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Unix()+1, 10)}}
			}
			tx = append(tx, types.TransactWriteItem{Put: idemPut})
		}
		if mails != nil {
			jobs, err := mails(c)
			if err != nil {
				return domain.Receipt{}, err
			}
			puts, err := s.mailPuts(jobs)
			if err != nil {
				return domain.Receipt{}, err
			}
			tx = append(tx, puts...)
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		trips++
		if err == nil {
			out.RoundTrips = trips
			return out, nil
		}
		if attempt+1 >= maxSubmitAttempts {
			return domain.Receipt{}, fmt.Errorf("store: submit complaint: gave up after %d attempts: %w", attempt+1, err)
		}
		var tce *types.TransactionCanceledException
		switch {
		case errors.As(err, &tce) && len(tce.CancellationReasons) > 0 && aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed":
			// Another submission took number n: the failed condition tells
			// the sequence's current value, so try the next one at once.
			if it := tce.CancellationReasons[0].Item; it != nil {
				last = seqValue(it)
			} else {
				last = -2
			}
		case conditionFailedAt(err, 1):
			return domain.Receipt{}, fmt.Errorf("store: complaint %s exists although the sequence was at %d: %w", c.Number, last, domain.ErrConflict)
		case conditionFailedAt(err, 2):
			last = -2 // the same key was just used: read it
		case IsTransactionConflict(err):
			// Another submission is writing the sequence now. Keep the
			// value we have: if it moved, the next attempt's failed
			// condition returns the new one. Back off a little, more as
			// contention persists.
			time.Sleep(time.Duration(rand.IntN(1<<min(attempt, 6))) * time.Millisecond)
		default:
			return domain.Receipt{}, fmt.Errorf("store: submit complaint: %w", err)
		}
	}
}

// Limits of a submission's retries: lost races on the sequence (each
// costs one round trip) and reads the table did not process.
const (
	maxSubmitAttempts = 200
	maxThrottledReads = 6
)

// sleepBackoff waits before retry n (1, 2, …): a random time up to
// 10 ms·2ⁿ⁻¹, at most 1 s (exponential backoff with full jitter), or until
// ctx ends.
func sleepBackoff(ctx context.Context, n int) {
	ceiling := min(10*time.Millisecond<<min(n-1, 10), time.Second)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func seqValue(it map[string]types.AttributeValue) int {
	if v, ok := it["last"].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.Atoi(v.Value)
		return n
	}
	return 0
}

// Get reads a complaint by its number.
func (r *Complaints) Get(ctx context.Context, number string) (*domain.Complaint, error) {
	return get[domain.Complaint](ctx, r.t, complaintPK(number), skCard, "complaint "+number)
}

// Put creates a complaint that already has its number (tests, imports). It
// does not advance the year's sequence.
func (r *Complaints) Put(ctx context.Context, c *domain.Complaint) error {
	item, err := complaintItem(c)
	if err != nil {
		return err
	}
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil {
		return fmt.Errorf("store: put complaint: %w", err)
	}
	return nil
}

// SaveStep writes a complaint after a workflow step, if nobody else changed
// it since expectedVersion (else domain.ErrConflict), with the mail jobs the
// step sends in the same transaction.
func (r *Complaints) SaveStep(ctx context.Context, c *domain.Complaint, expectedVersion int, mails []domain.PendingMail) error {
	item, err := complaintItem(c)
	if err != nil {
		return err
	}
	put := &types.Put{
		TableName: aws.String(r.t.name), Item: item,
		ConditionExpression:       aws.String("attribute_exists(PK) AND #v = :v"),
		ExpressionAttributeNames:  map[string]string{"#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(expectedVersion)},
	}
	if len(mails) == 0 {
		_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
	} else {
		var puts []types.TransactWriteItem
		if puts, err = r.t.mailPuts(mails); err != nil {
			return err
		}
		_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{{Put: put}}, puts...)})
		if conditionFailedAt(err, 0) {
			err = &types.ConditionalCheckFailedException{}
		}
	}
	if conditionFailed(err) {
		return fmt.Errorf("store: complaint %s changed since version %d: %w", c.Number, expectedVersion, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: save complaint: %w", err)
	}
	return nil
}

// List returns a page of complaints.
func (r *Complaints) List(ctx context.Context, q domain.ComplaintQuery) (domain.Page[domain.Complaint], error) {
	f := &filterExpr{}
	if q.Status != "" {
		f.eq("status", string(q.Status))
	}
	qq := query{limit: q.Limit, cursor: q.Cursor, newestFirst: true, filter: f}
	switch {
	case q.Overdue:
		qq.index, qq.pk, qq.sk, qq.newestFirst = "GSI2", "OPEN", skCond{op: "<", a: q.Now.UTC().Format(time.RFC3339Nano)}, false
		if q.Department != "" {
			f.eq("department", q.Department)
		}
		if q.Customer != "" {
			f.eq("customerId", q.Customer)
		}
	case q.Customer != "":
		qq.index, qq.pk = "GSI1", "CUSTCMP#"+q.Customer
		if q.Department != "" {
			f.eq("department", q.Department)
		}
	case q.Department != "":
		qq.index, qq.pk = "GSI4", "CMPDEPT#"+q.Department
	case q.Month != "":
		qq.index, qq.pk = "GSI3", "CMPMONTH#"+q.Month
	default:
		qq.index, qq.pk, qq.newestFirst = "GSI2", "OPEN", false
	}
	if qq.limit <= 0 || qq.limit > 100 {
		qq.limit = 50
	}
	return page[domain.Complaint](ctx, r.t, qq)
}
