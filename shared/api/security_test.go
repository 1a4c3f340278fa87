package api_test

// Regression tests of issue 10 (the local stack attacked): each reproduces
// an attack that got through and checks that it no longer does.

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/api"
	"keycare/shared/domain"
	"keycare/shared/public"
	"keycare/shared/store"
)

// A Cognito group named "x,admin" is not the admin group: groups are
// parsed exactly as API Gateway flattens the claim ("[a b]").
func TestGroupNamedLikeAListIsNotAdmin(t *testing.T) {
	s := newStack(t)
	sneaky := token(t, "mallory", "", "x,admin")
	entry := map[string]any{"name": "M", "email": "m@example.com", "roles": []string{"admin"}, "language": "en"}
	if r := s.Do("PUT", "/staff/mallory", sneaky, entry); r.Code != 403 {
		t.Fatalf(`a group named "x,admin" acted as admin: %d %s`, r.Code, r.Body)
	}
	if r := s.Do("PUT", "/staff/mallory", token(t, "root", "", "manager", "admin"), entry); r.Code != 201 {
		t.Fatalf("two real groups: %d %s", r.Code, r.Body)
	}
}

// Names refuse NUL, escape and bidi control characters; JSON answers say
// nosniff.
func TestNamesRefuseControlCharactersAndJSONIsNosniff(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	for name, bad := range map[string]string{"NUL": "Acme\x00Ltd", "escape": "Acme\x1b[31m", "bidi override": "Acme\u202Egnp.exe", "isolate": "\u2066Acme"} {
		r := s.Do("POST", "/customers", alice, map[string]any{"name": bad})
		if r.Code != 400 || r.ErrCode(t) != "validation_failed" {
			t.Errorf("customer name with %s: %d %s", name, r.Code, r.Body)
		}
		f := validForm()
		f["contactName"] = bad
		if r := s.Do("POST", "/public/complaints", "", f); r.Code != 400 {
			t.Errorf("complaint contact name with %s: %d %s", name, r.Code, r.Body)
		}
	}
	// Line breaks stay allowed where text has lines.
	ok := newCustomer("Acme", "", "")
	ok["notes"] = "第一行\n第二行\t备注"
	r := s.Do("POST", "/customers", alice, ok)
	if r.Code != 201 {
		t.Fatalf("notes with lines: %d %s", r.Code, r.Body)
	}
	for _, res := range []resp{r, s.Do("GET", "/customers", alice, nil), s.Do("GET", "/customers/nosuch", alice, nil)} {
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("JSON answer %d without nosniff: %v", res.Code, res.Header)
		}
	}
}

// Every column of the CSV export is escaped, including ids and leading
// spaces before a formula.
func TestExportEscapesEveryColumn(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "sales", "supervisor")
	c := newCustomer("Acme", "@SUM", "sales")
	c["region"] = " =1+2"
	c["industry"] = "+cmd"
	createCustomer(t, s, sue, c)
	d := newCustomer("Beta", "-1", "sales")
	createCustomer(t, s, sue, d)
	r := s.Do("GET", "/customers/export?reason=check", sue, nil)
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v %d %s", err, r.Code, r.Body)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@ \t\r\n", rune(cell[0])) {
				t.Errorf("column %s unescaped: %q", rows[0][i], cell)
			}
		}
	}
}

// A manager opens the accounts they manage in their own department only.
func TestManagerOnlyInOwnDepartment(t *testing.T) {
	s := newStack(t)
	sam := token(t, "sam", "east", "supervisor")
	alice := token(t, "alice", "sales", "manager")
	east := createCustomer(t, s, sam, newCustomer("East Co", "alice", "east"))
	if r := s.Do("GET", "/customers/"+east.ID, alice, nil); r.Code != 403 {
		t.Fatalf("a manager opened a file of another department: %d %s", r.Code, r.Body)
	}
	var p domain.Page[api.CustomerView]
	s.Do("GET", "/customers", alice, nil).JSON(t, &p)
	if len(p.Items) != 0 {
		t.Fatalf("a manager lists a file of another department: %+v", p.Items)
	}
	own := createCustomer(t, s, alice, newCustomer("Own Co", "", ""))
	if r := s.Do("GET", "/customers/"+own.ID, alice, nil); r.Code != 200 {
		t.Fatalf("own file: %d", r.Code)
	}
}

