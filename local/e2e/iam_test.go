package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"keycare/local/deploy"
	"keycare/local/emu"
	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/mail"
	"keycare/shared/platform"
	"keycare/shared/ses"
	"keycare/shared/store"
)

// iamScenario is how a function is driven to make every SDK call its code
// can make: its sample events, in order, after some seeding, on a clock that
// makes its work due; and once more with a service it depends on down (the
// paths taken when the mail queue or SES is unreachable).
type iamScenario struct {
	now    func() time.Time
	before func(t *testing.T, env *testenv.Env)
	after  func(t *testing.T, env *testenv.Env, d platform.Deps)
	down   []string // run again with "sqs" or "ses" unreachable, "sqs+table": the queue down and keeping the mail failing too, or "transaction": every TransactWriteItems failing
}

// outboxDown are the failures of the mail outbox: the queue unreachable
// (the mail is kept in the table), and keeping it failing as well (the step
// that wanted to mail is undone where it can be).
var outboxDown = []string{"sqs", "sqs+table"}

func iamScenarios() map[string]iamScenario {
	// A week later, mid-week, in office hours in Shanghai (10:30): reminders
	// and escalations of the seeded complaint are due and sent at once.
	later := func() time.Time {
		d := time.Now().UTC().Add(8 * 24 * time.Hour)
		for d.Weekday() < time.Tuesday || d.Weekday() > time.Thursday {
			d = d.Add(24 * time.Hour)
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 2, 30, 0, 0, time.UTC)
	}
	return map[string]iamScenario{
		"CustomersFunction": {},
		"AdminFunction":     {},
		// Its samples on their day, then a handover POSTed again while its
		// job runs (the first call ran out of time): the request resumes it.
		"VisitsFunction": {now: sampleClock("VisitsFunction"), down: outboxDown, after: func(t *testing.T, env *testenv.Env, d platform.Deps) {
			seedRunningHandover(t, env, "hdemo-resume", "zhangmin", "liqiang", d.Now())
			var ev events.APIGatewayV2HTTPRequest
			readSample(t, "VisitsFunction", "22-hand-over-li-qiangs-accounts.json", &ev)
			ev.Body = `{"from":"zhangmin","to":"liqiang","reason":"张敏调岗，客户交回李强。Zhang Min changes role."}`
			h, err := platform.Registry["VisitsFunction"](d)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = d.HTTP(h.HTTP)(context.Background(), ev) // fails when the outbox is down: that path is observed too
		}},
		// The daily digest a week later: visits due, reports overdue,
		// follow-ups, promised actions, plans to approve; and a handover
		// left running, which the run finishes (accounts, open work, the
		// customers' notices, both managers' lists).
		"VisitRemindersFunction": {now: later, down: outboxDown, before: func(t *testing.T, env *testenv.Env) {
			seedRunningHandover(t, env, "hdemo-left", "liqiang", "zhangmin", time.Now().Add(-time.Hour))
		}},
		// A submission whose card cannot be written gives its sender's
		// acknowledgement mark back (Limits.Forget).
		"PublicComplaintsFunction": {down: append([]string{"transaction"}, outboxDown...)},
		"ComplaintsFunction":       {down: outboxDown},
		"PublicSurveysFunction":    {},
		"SurveysFunction":          {down: outboxDown},
		// The seeded complaint is overdue a week later (reminders and
		// escalations), and a mail and a survey answer kept while their queues
		// were down are queued again.
		"ComplaintEscalationFunction": {now: later, down: outboxDown, before: func(t *testing.T, env *testenv.Env) {
			st := store.New(env.AWS.DynamoDB, env.Resources.Table).Mail()
			b, _ := json.Marshal(map[string]any{"id": "kept-1", "kind": "test", "lang": "zh", "to": []string{"x@example.cn"}, "subject": "s", "html": "h", "text": "t"})
			if err := st.Keep(context.Background(), domain.PendingMail{ID: "kept-1", Payload: string(b), At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			// ... and a survey answer kept while the survey queue was down.
			ans := `{"token":"demoSurveyToken0000000000000000000000000007","answer":{"overall":5,"recommend":9},"submittedAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
			if err := store.New(env.AWS.DynamoDB, env.Resources.Table).Surveys().KeepAnswer(context.Background(),
				domain.KeptAnswer{Token: "demoSurveyToken0000000000000000000000000007", Payload: ans, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			// ... and a submission that died between its number and its
			// card: the run voids the number.
			c := &domain.Complaint{CustomerName: "Acme", Contact: domain.Contact{Name: "王", Phone: "13800000000"}, Channel: domain.ChannelWeb,
				Category: domain.CategoryOther, Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "d", ReceivedAt: time.Now(), Language: "zh"}
			c.Open(domain.DefaultSLA("Asia/Shanghai"), "", "")
			if _, err := store.New(diesBeforeCard{env.AWS.DynamoDB}, env.Resources.Table).Complaints().Submit(context.Background(), c, "", "", nil); err == nil {
				t.Fatal("the dying submission succeeded")
			}
		}},
		// The periodic programme runs in January; an account with a contact.
		"SurveyInvitationsFunction": {now: func() time.Time { return time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC) }, down: outboxDown,
			before: func(t *testing.T, env *testenv.Env) {
				seedCustomer(t, env, "cdemo0002", domain.TierKey, "zhao@example.cn")
			}},
		// An invitation unanswered for 8 days gets its reminder.
		"SurveyRemindersFunction": {down: outboxDown, before: func(t *testing.T, env *testenv.Env) {
			seedInvitation(t, env, "demoSurveyToken0000000000000000000000000009", domain.TierKey, time.Now().Add(-8*24*time.Hour))
		}},
		// A poor answer from a strategic account also mails the supervisors.
		"SurveyProcessorFunction": {down: outboxDown, before: func(t *testing.T, env *testenv.Env) {
			seedInvitation(t, env, "demoSurveyToken0000000000000000000000000008", domain.TierStrategic, time.Now().Add(-time.Hour))
		}, after: func(t *testing.T, env *testenv.Env, d platform.Deps) {
			body := `{"token":"demoSurveyToken0000000000000000000000000008","answer":{"overall":1,"recommend":2,"comment":"差"},"submittedAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
			fn, err := platform.Registry["SurveyProcessorFunction"](d)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := fn.SQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "poor-1", Body: body}}})
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("poor answer: %v %+v", err, resp)
			}
		}},
		// With SES down a failed message is backed off (ChangeMessageVisibility);
		// a report's attachment kept apart is read back (mail.Fit's parts).
		"MailerFunction": {down: []string{"ses"}, after: func(t *testing.T, env *testenv.Env, d platform.Deps) {
			st := store.New(env.AWS.DynamoDB, env.Resources.Table).Mail()
			if err := st.PutPart(context.Background(), "report-part-0", []byte("month,figure\n"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(map[string]any{"id": "report-part", "kind": "report", "lang": "zh", "to": []string{"x@example.cn"}, "subject": "s", "html": "h", "text": "t",
				"attachments": []map[string]any{{"filename": "report.csv", "contentType": "text/csv", "ref": "report-part-0"}}})
			fn, err := platform.Registry["MailerFunction"](d)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fn.SQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "part-1", Body: string(b)}}}) // fails while SES is down
		}},
		// Reports on demand: the samples (a contract, volume, a past month kept
		// on first reading, its CSV, its verification, the statistics table).
		"ReportsFunction": {},
		// The run on the 1st at 08:05 company time after the month of the
		// seeded complaint, with a directory to mail, a contract and volume,
		// a visit plan with its visit reported and a follow-up; with the mail
		// queue down too.
		// Then a report mail too large for the queue through the function's
		// own outbox: its largest attachment is kept in the table (mail.Fit),
		// as a large company's report is.
		"MonthlyReportFunction": {now: firstOfNextMonth, down: outboxDown, before: seedReportMonth, after: func(t *testing.T, _ *testenv.Env, d platform.Deps) {
			a, err := platform.Wire(d)
			if err != nil {
				t.Fatal(err)
			}
			big := []byte(strings.Repeat("month,account,figure\n", mail.MaxQueued/20))
			m := mail.Message{ID: "report-large-" + strconv.FormatInt(time.Now().UnixNano(), 36), Kind: "report", Lang: "zh", To: []string{"ceo@example.cn"},
				Subject: "s", HTML: "<p>h</p>", Text: "t", Attachments: []mail.Attachment{{Filename: "report.csv", ContentType: "text/csv; charset=utf-8", Data: big}}}
			if err := a.Outbox.Send(context.Background(), m); err != nil {
				t.Logf("large report mail: %v (expected only with the queue and the table down)", err)
			}
		}},
		// The console's samples, and a sign-in through Cognito's code flow
		// (the session it stores); its complaint steps mail as the API's do.
		// The settings as AdminFunction's samples leave them (version 1),
		// which the console's settings sample edits in the full replay.
		// Then complaint 261122001 accepted in the console (the customer's
		// notice kept and dropped once queued), taken through its workflow by
		// the API's samples, and closed in the console (the survey about the
		// handling); and a visit of another account reported with the box
		// "invite the contact to a survey" ticked.
		"ConsoleFunction": {down: outboxDown, before: seedSettingsOnce, after: func(t *testing.T, env *testenv.Env, d platform.Deps) {
			consoleCognitoSignIn(t, d)
			consoleStep(t, d, "261122001", "accept")
			api, err := platform.Registry["ComplaintsFunction"](env.Deps(t, "ComplaintsFunction", nil)) // not the console's calls
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"05-assign.json", "06-investigation.json", "07-review.json", "08-reply.json", "09-callback.json"} {
				var ev events.APIGatewayV2HTTPRequest
				readSample(t, "ComplaintsFunction", name, &ev)
				if resp, err := d.HTTP(api.HTTP)(context.Background(), ev); err != nil || resp.StatusCode >= 300 {
					t.Fatalf("ComplaintsFunction %s: %v %d %s", name, err, resp.StatusCode, resp.Body)
				}
			}
			consoleStep(t, d, "261122001", "close")
			consoleVisitReportWithSurvey(t, env, d)
		}},
	}
}

