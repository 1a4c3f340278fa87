package store_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

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

// A submission takes two round trips; a replay of its key one; a key older
// than 24 h (not yet removed by TTL) is free again.
func TestSubmitComplaintRoundTripsAndKeyExpiry(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Complaints()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	withNonce := func(c *domain.Complaint, nonce string) *domain.Complaint { c.TrackingNonce = nonce; return c }
	first, err := st.Submit(ctx, withNonce(newComplaint(at), "t1"), "k1", "f1", nil)
	if err != nil || first.RoundTrips != 2 || first.Number != "261123001" || first.Replayed {
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

// unprocessed answers every BatchGetItem with all its keys unprocessed, as
// a throttled table does, and counts the calls.
type unprocessed struct {
	store.DB
	calls int
}

func (u *unprocessed) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	u.calls++
	if u.calls > 1000 {
		return nil, errors.New("hot loop: more than 1000 calls")
	}
	return &dynamodb.BatchGetItemOutput{UnprocessedKeys: in.RequestItems}, nil
}

// UnprocessedKeys are retried with backoff, a few times, then the
// submission fails: never a hot loop against a throttled table.
func TestSubmitBacksOffOnUnprocessedKeys(t *testing.T) {
	env := testenv.New(t)
	db := &unprocessed{DB: env.AWS.DynamoDB}
	st := store.New(db, env.Resources.Table).Complaints()
	start := time.Now()
	_, err := st.Submit(context.Background(), newComplaint(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)), "k", "f", nil)
	if err == nil {
		t.Fatal("a submission against a table that never answers succeeded")
	}
	if db.calls > 10 {
		t.Fatalf("%d BatchGetItem calls in %s: a hot loop (%v)", db.calls, time.Since(start), err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatalf("%d retries in %s: no backoff", db.calls, time.Since(start))
	}
}
