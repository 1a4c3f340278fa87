package api_test

import (
	"strings"
	"testing"
	"time"

	"keycare/local/gateway"
	"keycare/shared/domain"
	"keycare/shared/store"
)

func TestSettingsAreAdminsVersionedValidatedAndAudited(t *testing.T) {
	s := newStack(t)
	root, alice := token(t, "root", "", "admin"), token(t, "alice", "sales", "manager")
	var cur domain.Settings
	r := s.Do("GET", "/settings", alice, nil)
	r.JSON(t, &cur)
	if r.Code != 200 || cur.Version != 0 || cur.Targets.SatisfactionPct != 90 || cur.Clock.CloseDays != 7 || r.Header.Get("ETag") != `"0"` {
		t.Fatalf("defaults: %d %+v %s", r.Code, cur, r.Header.Get("ETag"))
	}
	// A complaint received under the defaults.
	_, before := submit(s, t, validForm())

	next := cur
	next.Clock.CloseDays = 5
	next.Brand.Company.ZH, next.Brand.Hotline, next.Brand.ReplyTo = "华东精工集团", "400-820-1234", "kefu@ecprecision.example.cn"
	for _, tt := range []struct {
		name    string
		tok     string
		body    any
		ifMatch string
		code    int
		errCode string
		field   string
	}{
		{"a manager", alice, next, `"0"`, 403, "forbidden", ""},
		{"no If-Match", root, next, "", 428, "if_match_required", ""},
		{"a target of 140%", root, func() domain.Settings { x := next; x.Targets.SatisfactionPct = 140; return x }(), `"0"`, 400, "validation_failed", "targets.satisfactionPct"},
		{"a negative clock", root, func() domain.Settings { x := next; x.Clock.FirstResponseHours = -24; return x }(), `"0"`, 400, "validation_failed", "clock.firstResponseHours"},
		{"another time zone", root, func() domain.Settings { x := next; x.TimeZone = "Europe/Paris"; return x }(), `"0"`, 400, "validation_failed", "timeZone"},
		{"a brand without a hotline", root, func() domain.Settings { x := next; x.Brand.Hotline = ""; return x }(), `"0"`, 400, "validation_failed", "brand.hotline"},
		{"an unknown field", root, `{"version":0,"bonus":1}`, `"0"`, 400, "unknown_field", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := []string{}
			if tt.ifMatch != "" {
				h = []string{"If-Match", tt.ifMatch}
			}
			r := s.Do("PUT", "/settings", tt.tok, tt.body, h...)
			if r.Code != tt.code || r.ErrCode(t) != tt.errCode {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			var e struct {
				Error struct{ Fields map[string]string } `json:"error"`
			}
			r.JSON(t, &e)
			if tt.field != "" && e.Error.Fields[tt.field] == "" {
				t.Fatalf("no message on %s: %s", tt.field, r.Body)
			}
		})
	}
	if r := s.Do("PUT", "/settings", root, next, "If-Match", `"0"`); r.Code != 200 || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("change: %d %s", r.Code, r.Body)
	}
	if r := s.Do("PUT", "/settings", root, next, "If-Match", `"0"`); r.Code != 409 {
		t.Fatalf("stale version: %d %s", r.Code, r.Body)
	}
	audit, err := store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table).Audit().Of(t.Context(), "settings", "current", 10, "")
	var changes []domain.AuditEntry // reads of the settings are on the record too
	for _, e := range audit.Items {
		if e.Action != domain.ActionRead {
			changes = append(changes, e)
		}
	}
	if err != nil || len(changes) != 1 || changes[0].Actor != "root" || strings.Join(changes[0].Changes, ",") != "clock,brand" {
		t.Fatalf("audit: %v %+v", err, audit.Items)
	}
	// Within 30 s every function sees the change: a new complaint closes in
	// 5 days, the earlier one keeps the 7 days it was opened under.
	s.Clock.Advance(31 * time.Second)
	mails(s, t)
	f := validForm()
	f["email"] = "li.na@example.cn" // the first address had its one acknowledgement this hour
	_, after := submit(s, t, f)
	// ... and the acknowledgement is signed with the company's brand.
	ack := customerMails(s, t)
	if len(ack) != 1 || !strings.Contains(ack[0].HTML, "华东精工集团") || !strings.Contains(ack[0].Text, "400-820-1234") || strings.Join(ack[0].ReplyTo, ",") != "kefu@ecprecision.example.cn" {
		t.Fatalf("acknowledgement: %+v", ack)
	}
	if got := after.DueAt.Sub(after.ReceivedAt); got != 5*24*time.Hour {
		t.Fatalf("new complaint closes in %s, want 5 days", got)
	}
	var card struct {
		Deadlines domain.Deadlines `json:"deadlines"`
	}
	s.Do("GET", "/complaints/"+before.Number, root, nil).JSON(t, &card)
	if got := card.Deadlines.CloseDue.Sub(before.ReceivedAt); got != 7*24*time.Hour {
		t.Fatalf("earlier complaint's deadline moved: closes after %s", got)
	}
}

