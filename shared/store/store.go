package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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

// Store reads and writes keycare's records in one table.
type Store struct {
	db    DB
	table string
}

// New returns a Store on table.
func New(db DB, table string) *Store { return &Store{db: db, table: table} }

// Table is the table name.
func (s *Store) Table() string { return s.table }

// Attribute names of the table's keys (template.yaml declares the same).
const (
	attrPK  = "PK"
	attrSK  = "SK"
	attrTTL = "expiresAt"
)

// ErrBadCursor means a pagination cursor was not one this store issued.
var ErrBadCursor = errors.New("invalid cursor")

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

// Page is one page of a listing.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// cursorKeys are the only attribute names a cursor may carry.
var cursorKeys = map[string]bool{
	"PK": true, "SK": true, "GSI1PK": true, "GSI1SK": true, "GSI2PK": true, "GSI2SK": true,
	"GSI3PK": true, "GSI3SK": true, "GSI4PK": true, "GSI4SK": true,
}

func encodeCursor(lek map[string]types.AttributeValue) string {
	if len(lek) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range lek {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor and checks that it belongs to the partition
// being listed, so a cursor cannot be used to read another partition.
func decodeCursor(c, pkAttr, pkValue string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	if len(c) > 2048 {
		return nil, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, ErrBadCursor
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 || len(m) > 4 {
		return nil, ErrBadCursor
	}
	if m[pkAttr] != pkValue {
		return nil, ErrBadCursor
	}
	out := map[string]types.AttributeValue{}
	for k, v := range m {
		if !cursorKeys[k] || v == "" {
			return nil, ErrBadCursor
		}
		out[k] = str(v)
	}
	if _, ok := out[attrPK]; !ok {
		return nil, ErrBadCursor
	}
	if _, ok := out[attrSK]; !ok {
		return nil, ErrBadCursor
	}
	return out, nil
}

// query runs one page of a Query on the table (index "") or a GSI.
func (s *Store) query(ctx context.Context, index, pkValue string, limit int32, cursor string, newestFirst bool, filter *filterExpr) ([]map[string]types.AttributeValue, string, error) {
	return s.queryRange(ctx, index, pkValue, "", limit, cursor, newestFirst, filter)
}

// queryRange is query with an optional condition on the sort key:
// "<value" (before) or "^value" (begins with).
func (s *Store) queryRange(ctx context.Context, index, pkValue, skCond string, limit int32, cursor string, newestFirst bool, filter *filterExpr) ([]map[string]types.AttributeValue, string, error) {
	pkAttr := attrPK
	if index != "" {
		pkAttr = index + "PK"
	}
	start, err := decodeCursor(cursor, pkAttr, pkValue)
	if err != nil {
		return nil, "", err
	}
	names := map[string]string{"#pk": pkAttr}
	values := map[string]types.AttributeValue{":pk": str(pkValue)}
	cond := "#pk = :pk"
	if skCond != "" {
		skAttr := attrSK
		if index != "" {
			skAttr = index + "SK"
		}
		names["#sk"], values[":sk"] = skAttr, str(skCond[1:])
		if skCond[0] == '^' {
			cond += " AND begins_with(#sk, :sk)"
		} else {
			cond += " AND #sk < :sk"
		}
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String(cond),
		ExclusiveStartKey:      start,
		Limit:                  aws.Int32(limit),
		ScanIndexForward:       aws.Bool(!newestFirst),
	}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	if filter != nil && filter.expr != "" {
		in.FilterExpression = aws.String(filter.expr)
		for k, v := range filter.names {
			names[k] = v
		}
		for k, v := range filter.values {
			values[k] = v
		}
	}
	in.ExpressionAttributeNames = names
	in.ExpressionAttributeValues = values
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("store: query %s %s: %w", index, pkValue, err)
	}
	return out.Items, encodeCursor(out.LastEvaluatedKey), nil
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

// txCanceled reports whether err is a cancelled transaction whose reason at
// index i (or any reason, with i < 0) is a failed condition.
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

// isTransient reports whether err is a transaction conflict worth retrying.
func isTransactionConflict(err error) bool {
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
