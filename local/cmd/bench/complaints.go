package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
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
// on a fresh table (its own year counter), against the serialized limit
// measured in the same run, then recounts the cards and the register.
func (b *bench) complaints() error {
	fmt.Printf("## Public complaint submissions, full handler against DynamoDB Local (%d per level)\n", b.n)
	if err := b.submissionOverhead(); err != nil {
		return err
	}
	if _, err := b.serializedLimit(); err != nil {
		return err
	}
	fmt.Printf("  %-8s %-26s %9s %6s %9s %10s %10s %8s %10s %12s %6s %24s %5s\n", "clients", "series", "req/s", "limit", "of limit", "p50", "p99", "p99/p50", "DDB trips", "stored", "voids", "CPU ms/sub bench/DDB/SQS", "load")
	// Other work on the machine comes and goes within a run: each level is
	// set against the limit measured just before and just after it.
	around := func(level func(limit func() float64) error) error {
		before, _, err := b.numberingLatency(200)
		if err != nil {
			return err
		}
		var after time.Duration
		err = level(func() float64 {
			if after == 0 {
				if after, _, err = b.numberingLatency(200); err != nil {
					after = before
				}
			}
			return 2 / (before + after).Seconds()
		})
		return err
	}
	for _, clients := range b.levels {
		if err := around(func(limit func() float64) error { return b.complaintLevel(clients, false, limit) }); err != nil {
			return err
		}
	}
	if err := around(func(limit func() float64) error { return b.complaintLevel(8, true, limit) }); err != nil {
		return err
	}
	for _, clients := range b.levels {
		if clients == 32 {
			if err := around(func(limit func() float64) error { return b.bareLevel(clients, limit) }); err != nil {
				return err
			}
		}
	}
	fmt.Println("  limit: the serialized limit measured around the level (the mean of one numbering transaction's p50 just before and just after it)")
	fmt.Println("  goal (issue 11): at 32 clients ≥ 50% of the limit, p99 ≤ 4× p50; every number 1..n a card, none void")
	fmt.Println("  CPU: this process (the clients and the handlers it runs), DynamoDB Local and the SQS emulator, per submission, on the same cores")
	fmt.Println()
	return nil
}

// serializedLimit is the rate of submissions if each one's numbering write
// had to wait for the one before: the reciprocal of one numbering write's
// latency, uncontended. The numbering write is measured as the old design
// made it: one TransactWriteItems of the year's sequence (conditional
// update), the card and the idempotency key, on fresh items. The atomic
// counter's UpdateItem ADD is timed beside it.
func (b *bench) serializedLimit() (float64, error) {
	p50, add, err := b.numberingLatency(b.n)
	if err != nil {
		return 0, err
	}
	limit := 1 / p50.Seconds()
	fmt.Printf("  serialized limit: one numbering transaction (sequence, card, key) uncontended p50 %s → %.0f submissions/s; the counter's ADD p50 %s\n",
		ms(p50), limit, ms(add))
	return limit, nil
}

// numberingLatency is the p50 of n numbering transactions as the old
// design made them, and of the counter's ADD, on a fresh table.
func (b *bench) numberingLatency(n int) (time.Duration, time.Duration, error) {
	ctx := b.ctx
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-serial-%d", time.Now().UnixNano())})
	if err != nil {
		return 0, 0, err
	}
	tbl := aws.String(res.Table)
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	form := string(mustJSON(map[string]string{"customerName": "上海精工机械有限公司", "description": "主轴异响，无法正常生产。请尽快派人检修。"}))
	tx := make([]time.Duration, 0, n)
	add := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		seq := map[string]types.AttributeValue{"PK": s("BARESEQ#" + strconv.Itoa(i)), "SK": s("SEQ")}
		card := map[string]types.AttributeValue{"PK": s("BARECMP#" + strconv.Itoa(i)), "SK": s("CARD"), "GSI3PK": s("BAREMONTH"), "GSI3SK": s(strconv.Itoa(i)),
			"GSI2PK": s("BAREOPEN"), "GSI2SK": s(strconv.Itoa(i)), "body": s(form)}
		idem := map[string]types.AttributeValue{"PK": s("BAREIDEM#" + strconv.Itoa(i)), "SK": s("IDEM")}
		t0 := time.Now()
		_, err := b.clients.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: tbl, Key: seq, UpdateExpression: aws.String("SET #l = :n"), ConditionExpression: aws.String("attribute_not_exists(PK)"),
				ExpressionAttributeNames: map[string]string{"#l": "last"}, ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1"}}}},
			{Put: &types.Put{TableName: tbl, Item: card, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{Put: &types.Put{TableName: tbl, Item: idem, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}})
		if err != nil {
			return 0, 0, err
		}
		tx = append(tx, time.Since(t0))
		t0 = time.Now()
		if _, err := b.clients.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"PK": s("BARECOUNTER"), "SK": s("SEQ")},
			UpdateExpression: aws.String("ADD #l :one"), ExpressionAttributeNames: map[string]string{"#l": "last"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}, ReturnValues: types.ReturnValueUpdatedNew}); err != nil {
			return 0, 0, err
		}
		add = append(add, time.Since(t0))
	}
	return pct(tx, 50), pct(add, 50), nil
}