// A cursor is opaque (it does not show the table's keys) and one that
// lacks the index's sort key is a 400, not a 500.
func TestCursorIsOpaqueAndMissingSortKeyIs400(t *testing.T) {
	s := newStack(t)
	ceo := token(t, "ceo", "", "executive")
	sue := token(t, "sue", "sales", "supervisor")
	for _, n := range []string{"A", "B"} {
		b := newCustomer(n, "alice", "sales")
		b["tier"] = "key"
		createCustomer(t, s, sue, b)
	}
	var p domain.Page[api.CustomerView]
	s.Do("GET", "/customers?tier=key&limit=1", ceo, nil).JSON(t, &p)
	if p.NextCursor == "" {
		t.Fatal("no cursor")
	}
	j, _ := json.Marshal(map[string]string{"PK": "CUST#x", "SK": "PROFILE", "GSI2PK": "TIER#key"})
	forged := base64.RawURLEncoding.EncodeToString(j)
	if r := s.Do("GET", "/customers?tier=key&cursor="+forged, ceo, nil); r.Code != 400 || r.ErrCode(t) != "bad_cursor" {
		t.Fatalf("cursor without the index's sort key: %d %s", r.Code, r.Body)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(p.NextCursor)
	// Sealed bytes are random: look for whole key names, which chance does
	// not produce. (Two letters "PK" turn up in the base64 text of a random
	// cursor by chance, about (len-1)/4096 of runs: a few percent.)
	for _, leak := range []string{"CUST#", "GSI2PK", `"PK"`, "PROFILE"} {
		if strings.Contains(string(raw), leak) {
			t.Fatalf("the cursor shows the key schema (%s): %q", leak, raw)
		}
	}
	if r := s.Do("GET", "/customers?tier=key&limit=1&cursor="+p.NextCursor, ceo, nil); r.Code != 200 {
		t.Fatalf("a real cursor: %d %s", r.Code, r.Body)
	}
}

// Idempotency keys of different callers never meet: staff member
// "alice.x" sending key "y" and "alice" sending key "x.y" are two
// submissions.
func TestIdempotencyKeysAreNamespacedByCaller(t *testing.T) {
	s := newStack(t)
	body := map[string]any{"customerName": "Acme", "contact": map[string]any{"name": "王", "phone": "13800000000"},
		"channel": "phone", "category": "other", "request": "other", "description": "d"}
	a := s.Do("POST", "/complaints", token(t, "alice.x", "quality", "supervisor"), body, "Idempotency-Key", "y")
	b := s.Do("POST", "/complaints", token(t, "alice", "quality", "supervisor"), body, "Idempotency-Key", "x.y")
	if a.Code != 201 || b.Code != 201 {
		t.Fatalf("two callers' keys collided: %d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	// The public form's keys and staff keys are apart too.
	f := validForm()
	if r := s.Do("POST", "/public/complaints", "", f, "Idempotency-Key", "x.y"); r.Code != 201 {
		t.Fatalf("public key like a staff one: %d %s", r.Code, r.Body)
	}
}

// The tracking token is in no staff answer, and the table keeps only its
// SHA-256: the link goes to the customer by mail alone.
func TestTrackingTokenNotInStaffJSONNorStoredInPlain(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	r, out := submit(s, t, validForm())
	if r.Code != 201 {
		t.Fatalf("submit: %d %s", r.Code, r.Body)
	}
	u, _ := url.Parse(out.TrackingURL)
	tok := u.Query().Get("token")
	staff := s.Do("POST", "/complaints", sue, map[string]any{"customerName": "Acme", "contact": map[string]any{"name": "王", "email": "wang@acme.cn"},
		"channel": "phone", "category": "other", "request": "other", "description": "d"})
	var card struct{ Number string }
	staff.JSON(t, &card)
	answers := []resp{staff, s.Do("GET", "/complaints/"+out.Number, sue, nil), s.Do("GET", "/complaints", sue, nil),
		step(s, sue, out.Number, "accept", nil)}
	for _, a := range answers {
		for _, leak := range []string{"trackingToken", "trackingUrl", "token=", tok} {
			if strings.Contains(string(a.Body), leak) {
				t.Fatalf("staff JSON holds %q: %s", leak, a.Body)
			}
		}
	}
	for _, m := range mails(s, t) {
		if m.To[0] == "wang@acme.cn" && !strings.Contains(m.Text, "/public/complaints/"+card.Number+"?token=") {
			t.Fatalf("the staff-entered complaint's customer got no tracking link: %s", m.Text)
		}
	}
	item, err := s.Env.AWS.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(s.Env.Resources.Table),
		Key: map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: "CMP#" + out.Number}, "SK": &ddbtypes.AttributeValueMemberS{Value: "CARD"}}})
	if err != nil || item.Item == nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(item.Item)
	if strings.Contains(string(raw), tok) {
		t.Fatalf("the table keeps the tracking token in plain: %s", raw)
	}
	// The link still works, and a wrong token still does not.
	if r := s.Do("GET", u.RequestURI(), "", nil); r.Code != 200 {
		t.Fatalf("tracking: %d %s", r.Code, r.Body)
	}
	wrong := tok[:len(tok)-1] + "A"
	if wrong == tok { // one token in 64 ends in A
		wrong = tok[:len(tok)-1] + "B"
	}
	if r := s.Do("GET", "/public/complaints/"+out.Number+"?token="+wrong, "", nil); r.Code != 404 {
		t.Fatalf("a wrong token: %d", r.Code)
	}
}

