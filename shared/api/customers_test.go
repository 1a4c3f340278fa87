package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"keycare/shared/api"
	"keycare/shared/domain"
	"keycare/shared/httpx"
	"keycare/shared/store"
)

func newCustomer(name, manager, dept string) map[string]any {
	return map[string]any{
		"name": name, "managerId": manager, "department": dept, "industry": "制造业", "region": "华东",
		"contacts": []map[string]string{{"name": "王伟", "title": "采购总监", "phone": "13812345678", "email": "wang@acme.cn", "language": "zh"}},
		"contract": map[string]string{"start": "2025-01-01", "end": "2026-12-31", "renewal": "pending"},
	}
}

func createCustomer(t *testing.T, s *stackServer, tok string, body map[string]any) api.CustomerView {
	t.Helper()
	r := s.Do("POST", "/customers", tok, body)
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	var v api.CustomerView
	r.JSON(t, &v)
	return v
}

func TestCustomerLifecycle(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	v := createCustomer(t, s, alice, newCustomer("Acme 股份", "", ""))
	if v.ManagerID != "alice" || v.Department != "sales" || v.Version != 1 || v.Tier != domain.TierOrdinary || v.Status != domain.StatusActive {
		t.Fatalf("defaults not applied: %+v", v.Customer)
	}
	if v.ValueScore.Credit != 100 || v.ValueScore.Weights.Credit == 0 {
		t.Fatalf("value score breakdown missing: %+v", v.ValueScore)
	}

	r := s.Do("GET", "/customers/"+v.ID, alice, nil)
	if r.Code != 200 || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("get: %d etag %q %s", r.Code, r.Header.Get("ETag"), r.Body)
	}
	var got api.CustomerView
	r.JSON(t, &got)
	if got.Contacts[0].Phone != "13812345678" {
		t.Fatalf("the account's own manager must see the phone, got %q", got.Contacts[0].Phone)
	}

	// PATCH needs If-Match; a stale version is 409; the right one moves to v2.
	if r := s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"notes": "x"}); r.Code != http.StatusPreconditionRequired {
		t.Fatalf("patch without If-Match: %d %s", r.Code, r.Body)
	}
	r = s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"notes": "年度框架协议", "scoreInputs": map[string]any{"prospects": 5}}, "If-Match", `"1"`)
	if r.Code != 200 || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("patch: %d %s", r.Code, r.Body)
	}
	r.JSON(t, &got)
	if got.Notes != "年度框架协议" || got.ValueScore.Prospects != 100 {
		t.Fatalf("patch not applied: %+v", got)
	}
	if r := s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"notes": "stale"}, "If-Match", `"1"`); r.Code != http.StatusConflict || r.ErrCode(t) != "version_conflict" {
		t.Fatalf("stale patch: %d %s", r.Code, r.Body)
	}

	// Revenue: 6% of company revenue makes it strategic.
	r = s.Do("POST", "/customers/"+v.ID+"/revenue", alice, map[string]any{"year": 2025, "amount": 6_000_000, "companyRevenue": 100_000_000})
	if r.Code != 200 {
		t.Fatalf("revenue: %d %s", r.Code, r.Body)
	}
	r.JSON(t, &got)
	if got.Tier != domain.TierStrategic || got.TierSource != domain.TierFromRevenue || got.Version != 3 {
		t.Fatalf("tier from revenue: %s/%s v%d", got.Tier, got.TierSource, got.Version)
	}
	// Setting the tier by hand is refused once revenue decides; an override needs a reason.
	if r := s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"tier": "key"}, "If-Match", `"3"`); r.Code != 400 || r.ErrCode(t) != "tier_computed" {
		t.Fatalf("manual tier: %d %s", r.Code, r.Body)
	}
	if r := s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"tierOverride": map[string]any{"tier": "key"}}, "If-Match", `"3"`); r.Code != 400 {
		t.Fatalf("override without reason: %d %s", r.Code, r.Body)
	}
	r = s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"tierOverride": map[string]any{"tier": "key", "reason": "集团内部关联交易"}}, "If-Match", `"3"`)
	r.JSON(t, &got)
	if r.Code != 200 || got.Tier != domain.TierKey || got.TierSource != domain.TierFromOverride || got.ComputedTier != domain.TierStrategic {
		t.Fatalf("override: %d %s", r.Code, r.Body)
	}

	// The access record shows every read and change, with who and why.
	sup := token(t, "sue", "sales", "supervisor")
	r = s.Do("GET", "/customers/"+v.ID+"/audit", sup, nil)
	var audit domain.Page[domain.AuditEntry]
	r.JSON(t, &audit)
	actions := map[string]int{}
	for _, e := range audit.Items {
		actions[e.Action]++
		if e.Actor == "" || e.RequestID == "" || e.At.IsZero() {
			t.Fatalf("incomplete audit entry %+v", e)
		}
		if e.Action == domain.ActionTierOverride && e.Reason != "集团内部关联交易" {
			t.Fatalf("override reason not recorded: %+v", e)
		}
	}
	want := map[string]int{"create": 1, "read": 1, "update": 1, "revenue": 1, "tier-override": 1}
	for a, n := range want {
		if actions[a] != n {
			t.Fatalf("audit actions %v, want %v", actions, want)
		}
	}
	if r := s.Do("GET", "/customers/"+v.ID+"/audit", alice, nil); r.Code != 403 {
		t.Fatalf("a manager reading the access record: %d", r.Code)
	}
}

