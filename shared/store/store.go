package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store is keycare's table. Each kind of record has its repository (one
// file each): Customers, Complaints, Surveys, FollowUps, Visits, Handovers,
// Audit, Mail, Notices, Settings, Staff, Sessions, Leases, Contracts and Reports.
type Store struct{ t *table }

// New returns the store on table name, through db.
func New(db DB, name string) *Store { return &Store{t: &table{db: db, name: name}} }

// Table is the table name.
func (s *Store) Table() string { return s.t.name }

// Customers are the key-account files.
func (s *Store) Customers() *Customers { return &Customers{s.t} }

// Complaints are the complaint record cards and their numbering.
func (s *Store) Complaints() *Complaints { return &Complaints{s.t} }

// Register is the complaint register: numbering counters, lines and voids.
func (s *Store) Register() Register { return Register{s.t} }

// Surveys are invitations, answers and their aggregates.
func (s *Store) Surveys() *Surveys { return &Surveys{s.t} }

// FollowUps are the callbacks managers owe.
func (s *Store) FollowUps() *FollowUps { return &FollowUps{s.t} }

// Visits are visit plans, visits and reports, customer events, relationship
// plans and each account's last reported visit.
func (s *Store) Visits() *Visits { return &Visits{s.t} }

// Handovers are handover jobs (交接).
func (s *Store) Handovers() *Handovers { return &Handovers{s.t} }

// Audit is the access record (查阅登记).
func (s *Store) Audit() *Audit { return &Audit{s.t} }

// Mail is the mailer's record of sent mail and the mail kept when the queue
// could not take it.
func (s *Store) Mail() *Mail { return &Mail{s.t} }

// Notices records which notices went out, so each goes once.
func (s *Store) Notices() *Notices { return &Notices{s.t} }

// Settings is the versioned settings record.
func (s *Store) Settings() *Settings { return &Settings{s.t} }

// Config is what the stack learns about itself while it runs.
func (s *Store) Config() *Config { return &Config{s.t} }

// Limits are the public form's per-client counters and marks.
func (s *Store) Limits() *Limits { return &Limits{s.t} }

// Keys is the stack's secret key and the keys derived from it.
func (s *Store) Keys() *Keys { return &Keys{s.t} }

// Staff is the staff directory.
func (s *Store) Staff() *Staff { return &Staff{s.t} }

// Contracts are the accounts' contracts and monthly business volume.
func (s *Store) Contracts() *Contracts { return &Contracts{s.t} }

// Reports are the monthly report snapshots and their trend points.
func (s *Store) Reports() *Reports { return &Reports{s.t} }

// Sessions are the staff console's sessions.
func (s *Store) Sessions() *Sessions { return &Sessions{s.t} }

// table is what every repository shares: the client, the table name and the
// helpers that turn records into items and pages.
type table struct {
	db   DB
	name string

	keyMu  sync.Mutex
	master []byte // the stack key (keys.go), read once
}

// Attribute names of the table's keys (template.yaml declares the same).
const (
	attrPK  = "PK"
	attrSK  = "SK"
	attrTTL = "expiresAt"
)

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str(sk)}
}

func jsonTags(o *attributevalue.EncoderOptions)    { o.TagKey = "json" }
func jsonTagsDec(o *attributevalue.DecoderOptions) { o.TagKey = "json" }

// marshal turns a record into an item and adds the given key attributes.
func marshal(v any, keys map[string]string) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, jsonTags)
	if err != nil {
		return nil, fmt.Errorf("store: marshal %T: %w", v, err)
	}
	for k, val := range keys {
		item[k] = str(val)
	}
	return item, nil
}

func unmarshal(item map[string]types.AttributeValue, v any) error {
	if err := attributevalue.UnmarshalMapWithOptions(item, v, jsonTagsDec); err != nil {
		return fmt.Errorf("store: unmarshal %T: %w", v, err)
	}
	return nil
}