func TestStaffDirectoryAndInactivePeople(t *testing.T) {
	s := newStack(t)
	root, alice := token(t, "root", "", "admin"), token(t, "alice", "sales", "manager")
	entry := map[string]any{"name": "王丽", "email": "alice@example.com", "department": "sales", "roles": []string{"manager"}, "language": "zh"}
	if r := s.Do("PUT", "/staff/alice", alice, entry); r.Code != 403 {
		t.Fatalf("a manager edits the directory: %d %s", r.Code, r.Body)
	}
	for name, bad := range map[string]map[string]any{
		"bad email":        {"name": "x", "email": "x@", "roles": []string{"manager"}, "language": "zh"},
		"unknown role":     {"name": "x", "email": "x@example.com", "roles": []string{"boss"}, "language": "zh"},
		"no role":          {"name": "x", "email": "x@example.com", "roles": []string{}, "language": "zh"},
		"supervisor alone": {"name": "x", "email": "x@example.com", "roles": []string{"supervisor"}, "language": "zh"},
		"language":         {"name": "x", "email": "x@example.com", "roles": []string{"manager"}, "language": "fr"},
	} {
		if r := s.Do("PUT", "/staff/bob", root, bad); r.Code != 400 || r.ErrCode(t) != "validation_failed" {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	if r := s.Do("PUT", "/staff/alice", root, entry); r.Code != 201 || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	if r := s.Do("PUT", "/staff/alice", root, entry); r.Code != 409 {
		t.Fatalf("replace without If-Match: %d %s", r.Code, r.Body)
	}
	if r := s.Do("GET", "/customers", alice, nil); r.Code != 200 {
		t.Fatalf("an active manager: %d %s", r.Code, r.Body)
	}
	entry["active"] = false
	if r := s.Do("PUT", "/staff/alice", root, entry, "If-Match", `"1"`); r.Code != 200 {
		t.Fatalf("deactivate: %d %s", r.Code, r.Body)
	}
	for _, path := range []string{"/customers", "/complaints?overdue=true", "/settings"} {
		if r := s.Do("GET", path, alice, nil); r.Code != 403 || r.ErrCode(t) != "account_inactive" {
			t.Errorf("inactive alice on %s: %d %s", path, r.Code, r.Body)
		}
	}
	var list domain.Page[domain.StaffMember]
	s.Do("GET", "/staff", root, nil).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "alice" || list.Items[0].Active {
		t.Fatalf("directory: %+v", list)
	}
}

// The gateway checks token expiry in real time, as API Gateway does: a
// demonstration that moves the clock a month can still call staff routes,
// and an expired token is refused whatever the clock says.
func TestTokensExpireInRealTime(t *testing.T) {
	s := newStack(t)
	s.Clock.Advance(31 * 24 * time.Hour)
	if r := s.Do("GET", "/customers", token(t, "root", "", "admin"), nil); r.Code != 200 {
		t.Fatalf("a fresh token after moving the clock: %d %s", r.Code, r.Body)
	}
	old, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: "root", Roles: []string{"admin"}}, time.Now().Add(-13*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Do("GET", "/customers", old, nil); r.Code != 401 {
		t.Fatalf("an expired token: %d %s", r.Code, r.Body)
	}
}
