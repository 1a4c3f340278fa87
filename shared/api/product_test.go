package api_test

import (
	"strings"
	"testing"

	"keycare/shared/domain"
)

// Product-quality complaints record product type, batch number, production
// and arrival dates; a disputed case may end with a settlement.
func TestProductComplaintsAndSettlement(t *testing.T) {
	s := newStack(t)
	sue := token(t, "sue", "quality", "supervisor")
	base := map[string]any{"customerName": "华东精工", "contact": map[string]string{"name": "刘静", "phone": "13900000000"}, "channel": "phone",
		"category": "product", "request": "exchange", "description": "第二批轴承异响"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	for name, tt := range map[string]struct {
		body  map[string]any
		field string
	}{
		"a date that is not one":  {with("product", map[string]string{"type": "轴承", "producedOn": "2026-13-01"}), "product.producedOn"},
		"arrived before produced": {with("product", map[string]string{"producedOn": "2026-10-02", "arrivedOn": "2026-10-01"}), "product.arrivedOn"},
		"product details on a billing complaint": {func() map[string]any {
			m := with("product", map[string]string{"type": "轴承"})
			m["category"] = "billing"
			return m
		}(), "product"},
	} {
		r := s.Do("POST", "/complaints", sue, tt.body)
		var e struct {
			Error struct{ Fields map[string]string } `json:"error"`
		}
		r.JSON(t, &e)
		if r.Code != 400 || e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	r := s.Do("POST", "/complaints", sue, with("product", map[string]string{"type": "深沟球轴承 6204", "batch": "B2026-1017", "producedOn": "2026-10-02", "arrivedOn": "2026-10-20"}))
	var c struct {
		Number  string          `json:"number"`
		Product *domain.Product `json:"product"`
	}
	r.JSON(t, &c)
	if r.Code != 201 || c.Product == nil || c.Product.Batch != "B2026-1017" {
		t.Fatalf("product complaint: %d %s", r.Code, r.Body)
	}
	// Walked to the reply, which records the settlement.
	fixer := token(t, "fix", "repair", "department")
	for _, st := range []struct {
		tok, action string
		body        any
	}{
		{sue, "accept", nil}, {sue, "assign", map[string]any{"department": "repair", "opinion": "检测轴承"}},
		{fixer, "investigation", map[string]any{"cause": "热处理不足", "whatHappened": "w", "responsible": "供应商", "conclusion": "有责", "companyAtFault": true, "countermeasures": "更换供应商"}},
		{sue, "review", map[string]any{"approve": true}},
	} {
		if r := step(s, st.tok, c.Number, st.action, st.body); r.Code != 200 {
			t.Fatalf("%s: %d %s", st.action, r.Code, r.Body)
		}
	}
	if r := step(s, sue, c.Number, "reply", map[string]any{"text": "更换并补偿", "settlement": map[string]string{"kind": "refund", "amount": "12.345"}}); r.Code != 400 {
		t.Fatalf("a bad settlement: %d %s", r.Code, r.Body)
	}
	r = step(s, sue, c.Number, "reply", map[string]any{"text": "更换整批并补偿停机损失", "settlement": map[string]string{"kind": "compensation", "amount": "15000.00", "borneBy": "供应商承担更换费用，公司承担运费"}})
	var replied struct {
		Settlement *domain.Settlement `json:"settlement"`
	}
	r.JSON(t, &replied)
	if r.Code != 200 || replied.Settlement == nil || replied.Settlement.Amount != "15000.00" {
		t.Fatalf("settlement: %d %s", r.Code, r.Body)
	}
	// The public form takes the product details too, and says which one is wrong.
	f := validForm()
	f["productType"], f["producedOn"] = "主轴", "10/02/2026"
	if r, _ := submit(s, t, f); r.Code != 400 || r.ErrCode(t) != "validation_failed" || !strings.Contains(string(r.Body), "producedOn") {
		t.Fatalf("public form with a bad date: %d %s", r.Code, r.Body)
	}
}
