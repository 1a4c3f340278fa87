package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/local/stack"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// visits measures the daily reminder run (VisitRemindersFunction) over 200
// managers, 5,000 accounts and 50,000 visits and follow-ups across two
// years, counting its DynamoDB reads; then adds ten times more history
// (older visits and follow-ups, all reported or done) and runs it again:
// the reads must stay within 1.1×, since the run reads what is due, never
// the history.
func (b *bench) visits() error {
	ctx := b.ctx
	const managers, accounts, items = 200, 5000, 50000
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-v-%d", time.Now().UnixNano()), "PublicBaseUrl": "https://keycare.example.com"})
	if err != nil {
		return err
	}
	st := store.New(b.clients.DynamoDB, res.Table)
	loc, _ := time.LoadLocation(domain.DefaultTimeZone)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, loc) // a Monday, a working day
	cal := domain.Defaults("").SLA()
	today := cal.Today(now)
	fmt.Printf("## Daily visit reminders (%d managers, %d accounts, %d visits and follow-ups over two years)\n", managers, accounts, items)
	start := time.Now()
	if err := parallel(16, managers+10, func(i int) error {
		m := domain.StaffMember{ID: fmt.Sprintf("m%03d", i), Name: fmt.Sprintf("经理%03d", i), Email: fmt.Sprintf("m%03d@corp.example.com", i), Department: fmt.Sprintf("d%d", i%5),
			Roles: []domain.Role{domain.RoleManager}, Language: []string{"zh", "en"}[i%2], Active: true, Version: 1}
		if i >= managers {
			m.ID, m.Email, m.Roles = fmt.Sprintf("s%d", i-managers), fmt.Sprintf("s%d@corp.example.com", i-managers), []domain.Role{domain.RoleSupervisor}
			m.Department = fmt.Sprintf("d%d", (i-managers)%5)
		}
		return st.Staff().Put(ctx, &m, 0, domain.AuditEntry{Entity: "staff", EntityID: m.ID, Action: "create", Actor: "bench", At: now, RequestID: "bench"})
	}); err != nil {
		return err
	}
	tiers := []domain.Tier{domain.TierStrategic, domain.TierKey, domain.TierKey, domain.TierOrdinary, domain.TierOrdinary}
	if err := parallel(16, accounts, func(i int) error {
		m := i % managers
		c := &domain.Customer{ID: fmt.Sprintf("c%05d", i), Name: fmt.Sprintf("客户%05d", i), ManagerID: fmt.Sprintf("m%03d", m), Department: fmt.Sprintf("d%d", m%5),
			Tier: tiers[i%5], Status: domain.StatusActive, TierSource: domain.TierFromInput, Contract: &domain.Contract{Start: fmt.Sprintf("20%02d-%02d-%02d", 10+i%15, 1+i%12, 1+i%28)},
			Contacts:  []domain.Contact{{Name: "联系人", Email: fmt.Sprintf("c%05d@cust.example.com", i), Language: "zh", Birthday: fmt.Sprintf("%02d-%02d", 1+i%12, 1+(i/12)%28)}},
			CreatedAt: now.AddDate(-3, 0, 0), UpdatedAt: now, Version: 1}
		return st.Customers().Create(ctx, c, domain.AuditEntry{Entity: "customer", EntityID: c.ID, Action: "create", Actor: "bench", At: now, RequestID: "bench"}, nil)
	}); err != nil {
		return err
	}
	fmt.Printf("  seeded %d staff and %d accounts in %s\n", managers+10, accounts, time.Since(start).Round(time.Second))
	start = time.Now()
	if err := b.history(ctx, res, st, now, cal, 0, items, 730, accounts, managers); err != nil {
		return err
	}
	fmt.Printf("  seeded %d visits and follow-ups in %s\n", items, time.Since(start).Round(time.Second))

	run := func(label string) (reads, calls int, d time.Duration, err error) {
		db := &countingDB{Client: b.clients.DynamoDB, record: true}
		cfg, err := res.Config(b.t, mustFunction(b.t, "VisitRemindersFunction"))
		if err != nil {
			return 0, 0, 0, err
		}
		fn, err := platform.Registry["VisitRemindersFunction"](platform.Deps{Config: cfg, Clients: platform.Clients{DynamoDB: db, SQS: b.clients.SQS, SES: b.clients.SES}, Now: func() time.Time { return now }})
		if err != nil {
			return 0, 0, 0, err
		}
		t0 := time.Now()
		if err := fn.Schedule(domain.WithRequestID(ctx, "bench-"+label), nil); err != nil {
			return 0, 0, 0, err
		}
		d = time.Since(t0)
		for _, in := range db.last {
			switch in.(type) {
			case *dynamodb.GetItemInput, *dynamodb.QueryInput, *dynamodb.BatchGetItemInput:
				reads++
			}
		}
		return reads, int(db.calls.Load()), d, nil
	}
	r0, c0, d0, err := run("first")
	if err != nil {
		return err
	}
	fmt.Printf("  first run of %s (sends the digests): %d DynamoDB reads, %d calls in all, %s\n", today, r0, c0, d0.Round(time.Millisecond))
	r1, c1, d1, err := run("again")
	if err != nil {
		return err
	}
	fmt.Printf("  the same day again (nothing more sent):  %d reads, %d calls, %s\n", r1, c1, d1.Round(time.Millisecond))
	start = time.Now()
	if err := b.history(ctx, res, st, now, cal, items, 10*items, 730*11, accounts, managers); err != nil {
		return err
	}
	fmt.Printf("  added %d older visits and follow-ups (history ×11) in %s\n", 10*items, time.Since(start).Round(time.Second))
	r2, c2, d2, err := run("history")
	if err != nil {
		return err
	}
	fmt.Printf("  with ten times more history:            %d reads, %d calls, %s\n", r2, c2, d2.Round(time.Millisecond))
	fmt.Printf("  → reads %.2f×, time %.2f× (target ≤ 1.1×); no Scan: every read is a GetItem or a Query\n\n", float64(r2)/float64(r1), d2.Seconds()/d1.Seconds())
	return nil
}