// auditCount is how many entries the trail of entity/id (or, with entity
// "", of actor id) holds.
func auditCount(t *testing.T, s *stackServer, entity, id string) int {
	t.Helper()
	st := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table).Audit()
	n, cursor := 0, ""
	for {
		var p domain.Page[domain.AuditEntry]
		var err error
		if entity == "" {
			p, err = st.ByActor(t.Context(), id, 200, cursor)
		} else {
			p, err = st.Of(t.Context(), entity, id, 200, cursor)
		}
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Items)
		if p.NextCursor == "" {
			return n
		}
		cursor = p.NextCursor
	}
}

// Every staff GET route writes its access record (查阅登记): under the
// reader and, for what shows a customer file or a complaint card, in that
// record's own trail. A new GET route must be added here.
func TestEveryStaffGETRouteIsOnTheAccessRecord(t *testing.T) {
	w := newVisitWorld(t, at("2026-12-21 10:00"))
	s, root, cu := w.s, token(t, "root", "sales", "admin"), struct{ ID string }{w.acme}
	rc := s.Do("POST", "/complaints", root, map[string]any{"customerId": cu.ID, "contact": map[string]any{"name": "王", "phone": "13800000000"},
		"channel": "phone", "category": "other", "request": "other", "description": "d"})
	var card struct{ Number string }
	rc.JSON(t, &card)
	var plan, visit, handover struct{ ID string }
	expect(t, s.Do("POST", "/visit-plans", w.alice, map[string]any{"month": "2027-01",
		"items": []any{map[string]any{"customerId": cu.ID, "date": "2027-01-12", "purpose": "care"}}}), 201, "")
	plan.ID = domain.PlanID("2027-01", "alice")
	r := s.Do("POST", "/visits", w.alice, map[string]any{"customerId": cu.ID, "date": "2026-12-22", "purpose": "care"})
	expect(t, r, 201, "")
	r.JSON(t, &visit)
	expect(t, s.Do("PUT", "/customers/"+cu.ID+"/relationship-plan", w.alice, map[string]any{"goals": "扩大份额", "actions": []string{"季度高层会晤"}, "reviewBy": "2027-06-01"}), 200, "")
	r = s.Do("POST", "/handovers", w.sup, map[string]any{"from": "bob", "to": "alice", "reason": "调岗"})
	expect(t, r, 201, "")
	r.JSON(t, &handover)
	expect(t, s.Do("GET", "/reports/monthly/2026-11?scope=company", root, nil), 200, "") // November ended: its snapshot is kept, verify reads it
	type call struct{ path, entity, id string }
	calls := map[string]call{
		"GET /customers":                        {"/customers", "customer", cu.ID},
		"GET /customers/export":                 {"/customers/export?reason=walk", "customer", cu.ID},
		"GET /customers/{id}":                   {"/customers/" + cu.ID, "customer", cu.ID},
		"GET /customers/{id}/audit":             {"/customers/" + cu.ID + "/audit", "customer", cu.ID},
		"GET /customers/{id}/satisfaction":      {"/customers/" + cu.ID + "/satisfaction", "customer", cu.ID},
		"GET /surveys/responses":                {"/surveys/responses?customer=" + cu.ID, "customer", cu.ID},
		"GET /complaints":                       {"/complaints?customer=" + cu.ID, "complaint", card.Number},
		"GET /complaints/{number}":              {"/complaints/" + card.Number, "complaint", card.Number},
		"GET /complaints/voids":                 {"/complaints/voids?year=2026", "complaint-register", "2026"},
		"GET /settings":                         {"/settings", "", ""},
		"GET /staff":                            {"/staff", "staff", "alice"},
		"GET /staff/{id}":                       {"/staff/alice", "staff", "alice"},
		"GET /audit":                            {"/audit?actor=alice", "", ""},
		"GET /visit-plans":                      {"/visit-plans?month=2027-01", "visit-plan", plan.ID},
		"GET /visit-plans/{id}":                 {"/visit-plans/" + plan.ID, "visit-plan", plan.ID},
		"GET /visits":                           {"/visits?manager=alice", "visit", visit.ID},
		"GET /visits/{id}":                      {"/visits/" + visit.ID, "visit", visit.ID},
		"GET /visits/coverage":                  {"/visits/coverage?period=2026-Q4", "customer-list", "root"},
		"GET /customers/{id}/visits":            {"/customers/" + cu.ID + "/visits", "visit", visit.ID},
		"GET /customers/{id}/relationship-plan": {"/customers/" + cu.ID + "/relationship-plan", "customer", cu.ID},
		"GET /follow-ups":                       {"/follow-ups?manager=alice", "follow-up-list", "root"},
		"GET /handovers/{id}":                   {"/handovers/" + handover.ID, "handover", handover.ID},
		"GET /reports/monthly/{month}":          {"/reports/monthly/2026-12?scope=company", "report", "2026-12/company"},
		"GET /reports/monthly/{month}/verify":   {"/reports/monthly/2026-11/verify?scope=company", "report", "2026-11/company"},
		"GET /reports/complaints/{month}":       {"/reports/complaints/2026-12", "complaint-table", "2026-12"},
		"GET /reports/snapshots":                {"/reports/snapshots?scope=company", "report", "company"},
	}
	walked := 0
	for _, f := range s.Env.Template.Functions {
		for _, rt := range f.Routes {
			if rt.Public || rt.Method != "GET" {
				continue
			}
			route := rt.Method + " " + rt.Path
			c, ok := calls[route]
			if !ok {
				t.Errorf("%s (%s) is not walked: add it to this test", route, f.LogicalID)
				continue
			}
			walked++
			byReader, ofRecord := auditCount(t, s, "", "root"), 0
			if c.entity != "" {
				ofRecord = auditCount(t, s, c.entity, c.id)
			}
			r := s.Do("GET", c.path, root, nil)
			if r.Code != 200 {
				t.Errorf("%s: %d %s", route, r.Code, r.Body)
				continue
			}
			if auditCount(t, s, "", "root") <= byReader {
				t.Errorf("%s wrote nothing under the reader", route)
			}
			if c.entity != "" && auditCount(t, s, c.entity, c.id) <= ofRecord {
				t.Errorf("%s wrote nothing in the trail of %s %s", route, c.entity, c.id)
			}
		}
	}
	if walked != len(calls) {
		t.Errorf("walked %d routes, the table has %d: a route is gone or public", walked, len(calls))
	}
}

