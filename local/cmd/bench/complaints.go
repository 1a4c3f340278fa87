package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/local/stack"
	"keycare/shared/domain"
	"keycare/shared/store"
)

// complaints measures public submissions at several concurrencies, each
// on a fresh table (its own year sequence), beside the bare SDK round trips
// a submission needs at the same concurrency, then recounts the stored
// complaints.
func (b *bench) complaints() error {
	fmt.Printf("## Public complaint submissions, full handler against DynamoDB Local (%d per level)\n", b.n)
	fmt.Println("   bare = BatchGetItem(sequence, key) + TransactWriteItems(sequence, card, key) on fresh keys, same concurrency")
	if err := b.submissionOverhead(); err != nil {
		return err
	}
	fmt.Printf("  %-8s %-26s %9s %10s %10s %12s %12s %10s\n", "clients", "series", "req/s", "p50", "p99", "DDB trips", "stored", "p50 ratio")
	for _, clients := range []int{1, 8, 32} {
		if err := b.complaintLevel(clients, false); err != nil {
			return err
		}
	}
	if err := b.complaintLevel(8, true); err != nil {
		return err
	}
	fmt.Println()
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, len(d)*p/100)]
}

func (b *bench) complaintLevel(clients int, withEmail bool) error {
	ctx := b.ctx
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-c%d-%v-%d", clients, withEmail, time.Now().UnixNano())})
	if err != nil {
		return err
	}
	db, proxy, err := b.submitHandler(res)
	if err != nil {
		return err
	}
	form := map[string]string{"customerName": "上海精工机械有限公司", "contactName": "王伟", "phone": "13812345678",
		"category": "product", "request": "exchange", "description": "主轴异响，无法正常生产。请尽快派人检修。", "lang": "zh"}
	if withEmail {
		form["email"] = "wang.wei@example.cn"
	}
	n := b.n
	run := func(f func(i int) error) ([]time.Duration, time.Duration, error) {
		lat := make([]time.Duration, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		next := 0
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					i := next
					next++
					mu.Unlock()
					if i >= n {
						return
					}
					t0 := time.Now()
					if err := f(i); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		return lat, time.Since(start), firstErr
	}
	before := db.calls.Load()
	lat, wall, err := run(func(i int) error {
		f := map[string]string{}
		for k, v := range form {
			f[k] = v
		}
		f["idempotencyKey"] = fmt.Sprintf("bench-%d", i)
		body, _ := json.Marshal(f)
		resp, err := proxy(ctx, httpEvent("POST", "/public/complaints", "POST /public/complaints", string(body), nil))
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("submit: %d %v %s", resp.StatusCode, err, resp.Body)
		}
		return nil
	})
	if err != nil {
		return err
	}
	trips := float64(db.calls.Load()-before) / float64(n)

	// Recount: every complaint of the month, unique numbers 1..n.
	seen := map[string]bool{}
	maxSeq := 0
	q := domain.ComplaintQuery{Month: time.Now().In(domain.DefaultSLA("Asia/Shanghai").Location()).Format("2006-01"), Limit: 100}
	for {
		page, err := store.New(b.clients.DynamoDB, res.Table).Complaints().List(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			if seen[c.Number] {
				return fmt.Errorf("duplicate number %s", c.Number)
			}
			seen[c.Number] = true
			maxSeq = max(maxSeq, c.Seq)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	stored := fmt.Sprintf("%d/%d", len(seen), n)
	if len(seen) != n || maxSeq != n {
		stored += " LOST/DUP!"
	}

	// Bare: the same two round trips with the SDK directly.
	tbl := aws.String(res.Table)
	item := map[string]types.AttributeValue{}
	barelat, barewall, err := run(func(i int) error {
		seq := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "BARESEQ#" + strconv.Itoa(i)}, "SK": &types.AttributeValueMemberS{Value: "SEQ"}}
		idem := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "BAREIDEM#" + strconv.Itoa(i)}, "SK": &types.AttributeValueMemberS{Value: "IDEM"}}
		if _, err := b.clients.DynamoDB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{res.Table: {Keys: []map[string]types.AttributeValue{seq, idem}, ConsistentRead: aws.Bool(true)}}}); err != nil {
			return err
		}
		card := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "BARECMP#" + strconv.Itoa(i)}, "SK": &types.AttributeValueMemberS{Value: "CARD"},
			"GSI3PK": &types.AttributeValueMemberS{Value: "BAREMONTH"}, "GSI3SK": &types.AttributeValueMemberS{Value: strconv.Itoa(i)},
			"GSI2PK": &types.AttributeValueMemberS{Value: "BAREOPEN"}, "GSI2SK": &types.AttributeValueMemberS{Value: strconv.Itoa(i)},
			"body": &types.AttributeValueMemberS{Value: string(mustJSON(form)) + string(mustJSON(item))}}
		_, err := b.clients.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: tbl, Key: seq, UpdateExpression: aws.String("SET #l = :n"), ConditionExpression: aws.String("attribute_not_exists(PK)"),
				ExpressionAttributeNames: map[string]string{"#l": "last"}, ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1"}}}},
			{Put: &types.Put{TableName: tbl, Item: card, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{Put: &types.Put{TableName: tbl, Item: idem, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}})
		return err
	})
	if err != nil {
		return err
	}
	label := "handler"
	if withEmail {
		label = "handler + ack email (SQS)"
	}
	p50, p99 := pct(lat, 50), pct(lat, 99)
	bp50, bp99 := pct(barelat, 50), pct(barelat, 99)
	fmt.Printf("  %-8d %-26s %9.0f %10s %10s %12.2f %12s %9.2f×\n", clients, label, float64(n)/wall.Seconds(), ms(p50), ms(p99), trips, stored, float64(p50)/float64(bp50))
	fmt.Printf("  %-8s %-26s %9.0f %10s %10s %12s %12s\n", "", "  bare SDK", float64(n)/barewall.Seconds(), ms(bp50), ms(bp99), "2", "")
	return nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// submissionOverhead is the one-client overhead of the handler beside the