// history writes n visits and follow-ups numbered from first, dated over
// the span days before now (and a fortnight ahead for the newest): what is
// older than two weeks is reported or done, what is recent is open.
func (b *bench) history(ctx context.Context, res *stack.Resources, st *store.Store, now time.Time, cal domain.SLA, first, n, span, accounts, managers int) error {
	vs := domain.DefaultVisitSettings()
	lastMu := sync.Mutex{}
	last := map[string]string{}
	err := parallel(16, n, func(k int) error {
		i := first + k
		rnd := rand.New(rand.NewPCG(uint64(i), 7))
		ago := rnd.IntN(span) - 14
		if first > 0 {
			ago = 730 + rnd.IntN(span-730) // older than the first two years
		}
		day := now.AddDate(0, 0, -ago)
		date := day.In(cal.Location()).Format(time.DateOnly)
		a := rnd.IntN(accounts)
		c := &domain.Customer{ID: fmt.Sprintf("c%05d", a), Name: fmt.Sprintf("客户%05d", a), ManagerID: fmt.Sprintf("m%03d", a%managers), Department: fmt.Sprintf("d%d", (a%managers)%5)}
		if i%10 < 7 {
			v, err := domain.NewVisit("bv"+strconv.Itoa(i), domain.VisitDraft{CustomerID: c.ID, Date: date, Purpose: domain.PurposeCare}, c, "plan", "", c.ManagerID, day, cal, vs)
			if err != nil {
				return err
			}
			if ago > 14 {
				v.Status, v.Report = domain.VisitReported, &domain.VisitReport{HappenedOn: date, Attendees: []string{"x"}, Learned: "历史记录", ReportedBy: c.ManagerID, ReportedAt: day, Due: v.ReportDue}
				lastMu.Lock()
				if date > last[c.ID] {
					last[c.ID] = date
				}
				lastMu.Unlock()
			}
			return st.Visits().CreateVisit(ctx, v)
		}
		f := &domain.FollowUp{ID: "bf" + strconv.Itoa(i), Kind: domain.FollowUpPurchase, CustomerID: c.ID, CustomerName: c.Name, ManagerID: c.ManagerID, Department: c.Department,
			Reason: "purchase", DueAt: day.UTC(), CreatedAt: day.UTC(), Status: domain.FollowUpOpen}
		if ago > 14 {
			f.Status, f.Result = domain.FollowUpDone, &domain.FollowUpResult{Method: "phone", Result: "ok", Satisfied: true, By: c.ManagerID, At: day.UTC()}
		}
		_, err := st.FollowUps().Create(ctx, f)
		return err
	})
	if err != nil {
		return err
	}
	// Each account's last reported visit (the small item the report path keeps).
	ids := make([]string, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	return parallel(16, len(ids), func(i int) error {
		id := ids[i]
		_, err := b.clients.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(res.Table),
			Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "VISITLAST"}, "SK": &types.AttributeValueMemberS{Value: id}},
			UpdateExpression:          aws.String("SET customerId = :c, lastOn = :d, #t = :t"),
			ConditionExpression:       aws.String("attribute_not_exists(lastOn) OR lastOn < :d"),
			ExpressionAttributeNames:  map[string]string{"#t": "type"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: id}, ":d": &types.AttributeValueMemberS{Value: last[id]}, ":t": &types.AttributeValueMemberS{Value: "visit-last"}}})
		if err != nil && !isConditionFailed(err) {
			return err
		}
		return nil
	})
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errorsAs(err, &ccf)
}

// parallel runs f(0..n-1) on w workers and returns the first error.
func parallel(w, n int, f func(i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int)
	for j := 0; j < w; j++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
