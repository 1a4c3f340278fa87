package domain

import (
	"strings"
	"testing"
)

func TestTierFromShare(t *testing.T) {
	s := Defaults("")
	tests := []struct {
		share float64
		want  Tier
	}{
		{0, TierOrdinary}, {0.0099, TierOrdinary}, {0.01, TierKey}, {0.03, TierKey},
		{0.0499, TierKey}, {0.05, TierStrategic}, {0.5, TierStrategic},
	}
	for _, tt := range tests {
		if got := TierFromShare(tt.share, s); got != tt.want {
			t.Errorf("TierFromShare(%v) = %s, want %s", tt.share, got, tt.want)
		}
	}
}

func TestSetRevenueComputesTierFromLatestYear(t *testing.T) {
	s := Defaults("")
	c := &Customer{Tier: TierOrdinary}
	c.ApplyTier(s)
	if c.TierSource != TierFromInput {
		t.Fatalf("source = %s, want input", c.TierSource)
	}
	c.SetRevenue(Revenue{Year: 2025, Amount: 6_000_000, CompanyRevenue: 100_000_000}, s) // 6%
	if c.Tier != TierStrategic || c.TierSource != TierFromRevenue {
		t.Fatalf("after 2025: %s/%s, want strategic/revenue", c.Tier, c.TierSource)
	}
	c.SetRevenue(Revenue{Year: 2024, Amount: 100, CompanyRevenue: 100_000_000}, s) // older year: no effect
	if c.Tier != TierStrategic {
		t.Fatalf("an older year changed the tier to %s", c.Tier)
	}
	c.SetRevenue(Revenue{Year: 2025, Amount: 2_000_000, CompanyRevenue: 100_000_000}, s) // 2025 replaced: 2%
	if c.Tier != TierKey || len(c.Revenue) != 2 {
		t.Fatalf("replacing 2025: tier %s, %d years; want key, 2", c.Tier, len(c.Revenue))
	}
	c.TierOverride = &TierOverride{Tier: TierStrategic, Reason: "national flagship project"}
	c.ApplyTier(s)
	if c.Tier != TierStrategic || c.TierSource != TierFromOverride || c.ComputedTier(s) != TierKey {
		t.Fatalf("override: %s/%s computed %s", c.Tier, c.TierSource, c.ComputedTier(s))
	}
}

func TestRevenueValidate(t *testing.T) {
	tests := []struct {
		name  string
		r     Revenue
		field string
	}{
		{"ok", Revenue{Year: 2025, Amount: 1, CompanyRevenue: 10}, ""},
		{"year", Revenue{Year: 25, Amount: 1, CompanyRevenue: 10}, "year"},
		{"negative", Revenue{Year: 2025, Amount: -1, CompanyRevenue: 10}, "amount"},
		{"no company revenue", Revenue{Year: 2025, Amount: 1}, "companyRevenue"},
		{"more than company", Revenue{Year: 2025, Amount: 11, CompanyRevenue: 10}, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Fields[tt.field] == "" {
				t.Fatalf("want error on %s, got %v", tt.field, err)
			}
		})
	}
}