// A PATCH that changes nothing shows the file: it is on the access record.
func TestEmptyPatchIsOnTheAccessRecord(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	before := auditCount(t, s, "customer", cu.ID)
	r := s.Do("PATCH", "/customers/"+cu.ID, alice, map[string]any{}, "If-Match", `"1"`)
	if r.Code == 200 && auditCount(t, s, "customer", cu.ID) == before {
		t.Fatalf("an empty PATCH showed the file and recorded nothing: %s", r.Body)
	}
}

// GET /audit?actor= shows what one person read or changed: to
// supervisors (for their department's people), executives and admins.
func TestAuditByActor(t *testing.T) {
	s := newStack(t)
	root := token(t, "root", "", "admin")
	alice := token(t, "alice", "sales", "manager")
	for id, dept := range map[string]string{"alice": "sales", "bob": "east"} {
		s.Do("PUT", "/staff/"+id, root, map[string]any{"name": id, "email": id + "@example.com", "department": dept, "roles": []string{"manager"}, "language": "zh"})
	}
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("GET", "/customers/"+cu.ID, alice, nil)
	r := s.Do("GET", "/audit?actor=alice", token(t, "sue", "sales", "supervisor"), nil)
	var p domain.Page[domain.AuditEntry]
	r.JSON(t, &p)
	reads := 0
	for _, e := range p.Items {
		if e.Actor != "alice" {
			t.Fatalf("another actor's entry: %+v", e)
		}
		if e.EntityID == cu.ID && e.Action == domain.ActionRead {
			reads++
		}
	}
	if r.Code != 200 || reads != 1 {
		t.Fatalf("alice's trail: %d %s", r.Code, r.Body)
	}
	for name, c := range map[string]struct {
		tok, q string
		code   int
	}{
		"a manager":                     {alice, "?actor=alice", 403},
		"a supervisor, another dept":    {token(t, "sam", "east", "supervisor"), "?actor=alice", 403},
		"a supervisor, own dept":        {token(t, "sam", "east", "supervisor"), "?actor=bob", 200},
		"an executive":                  {token(t, "ceo", "", "executive"), "?actor=bob", 200},
		"no actor":                      {root, "", 400},
		"not an id":                     {root, "?actor=a%20b", 400},
		"a supervisor, someone unknown": {token(t, "sam", "east", "supervisor"), "?actor=nobody", 403},
	} {
		if r := s.Do("GET", "/audit"+c.q, c.tok, nil); r.Code != c.code {
			t.Errorf("%s: %d %s, want %d", name, r.Code, r.Body, c.code)
		}
	}
}

