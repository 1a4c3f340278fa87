package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Customer is a key account's file (大客户档案).
type Customer struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Industry      string        `json:"industry,omitempty"`
	Region        string        `json:"region,omitempty"`
	Address       string        `json:"address,omitempty"`
	ServiceLevel  string        `json:"serviceLevel,omitempty"` // e.g. gold 金卡 / silver 银卡
	ManagerID     string        `json:"managerId"`              // 客户经理
	Department    string        `json:"department"`
	Contacts      []Contact     `json:"contacts,omitempty"`
	Contract      *Contract     `json:"contract,omitempty"`
	Anniversaries []Anniversary `json:"anniversaries,omitempty"` // 客户纪念日
	Notes         string        `json:"notes,omitempty"`
	Status        Status        `json:"status"`

	// Tier is the tier in force: the override when one is set, else the
	// tier computed from revenue share, else the tier given at creation.
	Tier         Tier          `json:"tier"`
	TierSource   TierSource    `json:"tierSource"`
	TierOverride *TierOverride `json:"tierOverride,omitempty"`
	Revenue      []Revenue     `json:"revenue,omitempty"` // one per year, sorted by year
	ScoreInputs  ScoreInputs   `json:"scoreInputs"`

	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

// Contact is a person at the customer. Phone and email are personal data.
type Contact struct {
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Language string `json:"language,omitempty"` // "zh" or "en"
	Birthday string `json:"birthday,omitempty"` // MM-DD, optional: a greeting 7 days ahead
}

// ValidMonthDay reports whether s is a calendar day written MM-DD (29 Feb allowed).
func ValidMonthDay(s string) bool {
	if len(s) != 5 || s[2] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, "2000-"+s)
	return err == nil
}

// Contract is the service agreement.
type Contract struct {
	Start   string  `json:"start,omitempty"` // YYYY-MM-DD
	End     string  `json:"end,omitempty"`   // YYYY-MM-DD
	Renewal Renewal `json:"renewal,omitempty"`
}

// Renewal is a contract's renewal status.
type Renewal string

// Renewal statuses.
const (
	RenewalPending Renewal = "pending"
	RenewalRenewed Renewal = "renewed"
	RenewalLost    Renewal = "lost"
)

// Anniversary is a date worth a greeting (founding day, milestone, honour).
type Anniversary struct {
	Date  string `json:"date"` // YYYY-MM-DD
	Label string `json:"label"`
}

// Status is the account's life-cycle status.
type Status string

// Account statuses.
const (
	StatusActive  Status = "active"
	StatusDormant Status = "dormant"
	StatusLost    Status = "lost"
)

// Limits on free text, so that a record always fits one DynamoDB item.
const (
	MaxNameLen     = 200
	MaxTextLen     = 2000
	MaxNotesLen    = 10000
	MaxContacts    = 20
	MaxAnniversary = 50
)

var (
	phoneRE = lazyRE(`^\+?[0-9][0-9 ()-]{4,24}$`)
	dateRE  = lazyRE(`^\d{4}-\d{2}-\d{2}$`)
	idRE    = lazyRE(`^[A-Za-z0-9_.@-]{1,128}$`)
)

// ValidID reports whether s can be used as a user or department id.
func ValidID(s string) bool { return idRE().MatchString(s) }

// ValidDate reports whether s is a real calendar date written YYYY-MM-DD.
func ValidDate(s string) bool {
	if !dateRE().MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// ValidEmail reports whether s is a plain email address.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// ValidPhone reports whether s looks like a phone number.
func ValidPhone(s string) bool { return phoneRE().MatchString(s) }

// checkText checks free text. Names and other short fields (at most
// MaxNameLen characters) are one line: no control character at all. Longer
// text may hold line breaks and tabs but no other control character. No
// text holds bidi controls, which make a name read differently from what
// it is (U+202E turns "gnp.exe" into "exe.png").
func checkText(v *ValidationError, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required 必填")
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text 文本编码无效")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too long 内容过长")
	case hasControl(s, max <= MaxNameLen):
		v.Add(field, "must not contain control characters 不能包含控制字符")
	}
}

// hasControl reports whether s holds a control or bidi formatting
// character; line breaks and tabs are allowed unless oneLine.
func hasControl(s string, oneLine bool) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if oneLine {
				return true
			}
		case unicode.IsControl(r): // C0, DEL, C1: NUL, ESC, …
			return true
		case r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			return true
		}
	}
	return false
}

