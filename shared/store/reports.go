package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Reports keeps the monthly report snapshots (immutable, with the SHA-256
// of their canonical JSON), each scope's trend points (the headline figures
// of each month, for the 12-month trend), and each month's complaints per
// account (repeat complainers of the following months).
type Reports struct{ t *table }

// sortTime is t as a fixed-width UTC sort key (RFC 3339 with nanoseconds,
// never trimmed, so that keys sort as times do).
func sortTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func snapshotKey(month, scope string) map[string]types.AttributeValue {
	return key("REPORT#"+month, "SCOPE#"+scope)
}

// PutSnapshot keeps s (whose canonical JSON is body) and its trend point in
// one transaction, if no snapshot of that month and scope exists yet: it
// reports false, and changes nothing, when one does.
func (r *Reports) PutSnapshot(ctx context.Context, s domain.Snapshot, body []byte) (bool, error) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(body); err != nil {
		return false, err
	}
	if err := zw.Close(); err != nil {
		return false, err
	}
	if z.Len() > 350<<10 {
		return false, fmt.Errorf("store: snapshot %s %s is %d bytes compressed, over the item limit", s.Month, s.Scope, z.Len())
	}
	item := snapshotKey(s.Month, s.Scope)
	item["type"], item["month"], item["scope"], item["hash"] = str("report-snapshot"), str(s.Month), str(s.Scope), str(s.Hash)
	item["createdAt"] = str(s.CreatedAt.UTC().Format(time.RFC3339Nano))
	item["body"] = &types.AttributeValueMemberB{Value: z.Bytes()}
	// The trend point also names its snapshot (hash, time): a scope's kept
	// months are one Query of these points (Kept).
	point, err := marshal(domain.PointOf(s.Month, s.Report.KPIs), map[string]string{attrPK: "REPORTTREND#" + s.Scope, attrSK: s.Month, "type": "report-trend",
		"scope": s.Scope, "hash": s.Hash, "createdAt": s.CreatedAt.UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return false, err
	}
	_, err = r.t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: aws.String(r.t.name), Item: point, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}})
	if conditionFailedAt(err, -1) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: put snapshot: %w", err)
	}
	return true, nil
}

func decodeSnapshot(it map[string]types.AttributeValue) (domain.Snapshot, error) {
	var s domain.Snapshot
	get := func(k string) string {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	s.Month, s.Scope, s.Hash = get("month"), get("scope"), get("hash")
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, get("createdAt"))
	b, ok := it["body"].(*types.AttributeValueMemberB)
	if !ok {
		return s, fmt.Errorf("store: snapshot %s %s has no body", s.Month, s.Scope)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b.Value))
	if err != nil {
		return s, fmt.Errorf("store: snapshot %s %s: %w", s.Month, s.Scope, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return s, fmt.Errorf("store: snapshot %s %s: %w", s.Month, s.Scope, err)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != s.Hash {
		return s, fmt.Errorf("store: snapshot %s %s does not match its hash", s.Month, s.Scope)
	}
	if err := json.Unmarshal(body, &s.Report); err != nil {
		return s, fmt.Errorf("store: snapshot %s %s: %w", s.Month, s.Scope, err)
	}
	return s, nil
}

// Snapshot reads the snapshot of a month and scope (domain.ErrNotFound when
// there is none); a body that no longer matches its hash is an error.
func (r *Reports) Snapshot(ctx context.Context, month, scope string) (*domain.Snapshot, error) {
	out, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: snapshotKey(month, scope)})
	if err != nil {
		return nil, fmt.Errorf("store: get snapshot: %w", err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("store: snapshot %s %s: %w", month, scope, domain.ErrNotFound)
	}
	s, err := decodeSnapshot(out.Item)
	return &s, err
}

// Snapshots reads every snapshot of a month.
func (r *Reports) Snapshots(ctx context.Context, month string) ([]domain.Snapshot, error) {
	q := query{pk: "REPORT#" + month, sk: skCond{op: "begins", a: "SCOPE#"}}
	var out []domain.Snapshot
	for {
		items, next, err := r.t.items(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			s, err := decodeSnapshot(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		if next == "" {
			return out, nil
		}
		q.cursor = next
	}
}

// Trend reads a scope's trend points of months from..to (YYYY-MM, inclusive).
func (r *Reports) Trend(ctx context.Context, scope, from, to string) ([]domain.TrendPoint, error) {
	return all[domain.TrendPoint](ctx, r.t, query{pk: "REPORTTREND#" + scope, sk: skCond{op: "between", a: from, b: to}})
}

// Kept lists the snapshots kept for scope, newest month first: at most
// limit of the months before before (YYYY-MM; "" for the newest). It is one
// Query of the scope's trend points, which PutSnapshot writes with each
// snapshot and which name its hash and time. A point kept before they did
// so (no hash) is completed from its snapshot's item (a GetItem of three
// attributes, for those points only).
func (r *Reports) Kept(ctx context.Context, scope, before string, limit int) ([]domain.KeptReport, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(r.t.name),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#m": "month", "#h": "hash", "#c": "createdAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("REPORTTREND#" + scope)},
		ProjectionExpression:      aws.String("#m, #h, #c"),
		ScanIndexForward:          aws.Bool(false),
	}
	if before != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk < :before")
		in.ExpressionAttributeNames["#sk"], in.ExpressionAttributeValues[":before"] = attrSK, str(before)
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	out, err := r.t.db.Query(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("store: kept reports of %s: %w", scope, err)
	}
	kept := make([]domain.KeptReport, 0, len(out.Items))
	for _, it := range out.Items {
		k, err := keptOf(it, scope)
		if err != nil {
			return nil, err
		}
		if k.Hash == "" { // kept before the points named their snapshot
			got, err := r.t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.t.name), Key: snapshotKey(k.Month, scope),
				ProjectionExpression: aws.String("#m, #h, #c"), ExpressionAttributeNames: map[string]string{"#m": "month", "#h": "hash", "#c": "createdAt"}})
			if err != nil {
				return nil, fmt.Errorf("store: kept report %s %s: %w", k.Month, scope, err)
			}
			if got.Item == nil {
				continue // a trend point without its snapshot: nothing to list
			}
			if k, err = keptOf(got.Item, scope); err != nil {
				return nil, err
			}
		}
		kept = append(kept, k)
	}
	return kept, nil
}