func TestScoreBreakdown(t *testing.T) {
	s := Defaults("")
	tests := []struct {
		name string
		in   ScoreInputs
		want ValueScore
	}{
		{"unrated newcomer", ScoreInputs{}, ValueScore{Credit: 100, Orders: 0, Prospects: 50, Profit: 0, Total: 40, SuggestedTier: TierKey}},
		{"excellent", ScoreInputs{OrderAmount: 10_000_000, MarginPct: 20, Prospects: 5},
			ValueScore{Credit: 100, Orders: 100, Prospects: 100, Profit: 100, Total: 100, SuggestedTier: TierStrategic}},
		{"late payer", ScoreInputs{LatePayments: 5, DaysLate: 90, OrderAmount: 1_000_000, MarginPct: 10, Prospects: 2},
			ValueScore{Credit: 20, Orders: 10, Prospects: 25, Profit: 5, Total: 15, SuggestedTier: TierOrdinary}},
		{"capped", ScoreInputs{LatePayments: 50, OrderAmount: 50_000_000, MarginPct: 50, Prospects: 3},
			ValueScore{Credit: 0, Orders: 100, Prospects: 50, Profit: 100, Total: 60, SuggestedTier: TierKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Score(tt.in, s)
			tt.want.Weights = s.Score.Weights
			if got != tt.want {
				t.Fatalf("Score = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

func TestScoreWeightsAreSettings(t *testing.T) {
	s := Defaults("")
	s.Score.Weights = ScoreWeights{Credit: 1}
	if got := Score(ScoreInputs{LatePayments: 3}, s).Total; got != 70 {
		t.Fatalf("credit-only total = %v, want 70", got)
	}
}

func validCustomer() *Customer {
	return &Customer{Name: "Acme 股份", ManagerID: "alice", Department: "sales", Tier: TierKey, Status: StatusActive,
		Contacts: []Contact{{Name: "王伟", Phone: "+86 138 1234 5678", Email: "wang@acme.cn", Language: "zh"}},
		Contract: &Contract{Start: "2025-01-01", End: "2026-12-31", Renewal: RenewalPending}}
}

func TestCustomerValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Customer)
		field  string
	}{
		{"valid", func(c *Customer) {}, ""},
		{"no name", func(c *Customer) { c.Name = "  " }, "name"},
		{"long name", func(c *Customer) { c.Name = strings.Repeat("名", MaxNameLen+1) }, "name"},
		{"bad utf8", func(c *Customer) { c.Notes = "\xff\xfe" }, "notes"},
		{"no manager", func(c *Customer) { c.ManagerID = "" }, "managerId"},
		{"bad manager", func(c *Customer) { c.ManagerID = "a b" }, "managerId"},
		{"bad tier", func(c *Customer) { c.Tier = "gold" }, "tier"},
		{"bad status", func(c *Customer) { c.Status = "gone" }, "status"},
		{"bad phone", func(c *Customer) { c.Contacts[0].Phone = "call me" }, "contacts[0].phone"},
		{"bad email", func(c *Customer) { c.Contacts[0].Email = "wang@" }, "contacts[0].email"},
		{"bad language", func(c *Customer) { c.Contacts[0].Language = "fr" }, "contacts[0].language"},
		{"contact without name", func(c *Customer) { c.Contacts[0].Name = "" }, "contacts[0].name"},
		{"bad date", func(c *Customer) { c.Contract.End = "2026-02-30" }, "contract.end"},
		{"ends before start", func(c *Customer) { c.Contract.End = "2024-12-31" }, "contract.end"},
		{"bad renewal", func(c *Customer) { c.Contract.Renewal = "maybe" }, "contract.renewal"},
		{"override without reason", func(c *Customer) { c.TierOverride = &TierOverride{Tier: TierKey} }, "tierOverride.reason"},
		{"prospects out of range", func(c *Customer) { c.ScoreInputs.Prospects = 6 }, "scoreInputs.prospects"},
		{"anniversary date", func(c *Customer) { c.Anniversaries = []Anniversary{{Date: "May 1", Label: "founding"}} }, "anniversaries[0].date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCustomer()
			tt.mutate(c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Fields[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, err)
			}
		})
	}
}

func TestAccessRules(t *testing.T) {
	c := validCustomer() // manager alice, department sales
	p := func(sub, dept string, roles ...Role) Principal {
		return Principal{Sub: sub, Department: dept, Roles: roles}
	}
	tests := []struct {
		name          string
		who           Principal
		see, contacts bool
	}{
		{"own manager", p("alice", "sales", RoleManager), true, true},
		{"other manager", p("bob", "sales", RoleManager), false, false},
		{"department supervisor", p("sue", "sales", RoleSupervisor), true, true},
		{"other supervisor", p("sam", "east", RoleSupervisor), false, false},
		{"supervisor without department", p("sam", "", RoleSupervisor), false, false},
		{"executive", p("ceo", "", RoleExecutive), true, false},
		{"admin", p("root", "", RoleAdmin), true, false},
		{"handling department", p("fix", "sales", RoleDepartment), false, false},
		{"no role", p("x", "sales"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanSeeCustomer(tt.who, c); got != tt.see {
				t.Errorf("CanSeeCustomer = %v, want %v", got, tt.see)
			}
			if got := NeedsContactDetails(tt.who, c); got != tt.contacts {
				t.Errorf("NeedsContactDetails = %v, want %v", got, tt.contacts)
			}
			v := c.ForViewer(tt.who)
			masked := v.Contacts[0].Phone != c.Contacts[0].Phone
			if masked == tt.contacts {
				t.Errorf("phone %q masked=%v but needs contacts=%v", v.Contacts[0].Phone, masked, tt.contacts)
			}
		})
	}
	if c.Contacts[0].Phone != "+86 138 1234 5678" {
		t.Fatal("ForViewer changed the stored file")
	}
}

func TestMasking(t *testing.T) {
	tests := []struct{ in, phone, email string }{
		{"13812345678", "138******78", ""},
		{"1234", "****", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.phone {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.phone)
		}
	}
	if got := MaskEmail("wang.wei@acme.cn"); got != "w***@acme.cn" {
		t.Errorf("MaskEmail = %q", got)
	}
	if got := MaskEmail("broken"); got != "***" {
		t.Errorf("MaskEmail(broken) = %q", got)
	}
}

func TestValidEmailAndPhone(t *testing.T) {
	for _, s := range []string{"a@b.cn", "wang.wei+x@acme.com.cn"} {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false", s)
		}
	}
	for _, s := range []string{"", "a@b", "Wang <a@b.cn>", "a b@c.cn", "a@b.cn\r\nBcc: x@y.cn"} {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true", s)
		}
	}
	for _, s := range []string{"13812345678", "+86 (21) 5555-1234"} {
		if !ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = false", s)
		}
	}
	for _, s := range []string{"", "123", "phone", "1381234567812345678901234567"} {
		if ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = true", s)
		}
	}
}