func TestCustomerRoleRules(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	bob := token(t, "bob", "sales", "manager")
	sue := token(t, "sue", "sales", "supervisor")
	sam := token(t, "sam", "east", "supervisor")
	ceo := token(t, "ceo", "", "executive")
	fix := token(t, "fix", "repair", "department")
	none := token(t, "nobody", "sales")

	a := createCustomer(t, s, alice, newCustomer("Alpha", "", ""))
	createCustomer(t, s, bob, newCustomer("Beta", "", ""))
	createCustomer(t, s, sam, newCustomer("Gamma", "carol", "east"))

	if r := s.Do("POST", "/customers", alice, newCustomer("Delta", "bob", "sales")); r.Code != 403 {
		t.Fatalf("manager creating for another: %d %s", r.Code, r.Body)
	}
	tests := []struct {
		name, tok string
		code      int
		masked    bool
	}{
		{"own manager", alice, 200, false},
		{"other manager", bob, 403, false},
		{"department supervisor", sue, 200, false},
		{"other department supervisor", sam, 403, false},
		{"executive", ceo, 200, true},
		{"handling department", fix, 403, false},
		{"no role", none, 403, false},
		{"no token", "", 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Do("GET", "/customers/"+a.ID, tt.tok, nil)
			if r.Code != tt.code {
				t.Fatalf("GET: %d, want %d: %s", r.Code, tt.code, r.Body)
			}
			if r.Code != 200 {
				return
			}
			var v api.CustomerView
			r.JSON(t, &v)
			if masked := v.Contacts[0].Phone == "138******78" && v.Contacts[0].Email == "w***@acme.cn"; masked != tt.masked {
				t.Fatalf("contact %+v, want masked=%v", v.Contacts[0], tt.masked)
			}
		})
	}
	if r := s.Do("GET", "/customers/nosuch", alice, nil); r.Code != 404 || r.ErrCode(t) != "not_found" {
		t.Fatalf("unknown id: %d %s", r.Code, r.Body)
	}
	// A manager cannot hand an account to someone else (handover is a supervisor's).
	if r := s.Do("PATCH", "/customers/"+a.ID, alice, map[string]any{"managerId": "bob"}, "If-Match", `"1"`); r.Code != 403 {
		t.Fatalf("manager reassigning: %d %s", r.Code, r.Body)
	}
	if r := s.Do("PATCH", "/customers/"+a.ID, sue, map[string]any{"managerId": "bob"}, "If-Match", `"1"`); r.Code != 200 {
		t.Fatalf("supervisor reassigning: %d %s", r.Code, r.Body)
	}
	if r := s.Do("GET", "/customers/"+a.ID, alice, nil); r.Code != 403 {
		t.Fatalf("old manager still sees the account: %d", r.Code)
	}

	names := func(tok, query string) []string {
		r := s.Do("GET", "/customers"+query, tok, nil)
		if r.Code != 200 {
			t.Fatalf("list %s: %d %s", query, r.Code, r.Body)
		}
		var p domain.Page[api.CustomerView]
		r.JSON(t, &p)
		var out []string
		for _, c := range p.Items {
			out = append(out, c.Name)
		}
		return out
	}
	if got := fmt.Sprint(names(bob, "")); got != "[Alpha Beta]" && got != "[Beta Alpha]" {
		t.Fatalf("bob lists %s", got)
	}
	if got := names(alice, ""); len(got) != 0 {
		t.Fatalf("alice lists %v after handover", got)
	}
	if got := names(sue, ""); len(got) != 2 {
		t.Fatalf("sales supervisor lists %v", got)
	}
	if got := names(ceo, ""); len(got) != 3 {
		t.Fatalf("executive lists %v", got)
	}
	if got := names(ceo, "?manager=carol"); fmt.Sprint(got) != "[Gamma]" {
		t.Fatalf("executive by manager lists %v", got)
	}
	if r := s.Do("GET", "/customers?manager=bob", alice, nil); r.Code != 403 {
		t.Fatalf("alice listing bob's: %d", r.Code)
	}
	if r := s.Do("GET", "/customers", fix, nil); r.Code != 403 {
		t.Fatalf("department listing: %d", r.Code)
	}
}

