package api_test

// Regression tests of issue 10 (the local stack attacked): each reproduces
// an attack that got through and checks that it no longer does.

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"keycare/shared/api"
	"keycare/shared/domain"
)

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
	if strings.Contains(string(raw), "CUST#") || strings.Contains(string(raw), "GSI") || strings.Contains(p.NextCursor, "PK") {
		t.Fatalf("the cursor shows the key schema: %s", raw)
	}
	if r := s.Do("GET", "/customers?tier=key&limit=1&cursor="+p.NextCursor, ceo, nil); r.Code != 200 {
		t.Fatalf("a real cursor: %d %s", r.Code, r.Body)
	}
}

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