func TestLookupKeysAndMatching(t *testing.T) {
	for in, want := range map[string]string{"+86 138-1234-5678": "p:13812345678", "0086 13812345678": "p:13812345678", "(021) 6888 1234": "p:02168881234", "12": ""} {
		if got := PhoneKey(in); got != want {
			t.Errorf("PhoneKey(%q) = %q, want %q", in, got, want)
		}
	}
	if EmailKey(" Wang.Wei@Example.CN ") != "e:wang.wei@example.cn" || NameKey("上海 精工机械（有限公司）") != NameKey("上海精工机械有限公司") {
		t.Error("email and name keys do not normalise")
	}
	c := &Customer{Name: "Acme", Contacts: []Contact{{Email: "a@x.cn", Phone: "13800000000"}, {Email: "A@X.cn"}}}
	if got := c.LookupKeys(); len(got) != 3 {
		t.Errorf("lookup keys %v, want the name, one email, one phone", got)
	}
	tests := []struct {
		byContact, byName []string
		link, suggest     string
	}{
		{[]string{"c1"}, nil, "c1", ""},
		{[]string{"c1", "c1"}, []string{"c2"}, "c1", ""}, // email and phone on the same file
		{[]string{"c1", "c2"}, []string{"c1"}, "", "c1"}, // two files share the contact: the name only suggests
		{nil, []string{"c3"}, "", "c3"},
		{nil, []string{"c3", "c4"}, "", ""},
	}
	for _, tt := range tests {
		if link, suggest := MatchSender(tt.byContact, tt.byName); link != tt.link || suggest != tt.suggest {
			t.Errorf("MatchSender(%v, %v) = %q, %q", tt.byContact, tt.byName, link, suggest)
		}
		// When the contacts link alone, the name changes nothing.
		if link, ok := LinkByContact(tt.byContact); ok != (tt.link != "") || link != tt.link {
			t.Errorf("LinkByContact(%v) = %q, %v", tt.byContact, link, ok)
		} else if ok {
			if l, s := MatchSender(tt.byContact, []string{"c9"}); l != link || s != "" {
				t.Errorf("MatchSender(%v, [c9]) = %q, %q: the name mattered", tt.byContact, l, s)
			}
		}
	}
}