// consoleStep takes workflow step on complaint number in the console, as
// supervisor sue (her session of the console's samples).
func consoleStep(t *testing.T, d platform.Deps, number, step string) {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	readSample(t, "ConsoleFunction", "13-complaint-accept.json", &ev)
	ev.RawPath = "/console/complaints/" + number + "/" + step
	ev.RequestContext.HTTP.Path = ev.RawPath
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("csrf=sample-csrf-sue")), true
	h, err := platform.Registry["ConsoleFunction"](d)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.HTTP(h.HTTP)(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Headers["Location"], "error") {
		t.Fatalf("console %s of %s: %v %d %v", step, number, err, resp.StatusCode, resp.Headers)
	}
}

// consoleVisitReportWithSurvey reports alice's visit of account cdemo0002
// in the console and invites its contact to a survey.
func consoleVisitReportWithSurvey(t *testing.T, env *testenv.Env, d platform.Deps) {
	t.Helper()
	seedCustomer(t, env, "cdemo0002", domain.TierKey, "zhao@example.cn")
	now := time.Now().UTC()
	v := &domain.Visit{ID: "vdemo0003", CustomerID: "cdemo0002", CustomerName: "客户cdemo0002", ManagerID: "alice", Department: "sales", Date: now.Format(time.DateOnly),
		Purpose: domain.PurposeCare, Source: "ad-hoc", Status: domain.VisitPlanned, ReportDue: now.Add(48 * time.Hour).Format(time.DateOnly), CreatedBy: "alice",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := store.New(env.AWS.DynamoDB, env.Resources.Table).Visits().CreateVisit(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	readSample(t, "ConsoleFunction", "18-visit-report.json", &ev)
	ev.RawPath = "/console/visits/vdemo0003/report"
	ev.RequestContext.HTTP.Path = ev.RawPath
	form := "happenedOn=" + v.Date + "&attendees=%E8%B5%B5%E6%95%8F&learned=ok&sendSurvey=true&csrf=sample-csrf-alice"
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(form)), true
	h, err := platform.Registry["ConsoleFunction"](d)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.HTTP(h.HTTP)(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Headers["Location"], "survey=") {
		t.Fatalf("console visit report with a survey: %v %d %v %s", err, resp.StatusCode, resp.Headers, resp.Body)
	}
}

// firstOfNextMonth is 08:05 in Shanghai on the 1st of the month after this one.
func firstOfNextMonth() time.Time {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	n := time.Now().In(sh)
	return time.Date(n.Year(), n.Month()+1, 1, 8, 5, 0, 0, sh).UTC()
}

// seedReportMonth gives this month a directory, a contract ending in it and
// volume, an approved visit plan with its visit reported, and a follow-up.
func seedReportMonth(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	now := time.Now().UTC()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	today := now.In(sh).Format(time.DateOnly)
	audit := func(entity, id string) domain.AuditEntry {
		return domain.AuditEntry{Entity: entity, EntityID: id, Action: "seed", Actor: "seed", At: now, RequestID: "seed-" + entity + "-" + id}
	}
	for _, m := range []domain.StaffMember{
		{ID: "alice", Name: "Alice", Email: "alice@example.cn", Department: "sales", Roles: []domain.Role{domain.RoleManager}, Language: "en", Active: true, Version: 1},
		{ID: "sue", Name: "Sue", Email: "sue@example.cn", Department: "sales", Roles: []domain.Role{domain.RoleSupervisor}, Language: "zh", Active: true, Version: 1},
		{ID: "ceo", Name: "CEO", Email: "ceo@example.cn", Roles: []domain.Role{domain.RoleExecutive}, Language: "zh", Active: true, Version: 1},
	} {
		if err := st.Staff().Put(ctx, &m, 0, audit("staff", m.ID)); err != nil {
			t.Fatal(err)
		}
	}
	k := &domain.ContractRecord{ID: "kdemo1", CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Tier: domain.TierKey,
		Start: "2025-01-01", End: today, Value: 1_000_000, CreatedBy: "seed", CreatedAt: now}
	if err := st.Contracts().Add(ctx, k, audit("customer", "cdemo0001")); err != nil {
		t.Fatal(err)
	}
	vol := &domain.Volume{CustomerID: "cdemo0001", Month: today[:7], Amount: 120_000, ManagerID: "alice", Department: "sales", Tier: domain.TierKey}
	if err := st.Contracts().PutVolume(ctx, vol, audit("customer", "cdemo0001-"+today[:7])); err != nil {
		t.Fatal(err)
	}
	v := &domain.Visit{ID: "vdemo1", CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Date: today, Purpose: domain.PurposeCare,
		Source: "plan", PlanID: domain.PlanID(today[:7], "alice"), Status: domain.VisitPlanned, ReportDue: today, CreatedBy: "sue", CreatedAt: now.Add(-time.Hour), UpdatedAt: now, Version: 1}
	if err := st.Visits().CreateVisit(ctx, v); err != nil {
		t.Fatal(err)
	}
	v.Status, v.Report, v.Version = domain.VisitReported, &domain.VisitReport{HappenedOn: today, Attendees: []string{"王伟"}, Learned: "ok", ReportedBy: "alice", ReportedAt: now, Due: today}, 2
	if err := st.Visits().SaveVisit(ctx, v, 1, nil); err != nil {
		t.Fatal(err)
	}
	reviewed := now.Add(-2 * time.Hour)
	p := &domain.VisitPlan{ID: domain.PlanID(today[:7], "alice"), ManagerID: "alice", Department: "sales", Month: today[:7], Status: domain.PlanApproved, ReviewedAt: &reviewed,
		Items: []domain.PlanItem{{CustomerID: "cdemo0001", Date: today, Purpose: domain.PurposeCare, VisitID: "vdemo1"}}, CreatedAt: reviewed, UpdatedAt: reviewed, Version: 1}
	if err := st.Visits().PutPlan(ctx, p, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FollowUps().Create(ctx, &domain.FollowUp{ID: "fdemo1", Kind: domain.FollowUpPurchase, CustomerID: "cdemo0001", ManagerID: "alice", Department: "sales",
		Reason: "purchase", DueAt: now.Add(-48 * time.Hour), CreatedAt: now.Add(-72 * time.Hour), Status: domain.FollowUpOpen}); err != nil {
		t.Fatal(err)
	}
}

// seedSettingsOnce stores the default settings once (version 1).
func seedSettingsOnce(t *testing.T, env *testenv.Env) {
	t.Helper()
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	set := domain.Defaults("Asia/Shanghai")
	if cur, err := st.Settings().Get(context.Background()); err == nil && cur.Version > 0 {
		return
	}
	set.Version = 1
	if err := st.Settings().Put(context.Background(), set, 0, domain.AuditEntry{Entity: "settings", EntityID: "current", Action: "update", Actor: "seed", At: time.Now().UTC(), RequestID: "seed-settings"}); err != nil {
		t.Fatal(err)
	}
}

func seedCustomer(t *testing.T, env *testenv.Env, id string, tier domain.Tier, email string) {
	t.Helper()
	now := time.Now().UTC()
	c := &domain.Customer{ID: id, Name: "客户" + id, ManagerID: "alice", Department: "sales", Tier: tier, Status: domain.StatusActive, TierSource: domain.TierFromInput,
		Contacts: []domain.Contact{{Name: "赵敏", Email: email, Language: "zh"}}, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := store.New(env.AWS.DynamoDB, env.Resources.Table).Customers().Create(context.Background(), c, domain.AuditEntry{Entity: "customer", EntityID: id, Action: "create", Actor: "seed", At: now, RequestID: "seed-" + id}, nil); err != nil {
		t.Fatal(err)
	}
}

// seedRunningHandover stores job id moving every account of from to to,
// started at and left running (as a crash or a timeout leaves it).
func seedRunningHandover(t *testing.T, env *testenv.Env, id, from, to string, at time.Time) {
	t.Helper()
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	var accounts []string
	pg, err := st.Customers().List(context.Background(), domain.CustomerQuery{Manager: from, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pg.Items {
		accounts = append(accounts, c.ID)
	}
	if len(accounts) == 0 {
		t.Fatalf("%s manages no account to hand over", from)
	}
	job := &domain.Handover{ID: id, From: from, To: to, Reason: "调岗 / role change", Department: "sales", By: "zhouli", Status: domain.HandoverRunning,
		Accounts: accounts, Moved: []string{}, Notified: []string{}, StartedAt: at.UTC()}
	if _, created, err := st.Handovers().Start(context.Background(), job); err != nil || !created {
		t.Fatalf("handover %s: %v (created %v)", id, err, created)
	}
}

func seedInvitation(t *testing.T, env *testenv.Env, token string, tier domain.Tier, created time.Time) {
	t.Helper()
	in := &domain.Invitation{Token: token, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Tier: tier,
		Reason: domain.SurveyManual, ContactName: "李娜", ContactEmail: token[len(token)-1:] + "@example.cn", Language: "zh",
		CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour)}
	if err := store.New(env.AWS.DynamoDB, env.Resources.Table).Surveys().CreateInvitation(context.Background(), in, domain.InvitationClaim{}); err != nil {
		t.Fatal(err)
	}
}

// unreachable is an endpoint nothing listens on.
func unreachable(t *testing.T) string {
	p, err := emu.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(p)
}

// observe drives function fn as its scenario says, on fresh tables, and
// returns the permissions its SDK calls needed.
func observe(t *testing.T, fn string, sc iamScenario) []call {
	t.Helper()
	seen := map[call]bool{}
	for _, down := range append([]string{""}, sc.down...) {
		env := testenv.New(t)
		seedSamples(t, env)
		if sc.before != nil {
			sc.before(t, env)
		}
		c := newCalls(env)
		d := env.Deps(t, fn, sc.now)
		d.Clients = c.clients(env)
		if strings.HasPrefix(down, "sqs") {
			d.Clients.SQS = sqs.New(env.AWS.SQS.Options(), func(o *sqs.Options) { o.BaseEndpoint = aws.String(unreachable(t)); o.RetryMaxAttempts = 1 })
		}
		if down == "sqs+table" {
			c.fail = func(op string, params any) error {
				if in, ok := params.(*dynamodb.PutItemInput); ok && pkPrefix(in.Item["PK"]) == "MAILPENDING#" {
					return errors.New("injected: keeping the mail failed")
				}
				return nil
			}
		}
		if down == "transaction" {
			c.fail = func(op string, params any) error {
				if _, ok := params.(*dynamodb.TransactWriteItemsInput); ok {
					return errors.New("injected: the transaction failed")
				}
				return nil
			}
		}
		switch down {
		case "ses":
			d.Clients.SES = ses.Client(aws.Config{Region: platform.LocalRegion, Credentials: platform.LocalCredentials}, unreachable(t), "", func(o *sesv2.Options) { o.RetryMaxAttempts = 1 })
			replayFailing(t, env, fn, d) // the sample's message fails to send: that is the path observed
		default:
			replaySamples(t, env, fn, d, down == "")
		}
		if sc.after != nil {
			sc.after(t, env, d)
		}
		for _, x := range c.list() {
			seen[x] = true
		}
	}
	out := make([]call, 0, len(seen))
	for x := range seen {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// replayFailing runs the SQS samples of fn expecting each message to fail.
func replayFailing(t *testing.T, env *testenv.Env, fn string, d platform.Deps) {
	t.Helper()
	h, err := platform.Registry[fn](d)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	readSample(t, fn, "01-mail-batch.json", &ev)
	resp, err := h.SQS(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != len(ev.Records) {
		t.Fatalf("%s with SES down: %v %+v, want every message failed", fn, err, resp)
	}
}

// Each function's role grants exactly what its code calls: every SDK call
// its samples and scenarios make (failure paths included) is allowed by a
// statement of its Policies, and every action of every statement on every
// resource, and under every dynamodb:LeadingKeys pattern, is used by some
// call. Item statements on the table are limited to the record types the
// function touches (LeadingKeys); queries of the GSIs cannot be (a GSI's
// partition keys are not the table's record types).
func TestIAMPoliciesMatchCode(t *testing.T) {
	deploy.Need(t)
	out, err := deploy.Transform(filepath.Join(testenv.Root(t), "template.yaml"), "ap-northeast-1")
	if err != nil {
		t.Fatal(err)
	}
	var cfn map[string]any
	if err := json.Unmarshal(out, &cfn); err != nil {
		t.Fatal(err)
	}
	roles, err := deploy.FunctionRoles(cfn)
	if err != nil {
		t.Fatal(err)
	}
	tpl := loadTemplate(t)
	scenarios := iamScenarios()
	for _, f := range tpl.Functions {
		sc, ok := scenarios[f.LogicalID]
		if !ok {
			t.Errorf("%s has no IAM scenario: add one to iamScenarios", f.LogicalID)
			continue
		}
		role, ok := roles[f.LogicalID]
		if !ok {
			t.Errorf("%s: no role after the transform", f.LogicalID)
			continue
		}
		t.Run(f.LogicalID, func(t *testing.T) {
			managed := []string{"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
			if len(f.Queues) > 0 {
				managed = append(managed, "AWSLambdaSQSQueueExecutionRole") // the event source mapping's
			}
			sort.Strings(managed)
			if strings.Join(role.Managed, ",") != strings.Join(managed, ",") {
				t.Errorf("managed policies %v, want %v", role.Managed, managed)
			}
			calls := observe(t, f.LogicalID, sc)
			problems := checkGrants(role.Code, calls)
			for _, p := range problems {
				t.Error(p)
			}
			if len(problems) > 0 {
				t.Logf("the statements its calls need:\n%s", suggest(calls))
			}
		})
	}
}

// checkGrants compares a role's statements with the calls seen.
func checkGrants(stmts []deploy.Statement, calls []call) []string {
	var problems []string
	allows := func(s deploy.Statement, c call) bool {
		if s.Effect != "Allow" || !slices.Contains(s.Actions, c.Action) || !slices.Contains(s.Resources, c.Resource) {
			return false
		}
		if len(s.LeadingKeys) == 0 {
			return true
		}
		for _, p := range s.LeadingKeys {
			if deploy.LeadingKeyMatches(p, c.Prefix) {
				return true
			}
		}
		return false
	}
	for _, c := range calls {
		covered := false
		for _, s := range stmts {
			covered = covered || allows(s, c)
		}
		if !covered {
			problems = append(problems, fmt.Sprintf("its code calls %s, which no statement allows", c))
		}
	}
	used := func(action, resource, pattern string) bool {
		for _, c := range calls {
			if c.Action == action && c.Resource == resource && (pattern == "" || deploy.LeadingKeyMatches(pattern, c.Prefix)) {
				return true
			}
		}
		return false
	}
	for _, s := range stmts {
		if s.Effect != "Allow" {
			problems = append(problems, fmt.Sprintf("%s: a %q statement", s.Policy, s.Effect))
		}
		for _, r := range s.Resources {
			if r == "table" && len(s.LeadingKeys) == 0 {
				problems = append(problems, fmt.Sprintf("%s: %v on the table without dynamodb:LeadingKeys", s.Policy, s.Actions))
			}
			if r == "*" || strings.HasPrefix(r, "other:") {
				problems = append(problems, fmt.Sprintf("%s: %v on %s", s.Policy, s.Actions, r))
			}
			for _, a := range s.Actions {
				patterns := s.LeadingKeys
				if len(patterns) == 0 {
					patterns = []string{""}
				}
				for _, p := range patterns {
					if !used(a, r, p) {
						what := a + " on " + r
						if p != "" {
							what += " [" + p + "]"
						}
						problems = append(problems, fmt.Sprintf("%s grants %s, which its code never calls", s.Policy, what))
					}
				}
			}
		}
	}
	return problems
}

// suggest writes the template statements that the calls need: one per set
// of item actions sharing the same record types.
func suggest(calls []call) string {
	byAction := map[string][]string{}
	var other []string
	for _, c := range calls {
		if c.Resource == "table" {
			byAction[c.Action] = append(byAction[c.Action], c.Prefix+"*")
		} else if !slices.Contains(other, c.Action+" "+c.Resource) {
			other = append(other, c.Action+" "+c.Resource)
		}
	}
	groups := map[string][]string{}
	for a, ps := range byAction {
		sort.Strings(ps)
		k := strings.Join(slices.Compact(ps), `", "`)
		groups[k] = append(groups[k], a)
	}
	var b strings.Builder
	for _, k := range sortedKeys(groups) {
		sort.Strings(groups[k])
		fmt.Fprintf(&b, "  - Action: [%s]  Resource: !GetAtt Table.Arn  LeadingKeys: [\"%s\"]\n", strings.Join(groups[k], ", "), k)
	}
	sort.Strings(other)
	for _, o := range other {
		fmt.Fprintf(&b, "  - %s\n", o)
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func readSample(t *testing.T, fn, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Root(t), "events", fn, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// diesBeforeCard plays a function that dies after reserving a complaint
// number and before writing its card.
type diesBeforeCard struct{ store.DB }

func (diesBeforeCard) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, errors.New("the function died")
}
