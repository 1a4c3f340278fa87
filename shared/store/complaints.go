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

const skCard = "CARD"

func complaintPK(number string) string { return "CMP#" + number }

// ErrIdempotencyMismatch means an idempotency key came back with other content.
var ErrIdempotencyMismatch = errors.New("idempotency key reused with different content")

// IdempotencyTTL is how long a submission's key is remembered.
const IdempotencyTTL = 24 * time.Hour

func complaintItem(c *domain.Complaint) (map[string]types.AttributeValue, error) {
	at := c.ReceivedAt.UTC().Format(time.RFC3339Nano) + "#" + c.Number
	keys := map[string]string{
		attrPK: complaintPK(c.Number), attrSK: skCard, "type": "complaint",
		"GSI3PK": "CMPMONTH#" + c.ReceivedAt.In(c.SLA.Location()).Format("2006-01"), "GSI3SK": at,
	}
	if c.CustomerID != "" {
		keys["GSI1PK"], keys["GSI1SK"] = "CUSTCMP#"+c.CustomerID, at
	}
	if c.Status.Open() {
		keys["GSI2PK"], keys["GSI2SK"] = "OPEN", c.Deadlines.CloseDue.UTC().Format(time.RFC3339Nano)+"#"+c.Number
	}
	if c.Department != "" {
		keys["GSI4PK"], keys["GSI4SK"] = "CMPDEPT#"+c.Department, at
	}
	return marshal(c, keys)
}

// Submission is a new complaint to number and store.
type Submission struct {
	Complaint      *domain.Complaint // Number, Year and Seq are set by SubmitComplaint
	IdempotencyKey string            // optional
	Fingerprint    string            // of the submitted content, to detect a key reused for other content
	Token          string            // tracking token, returned again on a replay within 24 h
}

// Submitted is the outcome of a submission.
type Submitted struct {
	Number           string    `json:"number" dynamodbav:"number"`
	Token            string    `json:"token"`
	ReceivedAt       time.Time `json:"receivedAt"`
	FirstResponseDue time.Time `json:"firstResponseDue"`
	CloseDue         time.Time `json:"closeDue"`
	Fingerprint      string    `json:"fingerprint"`
	Replayed         bool      `json:"-"`
	RoundTrips       int       `json:"-"`
}

