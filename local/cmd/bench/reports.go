package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/local/seed"
	"keycare/local/stack"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/report"
	"keycare/shared/store"
)

// readMeter counts a store's DynamoDB calls, the items its reads return
// and the read capacity they consume (DynamoDB Local reports it).
type readMeter struct {
	store.DB
	reads, writes, items atomic.Int64
	mu                   sync.Mutex
	rcu                  float64
}

func (m *readMeter) reset() {
	m.reads.Store(0)
	m.writes.Store(0)
	m.items.Store(0)
	m.mu.Lock()
	m.rcu = 0
	m.mu.Unlock()
}

func (m *readMeter) consumed(cs ...types.ConsumedCapacity) {
	m.mu.Lock()
	for _, c := range cs {
		if c.CapacityUnits != nil {
			m.rcu += *c.CapacityUnits
		}
	}
	m.mu.Unlock()
}

func (m *readMeter) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.Query(ctx, in, o...)
	m.reads.Add(1)
	if err == nil {
		m.items.Add(int64(len(out.Items)))
		if out.ConsumedCapacity != nil {
			m.consumed(*out.ConsumedCapacity)
		}
	}
	return out, err
}

func (m *readMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.GetItem(ctx, in, o...)
	m.reads.Add(1)
	if err == nil {
		if out.Item != nil {
			m.items.Add(1)
		}
		if out.ConsumedCapacity != nil {
			m.consumed(*out.ConsumedCapacity)
		}
	}
	return out, err
}

func (m *readMeter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.BatchGetItem(ctx, in, o...)
	m.reads.Add(1)
	if err == nil {
		for _, items := range out.Responses {
			m.items.Add(int64(len(items)))
		}
		m.consumed(out.ConsumedCapacity...)
	}
	return out, err
}

func (m *readMeter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	m.writes.Add(1)
	return m.DB.PutItem(ctx, in, o...)
}

func (m *readMeter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	m.writes.Add(1)
	return m.DB.TransactWriteItems(ctx, in, o...)
}

func (m *readMeter) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	m.writes.Add(1)
	return m.DB.DeleteItem(ctx, in, o...)
}

// reportWorld is one table with the company on it, wired as
// MonthlyReportFunction with a metered client and a clock the bench sets.
type reportWorld struct {
	res   *stack.Resources
	meter *readMeter
	app   *platform.App
	now   time.Time
}

func (b *bench) reportWorld(stage string, d *seed.Data) (*reportWorld, time.Duration, error) {
	res, err := stack.Create(b.ctx, b.t, b.clients, map[string]string{"Stage": stage})
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if err := d.Write(b.ctx, store.New(b.clients.DynamoDB, res.Table), 16); err != nil {
		return nil, 0, err
	}
	seeded := time.Since(start)
	w := &reportWorld{res: res, meter: &readMeter{DB: b.clients.DynamoDB}}
	cfg, err := res.Config(b.t, mustFunction(b.t, "MonthlyReportFunction"))
	if err != nil {
		return nil, 0, err
	}
	w.app, err = platform.Wire(platform.Deps{Config: cfg, Clients: platform.Clients{DynamoDB: w.meter, SQS: b.clients.SQS, SES: b.clients.SES},
		Now: func() time.Time { return w.now }})
	return w, seeded, err
}

// onlyMonth keeps of d what the report of m depends on: the complaints
// received, closed or open in it, the invitations and answers of the
// month, the contracts ending in it and in the risk window (with those
// renewing them), the volume of the month and of a year before.
func onlyMonth(d *seed.Data, m domain.Month) *seed.Data {
	loc := d.Zone
	start, end := m.Start(loc), m.End(loc)
	in := func(t time.Time) bool { return !t.Before(start) && t.Before(end) }
	o := &seed.Data{Zone: loc, Customers: d.Customers, Staff: d.Staff}
	for _, c := range d.Complaints {
		done := c.DoneAt()
		if in(c.ReceivedAt) || (done != nil && in(*done)) || (c.ReceivedAt.Before(end) && (done == nil || !done.Before(end))) {
			o.Complaints = append(o.Complaints, c)
		}
	}
	answered := map[string]bool{}
	for _, r := range d.Responses {
		if in(r.SubmittedAt) {
			o.Responses = append(o.Responses, r)
			answered[r.Token] = true
		}
	}
	for _, iv := range d.Invitations {
		if in(iv.CreatedAt) || answered[iv.Token] {
			o.Invitations = append(o.Invitations, iv)
		}
	}
	first, last := start.Format(time.DateOnly), end.AddDate(0, 0, 91).Format(time.DateOnly)
	keep := map[string]bool{}
	for _, k := range d.Contracts {
		if k.End >= first && k.End <= last {
			keep[k.ID] = true
		}
	}
	for _, k := range d.Contracts {
		if keep[k.ID] || keep[k.Renews] {
			if !keep[k.Renews] {
				k.Renews = ""
			}
			o.Contracts = append(o.Contracts, k)
		}
	}
	for _, v := range d.Volume {
		if v.Month == m.String() || v.Month == m.Add(-12).String() {
			o.Volume = append(o.Volume, v)
		}
	}
	// Visits: the month's plans and their visits, the visits dated or made
	// in it, the follow-ups due in it; each account's last visit as the
	// whole history has it.
	planned := map[string]bool{}
	for _, p := range d.Plans {
		if p.Month == m.String() {
			o.Plans = append(o.Plans, p)
			for _, it := range p.Items {
				planned[it.VisitID] = true
			}
		}
	}
	o.LastVisits = map[string]string{}
	for _, v := range d.Visits {
		if v.Report != nil && v.Report.HappenedOn > o.LastVisits[v.CustomerID] {
			o.LastVisits[v.CustomerID] = v.Report.HappenedOn
		}
		if planned[v.ID] || v.Date[:7] == m.String() || (v.Report != nil && v.Report.HappenedOn[:7] == m.String()) {
			o.Visits = append(o.Visits, v)
		}
	}
	for _, f := range d.FollowUps {
		if in(f.DueAt) {
			o.FollowUps = append(o.FollowUps, f)
		}
	}
	return o
}