// NewID returns a random, URL-safe id with the given prefix (80 bits).
func NewID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// get reads the item pk/sk into a T; a missing item is domain.ErrNotFound
// (what names the record in the error).
func get[T any](ctx context.Context, t *table, pk, sk, what string) (*T, error) {
	out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: key(pk, sk)})
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", what, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: %s: %w", what, domain.ErrNotFound)
	}
	var v T
	if err := unmarshal(out.Item, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// query is one Query: a partition of the table (index "") or a GSI, an
// optional sort-key condition and filter, a page size and a cursor.
type query struct {
	index       string
	pk          string
	sk          skCond
	limit       int32
	cursor      string
	newestFirst bool
	filter      *filterExpr
}

// skCond is a condition on the sort key: op is "" (none), "<", "begins"
// or "between" (a..b inclusive).
type skCond struct {
	op   string
	a, b string
}

// items runs one page of q and returns the raw items and the next cursor.
func (t *table) items(ctx context.Context, q query) ([]map[string]types.AttributeValue, string, error) {
	pkAttr, skAttr := attrPK, attrSK
	if q.index != "" {
		pkAttr, skAttr = q.index+"PK", q.index+"SK"
	}
	start, err := t.openCursor(ctx, q.index, q.pk, q.cursor)
	if err != nil {
		return nil, "", err
	}
	names := map[string]string{"#pk": pkAttr}
	values := map[string]types.AttributeValue{":pk": str(q.pk)}
	cond := "#pk = :pk"
	switch q.sk.op {
	case "":
	case "<":
		names["#sk"], values[":sk"] = skAttr, str(q.sk.a)
		cond += " AND #sk < :sk"
	case "begins":
		names["#sk"], values[":sk"] = skAttr, str(q.sk.a)
		cond += " AND begins_with(#sk, :sk)"
	case "between":
		names["#sk"], values[":sk"], values[":sk2"] = skAttr, str(q.sk.a), str(q.sk.b)
		cond += " AND #sk BETWEEN :sk AND :sk2"
	default:
		return nil, "", fmt.Errorf("store: unknown sort-key condition %q", q.sk.op)
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(t.name),
		KeyConditionExpression: aws.String(cond),
		ExclusiveStartKey:      start,
		ScanIndexForward:       aws.Bool(!q.newestFirst),
	}
	if q.limit > 0 {
		in.Limit = aws.Int32(q.limit)
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	}
	if f := q.filter; f != nil && f.expr != "" {
		in.FilterExpression = aws.String(f.expr)
		for k, v := range f.names {
			names[k] = v
		}
		for k, v := range f.values {
			values[k] = v
		}
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = names, values
	out, err := t.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("store: query %s %s: %w", q.index, q.pk, err)
	}
	next, err := t.sealCursor(ctx, q.index, q.pk, out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return out.Items, next, nil
}

// page runs one page of q and decodes its items as T.
func page[T any](ctx context.Context, t *table, q query) (domain.Page[T], error) {
	items, next, err := t.items(ctx, q)
	if err != nil {
		return domain.Page[T]{}, err
	}
	p := domain.Page[T]{Items: make([]T, 0, len(items)), NextCursor: next}
	for _, it := range items {
		var v T
		if err := unmarshal(it, &v); err != nil {
			return domain.Page[T]{}, err
		}
		p.Items = append(p.Items, v)
	}
	return p, nil
}

type filterExpr struct {
	expr   string
	names  map[string]string
	values map[string]types.AttributeValue
}

// eq adds "attr = value" to the filter (AND).
func (f *filterExpr) eq(attr, value string) {
	if f.names == nil {
		f.names, f.values = map[string]string{}, map[string]types.AttributeValue{}
	}
	n := fmt.Sprintf("#f%d", len(f.names))
	v := fmt.Sprintf(":f%d", len(f.values))
	f.names[n] = attr
	f.values[v] = str(value)
	if f.expr != "" {
		f.expr += " AND "
	}
	f.expr += n + " = " + v
}

// putVersioned writes item if the stored one is still at expectedVersion
// (0: there is none yet), with the audit entry, in one transaction; a stale
// version is domain.ErrConflict (what names the record).
func (t *table) putVersioned(ctx context.Context, item map[string]types.AttributeValue, expectedVersion int, audit domain.AuditEntry, what string) error {
	put := &types.Put{TableName: aws.String(t.name), Item: item}
	if expectedVersion == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("#v = :v")
		put.ExpressionAttributeNames = map[string]string{"#v": "version"}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(expectedVersion)}
	}
	auditPut, err := t.auditPut(audit, 0)
	if err != nil {
		return err
	}
	_, err = t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: put}, {Put: auditPut}}})
	if conditionFailedAt(err, 0) {
		return fmt.Errorf("store: %s changed since version %d: %w", what, expectedVersion, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put %s: %w", what, err)
	}
	return nil
}

// conditionFailedAt reports whether err is a cancelled transaction whose
// reason at index i (or any reason, with i < 0) is a failed condition.
func conditionFailedAt(err error, i int) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return false
	}
	for j, r := range tce.CancellationReasons {
		if (i < 0 || j == i) && aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return true
		}
	}
	return false
}

// conditionFailed reports whether a single write's condition failed.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// IsTransactionConflict reports whether err is a transaction that lost a
// race with another on the same item: worth retrying.
func IsTransactionConflict(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				return true
			}
		}
	}
	var tc *types.TransactionConflictException
	return errors.As(err, &tc)
}
