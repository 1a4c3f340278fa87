package complaint_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/local/testenv"
	"keycare/shared/complaint"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// watchDB records a function's table calls ("Query LOOKUP#n:…") and how
// many were under way at once. Each call waits a moment before it goes,
// so that calls made together are seen together.
type watchDB struct {
	store.DB
	delay time.Duration

	mu                    sync.Mutex
	calls                 []string
	inFlight, maxInFlight int
}

func pkOf(m map[string]types.AttributeValue) string {
	if v, ok := m["PK"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	if v, ok := m[":pk"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return "?"
}

func (w *watchDB) enter(op, pk string) func() {
	w.mu.Lock()
	w.calls = append(w.calls, op+" "+pk)
	w.inFlight++
	w.maxInFlight = max(w.maxInFlight, w.inFlight)
	w.mu.Unlock()
	time.Sleep(w.delay)
	return func() {
		w.mu.Lock()
		w.inFlight--
		w.mu.Unlock()
	}
}

// reset forgets what was seen so far.
func (w *watchDB) reset() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	calls := w.calls
	w.calls, w.maxInFlight = nil, 0
	return calls
}

func (w *watchDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	defer w.enter("GetItem", pkOf(in.Key))()
	return w.DB.GetItem(ctx, in, o...)
}
func (w *watchDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	defer w.enter("PutItem", pkOf(in.Item))()
	return w.DB.PutItem(ctx, in, o...)
}
func (w *watchDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	defer w.enter("UpdateItem", pkOf(in.Key))()
	return w.DB.UpdateItem(ctx, in, o...)
}
func (w *watchDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	defer w.enter("DeleteItem", pkOf(in.Key))()
	return w.DB.DeleteItem(ctx, in, o...)
}
func (w *watchDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	defer w.enter("Query", pkOf(in.ExpressionAttributeValues))()
	return w.DB.Query(ctx, in, o...)
}
func (w *watchDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	defer w.enter("TransactWriteItems", "")()
	return w.DB.TransactWriteItems(ctx, in, o...)
}
func (w *watchDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	defer w.enter("BatchGetItem", "")()
	return w.DB.BatchGetItem(ctx, in, o...)
}

// publicApp is PublicComplaintsFunction on env with its table calls watched.
func publicApp(t *testing.T, env *testenv.Env, clock func() time.Time, delay time.Duration) (*platform.App, *watchDB) {
	t.Helper()
	w := &watchDB{DB: env.AWS.DynamoDB, delay: delay}
	d := env.Deps(t, "PublicComplaintsFunction", clock)
	d.Clients.DynamoDB = w
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	return app, w
}

func webComplaint(company, phone, email string) *domain.Complaint {
	return &domain.Complaint{CustomerName: company, Contact: domain.Contact{Name: "王伟", Phone: phone, Email: email},
		Category: domain.CategoryService, Request: domain.RequestOther, Description: "主轴异响", Language: "zh"}
}

func has(calls []string, prefix string) bool {
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// A web complaint whose contact is on exactly one file is linked to it
// without looking up the company name (it would decide nothing); one whose
// contact links no file gets the name's suggestion as before.
func TestIntakeLooksUpTheNameOnlyWhenTheContactsLinkNoFile(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z")
	clock := func() time.Time { return now }
	staff := env.App(t, "CustomersFunction", clock)
	alice := domain.Principal{Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"}
	cu, _, err := staff.Customers.Create(context.Background(), alice, domain.CustomerDraft{Name: "上海精工机械有限公司", Industry: "制造业", Region: "华东",
		ManagerID: "alice", Department: "sales", Contacts: []domain.Contact{{Name: "王伟", Phone: "13812345678", Email: "wang@acme.cn", Language: "zh"}},
		Contract: &domain.Contract{Start: "2025-01-01", End: "2026-12-31", Renewal: "pending"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	app, w := publicApp(t, env, clock, 0)
	ctx := context.Background()
	card := func(number string) *domain.Complaint {
		c, err := app.Store.Complaints().Get(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	w.reset()
	res, err := app.Complaints.Submit(ctx, complaint.Intake{Complaint: webComplaint("上海精工", "+86 138 1234 5678", ""), ClientIP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	calls := w.reset()
	if c := card(res.Number); c.CustomerID != cu.ID || c.MatchedBy != "contact" {
		t.Fatalf("linked to %q by %q, want %s by contact", c.CustomerID, c.MatchedBy, cu.ID)
	}
	if !has(calls, "Query LOOKUP#p:") || has(calls, "Query LOOKUP#n:") {
		t.Fatalf("the contact linked the file, yet the calls were %v", calls)
	}

	res, err = app.Complaints.Submit(ctx, complaint.Intake{Complaint: webComplaint("上海精工机械 有限公司", "13900000000", ""), ClientIP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	calls = w.reset()
	if c := card(res.Number); c.CustomerID != "" || c.SuggestedCustomerID != cu.ID {
		t.Fatalf("by name: linked %q, suggested %q", c.CustomerID, c.SuggestedCustomerID)
	}
	if !has(calls, "Query LOOKUP#n:") {
		t.Fatalf("no contact linked, yet the name was not looked up: %v", calls)
	}
}

// The checks of a web submission that need nothing of one another go
// together: the contact's lookup, the client's limits and the key's read
// are under way at once.
func TestIntakeChecksGoTogether(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z")
	app, w := publicApp(t, env, func() time.Time { return now }, 50*time.Millisecond)
	w.reset()
	if _, err := app.Complaints.Submit(context.Background(), complaint.Intake{Complaint: webComplaint("Acme", "13800000000", ""),
		ClientIP: "198.51.100.7", IdempotencyKey: "k1", Fingerprint: "f1"}); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.maxInFlight < 3 {
		t.Fatalf("at most %d calls at once: %v", w.maxInFlight, w.calls)
	}
}

// A submission sent again with its key gets the first receipt and link
// having only been counted against its client's limits: no number is
// taken, and no acknowledgement is marked (nor the mark removed again).
func TestAReplayTakesNoNumberAndMarksNoAcknowledgement(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z")
	app, w := publicApp(t, env, func() time.Time { return now }, 0)
	ctx := context.Background()
	in := func() complaint.Intake {
		return complaint.Intake{Complaint: webComplaint("Acme", "13800000000", "wang@acme.cn"), ClientIP: "198.51.100.7",
			IdempotencyKey: "k1", Fingerprint: "f1", BaseURL: "https://keycare.example"}
	}
	first, err := app.Complaints.Submit(ctx, in())
	if err != nil {
		t.Fatal(err)
	}
	w.reset()
	now = now.Add(time.Minute)
	again, err := app.Complaints.Submit(ctx, in())
	if err != nil || !again.Replayed || again.Number != first.Number || again.TrackingURL != first.TrackingURL {
		t.Fatalf("replay: %+v %v, want the receipt of %+v", again, err, first)
	}
	for _, c := range w.reset() {
		if !strings.HasPrefix(c, "UpdateItem LIMIT#") && !strings.HasPrefix(c, "GetItem IDEM#") && !strings.HasPrefix(c, "Query LOOKUP#") &&
			c != "GetItem SETTINGS" { // the settings, read again a minute later

			t.Errorf("the replay made %s", c)
		}
	}
	if _, err := app.Complaints.Submit(ctx, complaint.Intake{Complaint: webComplaint("Other", "13800000000", "wang@acme.cn"), ClientIP: "198.51.100.7",
		IdempotencyKey: "k1", Fingerprint: "f2"}); !errors.Is(err, domain.ErrIdempotencyMismatch) {
		t.Fatalf("the key with other content: %v", err)
	}
	for _, c := range w.reset() {
		if strings.HasPrefix(c, "PutItem") || strings.HasPrefix(c, "DeleteItem") || strings.HasPrefix(c, "TransactWriteItems") || strings.HasPrefix(c, "UpdateItem SEQ#") {
			t.Errorf("the refused key made %s", c)
		}
	}
}

// The day's quota of web complaints counts the numbers web complaints
// take, in the write that takes them: a client refused by its own limit
// uses none of it, and neither does a replay; a complaint over it is a
// 429 until midnight (company zone) and takes no number, for a bot's
// decoy as for a person; staff entries are not web complaints; the next
// day starts afresh.
func TestTheDaysWebComplaintsCountTheNumbersTaken(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z") // 10:00 in Shanghai
	clock := func() time.Time { return now }
	ctx := context.Background()
	set := domain.Defaults("Asia/Shanghai")
	set.Version = 1
	set.Public.PerIPPerHour, set.Public.PerDay = 1, 3
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	if err := st.Settings().Put(ctx, set, 0, domain.AuditEntry{Entity: "settings", EntityID: "current", Action: domain.ActionUpdate, Actor: "root", At: now}); err != nil {
		t.Fatal(err)
	}
	app, _ := publicApp(t, env, clock, 0)
	web := func(ip, key string) (complaint.Submitted, error) {
		return app.Complaints.Submit(ctx, complaint.Intake{Complaint: webComplaint("Acme", "13800000000", ""), ClientIP: ip, IdempotencyKey: key, Fingerprint: "f"})
	}
	limited := func(err error) time.Duration {
		t.Helper()
		var le *domain.LimitedError
		if !errors.As(err, &le) {
			t.Fatalf("want a LimitedError, got %v", err)
		}
		return le.RetryAfter
	}
	counter := func() domain.Counter {
		t.Helper()
		c, err := st.Register().Counter(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	if _, err := web("198.51.100.1", "a1"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ { // over its own limit: refused, and none of it counts in the day
		if d := limited(func() error { _, err := web("198.51.100.1", fmt.Sprint("a-more-", i)); return err }()); d > time.Hour {
			t.Fatalf("the IP's retry after %s", d)
		}
	}
	b, err := web("198.51.100.2", "b1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := web("198.51.100.3", "c1"); err != nil {
		t.Fatalf("the third web complaint of the day: %v", err)
	}
	if c := counter(); c.Last != 3 || c.DayCount != 3 || c.DayKey != "all|2026-11-23" {
		t.Fatalf("counter %+v", c)
	}
	// The day is full: refused until midnight in Shanghai, no number taken.
	if d := limited(func() error { _, err := web("198.51.100.4", "d1"); return err }()); d != 14*time.Hour {
		t.Fatalf("the day's retry after %s, want 14h (to midnight in Shanghai)", d)
	}
	bot := webComplaint("Acme", "13800000000", "")
	if _, err := app.Complaints.Submit(ctx, complaint.Intake{Complaint: bot, ClientIP: "198.51.100.5", Honeypot: true}); limited(err) != 14*time.Hour {
		t.Fatal("a bot's answer differs from a person's")
	}
	// (A replay counts against its client's limits like any request: from
	// another address here, the first one's hour being full.)
	if again, err := web("198.51.100.9", "b1"); err != nil || !again.Replayed || again.Number != b.Number {
		t.Fatalf("a replay on a full day: %+v %v", again, err)
	}
	if c := counter(); c.Last != 3 {
		t.Fatalf("a refused complaint took a number: %+v", c)
	}
	// Staff entries are not web complaints.
	staffApp := env.App(t, "ComplaintsFunction", clock)
	sue := domain.Principal{Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}, Department: "quality"}
	phone := &domain.Complaint{CustomerName: "Acme", Contact: domain.Contact{Name: "王伟", Phone: "13800000000"}, Channel: domain.ChannelPhone,
		Category: domain.CategoryService, Request: domain.RequestOther, Description: "d", Language: "zh"}
	if res, err := staffApp.Complaints.Submit(ctx, complaint.Intake{Complaint: phone, By: &sue}); err != nil || res.Number != "261123004" {
		t.Fatalf("a staff entry on a full day: %+v %v", res, err)
	}
	// The next day starts afresh.
	now = ts("2026-11-23T16:30:00Z") // 00:30 on the 24th
	res, err := web("198.51.100.4", "d2")
	if err != nil || res.Number != "261124005" {
		t.Fatalf("the next day: %+v %v", res, err)
	}
	if c := counter(); c.DayCount != 1 || c.DayKey != "all|2026-11-24" {
		t.Fatalf("counter %+v", c)
	}
	lines, err := st.Register().Lines(ctx, 2026, 1, 10)
	if err != nil || len(lines) != 5 {
		t.Fatalf("register %+v %v", lines, err)
	}
	for _, l := range lines {
		if l.Void {
			t.Fatalf("a void: %+v", l)
		}
	}
}
