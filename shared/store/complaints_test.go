package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func newComplaint(at time.Time) *domain.Complaint {
	c := &domain.Complaint{CustomerName: "Acme", Contact: domain.Contact{Name: "王", Phone: "13800000000"}, Channel: domain.ChannelWeb,
		Category: domain.CategoryOther, Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "d", ReceivedAt: at, Language: "zh"}
	c.Open(domain.DefaultSLA("Asia/Shanghai"), "", "")
	return c
}

// A submission with a key takes three round trips (read the key, reserve
// the number, write the card); a replay of its key one; a key older than
// 24 h (not yet removed by TTL) is free again.
func TestSubmitComplaintRoundTripsAndKeyExpiry(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Complaints()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	withNonce := func(c *domain.Complaint, nonce string) *domain.Complaint { c.TrackingNonce = nonce; return c }
	first, err := st.Submit(ctx, withNonce(newComplaint(at), "t1"), "k1", "f1", nil)
	if err != nil || first.RoundTrips != 3 || first.Number != "261123001" || first.Replayed {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := st.Submit(ctx, withNonce(newComplaint(at.Add(time.Hour)), "t2"), "k1", "f1", nil)
	if err != nil || !again.Replayed || again.RoundTrips != 1 || again.Number != first.Number || again.TrackingNonce != "t1" {
		t.Fatalf("replay: %+v %v", again, err)
	}
	if _, err := st.Submit(ctx, newComplaint(at.Add(time.Hour)), "k1", "other", nil); !errors.Is(err, domain.ErrIdempotencyMismatch) {
		t.Fatalf("other content: %v", err)
	}
	later, err := st.Submit(ctx, newComplaint(at.Add(25*time.Hour)), "k1", "f1", nil)
	if err != nil || later.Replayed || later.Number != "261124002" {
		t.Fatalf("after 24 h: %+v %v", later, err)
	}
	// The year's sequence restarts in a new year (company time zone).
	ny, err := st.Submit(ctx, newComplaint(time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)), "", "", nil)
	if err != nil || ny.Number != "270101001" {
		t.Fatalf("new year: %+v %v", ny, err)
	}
}

// blindOnce answers the first GetItem of an idempotency key as if the key
// were not there yet: the view of a submission racing its own retry.
type blindOnce struct {
	store.DB
	done bool
}

func (b *blindOnce) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if pk, ok := in.Key["PK"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "IDEM#") && !b.done {
		b.done = true
		return &dynamodb.GetItemOutput{}, nil
	}
	return b.DB.GetItem(ctx, in, opts...)
}

// Two submissions with one key at once: the first keeps its number, the
// second gets the first's receipt, and the number it had reserved is a
// void record naming the first: the register has no hole.
func TestSameKeyAtOnceVoidsTheSecondNumber(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	first, err := store.New(env.AWS.DynamoDB, env.Resources.Table).Complaints().Submit(ctx, newComplaint(at), "race", "f", nil)
	if err != nil {
		t.Fatal(err)
	}
	racer := store.New(&blindOnce{DB: env.AWS.DynamoDB}, env.Resources.Table)
	second, err := racer.Complaints().Submit(ctx, newComplaint(at), "race", "f", nil)
	if err != nil || !second.Replayed || second.Number != first.Number {
		t.Fatalf("the racing submission: %+v %v, want the receipt of %s", second, err, first.Number)
	}
	reg := racer.Register()
	lines, err := reg.Lines(ctx, 2026, 1, 10)
	if err != nil || len(lines) != 2 || lines[0].Void || !lines[1].Void || !strings.Contains(lines[1].Reason, first.Number) {
		t.Fatalf("register: %+v %v", lines, err)
	}
	voids, err := reg.Voids(ctx, 2026, 10, "")
	if err != nil || len(voids.Items) != 1 || voids.Items[0].Seq != 2 {
		t.Fatalf("voids: %+v %v", voids, err)
	}
}

// Web complaints arriving together on a new day: the day's quota lets
// exactly its number through, each with its own number, in order and
// without a hole; the others take none (domain.ErrQuotaFull). A
// submission received before midnight but counted after the new day began
// counts in the new day.
func TestTheDaysQuotaUnderABurst(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	ctx := context.Background()
	sh := domain.DefaultSLA("Asia/Shanghai").Location()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	day := domain.Quota{Key: "all|2026-11-23", Limit: 10, End: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)}
	if d := (domain.PublicLimits{PerDay: 10}).DayQuota(at, sh); d != day {
		t.Fatalf("the day's quota %+v", d)
	}
	type outcome struct {
		number string
		err    error
	}
	out := make(chan outcome, 25)
	var wg sync.WaitGroup
	for i := 0; i < 25; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := st.Complaints().Submit(ctx, newComplaint(at), "", "", nil, domain.SubmitOptions{Day: &day})
			out <- outcome{rec.Number, err}
		}()
	}
	wg.Wait()
	close(out)
	numbers := map[string]bool{}
	full := 0
	for o := range out {
		switch {
		case errors.Is(o.err, domain.ErrQuotaFull):
			full++
		case o.err != nil:
			t.Fatal(o.err)
		case numbers[o.number]:
			t.Fatalf("number %s twice", o.number)
		default:
			numbers[o.number] = true
		}
	}
	if len(numbers) != 10 || full != 15 {
		t.Fatalf("%d numbered, %d refused: %v", len(numbers), full, numbers)
	}
	c, err := st.Register().Counter(ctx, 2026)
	if err != nil || c.Last != 10 || c.DayCount != 10 || c.DayKey != day.Key {
		t.Fatalf("counter %+v %v", c, err)
	}
	// A staff entry takes a number all the same.
	if rec, err := st.Complaints().Submit(ctx, newComplaint(at), "", "", nil); err != nil || rec.Number != "261123011" {
		t.Fatalf("staff entry: %+v %v", rec, err)
	}
	// The next day: counted afresh; a late one of the day before counts there.
	next := domain.Quota{Key: "all|2026-11-24", Limit: 10}
	if _, err := st.Complaints().Submit(ctx, newComplaint(at.Add(16*time.Hour)), "", "", nil, domain.SubmitOptions{Day: &next}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Complaints().Submit(ctx, newComplaint(at), "", "", nil, domain.SubmitOptions{Day: &day}); err != nil {
		t.Fatalf("a late one of the full day before: %v", err)
	}
	if c, err := st.Register().Counter(ctx, 2026); err != nil || c.Last != 13 || c.DayCount != 2 || c.DayKey != next.Key {
		t.Fatalf("counter %+v %v", c, err)
	}
}
