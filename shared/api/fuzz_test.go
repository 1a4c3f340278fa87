package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"keycare/shared/domain"
)

// FuzzCustomerDecoders sends arbitrary bodies, headers and queries to the
// customer routes: whatever arrives, the answer is never a 5xx, and every
// error is the JSON error shape with a code.
func FuzzCustomerDecoders(f *testing.F) {
	seeds := []struct {
		route            uint8
		body, q, ifMatch string
	}{
		{0, `{"name":"Acme","managerId":"alice","department":"sales"}`, "", ""},
		{0, `{"name":"x","contacts":[{"name":"a","phone":"1","email":"@"}],"contract":{"end":"2026-13-01"}}`, "", ""},
		{0, `{"name":"\u0000","tierOverride":{"tier":"key"}}`, "", ""},
		{1, `{"tierOverride":null,"notes":"n"}`, "", `"1"`},
		{1, `{"tierOverride":{"tier":"strategic","reason":"r"}}`, "", `W/"1"`},
		{1, `{"scoreInputs":{"marginPct":1e400}}`, "", `"1"`},
		{2, `{"year":2025,"amount":9223372036854775807,"companyRevenue":1}`, "", ""},
		{3, "", "tier=key&cursor=eyJQSyI6IngifQ", ""},
		{3, "", "limit=-1&manager=%00", ""},
		{4, "", "reason=%FF", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.body, s.q, s.ifMatch)
	}
	s := newStack(f)
	tok := token(f, "alice", "sales", "manager", "supervisor")
	r := s.Do("POST", "/customers", tok, newCustomer("Seed", "alice", "sales"))
	var v struct{ ID string }
	if err := json.Unmarshal(r.Body, &v); err != nil || v.ID == "" {
		f.Fatalf("seed customer: %d %s", r.Code, r.Body)
	}
	id := v.ID
	f.Fuzz(func(t *testing.T, route uint8, body, query, ifMatch string) {
		s.T = t
		var r resp
		var b any
		if body != "" {
			b = body
		}
		switch route % 5 {
		case 0:
			r = s.Do("POST", "/customers", tok, b)
		case 1:
			r = s.Do("PATCH", "/customers/"+id, tok, b, "If-Match", ifMatch)
		case 2:
			r = s.Do("POST", "/customers/"+id+"/revenue", tok, b)
		case 3:
			r = s.Do("GET", "/customers?"+query, tok, nil)
		case 4:
			r = s.Do("GET", "/customers/export?"+query, tok, nil)
		}
		if r.Code >= 500 {
			t.Fatalf("%d for route %d body %q query %q: %s", r.Code, route%5, body, query, r.Body)
		}
		if r.Code >= 400 && r.ErrCode(t) == "" {
			t.Fatalf("error without a code: %d %s", r.Code, r.Body)
		}
	})
}

// FuzzPublicComplaintDecoders sends arbitrary JSON and form bodies to the
// public submission and arbitrary tracking requests: never a 5xx, never a
// stored complaint without a valid card.
func FuzzPublicComplaintDecoders(f *testing.F) {
	f.Add(false, `{"customerName":"Acme","contactName":"王","email":"a@b.cn","category":"product","request":"return","description":"x"}`, "")
	f.Add(true, "customerName=Acme&contactName=%E7%8E%8B&phone=13800000000&category=other&request=other&description=x", "")
	f.Add(true, "customerName=%ZZ&description=%00", "")
	f.Add(false, `{"customerName":"\ud800","contactName":"x","email":"a@b.cn","category":"product","request":"return","description":"x","idempotencyKey":"k"}`, "")
	f.Add(false, `{"website":"x"}`, "")
	f.Add(false, "", "261122001?token=x")
	f.Add(false, "", "999999999999?token=")
	s := newStack(f)
	liftLimits(f, s) // the fuzzer is one client sending thousands
	ft := formToken(f, s)
	f.Add(true, "customerName=Acme&contactName=x&email=a%40b.cn&category=other&request=other&description=x&formToken="+url.QueryEscape(ft), "")
	f.Fuzz(func(t *testing.T, form bool, body, track string) {
		s.T = t
		if track != "" {
			r := s.Do("GET", "/public/complaints/"+strings.ReplaceAll(url.PathEscape(track), "%3F", "?"), "", nil)
			if r.Code >= 500 {
				t.Fatalf("tracking %q: %d %s", track, r.Code, r.Body)
			}
			return
		}
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		r := s.Do("POST", "/public/complaints", "", body, "Content-Type", ct)
		if r.Code >= 500 {
			t.Fatalf("%s %q: %d %s", ct, body, r.Code, r.Body)
		}
		if r.Code == 201 {
			var out struct{ Number string }
			r.JSON(t, &out)
			if !domain.ValidNumber(out.Number) {
				t.Fatalf("201 without a valid number: %s", r.Body)
			}
		}
	})
}

