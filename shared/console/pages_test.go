package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"keycare/local/testenv"
	"keycare/shared/domain"
	"keycare/shared/store"
)

// world is a small company on the local stack: the directory (alice and
// bob manage in sales, bob reads English; sue supervises sales; fixer is
// the repair department; ceo; root), two departments, alice's account and
// bob's.
type world struct {
	s            *testenv.Server
	st           *store.Store
	alicesFile   string
	bobsFile     string
	admin, alice string // API tokens
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	s := testenv.NewServer(t)
	s.Clock.Set(now)
	w := &world{s: s, st: store.New(s.Env.AWS.DynamoDB, s.Env.Resources.Table), admin: testenv.Token(t, "root", "", "admin"),
		alice: testenv.Token(t, "alice", "sales", "manager")}
	for id, body := range map[string]map[string]any{
		"alice": {"name": "王丽", "email": "alice@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "zh"},
		"bob":   {"name": "Bob", "email": "bob@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "en"},
		"sue":   {"name": "张主管", "email": "sue@corp.cn", "department": "sales", "roles": []string{"supervisor"}, "language": "zh"},
		"fixer": {"name": "维修部", "email": "fix@corp.cn", "department": "repair", "roles": []string{"department"}, "language": "zh"},
	} {
		if r := s.Do("PUT", "/staff/"+id, w.admin, body); r.Code != http.StatusCreated {
			t.Fatalf("staff %s: %d %s", id, r.Code, r.Body)
		}
	}
	r := s.Do("GET", "/settings", w.admin, nil)
	var set map[string]any
	r.JSON(t, &set)
	set["departments"] = []map[string]any{{"id": "sales", "name": map[string]string{"zh": "销售部", "en": "Sales"}},
		{"id": "repair", "name": map[string]string{"zh": "维修部", "en": "Repair"}}}
	if r := s.Do("PUT", "/settings", w.admin, set, "If-Match", `"0"`); r.Code != 200 {
		t.Fatalf("settings: %d %s", r.Code, r.Body)
	}
	mk := func(tok, name string) string {
		r := s.Do("POST", "/customers", tok, map[string]any{"name": name, "tier": "key", "industry": "制造业",
			"contacts": []map[string]string{{"name": "王伟", "phone": "13812345678", "email": "wang@" + strings.ToLower(strings.Fields(name + " x")[0]) + ".cn", "language": "zh"}}})
		var v struct{ ID string }
		if r.Code != http.StatusCreated || json.Unmarshal(r.Body, &v) != nil {
			t.Fatalf("customer %s: %d %s", name, r.Code, r.Body)
		}
		return v.ID
	}
	w.alicesFile = mk(w.alice, "上海精工机械")
	w.bobsFile = mk(testenv.Token(t, "bob", "sales", "manager"), "Beta Ltd")
	return w
}

// trail is the access record of one record.
func (w *world) trail(t *testing.T, entity, id string) []domain.AuditEntry {
	t.Helper()
	pg, err := w.st.Audit().Of(context.Background(), entity, id, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

func readsBy(es []domain.AuditEntry, actor string) int {
	n := 0
	for _, e := range es {
		if e.Actor == actor && e.Action == domain.ActionRead {
			n++
		}
	}
	return n
}

func must(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.Code != status {
		t.Fatalf("status %d, want %d: %.3000s", p.Code, status, p.Body)
	}
	for _, c := range contains {
		if !strings.Contains(p.Body, c) {
			t.Fatalf("the page lacks %q: %.4000s", c, p.Body)
		}
	}
}

var numberRE = regexp.MustCompile(`/console/complaints/(\d{9,})`)

// A supervisor enters a phone complaint and walks it to closed through the
// card's forms with the handling department; each form appears only to
// whom may use it, a form that fails shows again with its values and the
// message beside the field, and a step someone else took first, or one no
// longer possible, is a clear message on the fresh card.
func TestComplaintWalkedToClosedThroughTheForms(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	sue.get("/console/complaints/new")
	p := sue.post("/console/complaints", url.Values{"customerId": {w.alicesFile}, "channel": {"phone"}, "contactName": {"王伟"},
		"contactPhone": {"13812345678"}, "contactLanguage": {"zh"}, "category": {"logistics"}, "request": {"compensation"},
		"severity": {"normal"}, "description": {"托盘破损，要求赔偿。"}, "key": {"k-1"}})
	if p.Code != http.StatusSeeOther || !numberRE.MatchString(p.Location()) {
		t.Fatalf("entry: %d %s %.2000s", p.Code, p.Location(), p.Body)
	}
	number := numberRE.FindStringSubmatch(p.Location())[1]
	card := "/console/complaints/" + number
	must(t, sue.get(p.Location()), 200, "投诉已登记", "已登记", "上海精工机械", `action="`+card+`/accept"`, `action="`+card+`/reject"`)
	// The same form posted twice is the same complaint.
	if again := sue.post("/console/complaints", url.Values{"customerId": {w.alicesFile}, "channel": {"phone"}, "contactName": {"王伟"},
		"contactPhone": {"13812345678"}, "contactLanguage": {"zh"}, "category": {"logistics"}, "request": {"compensation"},
		"severity": {"normal"}, "description": {"托盘破损，要求赔偿。"}, "key": {"k-1"}}); again.Location() != p.Location() {
		t.Fatalf("a repeated entry made another complaint: %s", again.Location())
	}

	version := func(u *user) string {
		t.Helper()
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(u.get(card).Body)
		if m == nil {
			t.Fatal("no version on the card")
		}
		return m[1]
	}
	stepOK := func(u *user, step string, f url.Values, shows string) {
		t.Helper()
		f.Set("version", version(u))
		r := u.post(card+"/"+step, f)
		if r.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %.3000s", step, r.Code, r.Body)
		}
		must(t, u.get(r.Location()), 200, shows)
	}
	stale := version(sue)
	stepOK(sue, "accept", url.Values{}, "已受理")
	// The same accept from a page opened before: the card says it moved on.
	r := sue.post(card+"/accept", url.Values{"version": {stale}})
	must(t, r, http.StatusConflict, `role="alert"`, "其他人已修改")
	// A form that fails shows again with its values, the message beside the field.
	r = sue.post(card+"/assign", url.Values{"version": {version(sue)}, "department": {"repair"}, "opinion": {""}})
	must(t, r, http.StatusBadRequest, `id="f-assign-opinion"`, `aria-invalid="true"`, "必填", `<option value="repair" selected>`)
	stepOK(sue, "assign", url.Values{"department": {"repair"}, "opinion": {"请维修部核查"}}, "已分派")
	// Only the assigned department reports the investigation.
	if strings.Contains(sue.get(card).Body, `/investigation"`) {
		t.Fatal("the supervisor is offered the department's investigation form")
	}
	fixer := signIn(t, w.s, "fixer", "repair", "department")
	stepOK(fixer, "investigation", url.Values{"cause": {"装卸不当"}, "whatHappened": {"叉车碰撞"}, "responsible": {"物流组"},
		"conclusion": {"有责"}, "companyAtFault": {"true"}, "countermeasures": {"培训叉车司机"}}, "已调查")
	stepOK(sue, "review", url.Values{"approve": {"true"}, "comment": {"同意"}}, "已审核")
	stepOK(sue, "reply", url.Values{"text": {"我们将免费补发货物并致歉。"}, "method": {"written"}}, "已答复")
	// Accepting now is not possible: said so, not an error page.
	r = sue.post(card+"/accept", url.Values{"version": {version(sue)}})
	must(t, r, http.StatusConflict, `role="alert"`, "已答复", "此步骤已不能执行")
	alice := signIn(t, w.s, "alice", "sales", "manager")
	stepOK(alice, "callback", url.Values{"method": {"phone"}, "result": {"客户满意"}, "satisfied": {"true"}}, "已回访")
	stepOK(sue, "close", url.Values{}, "已结案")
	c, err := w.st.Complaints().Get(context.Background(), number)
	if err != nil || c.Status != domain.StatusClosed || len(c.History) != 8 {
		t.Fatalf("closed: %+v %v", c, err)
	}
	if p := sue.get(card); strings.Contains(p.Body, `<details class="step"`) && !strings.Contains(p.Body, "/correct") {
		t.Fatal("a closed card offers a step")
	}
}

// Every view of a customer file, a complaint card or a visit is on the
// access record, as the API's reads are; a refused view records nothing.
func TestEveryFileViewIsOnTheAccessRecord(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	alice := signIn(t, w.s, "alice", "sales", "manager")
	bob := signIn(t, w.s, "bob", "sales", "manager")
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	ceo := signIn(t, w.s, "ceo", "", "executive")

	must(t, alice.get("/console/accounts/"+w.alicesFile), 200, "上海精工机械")
	must(t, ceo.get("/console/accounts/"+w.alicesFile), 200, "上海精工机械", "查阅登记")
	must(t, bob.get("/console/accounts/"+w.alicesFile), http.StatusForbidden)
	file := w.trail(t, "customer", w.alicesFile)
	if readsBy(file, "alice") != 1 || readsBy(file, "ceo") != 1 || readsBy(file, "bob") != 0 {
		t.Fatalf("the file's access record: %+v", file)
	}
	// The access record on the page names who looked.
	if p := sue.get("/console/accounts/" + w.alicesFile); !strings.Contains(p.Body, "ceo (总经理)") {
		t.Fatalf("the supervisor's page does not show the access record: %.3000s", p.Body)
	}

	r := w.s.Do("POST", "/complaints", w.alice, map[string]any{"customerId": w.alicesFile, "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "visit", "category": "billing", "request": "price-reduction", "description": "账单有误"})
	var c struct{ Number string }
	r.JSON(t, &c)
	must(t, sue.get("/console/complaints/"+c.Number), 200, c.Number)
	must(t, alice.get("/console/complaints/"+c.Number), 200, c.Number)
	must(t, bob.get("/console/complaints/"+c.Number), http.StatusForbidden)
	card := w.trail(t, "complaint", c.Number)
	if readsBy(card, "sue") != 1 || readsBy(card, "alice") != 1 || readsBy(card, "bob") != 0 {
		t.Fatalf("the card's access record: %+v", card)
	}

	r = w.s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.alicesFile, "date": "2027-01-20", "purpose": "care"})
	var v struct{ ID string }
	r.JSON(t, &v)
	must(t, alice.get("/console/visits/"+v.ID), 200, "上海精工机械")
	must(t, bob.get("/console/visits/"+v.ID), http.StatusForbidden)
	if tr := w.trail(t, "visit", v.ID); readsBy(tr, "alice") != 1 || readsBy(tr, "bob") != 0 {
		t.Fatalf("the visit's access record: %+v", tr)
	}
}

// A manager cannot open another manager's account by its URL: a 403 page in
// their own language, nothing of the file on it.
func TestManagerCannotOpenAnotherManagersAccount(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	bob := signIn(t, w.s, "bob", "sales", "manager") // English in the directory
	p := bob.get("/console/accounts/" + w.alicesFile)
	must(t, p, http.StatusForbidden, `<html lang="en">`, "Not allowed")
	if strings.Contains(p.Body, "上海精工机械") || strings.Contains(p.Body, "13812345678") {
		t.Fatal("the 403 page shows the file")
	}
	must(t, bob.get("/console/accounts/nosuchfile"), http.StatusNotFound, "Not found")
	// The list shows his own only, whatever the query asks.
	p = bob.get("/console/accounts?manager=alice")
	if p.Code == 200 && strings.Contains(p.Body, "上海精工机械") {
		t.Fatal("bob lists alice's account")
	}
	must(t, bob.get("/console/accounts?q=beta"), 200, "Beta Ltd")
	// A manager's contacts are unmasked on their own file, an executive's masked.
	must(t, bob.get("/console/accounts/"+w.bobsFile), 200, "13812345678")
	ceo := signIn(t, w.s, "ceo", "", "executive")
	if p := ceo.get("/console/accounts/" + w.bobsFile); !strings.Contains(p.Body, "138******78") || strings.Contains(p.Body, "13812345678") {
		t.Fatalf("the executive sees the contact unmasked: %.2000s", p.Body)
	}
}

// A post without the session's CSRF token, or from another origin, is
// refused with 403 and changes nothing.
func TestCSRFlessPostChangesNothing(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	r := w.s.Do("POST", "/complaints", w.alice, map[string]any{"customerId": w.alicesFile, "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "visit", "category": "billing", "request": "price-reduction", "description": "账单有误"})
	var c struct{ Number string }
	r.JSON(t, &c)
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	for name, p := range map[string]page{
		"no token":       sue.post("/console/complaints/"+c.Number+"/accept", url.Values{"csrf": {""}}),
		"a foreign page": sue.post("/console/complaints/"+c.Number+"/accept", url.Values{}, "Origin", "https://evil.example"),
	} {
		must(t, p, http.StatusForbidden, "请求被拒绝")
		_ = name
	}
	got, _ := w.st.Complaints().Get(context.Background(), c.Number)
	if got.Status != domain.StatusReceived || got.Version != 1 {
		t.Fatalf("a refused post changed the complaint: %s v%d", got.Status, got.Version)
	}
}

// My day: the complaints with their next deadline as a badge (words and
// colour), the digest's items, and English for a person who reads it.
func TestMyDay(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	r := w.s.Do("POST", "/complaints", w.alice, map[string]any{"customerId": w.alicesFile, "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "visit", "category": "billing", "request": "price-reduction", "description": "账单有误"})
	var c struct{ Number string }
	r.JSON(t, &c)
	w.s.Do("POST", "/customers/"+w.alicesFile+"/events", w.alice, map[string]any{"type": "event", "date": "2027-01-08"})
	alice := signIn(t, w.s, "alice", "sales", "manager")
	must(t, alice.get("/console"), 200, "王丽", c.Number, `class="badge soon"`, "首次答复 · 剩余 24 小时", "今日到期的回访", "活动后回访")
	w.s.Clock.Set(time.Date(2027, 1, 13, 10, 0, 0, 0, shanghai))
	alice = signIn(t, w.s, "alice", "sales", "manager") // two days idle: signed out
	must(t, alice.get("/console"), 200, `class="badge late"`, "首次答复 · 已逾期 24 小时")
	bob := signIn(t, w.s, "bob", "sales", "manager")
	p := bob.get("/console")
	must(t, p, 200, `<html lang="en">`, "My day", "No open complaints.")
	// The language switch is the person's.
	bob.post("/console/language", url.Values{"lang": {"zh"}, "next": {"/console"}})
	must(t, bob.get("/console"), 200, `<html lang="zh-CN">`, "我的一天")
}

// Settings: an invalid value comes back beside its field, with what was typed.
func TestSettingsValidationBesideTheField(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	root := signIn(t, w.s, "root", "", "admin")
	p := root.get("/console/admin/settings")
	v := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.Body)[1]
	p = root.post("/console/admin/settings", url.Values{"version": {v}, "targets.satisfactionPct": {"140"}})
	must(t, p, http.StatusBadRequest, `id="s-targets.satisfactionPct-e"`, "须为 0–100 之间的百分比", `value="140"`)
	if strings.Contains(p.Body, "must be a percentage") {
		t.Fatal("the Chinese page shows the English half of the message")
	}
	p = root.post("/console/admin/settings", url.Values{"version": {v}, "targets.satisfactionPct": {"92"}})
	if p.Code != http.StatusSeeOther {
		t.Fatalf("a valid change: %d", p.Code)
	}
	r := w.s.Do("GET", "/settings", w.admin, nil)
	var set domain.Settings
	r.JSON(t, &set)
	if set.Targets.SatisfactionPct != 92 || len(set.Departments) != 2 || set.Clock.CloseDays != 7 {
		t.Fatalf("after the form: %+v", set)
	}
	// Others read them and cannot change them.
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	must(t, sue.get("/console/admin/settings"), 200, "只有管理员可以修改设置", "readonly")
	must(t, sue.post("/console/admin/settings", url.Values{"version": {"2"}, "targets.satisfactionPct": {"10"}}), http.StatusForbidden)
}

// The visit report form: a report without who attended comes back with the
// message, then files; its promised actions are tracked.
func TestVisitReportThroughTheForm(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	r := w.s.Do("POST", "/visits", w.alice, map[string]any{"customerId": w.alicesFile, "date": "2027-01-12", "purpose": "care"})
	var v struct{ ID string }
	r.JSON(t, &v)
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	p := sue.post("/console/visits/"+v.ID+"/approve", url.Values{})
	if p.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %.2000s", p.Code, p.Body)
	}
	w.s.Clock.Set(time.Date(2027, 1, 12, 18, 0, 0, 0, shanghai))
	alice := signIn(t, w.s, "alice", "sales", "manager")
	must(t, alice.get("/console/visits"), 200, "待提交报告", "上海精工机械")
	form := url.Values{"happenedOn": {"2027-01-12"}, "attendees": {""}, "learned": {"扩产计划"}, "action0": {"报价"}, "owner0": {"王丽"}, "due0": {"2027-01-20"}}
	p = alice.post("/console/visits/"+v.ID+"/report", form)
	must(t, p, http.StatusBadRequest, "请填写参加人员", `value="扩产计划"`[:0]+"扩产计划")
	form.Set("attendees", "王伟, 李娜")
	p = alice.post("/console/visits/"+v.ID+"/report", form)
	if p.Code != http.StatusSeeOther {
		t.Fatalf("report: %d %.2000s", p.Code, p.Body)
	}
	must(t, alice.get(p.Location()), 200, "拜访报告已提交", "王伟、李娜", "报价", "标记完成")
	p = alice.post("/console/visits/"+v.ID+"/done", url.Values{"n": {"0"}})
	must(t, alice.get(p.Location()), 200, "已完成")
}

// closeAComplaint walks a phone complaint on alice's account to closed
// through the card's forms, and returns its number.
func closeAComplaint(t *testing.T, w *world) string {
	t.Helper()
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	p := sue.post("/console/complaints", url.Values{"customerId": {w.alicesFile}, "channel": {"phone"}, "contactName": {"王伟"},
		"contactPhone": {"13812345678"}, "contactLanguage": {"zh"}, "category": {"logistics"}, "request": {"compensation"},
		"severity": {"normal"}, "description": {"托盘破损，要求赔偿。"}, "key": {"k-r"}})
	if !numberRE.MatchString(p.Location()) {
		t.Fatalf("entry: %d %.2000s", p.Code, p.Body)
	}
	number := numberRE.FindStringSubmatch(p.Location())[1]
	card := "/console/complaints/" + number
	step := func(u *user, name string, f url.Values) {
		t.Helper()
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(u.get(card).Body)
		if m == nil {
			t.Fatalf("%s: no version on the card", name)
		}
		f.Set("version", m[1])
		if r := u.post(card+"/"+name, f); r.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %.3000s", name, r.Code, r.Body)
		}
	}
	fixer := signIn(t, w.s, "fixer", "repair", "department")
	alice := signIn(t, w.s, "alice", "sales", "manager")
	step(sue, "accept", url.Values{})
	step(sue, "assign", url.Values{"department": {"repair"}, "opinion": {"请维修部核查"}})
	step(fixer, "investigation", url.Values{"cause": {"装卸不当"}, "whatHappened": {"叉车碰撞"}, "responsible": {"物流组"},
		"conclusion": {"有责"}, "companyAtFault": {"true"}, "countermeasures": {"培训叉车司机"}})
	step(sue, "review", url.Values{"approve": {"true"}, "comment": {"同意"}})
	step(sue, "reply", url.Values{"text": {"我们将免费补发货物并致歉。"}, "method": {"written"}})
	step(alice, "callback", url.Values{"method": {"phone"}, "result": {"客户满意"}, "satisfied": {"true"}})
	step(sue, "close", url.Values{})
	return number
}

// The reports page shows the month's figures from the report service: a
// complaint received and closed in January is counted in January's kept
// report; an executive sees the complaint statistics table and downloads
// the API's exports; a manager sees their own figures, without the table,
// and cannot download it.
func TestReportsShowTheMonthsFigures(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	closeAComplaint(t, w)
	w.s.Clock.Set(time.Date(2027, 2, 3, 10, 0, 0, 0, shanghai))

	ceo := signIn(t, w.s, "ceo", "", "executive")
	p := ceo.get("/console/reports")
	must(t, p, 200, "2027-01", "全公司", "已存档", `受理投诉</span> <strong>1</strong>`, `已结案投诉</span> <strong>1</strong>`,
		`投诉及时率</span> <strong>100%</strong>`, "投诉统计表", "<td>物流</td><td>维修部</td><td>1</td><td>1</td>", "complaints.xlsx")
	if strings.Contains(p.Body, `id="report-unavailable"`) {
		t.Fatal("the reports page still says the report is not available")
	}
	must(t, ceo.get("/console"), 200, "最新月度数据", `受理投诉</span> <strong>1</strong>`)
	f := ceo.get("/console/reports/2027-01/report.csv")
	must(t, f, 200, "受理投诉")
	if ct := f.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(f.Header.Get("Content-Disposition"), "keycare-2027-01-company.csv") {
		t.Fatalf("report.csv: %s %s", ct, f.Header.Get("Content-Disposition"))
	}
	f = ceo.get("/console/reports/2027-01/complaints.xlsx")
	if f.Code != 200 || !strings.HasPrefix(f.Body, "PK") || !strings.Contains(f.Header.Get("Content-Disposition"), "complaints-2027-01.xlsx") {
		t.Fatalf("complaints.xlsx: %d %s %.200q", f.Code, f.Header.Get("Content-Disposition"), f.Body)
	}
	must(t, ceo.get("/console/reports/2026-12/passwords.txt"), http.StatusNotFound)

	alice := signIn(t, w.s, "alice", "sales", "manager")
	p = alice.get("/console/reports?month=2027-01")
	must(t, p, 200, "客户经理：王丽", `受理投诉</span> <strong>1</strong>`, "report.xlsx")
	if strings.Contains(p.Body, "投诉统计表") || strings.Contains(p.Body, "complaints.") {
		t.Fatal("a manager is shown or offered the complaint statistics table")
	}
	must(t, alice.get("/console/reports/2027-01/complaints.xlsx"), http.StatusForbidden)
	must(t, alice.get("/console/reports/2027-01/complaints.csv"), http.StatusForbidden)
}

func TestSettingsLadderSteps(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	root := signIn(t, w.s, "root", "", "admin")
	p := root.get("/console/admin/settings")
	must(t, p, 200, `name="reports.ladder.steps"`, "&#34;fineYuan&#34;:100")
	v := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.Body)[1]
	p = root.post("/console/admin/settings", url.Values{"version": {v}, "reports.ladder.steps": {"{\"atLeast\":2,\"fineYuan\":150,\"criticism\":true}\n{\"atLeast\":4,\"fineYuan\":500}"}})
	if p.Code != http.StatusSeeOther {
		t.Fatalf("a new ladder: %d %s", p.Code, p.Body)
	}
	var set domain.Settings
	w.s.Do("GET", "/settings", w.admin, nil).JSON(t, &set)
	if st := set.Reports.Ladder.Steps; len(st) != 2 || st[0].FineYuan != 150 || !st[0].Criticism || st[1].AtLeast != 4 {
		t.Fatalf("ladder after the form: %+v", set.Reports.Ladder)
	}
	p = root.post("/console/admin/settings", url.Values{"version": {strconv.Itoa(set.Version)}, "reports.ladder.steps": {"{\"atLeast\":2,"}})
	must(t, p, http.StatusBadRequest, `id="s-reports.ladder.steps-e"`)
	w.s.Do("GET", "/settings", w.admin, nil).JSON(t, &set)
	if len(set.Reports.Ladder.Steps) != 2 {
		t.Fatalf("a broken line changed the ladder: %+v", set.Reports.Ladder)
	}
}

// The reports page picks a scope and a month with a GET form (no script)
// offering only the scopes the person may read — domain.CanReadReport, the
// rule of GET /reports/monthly — lists the scope's kept months with their
// hash, time and verification, and answers a scope picked by URL that the
// person may not read with the 403 page in their language.
func TestReportScopePickerAndKeptMonths(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	closeAComplaint(t, w)
	w.s.Clock.Set(time.Date(2027, 2, 3, 10, 0, 0, 0, shanghai))
	ctx := context.Background()
	options := func(body string) string {
		var out []string
		for _, m := range regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(body[strings.Index(body, `id="scope"`):strings.Index(body, `id="month"`)], -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, " ")
	}

	ceo := signIn(t, w.s, "ceo", "", "executive")
	p := ceo.get("/console/reports")
	must(t, p, 200, `<form class="filters card" method="get"`, `<select id="month" name="month">`, `<option value="2027-01" selected>`, `id="kept-months"`)
	if got := options(p.Body); got != "company department:sales department:repair manager:alice manager:bob" {
		t.Fatalf("the executive is offered %q", got)
	}
	company, err := w.st.Reports().Snapshot(ctx, "2027-01", "company")
	if err != nil {
		t.Fatal(err)
	}
	must(t, p, 200, `<option value="company" selected>全公司</option>`, company.Hash, "生成于 "+company.CreatedAt.In(shanghai).Format("2006-01-02 15:04"),
		`href="/console/reports/2027-01/verify?scope=company"`, `href="/console/reports/2027-01/report.xlsx?scope=company"`)
	if tr := w.trail(t, "report", "company"); len(tr) != 1 || tr[0].Actor != "ceo" || tr[0].Action != domain.ActionList {
		t.Fatalf("the kept months listed are not on the scope's access record: %+v", tr)
	}
	// Another scope: alice's figures, her kept months, the files of her scope.
	p = ceo.get("/console/reports?scope=manager:alice&month=2027-01")
	must(t, p, 200, `<option value="manager:alice" selected>客户经理：王丽</option>`, `受理投诉</span> <strong>1</strong>`, "历史存档 <span class=\"count\">· 客户经理：王丽",
		`href="/console/reports/2027-01/verify?scope=manager%3aalice"`, `href="/console/reports?month=2026-12&amp;scope=manager%3aalice"`)
	alices, err := w.st.Reports().Snapshot(ctx, "2027-01", "manager:alice")
	if err != nil || !strings.Contains(p.Body, alices.Hash) || strings.Contains(p.Body, company.Hash) {
		t.Fatalf("alice's kept month (%v) is not the one listed on her scope", err)
	}
	if f := ceo.get("/console/reports/2027-01/report.csv?scope=manager:alice"); f.Code != 200 || !strings.Contains(f.Header.Get("Content-Disposition"), "keycare-2027-01-manager-alice.csv") {
		t.Fatalf("alice's report.csv: %d %s", f.Code, f.Header.Get("Content-Disposition"))
	}
	v := ceo.get("/console/reports/2027-01/verify?scope=company")
	must(t, v, 200, "与存档一致", company.Hash, `class="badge ok"`)
	must(t, ceo.get("/console/reports/2026-06/verify?scope=company"), http.StatusNotFound)

	// A manager is offered only her own; a supervisor only her department.
	alice := signIn(t, w.s, "alice", "sales", "manager")
	p = alice.get("/console/reports?month=2027-01")
	if got := options(p.Body); got != "manager:alice" {
		t.Fatalf("alice is offered %q", got)
	}
	must(t, alice.get("/console/reports?scope=company"), http.StatusForbidden, `<html lang="zh-CN">`, "无权")
	must(t, alice.get("/console/reports/2027-01/verify?scope=company"), http.StatusForbidden)
	must(t, alice.get("/console/reports/2027-01/report.csv?scope=manager:bob"), http.StatusForbidden)
	bob := signIn(t, w.s, "bob", "sales", "manager") // reads English
	p = bob.get("/console/reports?scope=manager:alice&month=2027-01")
	must(t, p, http.StatusForbidden, `<html lang="en">`, "Not allowed")
	if strings.Contains(p.Body, alices.Hash) || strings.Contains(p.Body, "王丽") {
		t.Fatal("the 403 page shows alice's report")
	}
	sue := signIn(t, w.s, "sue", "sales", "supervisor")
	if got := options(sue.get("/console/reports").Body); got != "department:sales" {
		t.Fatalf("the supervisor is offered %q", got)
	}
	must(t, sue.get("/console/reports?scope=department:repair"), http.StatusForbidden)
	must(t, sue.get("/console/reports?scope=team:x"), http.StatusBadRequest)
}

// Executives' My day reads last month's kept company report — one read,
// one access-record entry naming the accounts shown — and says plainly
// that there is no report yet, computing nothing, while the month is not
// kept.
func TestExecutiveMyDayReadsTheKeptReport(t *testing.T) {
	w := newWorld(t, time.Date(2027, 1, 11, 10, 0, 0, 0, shanghai))
	ctx := context.Background()
	// Alice's account renews in March and has an open complaint: at risk.
	if r := w.s.Do("POST", "/customers/"+w.alicesFile+"/contracts", w.alice, map[string]any{"start": "2026-03-16", "end": "2027-03-15", "value": 100000}); r.Code != http.StatusCreated {
		t.Fatalf("contract: %d %s", r.Code, r.Body)
	}
	if r := w.s.Do("POST", "/complaints", w.alice, map[string]any{"customerId": w.alicesFile, "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "visit", "category": "billing", "request": "price-reduction", "description": "账单有误"}); r.Code != http.StatusCreated {
		t.Fatalf("complaint: %d %s", r.Code, r.Body)
	}
	ceo := signIn(t, w.s, "ceo", "", "executive")
	must(t, ceo.get("/console"), 200, `id="no-report"`, "2026-12 的月度报告尚未生成")
	if _, err := w.st.Reports().Snapshot(ctx, "2026-12", "company"); err == nil {
		t.Fatal("My day computed and kept December")
	}

	w.s.Clock.Set(time.Date(2027, 2, 3, 10, 0, 0, 0, shanghai))
	ceo = signIn(t, w.s, "ceo", "", "executive")
	must(t, ceo.get("/console"), 200, "2027-01 的月度报告尚未生成")
	if _, err := w.st.Reports().Snapshot(ctx, "2027-01", "company"); err == nil {
		t.Fatal("My day computed and kept January")
	}
	// The monthly run (here: the first reading) keeps January.
	must(t, ceo.get("/console/reports?month=2027-01"), 200, "上海精工机械")
	jan, err := w.st.Reports().Snapshot(ctx, "2027-01", "company")
	if err != nil || len(jan.Report.Risk) == 0 || jan.Report.Risk[0].CustomerID != w.alicesFile {
		t.Fatalf("January's risk list: %+v %v", jan.Report.Risk, err)
	}
	mine := func() []domain.AuditEntry {
		pg, err := w.st.Audit().ByActor(ctx, "ceo", 500, "")
		if err != nil {
			t.Fatal(err)
		}
		return pg.Items
	}
	before, fileBefore := len(mine()), len(w.trail(t, "customer", w.alicesFile))
	p := ceo.get("/console")
	must(t, p, 200, "最新月度数据", "2027-01", jan.Hash, `受理投诉</span> <strong>1</strong>`, "上海精工机械 (王丽)")
	if strings.Contains(p.Body, `id="no-report"`) {
		t.Fatal("My day says there is no report while January is kept")
	}
	all := mine()
	var glances []domain.AuditEntry
	for _, e := range all[:len(all)-before] { // newest first
		if e.Entity == "report" || e.Action == domain.ActionInReport || strings.HasPrefix(e.Reason, "report") {
			glances = append(glances, e)
		}
	}
	if len(glances) != 1 || glances[0].Entity != "customer-list" || glances[0].Action != domain.ActionList ||
		strings.Join(glances[0].Changes, ",") != "customer "+w.alicesFile || !strings.Contains(glances[0].Reason, "2027-01/company") {
		t.Fatalf("My day's report on the access record: %+v", glances)
	}
	if n := len(w.trail(t, "customer", w.alicesFile)); n != fileBefore {
		t.Fatalf("My day wrote %d entries in the account's trail, want none (one listing entry under the reader)", n-fileBefore)
	}
}
