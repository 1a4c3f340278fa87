package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/store"
)

// A closed or rejected complaint is found by the month it left the open
// states (company time), and only those received before a moment when asked.
func TestComplaintsByClosureMonth(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Complaints()
	ctx := context.Background()
	sup := domain.Principal{Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}}
	mk := func(number string, received, rejected time.Time) {
		c := newComplaint(received)
		c.Number = number
		if !rejected.IsZero() {
			if err := c.Apply(domain.ActionReject, domain.StepInput{Reason: "r"}, sup, rejected); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Put(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Rejected at 23:30 on 31 October Shanghai time: October's.
	mk("261031001", time.Date(2026, 10, 31, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC))
	// Rejected at 00:30 on 1 November: November's.
	mk("261031002", time.Date(2026, 10, 31, 11, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC))
	mk("261101003", time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))
	mk("261101004", time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC), time.Time{}) // open

	numbers := func(cs []domain.Complaint) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Number)
		}
		return strings.Join(out, ",")
	}
	oct, err := st.DoneIn(ctx, "2026-10", time.Time{})
	if err != nil || numbers(oct) != "261031001" {
		t.Fatalf("October: %s %v", numbers(oct), err)
	}
	nov, _ := st.DoneIn(ctx, "2026-11", time.Time{})
	before, _ := st.DoneIn(ctx, "2026-11", time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC))
	if numbers(nov) != "261031002,261101003" || numbers(before) != "261031002" {
		t.Fatalf("November: %s; received before November: %s", numbers(nov), numbers(before))
	}
	open, _ := st.OpenNow(ctx)
	received, _ := st.ReceivedIn(ctx, "2026-11")
	if numbers(open) != "261101004" || numbers(received) != "261101003,261101004" {
		t.Fatalf("open %s, received in November %s", numbers(open), numbers(received))
	}
}

// Invitations are found by the company month they were sent in, across
// the UTC month boundary.
func TestInvitationsBetween(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Surveys()
	ctx := context.Background()
	for i, at := range []time.Time{
		time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC), // 23:59 on 30 September in Shanghai
		time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC),  // 00:00 on 1 October
		time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC), // 23:30 on the 31st
		time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC),  // November
	} {
		in := &domain.Invitation{Token: "tok" + string(rune('a'+i)), CustomerID: "c", CustomerName: "c", Reason: domain.SurveyManual,
			ContactEmail: "x@example.com", Language: "zh", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
		if err := st.CreateInvitation(ctx, in, domain.InvitationClaim{}); err != nil {
			t.Fatal(err)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	m := domain.Month{Year: 2026, Month: time.October}
	got, err := st.InvitationsBetween(ctx, m.Start(sh), m.End(sh))
	var toks []string
	for _, in := range got {
		toks = append(toks, in.Token)
	}
	if err != nil || strings.Join(toks, ",") != "tokb,tokc,tokd" {
		t.Fatalf("October: %v %v", toks, err)
	}
}

func TestContractsRenewalsAndVolume(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.AWS.DynamoDB, env.Resources.Table)
	st := s.Contracts()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	audit := func(id string) domain.AuditEntry {
		return domain.AuditEntry{Entity: "customer", EntityID: "A", Action: domain.ActionContract, Actor: "alice", At: now, RequestID: id}
	}
	k1 := &domain.ContractRecord{ID: "k1", CustomerID: "A", Start: "2025-11-01", End: "2026-10-31", CreatedAt: now}
	if err := st.Add(ctx, k1, audit("r1")); err != nil {
		t.Fatal(err)
	}
	k2 := &domain.ContractRecord{ID: "k2", CustomerID: "A", Start: "2026-11-01", End: "2027-10-31", Renews: "k1", CreatedAt: now}
	if err := st.Add(ctx, k2, audit("r2")); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Get(ctx, "A", "k1")
	if got.RenewedBy != "k2" || got.RenewedAt == nil || !got.RenewedAt.Equal(now) {
		t.Fatalf("renewed: %+v", got)
	}
	// k1 is renewed once; a contract of another account cannot be renewed here.
	if err := st.Add(ctx, &domain.ContractRecord{ID: "k3", CustomerID: "A", Start: "2026-11-01", End: "2027-01-31", Renews: "k1", CreatedAt: now}, audit("r3")); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("renewing twice: %v", err)
	}
	var ve *domain.ValidationError
	if err := st.Add(ctx, &domain.ContractRecord{ID: "k4", CustomerID: "B", Start: "2026-11-01", End: "2027-01-31", Renews: "k1", CreatedAt: now}, audit("r4")); !errors.As(err, &ve) {
		t.Fatalf("renewing another account's contract: %v", err)
	}
	if _, err := st.Get(ctx, "A", "k3"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a refused contract was stored: %v", err)
	}
	ending, err := st.Ending(ctx, "2026-10-15", "2026-11-30")
	if err != nil || len(ending) != 1 || ending[0].ID != "k1" {
		t.Fatalf("ending: %+v %v", ending, err)
	}
	if e, _ := st.Ending(ctx, "2026-11-01", "2027-10-31"); len(e) != 1 || e[0].ID != "k2" {
		t.Fatalf("ending over a year: %+v", e)
	}
	trail, _ := s.Audit().Of(ctx, "customer", "A", 10, "")
	if len(trail.Items) != 2 {
		t.Fatalf("audit entries: %d, want 2 (the refused ones wrote none)", len(trail.Items))
	}

	for _, v := range []domain.Volume{{CustomerID: "A", Month: "2026-10", Amount: 5}, {CustomerID: "B", Month: "2026-10", Amount: 7}, {CustomerID: "A", Month: "2026-10", Amount: 6}} {
		if err := st.PutVolume(ctx, &v, audit("v"+v.CustomerID+time.Now().String())); err != nil {
			t.Fatal(err)
		}
	}
	vol, _ := st.VolumeIn(ctx, "2026-10")
	if len(vol) != 2 || vol[0].Amount+vol[1].Amount != 13 {
		t.Fatalf("volume: %+v (a correction replaces)", vol)
	}
}