// mailedSurveyToken is the token of the last survey invitation mailed to
// addr (the only place the link goes).
func mailedSurveyToken(t *testing.T, s *stackServer, addr string) string {
	t.Helper()
	tok := ""
	for _, m := range mails(s, t) {
		if m.Kind == "survey-invitation" && m.To[0] == addr {
			if i := strings.Index(m.Text, "/s/"); i >= 0 {
				tok = strings.Fields(m.Text[i+3:])[0]
			}
		}
	}
	if tok == "" {
		t.Fatalf("no survey invitation mailed to %s", addr)
	}
	return tok
}

// A manager cannot forge her own survey results: invitations go to
// contacts on the file only, staff never see a token or a link, "complaint"
// names a closed complaint of the account (once), every invitation records
// who made it, and answers to hand-made invitations are shown apart from
// the programme's.
func TestManagerCannotForgeSurveyResults(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	sue := token(t, "sue", "sales", "supervisor")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	other := createCustomer(t, s, alice, newCustomer("Other", "", ""))
	if r := s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID, "contactEmail": "alice.fake@evil.example"}); r.Code != 400 {
		t.Fatalf("an invitation to an address not on the file: %d %s", r.Code, r.Body)
	}
	r := s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID, "reason": "manual"})
	if r.Code != 201 {
		t.Fatalf("invite: %d %s", r.Code, r.Body)
	}
	var inv map[string]any
	r.JSON(t, &inv)
	if inv["id"] == nil || inv["id"] == "" || inv["createdBy"] != "alice" {
		t.Fatalf("the 201 lacks the invitation id or who made it: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "token") || strings.Contains(string(r.Body), "/s/") || inv["link"] != nil {
		t.Fatalf("staff see the token or the link: %s", r.Body)
	}
	tok := mailedSurveyToken(t, s, "wang@acme.cn")
	// "complaint" must name a closed complaint of this account, once.
	rc := s.Do("POST", "/complaints", sue, map[string]any{"customerId": cu.ID, "contact": map[string]any{"name": "王", "phone": "13800000000"},
		"channel": "phone", "category": "other", "request": "other", "description": "d"})
	var card struct{ Number string }
	rc.JSON(t, &card)
	for name, body := range map[string]map[string]any{
		"no complaint":          {"customerId": cu.ID, "reason": "complaint"},
		"an open complaint":     {"customerId": cu.ID, "reason": "complaint", "complaintNumber": card.Number},
		"another account's":     {"customerId": other.ID, "reason": "complaint", "complaintNumber": card.Number},
		"an unknown complaint":  {"customerId": cu.ID, "reason": "complaint", "complaintNumber": "261101999"},
		"the programme by hand": {"customerId": cu.ID, "reason": "periodic"},
	} {
		if r := s.Do("POST", "/surveys/invitations", alice, body); r.Code != 400 && r.Code != 409 {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	// The answer to the hand-made invitation is shown apart, not in the figures managers are ranked on.
	if r := s.Do("POST", "/public/surveys/"+tok, "", map[string]any{"overall": 5, "recommend": 10}); r.Code != 202 {
		t.Fatalf("answer: %d %s", r.Code, r.Body)
	}
	resp, _ := s.Env.App(t, "SurveyProcessorFunction", s.Clock.Now).Surveys.Handle(t.Context(), surveyBatch(s, t))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("processing: %+v", resp)
	}
	var sat map[string]any
	sr := s.Do("GET", "/customers/"+cu.ID+"/satisfaction", alice, nil)
	sr.JSON(t, &sat)
	total, _ := sat["total"].(map[string]any)
	byHand, _ := sat["byHand"].(map[string]any)
	if total["answers"] != float64(0) || byHand == nil || byHand["answers"] != float64(1) {
		t.Fatalf("a hand-made invitation's answer counts in the figures: %s", sr.Body)
	}
	var rs map[string]any
	s.Do("GET", "/surveys/responses?customer="+cu.ID, alice, nil).JSON(t, &rs)
	if b, _ := json.Marshal(rs); strings.Contains(string(b), tok) || strings.Contains(string(b), `"token"`) {
		t.Fatalf("the answers show the token: %s", b)
	}
}

// After a file moves from alice to bob, the answers of its customer follow
// the file: bob sees them in the month's listing, alice no longer does.
func TestSurveyAnswersFollowTheCurrentManager(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	bob := token(t, "bob", "sales", "manager")
	sue := token(t, "sue", "sales", "supervisor")
	cu := createCustomer(t, s, alice, newCustomer("Acme", "", ""))
	s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID})
	tok := mailedSurveyToken(t, s, "wang@acme.cn")
	s.Do("POST", "/public/surveys/"+tok, "", map[string]any{"overall": 2, "recommend": 3})
	s.Env.App(t, "SurveyProcessorFunction", s.Clock.Now).Surveys.Handle(t.Context(), surveyBatch(s, t))
	if r := s.Do("PATCH", "/customers/"+cu.ID, sue, map[string]any{"managerId": "bob"}, "If-Match", `"1"`); r.Code != 200 {
		t.Fatalf("reassign: %d %s", r.Code, r.Body)
	}
	month := s.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	count := func(tok string) int {
		var p struct{ Items []any }
		s.Do("GET", "/surveys/responses?month="+month, tok, nil).JSON(t, &p)
		return len(p.Items)
	}
	if a, b := count(alice), count(bob); a != 0 || b != 1 {
		t.Fatalf("after the handover alice sees %d answers, bob %d (want 0 and 1)", a, b)
	}
}