type cost struct {
	d                 time.Duration
	reads, items      int64
	writes            int64
	rcu               float64
	kept, sent, other int
}

func (w *reportWorld) measure(f func() error) (cost, error) {
	w.meter.reset()
	start := time.Now()
	err := f()
	c := cost{d: time.Since(start), reads: w.meter.reads.Load(), items: w.meter.items.Load(), writes: w.meter.writes.Load()}
	w.meter.mu.Lock()
	c.rcu = w.meter.rcu
	w.meter.mu.Unlock()
	return c, err
}

// reports measures the monthly report against a table holding 24 months
// of a 500-account company and one holding only the month's items: the
// company report's DynamoDB reads and time, and the whole 1st-of-month run.
func (b *bench) reports() error {
	const zone = "Asia/Shanghai"
	loc, _ := time.LoadLocation(zone)
	m := domain.Month{Year: 2026, Month: time.October}
	at := func(mm domain.Month) time.Time { return mm.Start(loc).Add(8 * time.Hour).UTC() } // the 1st, 08:00
	now := at(m.Add(1))
	d := seed.Generate(seed.Options{Seed: 24, Zone: zone, Accounts: 500, Managers: 50, Departments: 5, Staff: 20, From: m.Add(-23), To: m.Add(1),
		ComplaintsPerMonth: 500, AnswersPerMonth: 1250, VisitsPerMonth: 830, Now: now})
	fmt.Println("## Monthly report: cost grows with the month, not the table (DynamoDB Local)")
	fmt.Printf("   company: 500 accounts, 50 managers, 5 departments; %s–%s: %d complaints, %d survey answers (%d invitations), %d contracts, %d volume figures\n",
		m.Add(-23), m, len(d.Complaints), len(d.Responses), len(d.Invitations), len(d.Contracts), len(d.Volume))
	fmt.Printf("   visits: %d plans, %d visits, %d follow-ups\n", len(d.Plans), len(d.Visits), len(d.FollowUps))
	ts := time.Now().UnixNano()
	hist, seeded, err := b.reportWorld(fmt.Sprintf("bench-rh-%d", ts), d)
	if err != nil {
		return err
	}
	o := onlyMonth(d, m)
	one, seededOne, err := b.reportWorld(fmt.Sprintf("bench-ro-%d", ts), o)
	if err != nil {
		return err
	}
	fmt.Printf("   seeded through the store: 24 months in %s; the month alone (%d complaints, %d answers) in %s\n\n",
		seeded.Round(time.Second), len(o.Complaints), len(o.Responses), seededOne.Round(time.Second))

	// The monthly runs of the past year on the 24-month table, as
	// production would have made them: the first on a new deployment keeps
	// the 11 months before it too (the trend), the others one month each.
	var first cost
	for k := 10; k >= 1; k-- {
		hist.now = at(m.Add(-k + 1))
		c, err := hist.measure(func() error { _, err := hist.app.Reports.Run(b.ctx); return err })
		if err != nil {
			return err
		}
		if k == 10 {
			first = c
		}
	}
	drainQueue(b, hist.res)

	// The company report of the month, on each table, interleaved.
	hist.now, one.now = now, now
	var hc, oc []cost
	var hr, or domain.Report
	for i := 0; i < 7; i++ {
		for _, x := range []struct {
			w   *reportWorld
			out *[]cost
			r   *domain.Report
		}{{hist, &hc, &hr}, {one, &oc, &or}} {
			c, err := x.w.measure(func() error {
				var err error
				*x.r, err = x.w.app.Reports.Compute(b.ctx, m, domain.CompanyScope)
				return err
			})
			if err != nil {
				return err
			}
			if i > 0 { // the first is a warm-up
				*x.out = append(*x.out, c)
			}
		}
	}
	h, on := median(hc), median(oc)
	same := hr.Complaints.Received == or.Complaints.Received && hr.Complaints.Closed == or.Complaints.Closed && hr.Complaints.OpenAtEnd == or.Complaints.OpenAtEnd &&
		hr.Satisfaction.Answers == or.Satisfaction.Answers && hr.Satisfaction.Invitations == or.Satisfaction.Invitations && hr.Accounts.Ending == or.Accounts.Ending &&
		hr.Accounts.Volume == or.Accounts.Volume && len(hr.Risk) == len(or.Risk) && reflect.DeepEqual(hr.Visits, or.Visits) // its rates are pointers: compare what they point to
	if !same { // say which figures differ, for whoever looks into it
		for _, x := range []struct {
			name string
			h, o any
		}{{"received", hr.Complaints.Received, or.Complaints.Received}, {"closed", hr.Complaints.Closed, or.Complaints.Closed},
			{"open at end", hr.Complaints.OpenAtEnd, or.Complaints.OpenAtEnd}, {"answers", hr.Satisfaction.Answers, or.Satisfaction.Answers},
			{"invitations", hr.Satisfaction.Invitations, or.Satisfaction.Invitations}, {"contracts ended", hr.Accounts.Ending, or.Accounts.Ending},
			{"volume", hr.Accounts.Volume, or.Accounts.Volume}, {"at risk", len(hr.Risk), len(or.Risk)}, {"visits", jsonOf(hr.Visits), jsonOf(or.Visits)}} {
			if fmt.Sprint(x.h) != fmt.Sprint(x.o) {
				fmt.Printf("   differs: %s: %v on the 24-month table, %v on the month alone\n", x.name, x.h, x.o)
			}
		}
	}
	fmt.Printf("  %-44s %10s %8s %9s %10s\n", "company report of "+m.String()+" (median of 6)", "time", "calls", "items", "RCU")
	fmt.Printf("  %-44s %10s %8d %9d %10.1f\n", "table with 24 months (+11 trend points)", ms(h.d), h.reads, h.items, h.rcu)
	fmt.Printf("  %-44s %10s %8d %9d %10.1f\n", "table with only that month", ms(on.d), on.reads, on.items, on.rcu)
	fmt.Printf("  %-44s %9.2fx %7.2fx %8.2fx %9.2fx\n", "ratio", float64(h.d)/float64(on.d), float64(h.reads)/float64(on.reads), float64(h.items)/float64(on.items), h.rcu/on.rcu)
	fmt.Printf("   the month's figures are the same on both tables: %v (received %d, closed %d, open at end %d, answers %d, contracts ended %d, at risk %d; visits planned %d, done %d, reports due %d, follow-ups due %d, below frequency %d)\n\n",
		same, hr.Complaints.Received, hr.Complaints.Closed, hr.Complaints.OpenAtEnd, hr.Satisfaction.Answers, hr.Accounts.Ending, len(hr.Risk),
		hr.Visits.Planned, hr.Visits.Done, hr.Visits.ReportsDue, hr.Visits.FollowUpsDue, len(hr.Visits.BelowFrequency))

	// The 1st-of-month run for the month: every scope kept and mailed.
	var run report.RunResult
	c, err := hist.measure(func() error { var err error; run, err = hist.app.Reports.Run(b.ctx); return err })
	if err != nil {
		return err
	}
	queued := drainQueue(b, hist.res)
	fmt.Printf("  1st-of-month run for %s: %d snapshots kept, %d reports queued (%d in the queue), %s; %d reads (%d items, %.0f RCU), %d writes\n",
		run.Month, run.Kept, run.Sent, queued, c.d.Round(10*time.Millisecond), c.reads, c.items, c.rcu, c.writes)
	fmt.Printf("  first run on a new deployment (also keeps the 11 months before, no mail): %s; %d reads, %d writes\n",
		first.d.Round(10*time.Millisecond), first.reads, first.writes)
	fmt.Printf("  MonthlyReportFunction timeout: 600 s (template.yaml) → steady run uses %.1f%%, first run %.1f%%\n\n",
		100*c.d.Seconds()/600, 100*first.d.Seconds()/600)
	return nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func median(cs []cost) cost {
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	return cs[len(cs)/2]
}

// drainQueue empties the mail queue of res and says how many jobs it held.
func drainQueue(b *bench, res *stack.Resources) int {
	n := 0
	url := res.QueueURLs["MailQueue"]
	for {
		out, err := b.clients.SQS.ReceiveMessage(b.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			return n
		}
		for _, msg := range out.Messages {
			n++
			_, _ = b.clients.SQS.DeleteMessage(b.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: msg.ReceiptHandle})
		}
	}
}