func TestSnapshotsAreImmutableAndChecked(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Reports()
	ctx := context.Background()
	v := 91.5
	r := domain.Report{Month: "2026-10", Scope: "company", KPIs: []domain.KPI{{Key: domain.KPICSAT, Unit: "%", Value: &v}}}
	snap, body, _ := domain.NewSnapshot(r, time.Now())
	if ok, err := st.PutSnapshot(ctx, snap, body); !ok || err != nil {
		t.Fatalf("first: %v %v", ok, err)
	}
	v2 := 10.0
	other, obody, _ := domain.NewSnapshot(domain.Report{Month: "2026-10", Scope: "company", KPIs: []domain.KPI{{Key: domain.KPICSAT, Unit: "%", Value: &v2}}}, time.Now())
	if ok, err := st.PutSnapshot(ctx, other, obody); ok || err != nil {
		t.Fatalf("second: %v %v, want refused", ok, err)
	}
	got, err := st.Snapshot(ctx, "2026-10", "company")
	if err != nil || got.Hash != snap.Hash || *got.Report.KPIs[0].Value != 91.5 {
		t.Fatalf("%+v %v", got, err)
	}
	trend, _ := st.Trend(ctx, "company", "2025-11", "2026-10")
	if len(trend) != 1 || trend[0].Values[domain.KPICSAT] != 91.5 {
		t.Fatalf("trend %+v", trend)
	}
	if _, err := st.Snapshot(ctx, "2026-09", "company"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	// A body changed behind the store's back no longer matches its hash.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(bytes.Replace(body, []byte("91.5"), []byte("99.5"), 1))
	_ = zw.Close()
	_, err = env.AWS.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(env.Resources.Table),
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "REPORT#2026-10"}, "SK": &types.AttributeValueMemberS{Value: "SCOPE#company"}},
		UpdateExpression: aws.String("SET body = :b"), ExpressionAttributeValues: map[string]types.AttributeValue{":b": &types.AttributeValueMemberB{Value: z.Bytes()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Snapshot(ctx, "2026-10", "company"); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Fatalf("tampered snapshot read: %v", err)
	}

	if err := st.PutComplaintCounts(ctx, "2026-09", map[string]int{"A": 2}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutComplaintCounts(ctx, "2026-09", map[string]int{"A": 9}); err != nil { // kept once
		t.Fatal(err)
	}
	counts, err := st.ComplaintCounts(ctx, []string{"2026-08", "2026-09"})
	if err != nil || len(counts) != 1 || counts["2026-09"]["A"] != 2 {
		t.Fatalf("%+v %v", counts, err)
	}
}

// A scope's kept months are listed newest first with their hash and time,
// from one Query of its trend points: before a month, at most a limit,
// other scopes apart; a point kept before it named its snapshot is
// completed from the snapshot.
func TestKeptMonthsOfAScope(t *testing.T) {
	env := testenv.New(t)
	st := store.New(env.AWS.DynamoDB, env.Resources.Table).Reports()
	ctx := context.Background()
	made := time.Date(2027, 2, 1, 0, 5, 0, 0, time.UTC)
	hashes := map[string]string{}
	for i, m := range []string{"2026-10", "2026-11", "2026-12", "2027-01"} {
		for _, scope := range []string{"company", "manager:alice"} {
			v := float64(90 + i)
			snap, body, _ := domain.NewSnapshot(domain.Report{Month: m, Scope: scope, KPIs: []domain.KPI{{Key: domain.KPICSAT, Unit: "%", Value: &v}}}, made.AddDate(0, i, 0))
			if ok, err := st.PutSnapshot(ctx, snap, body); !ok || err != nil {
				t.Fatalf("%s %s: %v %v", m, scope, ok, err)
			}
			hashes[m+" "+scope] = snap.Hash
		}
	}
	// November's point as a point written before points named their snapshot.
	_, err := env.AWS.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(env.Resources.Table),
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "REPORTTREND#company"}, "SK": &types.AttributeValueMemberS{Value: "2026-11"}},
		UpdateExpression: aws.String("REMOVE #h, createdAt, #s"), ExpressionAttributeNames: map[string]string{"#h": "hash", "#s": "scope"}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(before string, limit int) string {
		t.Helper()
		kept, err := st.Kept(ctx, "company", before, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range kept {
			if k.Scope != "company" || k.Hash != hashes[k.Month+" company"] || k.CreatedAt.IsZero() {
				t.Errorf("%+v: wrong scope, hash or time", k)
			}
			out = append(out, k.Month)
		}
		return strings.Join(out, ",")
	}
	if got := list("", 0); got != "2027-01,2026-12,2026-11,2026-10" {
		t.Fatalf("all kept months: %s", got)
	}
	if got := list("", 2); got != "2027-01,2026-12" {
		t.Fatalf("the newest two: %s", got)
	}
	if got := list("2026-12", 0); got != "2026-11,2026-10" {
		t.Fatalf("before December: %s", got)
	}
	if kept, _ := st.Kept(ctx, "department:sales", "", 0); len(kept) != 0 {
		t.Fatalf("a scope never kept: %+v", kept)
	}
}