func TestCustomerListPaginationAndTier(t *testing.T) {
	s := newStack(t)
	ceo := token(t, "ceo", "", "executive")
	sue := token(t, "sue", "sales", "supervisor")
	for i := 0; i < 7; i++ {
		body := newCustomer(fmt.Sprintf("C%d", i), "alice", "sales")
		if i%2 == 0 {
			body["tier"] = "key"
		}
		createCustomer(t, s, sue, body)
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		r := s.Do("GET", "/customers?limit=3&tier=key&cursor="+cursor, ceo, nil)
		if r.Code != 200 {
			t.Fatalf("page: %d %s", r.Code, r.Body)
		}
		var p domain.Page[api.CustomerView]
		r.JSON(t, &p)
		for _, c := range p.Items {
			if c.Tier != domain.TierKey || seen[c.ID] {
				t.Fatalf("unexpected %s tier %s (seen %v)", c.Name, c.Tier, seen[c.ID])
			}
			seen[c.ID] = true
		}
		pages++
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 4 || pages < 2 {
		t.Fatalf("saw %d key accounts in %d pages, want 4 in ≥ 2", len(seen), pages)
	}
	// A cursor of another listing, or garbage, is a 400, not a 500.
	r := s.Do("GET", "/customers?limit=1", ceo, nil)
	var p domain.Page[api.CustomerView]
	r.JSON(t, &p)
	for _, bad := range []string{"garbage!", "e30", p.NextCursor} {
		if r := s.Do("GET", "/customers?tier=key&cursor="+bad, ceo, nil); r.Code != 400 || r.ErrCode(t) != "bad_cursor" {
			t.Fatalf("cursor %q: %d %s", bad, r.Code, r.Body)
		}
	}
	for _, q := range []string{"?tier=gold", "?limit=0", "?limit=x", "?manager=a%20b"} {
		if r := s.Do("GET", "/customers"+q, ceo, nil); r.Code != 400 || r.ErrCode(t) != "validation_failed" {
			t.Fatalf("%s: %d %s", q, r.Code, r.Body)
		}
	}
}

func TestCustomerBadInput(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	v := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	tests := []struct {
		name, method, path, body string
		headers                  []string
		code                     int
		errCode                  string
	}{
		{"not json", "POST", "/customers", "{", nil, 400, "bad_json"},
		{"two objects", "POST", "/customers", `{"name":"a"}{"name":"b"}`, nil, 400, "bad_json"},
		{"array", "POST", "/customers", `[]`, nil, 400, "bad_json"},
		{"wrong type", "POST", "/customers", `{"name":5}`, nil, 400, "bad_json"},
		{"unknown field", "POST", "/customers", `{"nmae":"x"}`, nil, 400, "unknown_field"},
		{"missing name", "POST", "/customers", `{}`, nil, 400, "validation_failed"},
		{"bad email", "POST", "/customers", `{"name":"x","contacts":[{"name":"a","email":"no"}]}`, nil, 400, "validation_failed"},
		{"too large", "POST", "/customers", `{"name":"` + strings.Repeat("x", httpx.MaxJSONBody) + `"}`, nil, 413, "body_too_large"},
		{"xml", "POST", "/customers", `<x/>`, []string{"Content-Type", "application/xml"}, 415, "unsupported_media_type"},
		{"bad if-match", "PATCH", "/customers/" + v.ID, `{}`, []string{"If-Match", "abc"}, 400, "bad_if_match"},
		{"patch unknown field", "PATCH", "/customers/" + v.ID, `{"id":"x"}`, []string{"If-Match", `"1"`}, 400, "unknown_field"},
		{"patch bad override", "PATCH", "/customers/" + v.ID, `{"tierOverride":"gold"}`, []string{"If-Match", `"1"`}, 400, "bad_json"},
		{"patch unknown id", "PATCH", "/customers/nosuch", `{"notes":"x"}`, []string{"If-Match", `"1"`}, 404, "not_found"},
		{"revenue negative", "POST", "/customers/" + v.ID + "/revenue", `{"year":2025,"amount":-1,"companyRevenue":10}`, nil, 400, "validation_failed"},
		{"revenue not json", "POST", "/customers/" + v.ID + "/revenue", `year=2025`, nil, 400, "bad_json"},
		{"export without reason", "GET", "/customers/export", "", nil, 400, "validation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := s.Do(tt.method, tt.path, alice, body, tt.headers...)
			if r.Code != tt.code || r.ErrCode(t) != tt.errCode {
				t.Fatalf("%d %s, want %d %s", r.Code, r.Body, tt.code, tt.errCode)
			}
		})
	}
	// Nothing above changed the file.
	r := s.Do("GET", "/customers/"+v.ID, alice, nil)
	var got api.CustomerView
	r.JSON(t, &got)
	if got.Version != 1 {
		t.Fatalf("bad input changed the file to version %d", got.Version)
	}
}