// SubmitComplaint numbers and stores a new complaint: it reads the year's
// sequence and the idempotency key in one BatchGetItem, then writes the
// next sequence value, the complaint and the key in one transaction, so the
// numbers are gap-free and unique even under concurrent submissions (a lost
// race retries). A key seen before returns the first submission.
func (s *Store) SubmitComplaint(ctx context.Context, sub Submission) (Submitted, error) {
	c := sub.Complaint
	loc := c.SLA.Location()
	year := domain.NumberYear(c.ReceivedAt, loc)
	seqKey := key("SEQ#CMP#"+strconv.Itoa(year), "SEQ")
	var idemKey map[string]types.AttributeValue
	if sub.IdempotencyKey != "" {
		idemKey = key("IDEM#"+sub.IdempotencyKey, "IDEM")
	}
	trips := 0
	idemExpired := false
	last := -2 // unknown: read it (and the idempotency key) first
	for attempt := 0; ; attempt++ {
		if last == -2 {
			keys := []map[string]types.AttributeValue{seqKey}
			if idemKey != nil {
				keys = append(keys, idemKey)
			}
			got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				s.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
			}})
			trips++
			if err != nil {
				return Submitted{}, fmt.Errorf("store: submit: read sequence: %w", err)
			}
			if len(got.UnprocessedKeys) > 0 {
				continue
			}
			last = -1 // no sequence item yet
			for _, it := range got.Responses[s.table] {
				if it[attrPK].(*types.AttributeValueMemberS).Value == "SEQ#CMP#"+strconv.Itoa(year) {
					last = seqValue(it)
					continue
				}
				var prev Submitted
				if err := unmarshal(it, &prev); err != nil {
					return Submitted{}, err
				}
				if !c.ReceivedAt.Before(prev.ReceivedAt.Add(IdempotencyTTL)) {
					idemExpired = true // older than 24 h: TTL deletion lags; the key is free again
					continue
				}
				if prev.Fingerprint != sub.Fingerprint {
					return Submitted{}, ErrIdempotencyMismatch
				}
				prev.Replayed, prev.RoundTrips = true, trips
				return prev, nil
			}
		}
		n := max(last, 0) + 1
		c.Year, c.Seq, c.Number = year, n, domain.FormatNumber(c.ReceivedAt, loc, n)
		item, err := complaintItem(c)
		if err != nil {
			return Submitted{}, err
		}
		out := Submitted{Number: c.Number, Token: sub.Token, ReceivedAt: c.ReceivedAt, FirstResponseDue: c.Deadlines.FirstResponseDue,
			CloseDue: c.Deadlines.CloseDue, Fingerprint: sub.Fingerprint}
		seqUpdate := &types.Update{TableName: aws.String(s.table), Key: seqKey,
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
			{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}
		if idemKey != nil {
			idem, err := marshal(out, map[string]string{attrPK: "IDEM#" + sub.IdempotencyKey, attrSK: "IDEM", "type": "idempotency"})
			if err != nil {
				return Submitted{}, err
			}
			idem[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Add(IdempotencyTTL).Unix(), 10)}
			idemPut := &types.Put{TableName: aws.String(s.table), Item: idem, ConditionExpression: aws.String("attribute_not_exists(PK)")}
			if idemExpired {
				idemPut.ConditionExpression = aws.String("attribute_not_exists(PK) OR #exp < :now")
				idemPut.ExpressionAttributeNames = map[string]string{"#exp": attrTTL}
				idemPut.ExpressionAttributeValues = map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ReceivedAt.Unix()+1, 10)}}
			}
			tx = append(tx, types.TransactWriteItem{Put: idemPut})
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		trips++
		if err == nil {
			out.RoundTrips = trips
			return out, nil
		}
		if attempt >= 200 {
			return Submitted{}, fmt.Errorf("store: submit complaint: gave up after %d attempts: %w", attempt, err)
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
			return Submitted{}, fmt.Errorf("store: complaint %s exists although the sequence was at %d: %w", c.Number, last, domain.ErrConflict)
		case conditionFailedAt(err, 2):
			last = -2 // the same key was just used: read it
		case isTransactionConflict(err):
			// Another submission is writing the sequence now. Keep the
			// value we have: if it moved, the next attempt's failed
			// condition returns the new one. Back off a little, more as
			// contention persists.
			time.Sleep(time.Duration(rand.IntN(1<<min(attempt, 6))) * time.Millisecond)
		default:
			return Submitted{}, fmt.Errorf("store: submit complaint: %w", err)
		}
	}
}

func seqValue(it map[string]types.AttributeValue) int {
	if v, ok := it["last"].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.Atoi(v.Value)
		return n
	}
	return 0
}

// GetComplaint reads a complaint by its number.
func (s *Store) GetComplaint(ctx context.Context, number string) (*domain.Complaint, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(complaintPK(number), skCard)})
	if err != nil {
		return nil, fmt.Errorf("store: get complaint: %w", err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: complaint %s: %w", number, domain.ErrNotFound)
	}
	var c domain.Complaint
	if err := unmarshal(out.Item, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// PutComplaint creates a complaint that already has its number (tests,
// imports). It does not advance the year's sequence.
func (s *Store) PutComplaint(ctx context.Context, c *domain.Complaint) error {
	item, err := complaintItem(c)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil {
		return fmt.Errorf("store: put complaint: %w", err)
	}
	return nil
}

// SaveComplaintStep writes a complaint after a workflow step, if nobody
// else changed it since expectedVersion (else ErrConflict).
func (s *Store) SaveComplaintStep(ctx context.Context, c *domain.Complaint, expectedVersion int) error {
	item, err := complaintItem(c)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String("attribute_exists(PK) AND #v = :v"),
		ExpressionAttributeNames:  map[string]string{"#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(expectedVersion)},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("store: complaint %s changed since version %d: %w", c.Number, expectedVersion, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: save complaint: %w", err)
	}
	return nil
}

// ComplaintQuery selects complaints; the first of Overdue, Customer,
// Department, Month picks the index, open ones by due time otherwise.
type ComplaintQuery struct {
	Customer   string
	Department string
	Month      string // YYYY-MM
	Status     domain.ComplaintStatus
	Overdue    bool
	Now        time.Time // for Overdue
	Limit      int32
	Cursor     string
}

// ListComplaints returns a page of complaints.
func (s *Store) ListComplaints(ctx context.Context, q ComplaintQuery) (Page[domain.Complaint], error) {
	f := &filterExpr{}
	if q.Status != "" {
		f.eq("status", string(q.Status))
	}
	var index, pk, before string
	newest := true
	switch {
	case q.Overdue:
		index, pk, before, newest = "GSI2", "OPEN", "<"+q.Now.UTC().Format(time.RFC3339Nano), false
		if q.Department != "" {
			f.eq("department", q.Department)
		}
		if q.Customer != "" {
			f.eq("customerId", q.Customer)
		}
	case q.Customer != "":
		index, pk = "GSI1", "CUSTCMP#"+q.Customer
		if q.Department != "" {
			f.eq("department", q.Department)
		}
	case q.Department != "":
		index, pk = "GSI4", "CMPDEPT#"+q.Department
	case q.Month != "":
		index, pk = "GSI3", "CMPMONTH#"+q.Month
	default:
		index, pk, newest = "GSI2", "OPEN", false
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 50
	}
	items, next, err := s.queryRange(ctx, index, pk, before, q.Limit, q.Cursor, newest, f)
	if err != nil {
		return Page[domain.Complaint]{}, err
	}
	page := Page[domain.Complaint]{Items: make([]domain.Complaint, 0, len(items)), NextCursor: next}
	for _, it := range items {
		var c domain.Complaint
		if err := unmarshal(it, &c); err != nil {
			return Page[domain.Complaint]{}, err
		}
		page.Items = append(page.Items, c)
	}
	return page, nil
}

// RecordReminder notes that reminder key of a complaint is being sent. It
// returns false when it was already recorded: each reminder goes once.
func (s *Store) RecordReminder(ctx context.Context, number, reminderKey string, at time.Time) (bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{attrPK: str(complaintPK(number)), attrSK: str("REMINDER#" + reminderKey),
			"type": str("reminder"), "at": str(at.UTC().Format(time.RFC3339))},
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: record reminder: %w", err)
	}
	return true, nil
}