// Validate checks a customer file before it is stored.
func (c *Customer) Validate() error {
	v := &ValidationError{}
	checkText(v, "name", c.Name, MaxNameLen, true)
	checkText(v, "industry", c.Industry, MaxNameLen, false)
	checkText(v, "region", c.Region, MaxNameLen, false)
	checkText(v, "address", c.Address, MaxTextLen, false)
	checkText(v, "serviceLevel", c.ServiceLevel, 50, false)
	checkText(v, "notes", c.Notes, MaxNotesLen, false)
	if !ValidID(c.ManagerID) {
		v.Add("managerId", "required: the account manager's user id 必须指定客户经理")
	}
	if !ValidID(c.Department) {
		v.Add("department", "required: the department id 必须指定部门")
	}
	if !c.Tier.Valid() {
		v.Add("tier", "must be strategic, key or ordinary 分级须为 strategic/key/ordinary")
	}
	switch c.Status {
	case StatusActive, StatusDormant, StatusLost:
	default:
		v.Add("status", "must be active, dormant or lost 状态须为 active/dormant/lost")
	}
	if len(c.Contacts) > MaxContacts {
		v.Add("contacts", "too many contacts 联系人过多")
	}
	for i, ct := range c.Contacts {
		f := "contacts[" + itoa(i) + "]"
		checkText(v, f+".name", ct.Name, MaxNameLen, true)
		checkText(v, f+".title", ct.Title, MaxNameLen, false)
		if ct.Phone != "" && !ValidPhone(ct.Phone) {
			v.Add(f+".phone", "not a phone number 电话格式无效")
		}
		if ct.Email != "" && !ValidEmail(ct.Email) {
			v.Add(f+".email", "not an email address 邮箱格式无效")
		}
		if ct.Language != "" && ct.Language != "zh" && ct.Language != "en" {
			v.Add(f+".language", "must be zh or en 语言须为 zh 或 en")
		}
		if ct.Birthday != "" && !ValidMonthDay(ct.Birthday) {
			v.Add(f+".birthday", "birthday must be MM-DD 生日格式为 MM-DD")
		}
	}
	if c.Contract != nil {
		if c.Contract.Start != "" && !ValidDate(c.Contract.Start) {
			v.Add("contract.start", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		}
		if c.Contract.End != "" && !ValidDate(c.Contract.End) {
			v.Add("contract.end", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		}
		if ValidDate(c.Contract.Start) && ValidDate(c.Contract.End) && c.Contract.End < c.Contract.Start {
			v.Add("contract.end", "ends before it starts 结束日期早于开始日期")
		}
		switch c.Contract.Renewal {
		case "", RenewalPending, RenewalRenewed, RenewalLost:
		default:
			v.Add("contract.renewal", "must be pending, renewed or lost 续约状态无效")
		}
	}
	if len(c.Anniversaries) > MaxAnniversary {
		v.Add("anniversaries", "too many entries 条目过多")
	}
	for i, a := range c.Anniversaries {
		f := "anniversaries[" + itoa(i) + "]"
		if !ValidDate(a.Date) {
			v.Add(f+".date", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
		}
		checkText(v, f+".label", a.Label, MaxNameLen, true)
	}
	if c.TierOverride != nil {
		if !c.TierOverride.Tier.Valid() {
			v.Add("tierOverride.tier", "must be strategic, key or ordinary 分级无效")
		}
		checkText(v, "tierOverride.reason", c.TierOverride.Reason, MaxTextLen, true)
	}
	c.ScoreInputs.validate(v)
	return v.Err()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// PreferredLanguage is the language of the first contact that states one, else zh.
func (c *Customer) PreferredLanguage() string {
	for _, ct := range c.Contacts {
		if ct.Language != "" {
			return ct.Language
		}
	}
	return "zh"
}

// CustomerDraft is what a new file is opened with (POST /customers).
type CustomerDraft struct {
	Name          string         `json:"name"`
	Industry      string         `json:"industry"`
	Region        string         `json:"region"`
	Address       string         `json:"address"`
	ServiceLevel  string         `json:"serviceLevel"`
	ManagerID     string         `json:"managerId"`
	Department    string         `json:"department"`
	Contacts      []Contact      `json:"contacts"`
	Contract      *Contract      `json:"contract"`
	Anniversaries []Anniversary  `json:"anniversaries"`
	Notes         string         `json:"notes"`
	Status        Status         `json:"status"`
	Tier          Tier           `json:"tier"`
	TierOverride  *OverrideInput `json:"tierOverride"`
	ScoreInputs   ScoreInputs    `json:"scoreInputs"`
}

// OverrideInput sets a manual tier with its reason.
type OverrideInput struct {
	Tier   Tier   `json:"tier"`
	Reason string `json:"reason"`
}

// NewCustomer opens the file d describes for p: a manager's own account by
// default, in p's department, active, ordinary until revenue or an override
// says otherwise. It is validated, and p must be allowed to open it.
func NewCustomer(d CustomerDraft, id string, p Principal, now time.Time, s Settings) (*Customer, error) {
	now = now.UTC()
	c := &Customer{ID: id, Name: strings.TrimSpace(d.Name), Industry: d.Industry, Region: d.Region, Address: d.Address,
		ServiceLevel: d.ServiceLevel, ManagerID: d.ManagerID, Department: d.Department, Contacts: d.Contacts, Contract: d.Contract,
		Anniversaries: d.Anniversaries, Notes: d.Notes, Status: d.Status, Tier: d.Tier, ScoreInputs: d.ScoreInputs,
		CreatedBy: p.Sub, CreatedAt: now, UpdatedBy: p.Sub, UpdatedAt: now, Version: 1}
	if c.ManagerID == "" && p.Has(RoleManager) {
		c.ManagerID = p.Sub
	}
	if c.Department == "" {
		c.Department = p.Department
	}
	if c.Status == "" {
		c.Status = StatusActive
	}
	if c.Tier == "" {
		c.Tier = TierOrdinary
	}
	if d.TierOverride != nil {
		c.TierOverride = &TierOverride{Tier: d.TierOverride.Tier, Reason: d.TierOverride.Reason, By: p.Sub, At: now}
	}
	c.ApplyTier(s)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !CanCreateCustomer(p, c) {
		return nil, Forbidden("you can open files only for your own accounts or department")
	}
	return c, nil
}

// CustomerPatch changes a file: only the fields present (non-nil) change.
type CustomerPatch struct {
	Name          *string        `json:"name"`
	Industry      *string        `json:"industry"`
	Region        *string        `json:"region"`
	Address       *string        `json:"address"`
	ServiceLevel  *string        `json:"serviceLevel"`
	ManagerID     *string        `json:"managerId"`
	Department    *string        `json:"department"`
	Contacts      *[]Contact     `json:"contacts"`
	Contract      *Contract      `json:"contract"`
	Anniversaries *[]Anniversary `json:"anniversaries"`
	Notes         *string        `json:"notes"`
	Status        *Status        `json:"status"`
	Tier          *Tier          `json:"tier"`
	ScoreInputs   *ScoreInputs   `json:"scoreInputs"`
	// TierOverride sets (Remove false) or removes a manual tier; nil leaves it.
	TierOverride *OverridePatch `json:"-"`
}

// OverridePatch sets or removes a manual tier.
type OverridePatch struct {
	Remove bool
	OverrideInput
}

// ErrTierComputed: the tier follows revenue; a manual tier is an override with a reason.
var ErrTierComputed = &InputError{Code: "tier_computed", Message: "The tier is computed from revenue; set tierOverride with a reason instead. 分级由收入计算，如需调整请设置 tierOverride 并说明理由。"}

// Apply changes c by patch on behalf of p at now and returns the names of
// the fields that changed and, for a tier override, its reason (the audit
// entry's). Reassigning an account (manager or department) is for
// supervisors, executives and admins; a tier with revenue figures or an
// override in force changes only through an override with a reason. The
// result is validated and must stay within p's reach.
func (c *Customer) Apply(patch CustomerPatch, p Principal, now time.Time, s Settings) (changes []string, reason string, err error) {
	setStr := func(name string, dst *string, v *string) {
		if v != nil && *dst != *v {
			*dst = *v
			changes = append(changes, name)
		}
	}
	if (patch.ManagerID != nil && *patch.ManagerID != c.ManagerID) || (patch.Department != nil && *patch.Department != c.Department) {
		if !CanReassign(p) {
			return nil, "", Forbidden("only a supervisor, executive or admin reassigns an account")
		}
	}
	setStr("name", &c.Name, patch.Name)
	setStr("industry", &c.Industry, patch.Industry)
	setStr("region", &c.Region, patch.Region)
	setStr("address", &c.Address, patch.Address)
	setStr("serviceLevel", &c.ServiceLevel, patch.ServiceLevel)
	setStr("notes", &c.Notes, patch.Notes)
	setStr("managerId", &c.ManagerID, patch.ManagerID)
	setStr("department", &c.Department, patch.Department)
	if patch.Contacts != nil {
		c.Contacts = *patch.Contacts
		changes = append(changes, "contacts")
	}
	if patch.Contract != nil {
		c.Contract = patch.Contract
		changes = append(changes, "contract")
	}
	if patch.Anniversaries != nil {
		c.Anniversaries = *patch.Anniversaries
		changes = append(changes, "anniversaries")
	}
	if patch.Status != nil && *patch.Status != c.Status {
		c.Status = *patch.Status
		changes = append(changes, "status")
	}
	if patch.Tier != nil && *patch.Tier != c.Tier {
		if len(c.Revenue) > 0 || c.TierOverride != nil {
			return nil, "", ErrTierComputed
		}
		c.Tier = *patch.Tier
		changes = append(changes, "tier")
	}
	if patch.ScoreInputs != nil {
		c.ScoreInputs = *patch.ScoreInputs
		changes = append(changes, "scoreInputs")
	}
	if o := patch.TierOverride; o != nil {
		switch {
		case o.Remove && c.TierOverride != nil:
			c.TierOverride = nil
			changes = append(changes, "tierOverride")
			reason = "override removed"
		case !o.Remove:
			if !utf8.ValidString(o.Reason) || strings.TrimSpace(o.Reason) == "" {
				return nil, "", &ValidationError{Fields: map[string]string{"tierOverride.reason": "a reason is required 必须说明理由"}}
			}
			c.TierOverride = &TierOverride{Tier: o.Tier, Reason: o.Reason, By: p.Sub, At: now.UTC()}
			changes = append(changes, "tierOverride")
			reason = o.Reason
		}
	}
	if len(changes) == 0 {
		return nil, "", nil
	}
	c.ApplyTier(s)
	if err := c.Validate(); err != nil {
		return nil, "", err
	}
	if !CanSeeCustomer(p, c) {
		return nil, "", Forbidden("the change would move the file out of your reach; ask a supervisor (交接)")
	}
	c.UpdatedBy, c.UpdatedAt = p.Sub, now.UTC()
	c.Version++
	return changes, reason, nil
}

// Looking a sender up (web complaints belong to their accounts): a contact's
// email or phone on exactly one file links a complaint to it; the company
// name alone only suggests a file.

// EmailKey is the lookup key of an email address: lower case.
func EmailKey(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return ""
	}
	return "e:" + e
}

// PhoneKey is the lookup key of a phone number: its digits, without the
// country code of China (+86, 0086) when one is given.
func PhoneKey(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	trimmed := strings.TrimSpace(phone)
	switch {
	case strings.HasPrefix(trimmed, "+86"), strings.HasPrefix(d, "0086"):
		d = strings.TrimPrefix(strings.TrimPrefix(d, "00"), "86")
	}
	if len(d) < 5 {
		return ""
	}
	return "p:" + d
}

// NameKey is the lookup key of a company name: lower case, without spaces
// and punctuation.
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "n:" + b.String()
}

// NameMatches reports whether a file named name is found by searching for
// text: its letters and digits, case aside, appear in the name's (so
// "精工" finds 上海精工机械, "acme ltd" finds ACME Ltd.).
func NameMatches(name, text string) bool {
	k := strings.TrimPrefix(NameKey(text), "n:")
	return k != "" && strings.Contains(NameKey(name), k)
}

// LookupKeys are the keys that find c: its name and its contacts' emails
// and phones, each once.
func (c *Customer) LookupKeys() []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	add(NameKey(c.Name))
	for _, ct := range c.Contacts {
		add(EmailKey(ct.Email))
		add(PhoneKey(ct.Phone))
	}
	return out
}

// MatchSender decides which file a sender belongs to: byContact are the
// files whose contacts have the sender's email or phone, byName those whose
// name is the sender's company. Exactly one file by contact links it;
// otherwise exactly one by name is only a suggestion for a supervisor.
func MatchSender(byContact, byName []string) (link, suggest string) {
	if id, ok := LinkByContact(byContact); ok {
		return id, ""
	}
	if n := uniqueIDs(byName); len(n) == 1 {
		return "", n[0]
	}
	return "", ""
}

// LinkByContact is MatchSender's first rule alone: the file the sender's
// contacts link, when exactly one file has them. When it holds, the
// company name decides nothing and need not be looked up.
func LinkByContact(byContact []string) (link string, ok bool) {
	if c := uniqueIDs(byContact); len(c) == 1 {
		return c[0], true
	}
	return "", false
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