func TestNameMatches(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       bool
	}{
		{"上海精工机械有限公司", "精工", true},
		{"ACME Ltd.", "acme ltd", true},
		{"ACME Ltd.", "Acme-Ltd", true},
		{"上海精工机械有限公司", "北京", false},
		{"ACME Ltd.", "", false},
		{"ACME Ltd.", " - ", false},
	} {
		if got := NameMatches(tt.name, tt.text); got != tt.want {
			t.Errorf("NameMatches(%q, %q) = %v", tt.name, tt.text, got)
		}
	}
}

func TestTextRefusesControlAndBidiCharacters(t *testing.T) {
	tests := []struct {
		name, text string
		oneLine    bool
		ok         bool
	}{
		{"plain", "上海精工机械", true, true},
		{"NUL", "a\x00b", true, false},
		{"escape", "a\x1b[31m", false, false},
		{"DEL", "a\x7f", true, false},
		{"C1", "a\u0085b", false, false},
		{"bidi override", "invoice\u202Efdp.exe", false, false},
		{"isolate", "\u2067x", true, false},
		{"mark", "a\u200fb", true, false},
		{"arabic mark", "a\u061cb", false, false},
		{"line break in a name", "a\nb", true, false},
		{"tab in a name", "a\tb", true, false},
		{"lines in a text", "第一行\r\n第二行\t完", false, true},
		{"emoji", "好👍", true, true},
	}
	for _, tt := range tests {
		if got := !hasControl(tt.text, tt.oneLine); got != tt.ok {
			t.Errorf("%s: accepted %v, want %v", tt.name, got, tt.ok)
		}
	}
	c := validCustomer()
	c.Name = "Acme\u202E"
	if err := c.Validate(); err == nil || err.(*ValidationError).Fields["name"] == "" {
		t.Fatalf("a name with a bidi override: %v", err)
	}
	c = validCustomer()
	c.Notes = "line one\nline two"
	if err := c.Validate(); err != nil {
		t.Fatalf("notes with lines: %v", err)
	}
}

func TestCanReadActorTrail(t *testing.T) {
	sales := &StaffMember{ID: "alice", Department: "sales"}
	for _, tt := range []struct {
		name  string
		p     Principal
		actor *StaffMember
		id    string
		want  bool
	}{
		{"admin", Principal{Sub: "root", Roles: []Role{RoleAdmin}}, nil, "x", true},
		{"executive", Principal{Sub: "ceo", Roles: []Role{RoleExecutive}}, sales, "alice", true},
		{"supervisor, same department", Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "sales"}, sales, "alice", true},
		{"supervisor, other department", Principal{Sub: "sam", Roles: []Role{RoleSupervisor}, Department: "east"}, sales, "alice", false},
		{"supervisor, unknown person", Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "sales"}, nil, "x", false},
		{"supervisor, self", Principal{Sub: "sue", Roles: []Role{RoleSupervisor}, Department: "sales"}, nil, "sue", true},
		{"manager, self", Principal{Sub: "alice", Roles: []Role{RoleManager}, Department: "sales"}, sales, "alice", false},
	} {
		if got := CanReadActorTrail(tt.p, tt.id, tt.actor); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
