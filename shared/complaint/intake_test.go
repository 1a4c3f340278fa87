package complaint_test

import (
	"context"
	"errors"
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