func keptOf(it map[string]types.AttributeValue, scope string) (domain.KeptReport, error) {
	var k struct {
		Month     string `json:"month"`
		Hash      string `json:"hash"`
		CreatedAt string `json:"createdAt"`
	}
	if err := unmarshal(it, &k); err != nil {
		return domain.KeptReport{}, err
	}
	at, _ := time.Parse(time.RFC3339Nano, k.CreatedAt)
	return domain.KeptReport{Month: k.Month, Scope: scope, Hash: k.Hash, CreatedAt: at}, nil
}

// PutComplaintCounts keeps the complaints per account received in month,
// once (a second call changes nothing).
func (r *Reports) PutComplaintCounts(ctx context.Context, month string, counts map[string]int) error {
	item, err := marshal(struct {
		Month  string         `json:"month"`
		Counts map[string]int `json:"counts"`
	}{month, counts}, map[string]string{attrPK: "REPORTFACTS#" + month, attrSK: "COMPLAINTS", "type": "report-facts"})
	if err != nil {
		return err
	}
	_, err = r.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.t.name), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store: put complaint counts: %w", err)
	}
	return nil
}

// ComplaintCounts reads the kept complaints per account of months; a month
// without a record is absent from the answer.
func (r *Reports) ComplaintCounts(ctx context.Context, months []string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	if len(months) == 0 {
		return out, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(months))
	for _, m := range months {
		keys = append(keys, key("REPORTFACTS#"+m, "COMPLAINTS"))
	}
	req := map[string]types.KeysAndAttributes{r.t.name: {Keys: keys}}
	for attempt := 0; len(req) > 0; attempt++ {
		got, err := r.t.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("store: complaint counts: %w", err)
		}
		for _, it := range got.Responses[r.t.name] {
			var f struct {
				Month  string         `json:"month"`
				Counts map[string]int `json:"counts"`
			}
			if err := unmarshal(it, &f); err != nil {
				return nil, err
			}
			if f.Counts == nil {
				f.Counts = map[string]int{}
			}
			out[f.Month] = f.Counts
		}
		req = got.UnprocessedKeys
		if attempt > 10 {
			return nil, fmt.Errorf("store: complaint counts: unprocessed keys after %d attempts", attempt)
		}
	}
	return out, nil
}

// Month reads of the report (Query only, each on one month's partition).

// ReceivedIn reads every complaint received in month (YYYY-MM, company time).
func (r *Complaints) ReceivedIn(ctx context.Context, month string) ([]domain.Complaint, error) {
	return all[domain.Complaint](ctx, r.t, query{index: "GSI3", pk: "CMPMONTH#" + month})
}

// DoneIn reads the complaints closed or rejected in month (company time)
// that were received before receivedBefore (the zero time: all of them).
func (r *Complaints) DoneIn(ctx context.Context, month string, receivedBefore time.Time) ([]domain.Complaint, error) {
	q := query{index: "GSI2", pk: "CMPDONE#" + month}
	if !receivedBefore.IsZero() {
		q.sk = skCond{op: "<", a: sortTime(receivedBefore)}
	}
	return all[domain.Complaint](ctx, r.t, q)
}

// OpenNow reads every complaint open now (the open index: what is open,
// not the table).
func (r *Complaints) OpenNow(ctx context.Context) ([]domain.Complaint, error) {
	return all[domain.Complaint](ctx, r.t, query{index: "GSI2", pk: "OPEN"})
}

// InvitationsBetween reads the invitations sent in [from, to): the one or
// two UTC months that span it, each by its time range.
func (r *Surveys) InvitationsBetween(ctx context.Context, from, to time.Time) ([]domain.Invitation, error) {
	var out []domain.Invitation
	for m := time.Date(from.UTC().Year(), from.UTC().Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		got, err := all[domain.Invitation](ctx, r.t, query{index: "GSI3", pk: "INVMONTH#" + m.Format("2006-01"),
			sk: skCond{op: "between", a: sortTime(from), b: sortTime(to)}})
		if err != nil {
			return nil, err
		}
		for _, in := range got {
			if !in.CreatedAt.Before(from) && in.CreatedAt.Before(to) {
				out = append(out, in)
			}
		}
	}
	return out, nil
}

// ResponsesIn reads every answer submitted in month (company time).
func (r *Surveys) ResponsesIn(ctx context.Context, month string) ([]domain.SurveyResponse, error) {
	return all[domain.SurveyResponse](ctx, r.t, query{index: "GSI3", pk: "RESPMONTH#" + month})
}

// monthsSpanned lists the months (YYYY-MM) of dates from..to (YYYY-MM-DD).
func monthsSpanned(from, to string) []string {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		return nil
	}
	var out []string
	for m := time.Date(a.Year(), a.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(b); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}