// very requests it made, replayed bare (interleaved, as for customers).
func (b *bench) submissionOverhead() error {
	ctx := b.ctx
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-o-%d", time.Now().UnixNano())})
	if err != nil {
		return err
	}
	db, proxy, err := b.submitHandler(res)
	if err != nil {
		return err
	}
	var recorded []any
	i0 := 0
	stats, err := measure(b.n, func(i int) error {
		i0++
		db.reset()
		body := fmt.Sprintf(`{"customerName":"上海精工机械有限公司","contactName":"王伟","phone":"13812345678","category":"product","request":"exchange","description":"主轴异响，无法正常生产。","idempotencyKey":"o-%d","lang":"zh"}`, i0)
		resp, err := proxy(ctx, httpEvent("POST", "/public/complaints", "POST /public/complaints", body, nil))
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("submit: %d %v %s", resp.StatusCode, err, resp.Body)
		}
		recorded = append(recorded[:0], db.last...)
		return nil
	}, func(i int) error { return b.replay(recorded, i) })
	if err != nil {
		return err
	}
	fmt.Printf("  one client, interleaved with the same requests replayed bare: handler p50 %s p99 %s, bare p50 %s p99 %s, ratio %.2f×\n",
		ms(stats[0].p50), ms(stats[0].p99), ms(stats[1].p50), ms(stats[1].p99), float64(stats[0].p50)/float64(stats[1].p50))
	return nil
}

// submitHandler is PublicComplaintsFunction's Lambda handler on res, with
// its DynamoDB calls counted.
func (b *bench) submitHandler(res *stack.Resources) (*countingDB, func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), error) {
	// The bench is one client sending hundreds of submissions: lift the
	// public form's per-client limits (and acknowledge every one, as
	// before they existed) so that it measures the submission itself.
	set := domain.Defaults("")
	set.Version = 1
	set.Public.PerIPPerHour, set.Public.PerEmailPerDay, set.Public.PerDay, set.Public.AckGapMinutes = 100000, 100000, 10000000, 0
	if err := store.New(b.clients.DynamoDB, res.Table).Settings().Put(b.ctx, set, 0,
		domain.AuditEntry{Entity: "settings", EntityID: "current", Action: domain.ActionUpdate, Actor: "bench", At: time.Now().UTC(), RequestID: "bench"}); err != nil {
		return nil, nil, err
	}
	db := &countingDB{Client: b.clients.DynamoDB}
	fn, err := b.functionOn(res, "PublicComplaintsFunction", db)
	if err != nil {
		return nil, nil, err
	}
	return db, httpadapter.NewV2(fn.HTTP).ProxyWithContext, nil
}