func pct(d []time.Duration, p int) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, len(d)*p/100)]
}

func (b *bench) complaintLevel(clients int, withEmail bool, limitAround func() float64) error {
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
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	before := db.calls.Load()
	cpu0 := b.cpuTimes()
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
				f := map[string]string{}
				for k, v := range form {
					f[k] = v
				}
				f["idempotencyKey"] = fmt.Sprintf("bench-%d", i)
				t0 := time.Now()
				resp, err := proxy(ctx, httpEvent("POST", "/public/complaints", "POST /public/complaints", string(mustJSON(f)), nil))
				if err != nil || resp.StatusCode != 201 {
					mu.Lock()
					firstErr = fmt.Errorf("submit: %d %v %s", resp.StatusCode, err, resp.Body)
					mu.Unlock()
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu := b.cpuTimes().since(cpu0)
	if firstErr != nil {
		return firstErr
	}
	trips := float64(db.calls.Load()-before) / float64(n)

	// Recount: every card of the month with unique numbers 1..n, and the
	// register: n lines, no void, the counter at n.
	st := store.New(b.clients.DynamoDB, res.Table)
	seen := map[string]bool{}
	maxSeq := 0
	q := domain.ComplaintQuery{Month: time.Now().In(domain.DefaultSLA("Asia/Shanghai").Location()).Format("2006-01"), Limit: 100}
	for {
		page, err := st.Complaints().List(ctx, q)
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
	year := time.Now().In(domain.DefaultSLA("Asia/Shanghai").Location()).Year()
	lines, err := st.Register().Lines(ctx, year, 1, n+1000)
	if err != nil {
		return err
	}
	voids := 0
	for _, l := range lines {
		if l.Void {
			voids++
		}
	}
	counter, err := st.Register().Counter(ctx, year)
	if err != nil {
		return err
	}
	stored := fmt.Sprintf("%d/%d", len(seen), n)
	if len(seen) != n || maxSeq != n || len(lines) != n || counter.Last != n {
		stored += " LOST/DUP!"
	}
	label := "handler"
	if withEmail {
		label = "handler + ack email (SQS)"
	}
	p50, p99 := pct(lat, 50), pct(lat, 99)
	rate := float64(n) / wall.Seconds()
	limit := limitAround()
	fmt.Printf("  %-8d %-26s %9.0f %6.0f %8.0f%% %10s %10s %7.1f× %10.2f %12s %6d %24s %5s\n", clients, label, rate, limit, 100*rate/limit, ms(p50), ms(p99),
		float64(p99)/float64(p50), trips, stored, voids, cpu.per(n), loadAverage())
	return nil
}

// bareLevel replays one submission's DynamoDB requests (recorded by
// submissionOverhead), bare and on fresh items, from clients concurrent
// clients: what DynamoDB Local itself gives that mix of requests on this
// machine, beside which the handler's rate at the same level is read.
func (b *bench) bareLevel(clients int, limitAround func() float64) error {
	if len(b.submission) == 0 {
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	cpu0 := b.cpuTimes()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > b.n {
					return
				}
				if err := b.replay(b.submission, 1_000_000+i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu := b.cpuTimes().since(cpu0)
	select {
	case err := <-errs:
		return err
	default:
	}
	rate := float64(b.n) / wall.Seconds()
	limit := limitAround()
	fmt.Printf("  %-8d %-26s %9.0f %6.0f %8.0f%% %10s %10s %8s %10d %12s %6s %24s %5s\n", clients, "its requests replayed bare", rate, limit, 100*rate/limit, "", "", "",
		len(b.submission), "", "", cpu.per(b.n), loadAverage())
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
	db.record = true
	i0 := 0
	stats, err := measure(b.n, func(i int) error {
		i0++
		db.reset()
		body := fmt.Sprintf(`{"customerName":"上海精工机械有限公司","contactName":"王伟","phone":"13812345678","category":"product","request":"exchange","description":"主轴异响，无法正常生产。","idempotencyKey":"o-%d","lang":"zh"}`, i0)
		resp, err := proxy(ctx, httpEvent("POST", "/public/complaints", "POST /public/complaints", body, nil))
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("submit: %d %v %s", resp.StatusCode, err, resp.Body)
		}
		db.mu.Lock()
		recorded = append(recorded[:0], db.last...)
		db.mu.Unlock()
		return nil
	}, func(i int) error { return b.replay(recorded, i) })
	b.submission = recorded
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
