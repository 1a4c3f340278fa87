package complaint_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"keycare/local/testenv"
	"keycare/shared/complaint"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// diesBeforeCard plays a function that dies after reserving its number
// and before its card is written.
type diesBeforeCard struct{ store.DB }

func (d diesBeforeCard) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, errors.New("the function died")
}

// A number whose submission died is filled by a void record (作废) at the
// first hourly run at which no submission can still be writing it, once;
// the numbers on both sides keep their cards; supervisors list the voids
// and managers may not.
func TestADeadSubmissionsNumberIsVoidedByTheHourlyRun(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z")
	clock := func() time.Time { return now }
	app, err := platform.Wire(env.Deps(t, "ComplaintsFunction", clock))
	if err != nil {
		t.Fatal(err)
	}
	d := env.Deps(t, "ComplaintsFunction", clock)
	d.Clients.DynamoDB = diesBeforeCard{env.AWS.DynamoDB}
	dying, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	sue := domain.Principal{Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}, Department: "quality"}
	submit := func(app *platform.App) (complaint.Submitted, error) {
		c := &domain.Complaint{CustomerName: "Acme", Contact: domain.Contact{Name: "王伟", Phone: "13800000000"}, Channel: domain.ChannelPhone,
			Category: domain.CategoryService, Request: domain.RequestOther, Description: "d", Language: "zh"}
		return app.Complaints.Submit(context.Background(), complaint.Intake{Complaint: c, By: &sue})
	}
	if _, err := submit(app); err != nil {
		t.Fatal(err)
	}
	if _, err := submit(dying); err == nil {
		t.Fatal("a submission whose card was never written reported success")
	}
	third, err := submit(app)
	if err != nil || third.Number != "261123003" {
		t.Fatalf("the next submission: %+v %v", third, err)
	}
	esc := app.Escalator()
	run := func() int {
		t.Helper()
		res, err := esc.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res.Voided
	}
	if n := run(); n != 0 {
		t.Fatalf("a number reserved a moment ago was voided (%d)", n)
	}
	now = now.Add(time.Hour)
	if n := run(); n != 1 {
		t.Fatalf("an hour later %d numbers voided, want 1", n)
	}
	if n := run(); n != 0 {
		t.Fatalf("voided again: %d", n)
	}
	voids, err := app.Complaints.Voids(context.Background(), sue, 2026, "")
	if err != nil || len(voids.Items) != 1 || voids.Items[0].Number != "261123002" || voids.Items[0].Reason != domain.VoidAbandoned {
		t.Fatalf("voids: %+v %v", voids, err)
	}
	alice := domain.Principal{Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"}
	if _, err := app.Complaints.Voids(context.Background(), alice, 2026, ""); !errors.As(err, new(*domain.ForbiddenError)) {
		t.Fatalf("a manager listed the voids: %v", err)
	}
	lines, err := app.Store.Register().Lines(context.Background(), 2026, 1, 10)
	var got []string
	for _, l := range lines {
		got = append(got, l.Number)
	}
	if err != nil || strings.Join(got, ",") != "261123001,261123002,261123003" {
		t.Fatalf("register %v %v: a hole or an extra line", got, err)
	}
}
