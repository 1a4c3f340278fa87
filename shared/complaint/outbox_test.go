package complaint_test

import (
	"context"
	"errors"
	"strings"
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

// crashAfterCommit plays a function that dies right after its change is
// stored: it cannot write anything more about mail (no kept job), and the
// mail queue is out of reach.
type crashAfterCommit struct{ store.DB }

func (c crashAfterCommit) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if pk, ok := in.Item["PK"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "MAILPENDING#") {
		return nil, errors.New("the function died")
	}
	return c.DB.PutItem(ctx, in, opts...)
}

// A workflow step's email is written in the same transaction as the step:
// when the function dies between storing the step and queueing the mail,
// the hourly run sends it.
func TestStepMailSurvivesACrashAfterCommit(t *testing.T) {
	env := testenv.New(t)
	now := ts("2026-11-23T02:00:00Z")
	clock := func() time.Time { return now }
	d := env.Deps(t, "ComplaintsFunction", clock)
	d.Clients.DynamoDB = crashAfterCommit{env.AWS.DynamoDB}
	d.Config.MailQueueURL = "http://127.0.0.1:1/000000000000/unreachable"
	crashing, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	sue := domain.Principal{Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}, Department: "quality"}
	c := &domain.Complaint{CustomerName: "Acme", Contact: domain.Contact{Name: "王伟", Email: "wang@acme.cn"}, Channel: domain.ChannelPhone,
		Category: domain.CategoryService, Request: domain.RequestOther, Description: "d", Language: "zh"}
	res, err := crashing.Complaints.Submit(context.Background(), complaint.Intake{Complaint: c, By: &sue})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crashing.Complaints.Step(context.Background(), sue, res.Number, domain.ActionAccept, domain.StepInput{}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if got := env.DrainMail(t); len(got) != 0 {
		t.Fatalf("mail went out through an unreachable queue: %+v", got)
	}
	// The hourly run, later, with everything healthy.
	now = now.Add(time.Hour)
	e := env.App(t, "ComplaintEscalationFunction", clock).Escalator()
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, m := range env.DrainMail(t) {
		kinds[m.Kind] = true
		if m.To[0] != "wang@acme.cn" {
			t.Fatalf("mail to %v", m.To)
		}
	}
	if !kinds["complaint-received"] || !kinds["complaint-accepted"] {
		t.Fatalf("after the crash the hourly run sent %v, want the acknowledgement and the acceptance", kinds)
	}
	// Nothing is left for the next run.
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := env.DrainMail(t); len(got) != 0 {
		t.Fatalf("sent again: %+v", got)
	}
}
