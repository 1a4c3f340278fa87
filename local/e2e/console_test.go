package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/platform"
	"keycare/shared/store"
)

// seedConsole puts in st what the console's samples address: a session per
// person (the cookie ids and CSRF tokens of events/ConsoleFunction, last
// seen 20 minutes ago, so that the first page records the activity), a
// visit of alice's to report and an ad-hoc one to approve, a complaint to
// accept, and a follow-up.
func seedConsole(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	for who, p := range map[string]domain.Principal{
		"alice": {Sub: "alice", Roles: []domain.Role{domain.RoleManager}, Department: "sales"},
		"sue":   {Sub: "sue", Roles: []domain.Role{domain.RoleSupervisor}, Department: "sales"},
		"ceo":   {Sub: "ceo", Roles: []domain.Role{domain.RoleExecutive}},
		"root":  {Sub: "root", Roles: []domain.Role{domain.RoleAdmin}},
	} {
		h := sha256.Sum256([]byte("sample-console-session-" + who + "-0123456789abcdefghijklmnop"))
		s := domain.NewSession(hex.EncodeToString(h[:]), "sample-csrf-"+who, p, "zh", domain.SignInCognito, now.Add(-time.Hour))
		s.SeenAt = now.Add(-20 * time.Minute)
		if err := st.Sessions().Create(ctx, s, now.Add(8*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []*domain.Visit{
		{ID: "vdemo0001", CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Date: "2026-11-20",
			Purpose: domain.PurposeCare, Source: "plan", Status: domain.VisitPlanned, ReportDue: "2026-11-24", CreatedBy: "alice", CreatedAt: now, UpdatedAt: now, Version: 1},
		{ID: "vdemo0002", CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice", Department: "sales", Date: "2099-01-10",
			Purpose: domain.PurposeBusiness, Source: "ad-hoc", Status: domain.VisitProposed, ReportDue: "2099-01-12", CreatedBy: "alice", CreatedAt: now, UpdatedAt: now, Version: 1},
	} {
		if err := st.Visits().CreateVisit(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	// A phone complaint of the sample account, received: the console's card accepts it.
	c := &domain.Complaint{Number: "261122900", Year: 2026, Seq: 900, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice",
		AccountDept: "sales", Contact: domain.Contact{Name: "王伟", Phone: "13812345678", Language: "zh"}, Channel: domain.ChannelPhone,
		Category: domain.CategoryLogistics, Severity: domain.SeverityNormal, Request: domain.RequestCompensation, Description: "托盘破损",
		ReceivedAt: now.Add(-2 * time.Hour), Language: "zh", TrackingHash: domain.TokenHash("sample-console-tracking-token")}
	c.Open(domain.DefaultSLA("Asia/Shanghai"), "alice", domain.RoleManager)
	if err := st.Complaints().Put(ctx, c); err != nil {
		t.Fatal(err)
	}
	f := &domain.FollowUp{ID: "fdemo0001", Kind: domain.FollowUpEvent, CustomerID: "cdemo0001", CustomerName: "示例客户", ManagerID: "alice",
		Department: "sales", Reason: "event on 2026-11-18: callback after 3 days", DueAt: now.Add(24 * time.Hour), CreatedAt: now, Status: domain.FollowUpOpen}
	if _, err := st.FollowUps().Create(ctx, f); err != nil {
		t.Fatal(err)
	}
}

// consoleCognitoSignIn signs in through Cognito's code flow (a fake with
// Cognito's endpoints and tokens) on the console built from d, as the IAM
// scenario needs: the samples cannot reach Cognito, and the session a
// sign-in stores is a call the function's role must allow.
func consoleCognitoSignIn(t *testing.T, d platform.Deps) {
	t.Helper()
	a, err := platform.Wire(d)
	if err != nil {
		t.Fatal(err)
	}
	c := a.Console()
	fc := testenv.NewFakeCognito(t)
	c.Auth.Issuer, c.Auth.ClientID, c.Auth.AuthURL, c.Auth.TokenURL, c.Auth.JWKSURL = fc.Issuer(), fc.ClientID,
		fc.URL+"/oauth2/authorize", fc.URL+"/oauth2/token", fc.URL+"/.well-known/jwks.json"
	h := c.Router().Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/console/sign-in", nil))
	cb, err := fc.SignIn(w.Header().Get("Location"), "alice", "sales", "manager")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	req := httptest.NewRequest("GET", u.RequestURI(), nil)
	for _, ck := range w.Result().Cookies() {
		req.AddCookie(ck)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusSeeOther || !strings.Contains(strings.Join(w.Header().Values("Set-Cookie"), "\n"), "__Host-keycare_session=") {
		t.Fatalf("console sign-in through Cognito: %d %s", w.Code, w.Body)
	}
}

// Every route of the console has a sample event (events/ConsoleFunction).
func TestConsoleSampleForEveryRoute(t *testing.T) {
	f, ok := loadTemplate(t).Function("ConsoleFunction")
	if !ok {
		t.Fatal("no ConsoleFunction in template.yaml")
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Root(t), "events", "ConsoleFunction", "*.json"))
	have := map[string]bool{}
	for _, file := range files {
		var ev events.APIGatewayV2HTTPRequest
		readSample(t, "ConsoleFunction", filepath.Base(file), &ev)
		have[ev.RouteKey] = true
	}
	for _, rt := range f.Routes {
		if !have[rt.Method+" "+rt.Path] {
			t.Errorf("%s %s has no sample in events/ConsoleFunction/", rt.Method, rt.Path)
		}
		if !rt.Public {
			t.Errorf("%s %s: console routes are public to API Gateway (the console checks its own session)", rt.Method, rt.Path)
		}
	}
}
