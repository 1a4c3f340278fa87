// Package e2e holds the tests of the project as a whole: build targets,
// sample events, the runner serving template.yaml, and the local stack
// started as a user starts it.
package e2e

import (
	"context"
	"debug/elf"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"keycare/local/gateway"
	"keycare/local/runner"
	"keycare/local/template"
	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func loadTemplate(t *testing.T) *template.Template {
	t.Helper()
	tpl, err := template.Load(filepath.Join(testenv.Root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// Every function in template.yaml has a folder, a factory in the local
// runner, and a `make build-<LogicalId>` target that writes an arm64 ELF
// named bootstrap into ARTIFACTS_DIR (what `sam build` calls).
func TestEveryFunctionBuildsForLambda(t *testing.T) {
	tpl := loadTemplate(t)
	root := testenv.Root(t)
	if len(tpl.Functions) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	ids := map[string]bool{}
	for _, f := range tpl.Functions {
		ids[f.LogicalID] = true
		if f.Metadata["BuildMethod"] != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %q, want makefile", f.LogicalID, f.Metadata["BuildMethod"])
		}
		if _, ok := platform.Registry[f.LogicalID]; !ok {
			t.Errorf("%s has no factory in platform.Registry", f.LogicalID)
		}
		// Scheduled runs are kept apart by a lease per function (platform.Start
		// and the runner take it), not reserved concurrency: one schedule each.
		if len(f.Schedules) > 1 {
			t.Errorf("%s has %d schedules; its lease is per function, so one", f.LogicalID, len(f.Schedules))
		}
		src, err := os.ReadFile(filepath.Join(root, "functions", functionDir(f.LogicalID), "main.go"))
		if err != nil || !strings.Contains(string(src), `platform.Start("`+f.LogicalID+`"`) {
			t.Errorf("functions/%s/main.go does not start %s through the registry: %v", functionDir(f.LogicalID), f.LogicalID, err)
		}
		t.Run(f.LogicalID, func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command("make", "-s", "build-"+f.LogicalID, "ARTIFACTS_DIR="+out)
			cmd.Dir = root
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", f.LogicalID, err, b)
			}
			ef, err := elf.Open(filepath.Join(out, "bootstrap"))
			if err != nil {
				t.Fatalf("bootstrap is not an ELF file: %v", err)
			}
			defer ef.Close()
			if ef.Machine != elf.EM_AARCH64 || ef.Type != elf.ET_EXEC {
				t.Fatalf("bootstrap is %v %v, want an arm64 executable", ef.Machine, ef.Type)
			}
		})
	}
	for id := range platform.Registry {
		if !ids[id] {
			t.Errorf("platform.Registry has %s, which template.yaml does not declare", id)
		}
	}
	dirs, _ := os.ReadDir(filepath.Join(root, "functions"))
	if len(dirs) != len(tpl.Functions) {
		t.Errorf("%d folders in functions/, %d functions in template.yaml", len(dirs), len(tpl.Functions))
	}
}

// functionDir is the folder of a function, as the Makefile's build-% finds
// it: CustomersFunction -> customers, ComplaintEscalationFunction ->
// complaint-escalation.
func functionDir(logicalID string) string {
	s := strings.TrimSuffix(logicalID, "Function")
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The registry and template.yaml list the same functions, with the same
// triggers, and each HTTP function serves exactly its template routes.
func TestRegistryMatchesTemplate(t *testing.T) {
	env := testenv.New(t)
	for _, f := range env.Template.Functions {
		factory, ok := platform.Registry[f.LogicalID]
		if !ok {
			t.Errorf("%s is in template.yaml, not in platform.Registry", f.LogicalID)
			continue
		}
		fn, err := factory(env.Deps(t, f.LogicalID, nil))
		if err != nil {
			t.Fatalf("%s: %v", f.LogicalID, err)
		}
		if (len(f.Routes) > 0) != (fn.HTTP != nil) || (len(f.Queues) > 0) != (fn.SQS != nil) || (len(f.Schedules) > 0) != (fn.Schedule != nil) {
			t.Errorf("%s: template has %d routes, %d queues, %d schedules; the registry's function serves HTTP %v, SQS %v, a schedule %v",
				f.LogicalID, len(f.Routes), len(f.Queues), len(f.Schedules), fn.HTTP != nil, fn.SQS != nil, fn.Schedule != nil)
		}
		var declared []string
		for _, rt := range f.Routes {
			declared = append(declared, rt.Method+" "+rt.Path)
		}
		served := append([]string(nil), fn.Routes...)
		sort.Strings(declared)
		sort.Strings(served)
		if strings.Join(declared, "\n") != strings.Join(served, "\n") {
			t.Errorf("%s: template.yaml routes\n  %s\nhandler routes\n  %s", f.LogicalID, strings.Join(declared, "\n  "), strings.Join(served, "\n  "))
		}
	}
	for id := range platform.Registry {
		if _, ok := env.Template.Function(id); !ok {
			t.Errorf("platform.Registry has %s, which template.yaml does not declare", id)
		}
	}
}

// The runner serves every route, queue and schedule of template.yaml.
func TestRunnerServesTemplate(t *testing.T) {
	env := testenv.New(t)
	clock := runner.NewClock()
	r, err := runner.New(env.Template, env.Resources, env.AWS, clock, platform.Registry)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Handler()
	admin, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: "root", Roles: []string{"admin"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	routes := 0
	for _, f := range env.Template.Functions {
		for _, rt := range f.Routes {
			routes++
			path := strings.NewReplacer("{id}", "probe", "{number}", "261122001", "{token}", "probe", "{n}", "0").Replace(rt.Path)
			req := httptest.NewRequest(rt.Method, path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if !rt.Public {
				// Without a token the gateway refuses a protected route.
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusUnauthorized {
					t.Errorf("%s %s without a token: %d, want 401", rt.Method, rt.Path, w.Code)
				}
				req = httptest.NewRequest(rt.Method, path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+admin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			body := w.Body.String()
			if strings.Contains(body, `"message":"Not Found"`) || strings.Contains(body, `"no_route"`) || w.Code >= 500 {
				t.Errorf("%s %s (%s) is not served: %d %s", rt.Method, rt.Path, f.LogicalID, w.Code, body)
			}
		}
		for _, s := range f.Schedules {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/_local/schedules/"+s.Event, nil))
			if w.Code != 200 {
				t.Errorf("schedule %s of %s: %d %s", s.Event, f.LogicalID, w.Code, w.Body)
			}
		}
		for _, q := range f.Queues {
			if env.Resources.QueueURLs[q.Queue] == "" {
				t.Errorf("%s reads queue %s, which was not created", f.LogicalID, q.Queue)
			}
		}
	}
	if routes == 0 {
		t.Fatal("template.yaml declares no routes")
	}
	for _, q := range env.Template.Queues {
		url := env.Resources.QueueURLs[q.LogicalID]
		out, err := env.AWS.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatalf("queue %s: %v", q.LogicalID, err)
		}
		if q.DeadLetter != "" && !strings.Contains(out.Attributes["RedrivePolicy"], env.Resources.QueueARNs[q.DeadLetter]) {
			t.Errorf("queue %s: redrive policy %q does not name %s", q.LogicalID, out.Attributes["RedrivePolicy"], q.DeadLetter)
		}
	}
	// A browser app's preflight is answered from template.yaml's CORS block
	// (x-amazon-apigateway-cors in the API's DefinitionBody), as API
	// Gateway answers it.
	origin := env.Resources.Resolver.Params["AllowedOrigins"]
	if origin == "" || strings.Contains(origin, ",") {
		t.Fatalf("AllowedOrigins resolves to %q, want one origin", origin)
	}
	pre := httptest.NewRequest("OPTIONS", "/customers", nil)
	pre.Header.Set("Origin", origin)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "authorization,idempotency-key")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, pre)
	if w.Code >= 300 || w.Header().Get("Access-Control-Allow-Origin") != origin ||
		!strings.Contains(strings.ToLower(w.Header().Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight from %s: %d %v", origin, w.Code, w.Header())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/_local/schedules/NoSuchSchedule", nil))
	if w.Code != 404 {
		t.Errorf("unknown schedule: %d", w.Code)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/_local/clock", strings.NewReader(`{"advance":"72h"}`)))
	if w.Code != 200 || clock.Now().Sub(time.Now()) < 71*time.Hour {
		t.Errorf("clock advance: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/_local/clock", strings.NewReader(`{"advance":"soon"}`)))
	if w.Code != 400 {
		t.Errorf("bad clock body: %d", w.Code)
	}
}

// The sample events of events/ replay through the real handlers in order.
func TestSampleEventsReplay(t *testing.T) {
	env := testenv.New(t)
	seedSamples(t, env)
	replayed := 0
	for _, f := range env.Template.Functions {
		replayed += replaySamples(t, env, f.LogicalID, env.Deps(t, f.LogicalID, sampleClock(f.LogicalID)), true)
	}
	root := testenv.Root(t)
	fnDirs, err := os.ReadDir(filepath.Join(root, "events"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range fnDirs {
		if _, ok := env.Template.Function(d.Name()); d.IsDir() && !ok {
			t.Errorf("events/%s names no function of template.yaml", d.Name())
		}
	}
	for _, f := range env.Template.Functions {
		if files, _ := filepath.Glob(filepath.Join(root, "events", f.LogicalID, "*.json")); len(files) == 0 {
			t.Errorf("%s has no sample event in events/%s/", f.LogicalID, f.LogicalID)
		}
	}
	if replayed == 0 {
		t.Fatal("no sample events replayed")
	}
}

// seedSamples puts in env's table what the sample events address.
func seedSamples(t *testing.T, env *testenv.Env) {
	t.Helper()
	// The samples address the account cdemo0001 of manager alice.
	st := store.New(env.AWS.DynamoDB, env.Resources.Table)
	now := time.Now().UTC()
	seed := &domain.Customer{ID: "cdemo0001", Name: "示例客户", ManagerID: "alice", Department: "sales", Tier: domain.TierKey,
		Status: domain.StatusActive, TierSource: domain.TierFromInput, CreatedAt: now, UpdatedAt: now, Version: 1,
		Contacts: []domain.Contact{{Name: "李娜", Email: "li.na@example.cn", Language: "zh"}}}
	if err := st.Customers().Create(context.Background(), seed, domain.AuditEntry{Entity: "customer", EntityID: seed.ID, Action: "create", Actor: "seed", At: now, RequestID: "seed"}, nil); err != nil {
		t.Fatal(err)
	}
	seedConsole(t, st) // the console's sessions, visits and follow-up
	// ... and complaint 261122001, received, with tracking token demo-tracking-token.
	c := &domain.Complaint{Number: "261122001", Year: 2026, Seq: 1, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice",
		Contact: domain.Contact{Name: "王伟", Email: "wang@example.cn", Language: "zh"}, Channel: domain.ChannelPhone, Category: domain.CategoryService,
		Severity: domain.SeverityNormal, Request: domain.RequestOther, Description: "示例", ReceivedAt: now, Language: "zh", TrackingHash: domain.TokenHash("demo-tracking-token")}
	c.Open(domain.DefaultSLA("Asia/Shanghai"), "seed", domain.RoleSupervisor)
	if err := st.Complaints().Put(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	// ... and survey invitations: one for the page and its answer, two for the processor's batch, one for the form post.
	for _, tok := range []string{"demoSurveyToken0000000000000000000000000001", "demoSurveyToken0000000000000000000000000002", "demoSurveyToken0000000000000000000000000003", "demoSurveyToken0000000000000000000000000004"} {
		in := &domain.Invitation{Token: tok, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Tier: domain.TierKey,
			Reason: domain.SurveyManual, ContactName: "李娜", ContactEmail: tok[len(tok)-1:] + "@example.cn", Language: "zh",
			CreatedAt: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), ExpiresAt: time.Now().Add(24 * time.Hour)}
		if err := st.Surveys().CreateInvitation(context.Background(), in, domain.InvitationClaim{}); err != nil {
			t.Fatal(err)
		}
	}
	// ... and complaint 261122002, received (the sample rejects it: out of
	// warranty), and the serious 261122003, reviewed, for the executive's
	// approval.
	seedComplaint(t, st, "261122002", 2, domain.SeverityNormal, domain.StatusReceived)
	seedComplaint(t, st, "261122003", 3, domain.SeveritySerious, domain.StatusReviewed)
	seedVisitSamples(t, st)
}

// visitSamplesAt is when the VisitsFunction samples were sent (Monday 23
// November 2026, 10:00 in Shanghai, as their requestContext says): they are
// dated (a plan for December, the report of a visit on 20 November), so
// they replay on this clock.
var visitSamplesAt = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// sampleClock is the clock a function's samples replay on; nil: the real one.
func sampleClock(fn string) func() time.Time {
	if fn == "VisitsFunction" {
		return func() time.Time { return visitSamplesAt }
	}
	return nil
}

// seedVisitSamples puts in the table what the VisitsFunction samples
// address, with fixed ids, through the store's repositories: two managers of
// sales in the staff directory (李强 hands his two accounts over to 张敏),
// alice's strategic account cdemo0003 with a contact, an ad-hoc visit to
// approve, a visit to report, one to cancel, a reported visit with promised
// actions, a purchase callback to complete, complaint 261122004 replied and
// waiting for its closing callback, a relationship plan awaiting approval
// and a finished handover.
func seedVisitSamples(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC) // a week before the samples
	audit := func(entity, id string) domain.AuditEntry {
		return domain.AuditEntry{Entity: entity, EntityID: id, Action: "create", Actor: "seed", At: at, RequestID: "seed-" + id}
	}
	for _, m := range []domain.StaffMember{
		{ID: "liqiang", Name: "李强", Email: "li.qiang@example.cn", Department: "sales", Roles: []domain.Role{domain.RoleManager}, Language: "zh", Active: true},
		{ID: "zhangmin", Name: "Zhang Min", Email: "zhang.min@example.cn", Department: "sales", Roles: []domain.Role{domain.RoleManager}, Language: "en", Active: true},
	} {
		m.Version, m.UpdatedBy, m.UpdatedAt = 1, "seed", at
		if err := st.Staff().Put(ctx, &m, 0, audit("staff", m.ID)); err != nil {
			t.Fatal(err)
		}
	}
	accounts := map[string]*domain.Customer{}
	for _, c := range []*domain.Customer{
		{ID: "cdemo0003", Name: "上海精工机械有限公司", ManagerID: "alice", Tier: domain.TierStrategic,
			Contacts: []domain.Contact{{Name: "王伟", Title: "采购经理", Phone: "13812345678", Email: "wang.wei@example.cn", Language: "zh", Birthday: "11-28"}}},
		{ID: "cdemo0010", Name: "杭州新材料科技有限公司", ManagerID: "liqiang", Tier: domain.TierKey,
			Contacts: []domain.Contact{{Name: "陈静", Email: "chen.jing@example.cn", Language: "zh"}}},
		{ID: "cdemo0011", Name: "Suzhou Bright Optics Ltd.", ManagerID: "liqiang", Tier: domain.TierOrdinary,
			Contacts: []domain.Contact{{Name: "Emily Zhou", Email: "emily.zhou@example.com", Language: "en"}}},
	} {
		c.Department, c.Status, c.TierSource, c.CreatedAt, c.UpdatedAt, c.Version = "sales", domain.StatusActive, domain.TierFromInput, at, at, 1
		if err := st.Customers().Create(ctx, c, audit("customer", c.ID), nil); err != nil {
			t.Fatal(err)
		}
		accounts[c.ID] = c
	}
	accounts["cdemo0001"], _ = st.Customers().Get(ctx, "cdemo0001")
	set := domain.Defaults("Asia/Shanghai")
	cal := set.SLA()
	visit := func(id, customer, date string, purpose domain.VisitPurpose, source, note string) *domain.Visit {
		planID := ""
		if source == "plan" {
			planID = "2026-11-" + accounts[customer].ManagerID
		}
		v, err := domain.NewVisit(id, domain.VisitDraft{CustomerID: customer, Date: date, Purpose: purpose, Participants: []string{accounts[customer].ManagerID}, Note: note},
			accounts[customer], source, planID, accounts[customer].ManagerID, at, cal, set.Visits)
		if err != nil {
			t.Fatalf("seed visit %s: %v", id, err)
		}
		if err := st.Visits().CreateVisit(ctx, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	visit("vdemo-adhoc", "cdemo0003", "2026-11-26", domain.PurposePayment, "ad-hoc", "催收三季度货款 / collect the Q3 payment")
	visit("vdemo-report", "cdemo0003", "2026-11-20", domain.PurposeCare, "plan", "")
	visit("vdemo-cancel", "cdemo0001", "2026-11-27", domain.PurposeProduct, "plan", "新品推介 / new product")
	visit("vdemo-handover", "cdemo0010", "2026-11-25", domain.PurposeBusiness, "plan", "二期项目洽谈 / phase two")
	// A visit reported on 12 November whose promised actions are still open.
	done := visit("vdemo-reported", "cdemo0001", "2026-11-10", domain.PurposeBusiness, "plan", "")
	alice := domain.Principal{Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"}
	if err := done.FileReport(domain.ReportInput{HappenedOn: "2026-11-10", Attendees: []string{"李娜（设备部）", "alice"}, Learned: "客户考虑更换老旧产线 / replacing an old line",
		Actions: []domain.PromisedAction{{Text: "提交框架协议报价 / quote the framework agreement", Owner: "alice", Due: "2026-11-18"},
			{Text: "安排工厂参观 / arrange a factory tour", Owner: "alice", Due: "2026-11-25"}}}, alice, at, cal, set.Visits); err != nil {
		t.Fatal(err)
	}
	if err := st.Visits().SaveVisit(ctx, done, 1, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []domain.FollowUp{
		{ID: "fdemo-purchase", Kind: domain.FollowUpPurchase, CustomerID: "cdemo0003", CustomerName: "上海精工机械有限公司", ManagerID: "alice",
			Department: "sales", Reason: "purchase on 2026-11-20: callback after 3 days", DueAt: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)},
		{ID: "fdemo-handover", Kind: domain.FollowUpEvent, CustomerID: "cdemo0011", CustomerName: "Suzhou Bright Optics Ltd.", ManagerID: "liqiang",
			Department: "sales", Reason: "event on 2026-11-15: callback after 15 days", DueAt: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)},
	} {
		f.Status, f.CreatedAt = domain.FollowUpOpen, at
		if _, err := st.FollowUps().Create(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	seedComplaint(t, st, "261122004", 4, domain.SeverityNormal, domain.StatusReplied)
	rp, err := domain.NewRelationshipPlan(domain.RelationshipInput{Goals: "稳住现有份额，争取 2027 年框架协议。Keep our share; win the 2027 framework agreement.",
		Actions: []string{"每月一次技术交流 / monthly technical meeting"}, ReviewBy: "2027-03-31"}, accounts["cdemo0001"], alice, at, cal, set.Visits)
	if err != nil {
		t.Fatal(err)
	}
	rp.Version = 1
	if err := st.Visits().PutRelationshipPlan(ctx, rp, 0); err != nil {
		t.Fatal(err)
	}
	finished := &domain.Handover{ID: "hdemo-0001", From: "wangfang", To: "alice", Reason: "王芳休产假 / Wang Fang on maternity leave", Department: "sales", By: "zhouli",
		Status: domain.HandoverRunning, Accounts: []string{"cdemo0001"}, Moved: []string{"cdemo0001"}, Notified: []string{"cdemo0001"}, StartedAt: at.Add(-30 * 24 * time.Hour)}
	if _, _, err := st.Handovers().Start(ctx, finished); err != nil {
		t.Fatal(err)
	}
	if err := st.Handovers().Finish(ctx, finished, finished.StartedAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
}

// seedComplaint stores a phone complaint of cdemo0001 received on 22
// November 2026 and taken through the workflow's steps up to status.
func seedComplaint(t *testing.T, st *store.Store, number string, seq int, sev domain.Severity, status domain.ComplaintStatus) *domain.Complaint {
	t.Helper()
	received := time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC)
	c := &domain.Complaint{Number: number, Year: 2026, Seq: seq, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", AccountTier: domain.TierKey,
		Contact: domain.Contact{Name: "王伟", Phone: "13812345678", Email: "wang@example.cn", Language: "zh"}, Channel: domain.ChannelPhone,
		Category: domain.CategoryProduct, Severity: sev, Request: domain.RequestExchange, ReceivedAt: received, Language: "zh",
		Description: "11月20日到货的 3 台主轴电机中有 1 台运转异响，要求更换。", TrackingHash: domain.TokenHash("demo-tracking-" + number)}
	c.Open(domain.DefaultSLA("Asia/Shanghai"), "seed", domain.RoleSupervisor)
	sup := domain.Principal{Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}, Department: "quality"}
	dept := domain.Principal{Sub: "rita", Roles: []domain.Role{domain.RoleDepartment}, Department: "repair"}
	yes := true
	steps := []struct {
		a  domain.Action
		p  domain.Principal
		in domain.StepInput
	}{
		{domain.ActionAccept, sup, domain.StepInput{}},
		{domain.ActionAssign, sup, domain.StepInput{Department: "repair", Opinion: "请维修部上门检测电机"}},
		{domain.ActionInvestigation, dept, domain.StepInput{Investigation: &domain.Investigation{Cause: "轴承装配不良", WhatHappened: "出厂检验漏检",
			Responsible: "装配二组", Conclusion: "属实，我方责任", CompanyAtFault: true, Countermeasures: "免费更换，装配组复训"}}},
		{domain.ActionReview, sup, domain.StepInput{Approve: &yes, Comment: "调查属实"}},
		{domain.ActionReply, sup, domain.StepInput{Reply: &domain.Reply{Text: "王先生您好：经检测系轴承装配不良，我们已安排免费更换。", Method: "written"}}},
	}
	at := received
	for _, s := range steps {
		if c.Status == status {
			break
		}
		at = at.Add(3 * time.Hour)
		if err := c.Apply(s.a, s.in, s.p, at); err != nil {
			t.Fatalf("seed complaint %s, %s: %v", number, s.a, err)
		}
	}
	if c.Status != status {
		t.Fatalf("seed complaint %s reached %s, not %s", number, c.Status, status)
	}
	if err := st.Complaints().Put(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// replaySamples runs the sample events of function fn, in order, through
// its real handler built from deps; with check, each must succeed. It
// returns how many.
func replaySamples(t *testing.T, env *testenv.Env, fn string, deps platform.Deps, check bool) int {
	t.Helper()
	h, err := platform.Registry[fn](deps)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Root(t), "events", fn, "*.json"))
	sort.Strings(files)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := fn + "/" + filepath.Base(file)
		switch {
		case h.HTTP != nil:
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// A form post's token is signed with the stack's key and
			// expires: the sample names a placeholder, made here as a
			// browser would have had it (a page loaded a minute ago).
			if body, ok := formBody(ev); ok && strings.Contains(body, "SAMPLE-FORM-TOKEN") {
				k, err := store.New(env.AWS.DynamoDB, env.Resources.Table).Keys().Key(context.Background(), "form")
				if err != nil {
					t.Fatal(err)
				}
				setFormBody(&ev, strings.ReplaceAll(body, "SAMPLE-FORM-TOKEN", url.QueryEscape(domain.FormToken(k, time.Now().Add(-time.Minute)))))
			}
			resp, err := deps.HTTP(h.HTTP)(context.Background(), ev)
			if check && (err != nil || resp.StatusCode >= 400) {
				t.Errorf("%s: %d %v %s", name, resp.StatusCode, err, resp.Body)
			}
		case h.SQS != nil:
			var ev events.SQSEvent
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			resp, err := h.SQS(context.Background(), ev)
			if check && (err != nil || len(resp.BatchItemFailures) != 0) {
				t.Errorf("%s: %v %+v", name, err, resp)
			}
		case h.Schedule != nil:
			var ev map[string]any // what the scheduler delivers; the run takes its time from the clock
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := deps.Scheduled(fn, h.Schedule)(context.Background(), b); check && err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	return len(files)
}

// README's table of functions names every function of template.yaml, once.
func TestReadmeListsEveryFunction(t *testing.T) {
	root := testenv.Root(t)
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "## Where things live")
	if i < 0 {
		t.Fatal(`README.md has no "## Where things live" section`)
	}
	section := text[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	listed := map[string]int{}
	for _, line := range strings.Split(section, "\n") {
		if f := strings.Split(line, "|"); len(f) > 2 && strings.HasSuffix(strings.TrimSpace(f[1]), "Function") {
			listed[strings.TrimSpace(f[1])]++
		}
	}
	tpl := loadTemplate(t)
	for _, f := range tpl.Functions {
		if listed[f.LogicalID] != 1 {
			t.Errorf("README's function table lists %s %d times, want once", f.LogicalID, listed[f.LogicalID])
		}
		delete(listed, f.LogicalID)
	}
	for id := range listed {
		t.Errorf("README lists %s, which template.yaml does not declare", id)
	}
}

// Dependencies point one way: domain ← store, mail, queue, httpx ← the
// service packages ← api, public ← platform ← functions and local. domain
// imports nothing of ours and no AWS package; service packages reach
// storage through interfaces, so they import neither the store nor the SDK.
func TestPackagesImportDownwardOnly(t *testing.T) {
	layer := map[string]int{
		"domain": 0,
		"store":  1, "mail": 1, "queue": 1, "httpx": 1, "ses": 1,
		"customer": 2, "complaint": 2, "survey": 2, "settings": 2, "staff": 2, "visit": 2, "audit": 2, "report": 2,
		"api": 3, "public": 3, "console": 3,
		"platform": 4,
	}
	service := func(p string) bool { return layer[p] == 2 }
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports ","}}`, "./shared/...")
	cmd.Dir = testenv.Root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, " ")
		pkg := strings.TrimPrefix(path, "keycare/shared/")
		l, ok := layer[pkg]
		if !ok {
			t.Errorf("shared/%s has no layer: add it to this test's table", pkg)
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			switch {
			case strings.HasPrefix(imp, "keycare/shared/"):
				dep := strings.TrimPrefix(imp, "keycare/shared/")
				if layer[dep] > l {
					t.Errorf("shared/%s (layer %d) imports shared/%s (layer %d)", pkg, l, dep, layer[dep])
				}
				if (pkg == "domain" || pkg == "store") && dep != "domain" {
					t.Errorf("shared/%s imports shared/%s", pkg, dep)
				}
				if service(pkg) && dep == "store" {
					t.Errorf("service package shared/%s imports the store; consume an interface", pkg)
				}
			case strings.HasPrefix(imp, "keycare/"):
				t.Errorf("shared/%s imports %s", pkg, imp)
			case strings.HasPrefix(imp, "github.com/aws/aws-sdk-go-v2") && (pkg == "domain" || service(pkg)):
				t.Errorf("shared/%s imports the AWS SDK (%s)", pkg, imp)
			}
		}
	}
}

// formBody is a form post's body as the function reads it (samples carry
// form posts base64-encoded, as API Gateway delivers them).
func formBody(ev events.APIGatewayV2HTTPRequest) (string, bool) {
	if !ev.IsBase64Encoded {
		return ev.Body, true
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	return string(b), err == nil
}

func setFormBody(ev *events.APIGatewayV2HTTPRequest, body string) {
	if ev.IsBase64Encoded {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	ev.Body = body
}

// Every package a function links runs its initialisation in each cold
// start (README, Figures: cold start): the SES SDK only in the mailer, and
// neither a spreadsheet library, nor the SDK's default configuration chain
// (with its STS, SSO and sign-in clients), nor lunar-go's astronomical
// tables (the festival dates are a generated table) in any function; nor
// the schemas of the SDK's schema-based (de)serialization (DynamoDB from
// v1.69.0, SQS v1.49.0, SES v2 v1.75.0, DynamoDB Streams v1.42.0), whose
// package variables took 2.5 ms of init for DynamoDB alone: go.mod pins
// the releases before it.
func TestFunctionsLinkOnlyWhatTheyNeed(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps ","}}`, "./functions/...")
	cmd.Dir = testenv.Root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	never := []string{"github.com/xuri/excelize/", "github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sts",
		"github.com/6tail/lunar-go/calendar", "github.com/6tail/lunar-go/ShouXingUtil"}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list found %d functions", len(lines))
	}
	for _, line := range lines {
		fn, deps, _ := strings.Cut(line, " ")
		linked := map[string]bool{}
		for _, d := range strings.Split(deps, ",") {
			linked[d] = true
			for _, p := range never {
				if strings.HasPrefix(d, p) {
					t.Errorf("%s links %s", fn, d)
				}
			}
		}
		for d := range linked {
			if strings.HasPrefix(d, "github.com/aws/aws-sdk-go-v2/service/") && strings.HasSuffix(d, "/schemas") {
				t.Errorf("%s links %s: the SDK's schema-based (de)serialization builds its schemas at every cold start; keep the releases go.mod pins (README, Figures: cold start)", fn, d)
			}
		}
		if ses := linked["github.com/aws/aws-sdk-go-v2/service/sesv2"]; ses != strings.HasSuffix(fn, "/functions/mailer") {
			t.Errorf("%s links the SES SDK: %v (only the mailer should)", fn, ses)
		}
	}
}