func TestConcurrentPatchOneWins(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	v := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = s.Do("PATCH", "/customers/"+v.ID, alice, map[string]any{"notes": fmt.Sprint("edit ", i)}, "If-Match", `"1"`).Code
		}(i)
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("codes %v: want exactly one 200 and %d 409", codes, n-1)
	}
}

func TestExportNeedsReasonAndIsLogged(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "sales", "supervisor")
	createCustomer(t, s, sue, newCustomer("=cmd|' /C calc'!A0", "alice", "sales"))
	createCustomer(t, s, sue, newCustomer("Beta", "bob", "sales"))
	r := s.Do("GET", "/customers/export?reason=季度复核", sue, nil)
	if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", r.Code, r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[1], "=") {
			t.Fatalf("formula not neutralised: %q", row[1])
		}
		if strings.Contains(strings.Join(row, ","), "138") {
			t.Fatal("export carries contact phone numbers")
		}
	}
	st := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table).Audit()
	page, err := st.Of(t.Context(), "customer-export", "sue", 10, "")
	if err != nil || len(page.Items) != 1 || page.Items[0].Reason != "季度复核" || page.Items[0].Action != domain.ActionExport {
		t.Fatalf("export not logged: %v %+v", err, page.Items)
	}
	s.Do("GET", "/customers?tier=ordinary", sue, nil)
	byActor, err := st.ByActor(t.Context(), "sue", 10, "")
	// 2 creates; the export and the list, each with an entry per file shown (2 files).
	if err != nil || len(byActor.Items) != 8 || byActor.Items[0].Action != domain.ActionList {
		t.Fatalf("audit by actor: %v, %+v (want 2 creates, 1+2 export, 1+2 list)", err, byActor.Items)
	}
}

// The customer export opens in Excel on Chinese Windows: a UTF-8 byte order
// mark, Chinese headers and labels by default, English with lang=en.
func TestExportHasABOMAndHeadersInTheLanguageAsked(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "sales", "supervisor")
	c := newCustomer("上海精工机械", "alice", "sales")
	c["tier"] = "key"
	createCustomer(t, s, sue, c)
	for _, tt := range []struct{ q, header, tier, status string }{
		{"", "客户编号,客户名称,客户分级,分级依据,客户经理,所属部门,地区,行业,客户状态,续约状态,合同到期日,客户价值评分", "重点客户", "活跃"},
		{"&lang=zh", "客户编号,客户名称", "重点客户", "活跃"},
		{"&lang=en", "ID,Name,Tier,Tier source,Account manager,Department,Region,Industry,Status,Renewal,Contract end,Value score", "Key", "Active"},
	} {
		r := s.Do("GET", "/customers/export?reason=check"+tt.q, sue, nil)
		body, ok := strings.CutPrefix(string(r.Body), "\uFEFF")
		if r.Code != 200 || !ok {
			t.Fatalf("%q: %d, no BOM: % x", tt.q, r.Code, r.Body[:min(6, len(r.Body))])
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 2 || !strings.HasPrefix(strings.Join(rows[0], ","), tt.header) {
			t.Fatalf("%q: %v %q", tt.q, err, rows)
		}
		if rows[1][1] != "上海精工机械" || rows[1][2] != tt.tier || rows[1][8] != tt.status {
			t.Errorf("%q: row %q", tt.q, rows[1])
		}
	}
	if r := s.Do("GET", "/customers/export?reason=check&lang=fr", sue, nil); r.Code != 400 {
		t.Fatalf("lang=fr: %d", r.Code)
	}
}