// FuzzPublicSurveyDecoders sends arbitrary answers to a real, open survey
// link: never a 5xx; an accepted answer is always a valid one.
func FuzzPublicSurveyDecoders(f *testing.F) {
	f.Add(false, `{"overall":5,"recommend":10,"comment":"好"}`)
	f.Add(false, `{"overall":3,"recommend":-1}`)
	f.Add(false, `{"overall":1e9,"recommend":1}`)
	f.Add(true, "overall=4&recommend=7&quality=5&comment=%E5%A5%BD")
	f.Add(true, "overall=x&recommend=%ZZ")
	s := newStack(f)
	alice := token(f, "alice", "sales", "manager")
	cr := s.Do("POST", "/customers", alice, newCustomer("Fuzz", "", ""))
	var cu struct{ ID string }
	_ = json.Unmarshal(cr.Body, &cu)
	if r := s.Do("POST", "/surveys/invitations", alice, map[string]any{"customerId": cu.ID}); r.Code != 201 {
		f.Fatalf("invitation: %d %s", r.Code, r.Body)
	}
	var inv struct{ Token string } // the token goes only to the contact, by mail
	for _, m := range s.Env.DrainMail(f) {
		if i := strings.Index(m.Text, "/s/"); m.Kind == "survey-invitation" && i >= 0 {
			inv.Token = strings.Fields(m.Text[i+3:])[0]
		}
	}
	if inv.Token == "" {
		f.Fatal("no invitation mailed")
	}
	f.Fuzz(func(t *testing.T, form bool, body string) {
		s.T = t
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		r := s.Do("POST", "/public/surveys/"+inv.Token, "", body, "Content-Type", ct)
		if r.Code >= 500 {
			t.Fatalf("%s %q: %d %s", ct, body, r.Code, r.Body)
		}
		if r.Code == 202 {
			var a domain.Answer
			if json.Unmarshal([]byte(body), &a) != nil || a.Validate() != nil {
				t.Fatalf("accepted an invalid answer %q", body)
			}
		}
	})
}

// FuzzVisitDecoders sends arbitrary bodies and queries to the visit,
// follow-up and handover routes: never a 5xx, every error in the shape.
func FuzzVisitDecoders(f *testing.F) {
	seeds := []struct {
		route       uint8
		body, query string
	}{
		{0, `{"month":"2027-01","items":[{"customerId":"CID","date":"2027-01-12","purpose":"care"}]}`, ""},
		{0, `{"month":"9999-99","items":[{"customerId":"\u0000","date":"2027-13-40","purpose":1}]}`, ""},
		{1, `{"customerId":"CID","date":"2099-01-01","purpose":"other","participants":["x"]}`, ""},
		{2, `{"happenedOn":"2026-01-01","attendees":["a"],"learned":"l","actions":[{"text":"t","owner":"o","due":"x","done":true}]}`, ""},
		{3, `{"type":"purchase","date":"2026-01-01"}`, ""},
		{4, `{"from":"alice","to":"bob","reason":"r"}`, ""},
		{5, `{"method":"phone","result":"r","satisfied":null}`, ""},
		{6, "", "period=2027-Q1"},
		{6, "", "period=%FF"},
		{7, "", "manager=alice&from=2027-01-01&to=x&status=overdue"},
		{8, "", "due=week&manager=%00"},
		{9, `{"goals":"g","actions":["a"],"reviewBy":"2027-06-01"}`, ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.body, s.query)
	}
	s := newStack(f)
	s.Clock.Set(time.Date(2026, 12, 21, 2, 0, 0, 0, time.UTC))
	tok := token(f, "alice", "sales", "manager", "supervisor", "admin")
	r := s.Do("POST", "/customers", tok, newCustomer("Fuzz", "alice", "sales"))
	var c struct{ ID string }
	if err := json.Unmarshal(r.Body, &c); err != nil || c.ID == "" {
		f.Fatalf("seed customer: %d %s", r.Code, r.Body)
	}
	r = s.Do("POST", "/visits", tok, map[string]any{"customerId": c.ID, "date": "2026-12-22", "purpose": "care"})
	var v struct{ ID string }
	_ = json.Unmarshal(r.Body, &v)
	f.Fuzz(func(t *testing.T, route uint8, body, query string) {
		s.T = t
		body = strings.ReplaceAll(body, "CID", c.ID)
		var b any
		if body != "" {
			b = body
		}
		var r resp
		switch route % 10 {
		case 0:
			r = s.Do("POST", "/visit-plans", tok, b)
		case 1:
			r = s.Do("POST", "/visits", tok, b)
		case 2:
			r = s.Do("POST", "/visits/"+v.ID+"/report", tok, b)
		case 3:
			r = s.Do("POST", "/customers/"+c.ID+"/events", tok, b)
		case 4:
			r = s.Do("POST", "/handovers", tok, b)
		case 5:
			r = s.Do("POST", "/follow-ups/e-x-3/complete", tok, b)
		case 6:
			r = s.Do("GET", "/visits/coverage?"+query, tok, nil)
		case 7:
			r = s.Do("GET", "/visits?"+query, tok, nil)
		case 8:
			r = s.Do("GET", "/follow-ups?"+query, tok, nil)
		case 9:
			r = s.Do("PUT", "/customers/"+c.ID+"/relationship-plan", tok, b)
		}
		if r.Code >= 500 {
			t.Fatalf("%d for route %d body %q query %q: %s", r.Code, route%10, body, query, r.Body)
		}
		if r.Code >= 400 && r.ErrCode(t) == "" {
			t.Fatalf("error without a code: %d %s", r.Code, r.Body)
		}
	})
}