// POST /customers and POST /surveys/invitations take an Idempotency-Key: a
// retry makes nothing twice; the key with other content is a 422.
func TestIdempotencyKeyOnCustomersAndInvitations(t *testing.T) {
	s := newStack(t)
	alice := token(t, "alice", "sales", "manager")
	body := newCustomer("Acme", "", "")
	a := s.Do("POST", "/customers", alice, body, "Idempotency-Key", "new-acme")
	b := s.Do("POST", "/customers", alice, body, "Idempotency-Key", "new-acme")
	var ca, cb struct{ ID string }
	a.JSON(t, &ca)
	b.JSON(t, &cb)
	if a.Code != 201 || b.Code != 200 || ca.ID == "" || ca.ID != cb.ID {
		t.Fatalf("customer replay: %d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	if r := s.Do("POST", "/customers", alice, newCustomer("Other", "", ""), "Idempotency-Key", "new-acme"); r.Code != 422 {
		t.Fatalf("customer key reused: %d %s", r.Code, r.Body)
	}
	if r := s.Do("POST", "/customers", alice, body, "Idempotency-Key", "a b"); r.Code != 400 {
		t.Fatalf("bad key: %d", r.Code)
	}
	inv := map[string]any{"customerId": ca.ID}
	i1 := s.Do("POST", "/surveys/invitations", alice, inv, "Idempotency-Key", "inv-1")
	i2 := s.Do("POST", "/surveys/invitations", alice, inv, "Idempotency-Key", "inv-1")
	var v1, v2 struct{ ID string }
	i1.JSON(t, &v1)
	i2.JSON(t, &v2)
	if i1.Code != 201 || i2.Code != 200 || v1.ID == "" || v1.ID != v2.ID {
		t.Fatalf("invitation replay: %d %s / %d %s", i1.Code, i1.Body, i2.Code, i2.Body)
	}
	n := 0
	for _, m := range mails(s, t) {
		if m.Kind == "survey-invitation" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d invitations mailed, want 1", n)
	}
}

// from sends a public submission as a client at addr (API Gateway's
// sourceIp is the TCP peer).
func from(s *stackServer, addr string, body any, headers ...string) resp {
	b, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/public/complaints", bytes.NewReader(b))
	req.RemoteAddr = addr + ":40000"
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// The public form has per-client limits kept in the table: per source IP
// an hour, per email address a day, and for everyone a day. Over a limit
// is a 429 with Retry-After; the HTML form says so in the visitor's
// language.
func TestPublicFormPerClientLimits(t *testing.T) {
	s := newStack(t)
	f := validForm()
	delete(f, "email")
	for i := 1; i <= 20; i++ { // the default: 20 an hour from one address
		if r := from(s, "198.51.100.7", f); r.Code != 201 {
			t.Fatalf("submission %d: %d %s", i, r.Code, r.Body)
		}
	}
	r := from(s, "198.51.100.7", f)
	if r.Code != 429 || r.ErrCode(t) != "too_many_requests" {
		t.Fatalf("the 21st submission from one IP in an hour: %d %s", r.Code, r.Body)
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 3600 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r := from(s, "198.51.100.8", f); r.Code != 201 {
		t.Fatalf("another client is not held: %d %s", r.Code, r.Body)
	}
	// One address, many IPs: 10 a day.
	f["email"] = "victim@example.com"
	for i := 1; i <= 10; i++ {
		if r := from(s, fmt.Sprintf("203.0.113.%d", i), f); r.Code != 201 {
			t.Fatalf("address submission %d: %d %s", i, r.Code, r.Body)
		}
	}
	if r := from(s, "203.0.113.99", f); r.Code != 429 {
		t.Fatalf("the 11th submission naming one address in a day: %d %s", r.Code, r.Body)
	}
	// A form post over the limit is told so on a page in its language.
	s.Clock.Advance(5 * time.Second)
	page := s.Do("GET", "/complaint-form?lang=en", "", nil)
	tok := regexp.MustCompile(`name="formToken" value="([^"]+)"`).FindSubmatch(page.Body)
	if tok == nil {
		t.Fatalf("the form has no form token")
	}
	s.Clock.Advance(5 * time.Second)
	form := url.Values{"customerName": {"Acme"}, "contactName": {"Jane"}, "phone": {"13800000000"}, "category": {"other"}, "request": {"other"},
		"description": {"x"}, "lang": {"en"}, "formToken": {string(tok[1])}}
	req := httptest.NewRequest("POST", "/public/complaints", strings.NewReader(form.Encode()))
	req.RemoteAddr = "198.51.100.7:40000"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	if w.Code != 429 || !strings.Contains(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "Too many submissions") || w.Header().Get("Retry-After") == "" {
		t.Fatalf("form post over the limit: %d %s\n%s", w.Code, w.Header(), w.Body)
	}
}

// A browser form post carries the page's signed form token, at least 3 s
// and at most 24 h old.
func TestPublicFormPostNeedsItsFormToken(t *testing.T) {
	s := newStack(t)
	post := func(tok string) *httptest.ResponseRecorder {
		form := url.Values{"customerName": {"Acme"}, "contactName": {"Jane"}, "phone": {"13800000000"}, "category": {"other"}, "request": {"other"},
			"description": {"x"}, "lang": {"en"}}
		if tok != "" {
			form.Set("formToken", tok)
		}
		req := httptest.NewRequest("POST", "/public/complaints", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.H.ServeHTTP(w, req)
		return w
	}
	if w := post(""); w.Code == 303 || !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("a form post without a token: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := post("1795338000.AAAA"); w.Code == 303 {
		t.Fatal("a forged token was accepted")
	}
	page := s.Do("GET", "/complaint-form?lang=en", "", nil)
	m := regexp.MustCompile(`name="formToken" value="([^"]+)"`).FindSubmatch(page.Body)
	if m == nil {
		t.Fatal("the form has no form token")
	}
	tok := string(m[1])
	if w := post(tok); w.Code == 303 {
		t.Fatal("a post at once was accepted")
	}
	s.Clock.Advance(4 * time.Second)
	if w := post(tok); w.Code != 303 {
		t.Fatalf("a post after 4 s: %d %s", w.Code, w.Body)
	}
	s.Clock.Advance(25 * time.Hour)
	if w := post(tok); w.Code == 303 {
		t.Fatal("a token of yesterday was accepted")
	}
}

// The acknowledgement carries nothing the sender typed, and an address
// gets at most one an hour.
func TestAcknowledgementIsNoRelay(t *testing.T) {
	s := newStack(t)
	f := validForm()
	f["contactName"] = "WIN A PRIZE http://evil.example/x"
	f["customerName"] = "Visit evil.example now"
	f["email"] = "victim@example.com"
	for i, addr := range []string{"198.51.100.1", "198.51.100.2"} {
		if r := from(s, addr, f); r.Code != 201 {
			t.Fatalf("submission %d: %d %s", i, r.Code, r.Body)
		}
	}
	acks := customerMails(s, t)
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements to one address within the hour, want 1", len(acks))
	}
	for _, part := range []string{acks[0].Subject, acks[0].Text, acks[0].HTML} {
		if strings.Contains(part, "evil") || strings.Contains(part, "PRIZE") {
			t.Fatalf("the acknowledgement carries the sender's text: %s", part)
		}
	}
	s.Clock.Advance(61 * time.Minute)
	from(s, "198.51.100.3", f)
	if n := len(customerMails(s, t)); n != 1 {
		t.Fatalf("%d acknowledgements an hour later, want 1", n)
	}
}

// The honeypot answers as a real submission does: 201 with a receipt for
// JSON, 303 to a tracking page for a form post.
func TestHoneypotAnswersLikeARealSubmission(t *testing.T) {
	s := newStack(t)
	bot := validForm()
	bot["website"] = "http://spam.example"
	real := validForm()
	rb, rr := from(s, "198.51.100.1", bot), from(s, "198.51.100.2", real)
	var b, r public.SubmitResponse
	json.Unmarshal(rb.Body, &b)
	json.Unmarshal(rr.Body, &r)
	if rb.Code != rr.Code || !domain.ValidNumber(b.Number) || !strings.Contains(b.TrackingURL, "/public/complaints/"+b.Number+"?token=") ||
		b.DueAt.Sub(b.ReceivedAt) != r.DueAt.Sub(r.ReceivedAt) {
		t.Fatalf("honeypot %d %s / real %d %s", rb.Code, rb.Body, rr.Code, rr.Body)
	}
	s.Clock.Advance(5 * time.Second)
	page := s.Do("GET", "/complaint-form", "", nil)
	tok := regexp.MustCompile(`name="formToken" value="([^"]+)"`).FindSubmatch(page.Body)
	s.Clock.Advance(5 * time.Second)
	form := url.Values{"customerName": {"Acme"}, "contactName": {"Jane"}, "phone": {"13800000000"}, "category": {"other"}, "request": {"other"},
		"description": {"x"}, "website": {"http://spam.example"}}
	if tok != nil {
		form.Set("formToken", string(tok[1]))
	}
	req := httptest.NewRequest("POST", "/public/complaints", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	if w.Code != 303 || !strings.Contains(w.Header().Get("Location"), "/public/complaints/") {
		t.Fatalf("honeypot form post: %d %q", w.Code, w.Header().Get("Location"))
	}
	if n := len(customerMails(s, t)); n != 1 {
		t.Fatalf("%d mails: the bot got one", n)
	}
}

// Form posts get HTML error pages, not JSON.
func TestFormPostErrorsAreHTML(t *testing.T) {
	s := newStack(t)
	for name, c := range map[string]struct {
		body    string
		headers []string
		code    int
	}{
		"too large":   {"description=" + strings.Repeat("x", public.MaxPublicBody), nil, 413},
		"bad key":     {"customerName=a&idempotencyKey=a%20b", nil, 400},
		"broken form": {"customerName=%ZZ", nil, 400},
	} {
		req := httptest.NewRequest("POST", "/public/complaints?lang=en", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.H.ServeHTTP(w, req)
		if w.Code != c.code || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "<h1>") {
			t.Errorf("%s: %d %s %.200s", name, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
	tok := strings.Repeat("A", 43)
	req := httptest.NewRequest("POST", "/public/surveys/"+tok, strings.NewReader("overall=5&recommend=10&comment="+strings.Repeat("x", 20000)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.H.ServeHTTP(w, req)
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("survey form post too large: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// Over real TCP, as the local runner serves it: API Gateway's sourceIp is
// the peer address, so clients bound to different loopback addresses are
// different clients.
func TestPublicLimitsPerSourceIPOverTCP(t *testing.T) {
	s := newStack(t)
	root := token(t, "root", "", "admin")
	var set domain.Settings
	r := s.Do("GET", "/settings", root, nil)
	r.JSON(t, &set)
	set.Public.PerIPPerHour = 3
	if r := s.Do("PUT", "/settings", root, set, "If-Match", r.Header.Get("ETag")); r.Code != 200 {
		t.Fatalf("settings: %d %s", r.Code, r.Body)
	}
	srv := httptest.NewServer(s.H)
	defer srv.Close()
	client := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	post := func(c *http.Client) int {
		f := validForm()
		delete(f, "email")
		b, _ := json.Marshal(f)
		res, err := c.Post(srv.URL+"/public/complaints", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	a, b := client("127.0.0.2"), client("127.0.0.3")
	for i := 1; i <= 3; i++ {
		if code := post(a); code != 201 {
			t.Fatalf("127.0.0.2, submission %d: %d", i, code)
		}
	}
	if code := post(a); code != 429 {
		t.Fatalf("127.0.0.2, fourth submission in the hour: %d", code)
	}
	if code := post(b); code != 201 {
		t.Fatalf("127.0.0.3 is another client: %d", code)
	}
	s.Clock.Advance(time.Hour)
	if code := post(a); code != 201 {
		t.Fatalf("127.0.0.2, an hour later: %d", code)
	}
}