// ForgetReminder removes a reminder record whose email could not be queued,
// so that the next run sends it.
func (s *Store) ForgetReminder(ctx context.Context, number, reminderKey string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key(complaintPK(number), "REMINDER#"+reminderKey)})
	if err != nil {
		return fmt.Errorf("store: forget reminder: %w", err)
	}
	return nil
}

// Reminders lists the reminder keys recorded for a complaint.
func (s *Store) Reminders(ctx context.Context, number string) ([]string, error) {
	items, _, err := s.query(ctx, "", complaintPK(number), 100, "", false, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		sk := it[attrSK].(*types.AttributeValueMemberS).Value
		if len(sk) > 9 && sk[:9] == "REMINDER#" {
			out = append(out, sk[9:])
		}
	}
	return out, nil
}

// MailSent reports whether the mailer already sent message id.
func (s *Store) MailSent(ctx context.Context, id string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key("MAILSENT#"+id, "MAIL")})
	if err != nil {
		return false, fmt.Errorf("store: mail sent: %w", err)
	}
	return out.Item != nil, nil
}

// MarkMailSent records that message id was sent (kept 7 days).
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: map[string]types.AttributeValue{
		attrPK: str("MAILSENT#" + id), attrSK: str("MAIL"), "type": str("mail-sent"),
		attrTTL: &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(7*24*time.Hour).Unix(), 10)},
	}})
	if err != nil {
		return fmt.Errorf("store: mark mail sent: %w", err)
	}
	return nil
}

// PendingMail is a message that could not be put on the mail queue, kept
// as the JSON the queue would have carried; the escalation run queues it again.
type PendingMail struct {
	ID      string `json:"id"`
	Payload string `json:"payload"`
}

// SavePendingMail keeps a message that could not be queued.
func (s *Store) SavePendingMail(ctx context.Context, p PendingMail, at time.Time) error {
	item, err := marshal(p, map[string]string{attrPK: "MAILPENDING#" + p.ID, attrSK: "MAIL", "type": "mail-pending",
		"GSI1PK": "MAILPENDING", "GSI1SK": at.UTC().Format(time.RFC3339Nano) + "#" + p.ID})
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("store: save pending mail: %w", err)
	}
	return nil
}

// ListPendingMail lists messages waiting to be queued again, oldest first.
func (s *Store) ListPendingMail(ctx context.Context, limit int32) ([]PendingMail, error) {
	items, _, err := s.query(ctx, "GSI1", "MAILPENDING", limit, "", false, nil)
	if err != nil {
		return nil, err
	}
	out := make([]PendingMail, 0, len(items))
	for _, it := range items {
		var p PendingMail
		if err := unmarshal(it, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// DeletePendingMail removes a message once it is queued.
func (s *Store) DeletePendingMail(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key("MAILPENDING#"+id, "MAIL")})
	if err != nil {
		return fmt.Errorf("store: delete pending mail: %w", err)
	}
	return nil
}
