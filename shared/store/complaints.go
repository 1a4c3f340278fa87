package store

import (
	"context"
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
	} else if done := c.DoneAt(); done != nil { // closed or rejected: by the month it left the open states (reports)
		keys["GSI2PK"], keys["GSI2SK"] = "CMPDONE#"+done.In(c.SLA.Location()).Format("2006-01"), sortTime(c.ReceivedAt)+"#"+c.Number
	}
	if c.Department != "" {
		keys["GSI4PK"], keys["GSI4SK"] = "CMPDEPT#"+c.Department, at
	}
	return marshal(c, keys)
}

// Submit numbers and stores a new complaint. A key seen within
// domain.IdempotencyWindow returns the first submission's receipt (one
// consistent GetItem, left out when o.KeyRead says the caller made it); the
// same key with another fingerprint is domain.ErrIdempotencyMismatch.
// Otherwise the number is reserved from the year's atomic counter (an
// UpdateItem that never contends on a condition) and the register line,
// the card, the key and mails (when not nil, the mail jobs of the numbered
// complaint: its acknowledgement) are written in one transaction. A number
// the transaction cannot use is voided at once with its reason; one whose
// submission dies before it is voided by the hourly register check
// (Register). With o.Day the number is counted against the day's quota of
// web complaints in the write that takes it (domain.ErrQuotaFull, and no
// number, when full). c gets its Number, Year and Seq. At most one o.
func (r *Complaints) Submit(ctx context.Context, c *domain.Complaint, idemKey, fingerprint string,
	mails func(c *domain.Complaint) ([]domain.PendingMail, error), o ...domain.SubmitOptions) (domain.Receipt, error) {
	var opt domain.SubmitOptions
	if len(o) > 0 {
		opt = o[0]
	}
	s := r.t
	loc := c.SLA.Location()
	year := domain.NumberYear(c.ReceivedAt, loc)
	trips := 0
	if idemKey != "" && !opt.KeyRead {
		prev, err := r.Receipt(ctx, idemKey, c.ReceivedAt)
		trips++
		if err != nil {
			return domain.Receipt{}, err
		}
		if prev != nil {
			if prev.Fingerprint != fingerprint {
				return domain.Receipt{}, domain.ErrIdempotencyMismatch
			}
			prev.Replayed, prev.RoundTrips = true, trips
			return *prev, nil
		}
	}
	reg := Register{t: s}
	n := 0
	for attempt := 0; ; attempt++ {
		if attempt >= maxSubmitAttempts {
			return domain.Receipt{}, fmt.Errorf("store: submit complaint: gave up after %d attempts", attempt)
		}
		if n == 0 {
			var t int
			var err error
			n, t, err = reg.reserve(ctx, year, c.ReceivedAt, opt.Day)
			trips += t
			if err != nil {
				return domain.Receipt{}, err
			}
		}
		c.Year, c.Seq, c.Number = year, n, domain.FormatNumber(c.ReceivedAt, loc, n)
		item, err := complaintItem(c)
		if err != nil {
			return domain.Receipt{}, err
		}
		out := domain.Receipt{Number: c.Number, TrackingNonce: c.TrackingNonce, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue,
			CloseDue: c.Deadlines.CloseDue, Fingerprint: fingerprint}
		line, err := reg.linePut(domain.RegisterLine{Year: year, Seq: n, Number: c.Number, At: c.ReceivedAt.UTC()})
		if err != nil {
			return domain.Receipt{}, err
		}
		tx := []types.TransactWriteItem{
			{Put: line},
			{Put: &types.Put{TableName: aws.String(s.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}
		if idemKey != "" {
			idem, err := marshal(out, map[string]string{attrPK: "IDEM#" + idemKey, attrSK: "IDEM", "type": "idempotency"})
			if err != nil {
				return domain.Receipt{}, err
			}
			idem[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Add(domain.IdempotencyWindow).Unix(), 10)}
			// A key older than the window is free again, though TTL
			// deletion has not removed it yet.
			tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.name), Item: idem,
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR #exp <= :now"),
				ExpressionAttributeNames:  map[string]string{"#exp": attrTTL},
				ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Unix(), 10)}}}})
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
		switch {
		case err == nil:
			out.RoundTrips = trips
			return out, nil
		case conditionFailedAt(err, 0):
			// The register check voided n: this submission outlived
			// domain.SubmissionLimit. Take another number.
			n = 0
		case conditionFailedAt(err, 1):
			if _, verr := reg.Void(ctx, domain.VoidLine(year, n, nil, c.ReceivedAt, loc, domain.VoidTaken)); verr != nil {
				return domain.Receipt{}, verr
			}
			return domain.Receipt{}, fmt.Errorf("store: complaint %s exists already: %w", c.Number, domain.ErrConflict)
		case conditionFailedAt(err, 2):
			// The same key was used a moment ago by a submission running
			// beside this one: it holds its number; n is given up.
			prev, rerr := r.Receipt(ctx, idemKey, c.ReceivedAt)
			if rerr != nil {
				return domain.Receipt{}, rerr
			}
			if prev == nil { // it expired meanwhile: try again with the same number
				continue
			}
			v := domain.VoidLine(year, n, nil, c.ReceivedAt, loc, domain.VoidDuplicateOf(prev.Number))
			if _, err := reg.Void(ctx, v); err != nil {
				return domain.Receipt{}, err
			}
			if prev.Fingerprint != fingerprint {
				return domain.Receipt{}, domain.ErrIdempotencyMismatch
			}
			prev.Replayed, prev.RoundTrips = true, trips+2
			return *prev, nil
		case IsTransactionConflict(err):
			// Only a void or the same key can touch these items at once:
			// back off a little and write the same number again.
			sleepBackoff(ctx, min(attempt+1, 4))
		default:
			// The number stays reserved without a line: the register
			// check voids it (domain.VoidAbandoned).
			return domain.Receipt{}, fmt.Errorf("store: submit complaint %s: %w", c.Number, err)
		}
	}
}

// Receipt reads the receipt idempotency key idemKey keeps from a
// submission made within domain.IdempotencyWindow before at, or nil (an
// older one, which TTL deletion has not removed yet, is expired: the key is
// free again).
func (r *Complaints) Receipt(ctx context.Context, idemKey string, at time.Time) (*domain.Receipt, error) {
	got, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: key("IDEM#"+idemKey, "IDEM"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("store: submit: read idempotency key: %w", err)
	}
	if got.Item == nil {
		return nil, nil
	}
	var rec domain.Receipt
	if err := unmarshal(got.Item, &rec); err != nil {
		return nil, err
	}
	if !at.Before(rec.ReceivedAt.Add(domain.IdempotencyWindow)) {
		return nil, nil
	}
	return &rec, nil
}

// A submission's attempts: a voided number or a key race each cost one.
const maxSubmitAttempts = 20

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
