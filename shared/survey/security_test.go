package survey_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// Strategic accounts surveyed monthly are surveyed in March too, although
// February is shorter than the 30-day contact gap: the gap compares
// calendar months.
func TestMonthlyStrategicSurveysDoNotSkipMarch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customer(t, "s1", domain.TierStrategic, "s1@example.com")
	set, _ := f.app.Settings.Get(ctx)
	set.Survey.StrategicMonths = 1
	if _, err := f.app.Settings.Update(ctx, domain.Principal{Sub: "root", Roles: []domain.Role{domain.RoleAdmin}}, set, set.Version); err != nil {
		t.Fatal(err)
	}
	for _, month := range []time.Month{time.February, time.March, time.April} {
		f.now = time.Date(2027, month, 1, 1, 0, 0, 0, time.UTC) // the 1st, 09:00 in Shanghai
		if err := f.svc.Periodic(ctx); err != nil {
			t.Fatal(err)
		}
		if ms := f.env.DrainMail(t); len(ms) != 1 || ms[0].To[0] != "s1@example.com" {
			t.Fatalf("%s: %d invitations, want 1", month, len(ms))
		}
	}
}

// With no public base URL (PublicBaseUrl empty and none learned yet) no
// invitation is stored, mailed or counted, and the contact is not used up:
// the run fails loudly; once the API has seen a request, its URL is used.
func TestNoInvitationWithoutALink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customer(t, "k1", domain.TierKey, "k1@example.com")
	d := f.env.Deps(t, "SurveyInvitationsFunction", func() time.Time { return f.now })
	d.Config.PublicBaseURL = ""
	fn, err := platform.Registry["SurveyInvitationsFunction"](d)
	if err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC)
	if err := fn.Schedule(ctx, nil); err == nil {
		t.Fatal("a run without a link for its invitations reported success")
	}
	if ms := f.env.DrainMail(t); len(ms) != 0 {
		t.Fatalf("mailed without a link: %+v", ms)
	}
	if open, _ := f.st.Surveys().OpenInvitations(ctx, 10, ""); len(open.Items) != 0 {
		t.Fatalf("an invitation without a link was stored: %+v", open.Items)
	}
	// The API sees a request: API Gateway tells the domain it was called on.
	api := f.env.Deps(t, "SurveysFunction", func() time.Time { return f.now })
	api.Config.PublicBaseURL = ""
	h, err := platform.Registry["SurveysFunction"](api)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "GET /surveys/responses", RawPath: "/surveys/responses", RawQueryString: "month=2027-01",
		Headers: map[string]string{"host": "abc123.execute-api.ap-east-1.amazonaws.com"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "abc123.execute-api.ap-east-1.amazonaws.com", RequestID: "r1", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/surveys/responses", SourceIP: "203.0.113.9"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": "root", "token_use": "id", "cognito:groups": "[admin]"}}}}}
	if r, err := httpadapter.NewV2(h.HTTP).ProxyWithContext(ctx, ev); err != nil || r.StatusCode != 200 {
		t.Fatalf("a staff request: %v %+v", err, r)
	}
	if err := fn.Schedule(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ms := f.env.DrainMail(t)
	if len(ms) != 1 || !strings.Contains(ms[0].Text, "https://abc123.execute-api.ap-east-1.amazonaws.com/s/") {
		t.Fatalf("after the API was called: %+v", ms)
	}
}

// conflicts cancels the first n transactions with TransactionConflict, as
// DynamoDB does when two answers update the same aggregate at once.
type conflicts struct {
	store.DB
	n atomic.Int32
}

func (c *conflicts) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if c.n.Add(-1) >= 0 {
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i].Code = aws.String("None")
		}
		reasons[len(reasons)-1].Code = aws.String("TransactionConflict")
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	return c.DB.TransactWriteItems(ctx, in, opts...)
}

// The processor retries a transaction conflict on the shared aggregates
// within the invocation, with backoff, instead of using up the message's
// receives.
func TestProcessorRetriesTransactionConflicts(t *testing.T) {
	f := newFixture(t)
	c := f.customer(t, "c1", domain.TierKey, "a@example.com")
	in := f.invite(t, c, "a@example.com")
	db := &conflicts{DB: f.env.AWS.DynamoDB}
	db.n.Store(3)
	d := f.env.Deps(t, "SurveyProcessorFunction", func() time.Time { return f.now })
	d.Clients.DynamoDB = db
	app, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := app.Surveys.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{msg("m1", in.Token, 4, 9, f.now)}})
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("a transaction conflict failed the message: %+v", resp)
	}
	if g := f.recount(t, "c1", "2026-11"); g.Answers != 1 {
		t.Fatalf("%d answers stored", g.Answers)
	}
}

// A survey answer submitted while the survey queue cannot be reached is
// kept in the table (the customer is thanked); the next hourly run queues it.
func TestSurveyAnswerKeptWhileTheQueueIsDown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.customer(t, "c1", domain.TierKey, "a@example.com")
	in := f.invite(t, c, "a@example.com")
	clock := func() time.Time { return f.now }
	d := f.env.Deps(t, "PublicSurveysFunction", clock)
	d.Config.SurveyQueueURL = "http://127.0.0.1:1/000000000000/unreachable"
	fn, err := platform.Registry["PublicSurveysFunction"](d)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/public/surveys/"+in.Token, strings.NewReader(`{"overall":5,"recommend":9}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	fn.HTTP.ServeHTTP(w, req)
	if w.Code != 202 {
		t.Fatalf("an answer while the queue is down: %d %s", w.Code, w.Body)
	}
	f.now = f.now.Add(time.Hour)
	if _, err := f.env.App(t, "ComplaintEscalationFunction", clock).Escalator().Run(ctx); err != nil {
		t.Fatal(err)
	}
	ev := surveyQueue(t, f)
	if len(ev.Records) != 1 {
		t.Fatalf("the hourly run queued %d answers, want 1", len(ev.Records))
	}
	if resp, _ := f.svc.Handle(ctx, ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("processing: %+v", resp)
	}
	if g := f.recount(t, "c1", "2026-11"); g.Answers != 1 {
		t.Fatalf("%d answers stored, want 1", g.Answers)
	}
	// Nothing is left: the next run queues nothing.
	if _, err := f.env.App(t, "ComplaintEscalationFunction", clock).Escalator().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ev := surveyQueue(t, f); len(ev.Records) != 0 {
		t.Fatalf("queued again: %d", len(ev.Records))
	}
}

// surveyQueue takes every message off the survey queue, as the poller would.
func surveyQueue(t *testing.T, f *fixture) events.SQSEvent {
	t.Helper()
	url := aws.String(f.env.Resources.QueueURLs["SurveyQueue"])
	var ev events.SQSEvent
	for {
		r, err := f.env.AWS.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return ev
		}
		for _, m := range r.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
			_, _ = f.env.AWS.SQS.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle})
		}
	}
}
