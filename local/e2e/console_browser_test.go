package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"keycare/local/gateway"
	"keycare/local/testenv"
	"keycare/shared/domain"
)

// consoleUser is one person's browser window (its own cookie jar) on the
// console of the local stack.
type consoleUser struct {
	t    *testing.T
	ctx  context.Context
	base string
	out  string
}

// api calls the JSON API with a local token as sub, with extra headers.
func (s *stack) api(t *testing.T, method, path, tok string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.Base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func localToken(t *testing.T, sub, dept string, roles ...string) string {
	t.Helper()
	tok, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: sub, Roles: roles, Department: dept}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// window opens a new browser context (no cookies shared with the others).
func window(t *testing.T, browser context.Context, base, out string) *consoleUser {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	u := &consoleUser{t: t, ctx: ctx, base: base, out: out}
	u.do(chromedp.EmulateViewport(1280, 900))
	return u
}

func (u *consoleUser) do(steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, steps...); err != nil {
		u.t.Fatal(err)
	}
}

func (u *consoleUser) eval(js string) string {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		u.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (u *consoleUser) open(path string) {
	u.t.Helper()
	u.do(chromedp.Navigate(u.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func (u *consoleUser) text() string { u.t.Helper(); return u.eval(`document.body.innerText`) }

func (u *consoleUser) location() string {
	u.t.Helper()
	l, err := chromedp.Run(u.ctx, chromedp.Location())
	if err != nil {
		u.t.Fatal(err)
	}
	return strings.TrimPrefix(l, u.base)
}

// sees fails unless the page shows every want.
func (u *consoleUser) sees(want ...string) {
	u.t.Helper()
	body := u.text()
	for _, w := range want {
		if !strings.Contains(body, w) {
			u.t.Fatalf("%s does not show %q:\n%.3000s", u.location(), w, body)
		}
	}
}

// submit fills form (a CSS selector; a closed <details> around it is
// opened as a person would), presses its button and waits for the next page.
func (u *consoleUser) submit(form string, fields map[string]string) {
	u.t.Helper()
	f, _ := json.Marshal(form)
	v, _ := json.Marshal(fields)
	if msg := u.eval(fmt.Sprintf(`(function(sel, vals){
	  const f = document.querySelector(sel); if (!f) return 'no form ' + sel;
	  const d = f.closest('details'); if (d) d.open = true;
	  for (const [k, v] of Object.entries(vals)) {
	    const els = f.querySelectorAll('[name="' + k + '"]'); if (!els.length) return 'no field ' + k;
	    for (const el of els) { if (el.type === 'checkbox' || el.type === 'radio') el.checked = el.value === v; else el.value = v; }
	  }
	  window.__before = true; return '';
	})(%s, %s)`, f, v)); msg != "" {
		u.t.Fatalf("%s on %s", msg, u.location())
	}
	u.do(chromedp.Click(chromedp.CSS(form + " button[type=submit]")))
	u.waitNewPage()
}

func (u *consoleUser) waitNewPage() {
	u.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.__before === undefined && document.readyState === 'complete'`)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.t.Fatalf("no new page after a submit on %s", u.location())
}

// signIn signs in on the local-only page the console sends a stranger to.
func (u *consoleUser) signIn(user, dept, role string) {
	u.t.Helper()
	u.open("/console")
	if l := u.location(); !strings.HasPrefix(l, "/console/sign-in") {
		u.t.Fatalf("a stranger is at %s, not the sign-in page", l)
	}
	if u.eval(`document.querySelector('.local-banner') ? 'yes' : ''`) == "" { // "local development only", in the browser's language
		u.t.Fatal("the local sign-in page is not marked as local only")
	}
	u.submit("#signin-form", map[string]string{"user": user, "role": role, "department": dept})
	if l := u.location(); l != "/console" {
		u.t.Fatalf("after the sign-in: %s\n%s", l, u.text())
	}
}

// layout is what the page checks measure in the browser.
type layout struct {
	Lang      string   `json:"lang"`
	Scroll    int      `json:"scroll"`
	Unlabeled []string `json:"unlabeled"`
	Bytes     int      `json:"bytes"`
}

const measureLayout = `(() => {
  const unlabeled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit') continue;
    if ((el.labels && el.labels.length) || el.getAttribute('aria-label')) continue;
    unlabeled.push(el.name || el.id);
  }
  return {lang: document.documentElement.lang, scroll: document.documentElement.scrollWidth, unlabeled,
    bytes: new TextEncoder().encode(document.documentElement.outerHTML).length};
})()`

// consoleDocShots are the pages docs/ keeps (docs/console-<name>-phone.png
// and -desktop.png, copied from testout/e2e/console).
var consoleDocShots = map[string]bool{"day": true, "account": true, "card": true, "complaints": true, "visit-report": true, "reports": true, "day-executive": true}

// shoot checks the page at 360, 390 and 1280 px (no sideways scrolling, a
// label on every input, lang set, at most 60 KB of HTML) and keeps
// screenshots at 390 and 1280 px.
func (u *consoleUser) shoot(name string) {
	u.t.Helper()
	for _, vp := range []struct {
		name  string
		width int64
		shot  bool
	}{{"small", 360, false}, {"phone", 390, true}, {"desktop", 1280, true}} {
		emulate := chromedp.EmulateViewport(vp.width, 900)
		if vp.width < 1000 {
			emulate = chromedp.EmulateViewport(vp.width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(1.5))
		}
		u.do(emulate)
		l, err := chromedp.Run(u.ctx, chromedp.Evaluate[layout](measureLayout))
		if err != nil {
			u.t.Fatalf("%s: %v", name, err)
		}
		if l.Lang == "" || l.Scroll > int(vp.width) || len(l.Unlabeled) > 0 || l.Bytes > 60<<10 {
			u.t.Errorf("%s at %d px: lang %q, %d px wide, inputs without a label %q, %d bytes of HTML", name, vp.width, l.Lang, l.Scroll, l.Unlabeled, l.Bytes)
		}
		if vp.shot {
			png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				u.t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(u.out, "console-"+name+"-"+vp.name+".png"), png, 0o644); err != nil {
				u.t.Fatal(err)
			}
		}
	}
	u.do(chromedp.EmulateViewport(1280, 900))
}

var cardRE = regexp.MustCompile(`^/console/complaints/(\d{9,})(\?.*)?$`)

// The console in Chromium against the local stack as `make run` starts it:
// a manager signs in on the local page, sees My day, opens an account and
// reports a visit; a supervisor enters a phone complaint and walks it to
// closed through the card's forms with the handling department and the
// manager; an executive opens the monthly report page and its XLSX
// download; a form posted without its CSRF token is refused and changes
// nothing; a manager cannot open another manager's account by its URL.
// Every page is checked at 360, 390 and 1280 px and photographed.
func TestConsoleInARealBrowser(t *testing.T) {
	s := startStack(t)
	out := filepath.Join(testenv.Root(t), "testout", "e2e", "console")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browserCtx := browser(t)
	if err := chromedp.Do(browserCtx); err != nil { // start Chromium
		t.Fatal(err)
	}

	// The company, through the JSON API: the directory, two departments,
	// an account each for alice and bob, and a visit alice made today.
	admin := localToken(t, "root", "", "admin")
	for id, body := range map[string]map[string]any{
		"alice": {"name": "王丽", "email": "alice@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "zh"},
		"bob":   {"name": "Bob Li", "email": "bob@corp.cn", "department": "sales", "roles": []string{"manager"}, "language": "en"},
		"sue":   {"name": "张主管", "email": "sue@corp.cn", "department": "sales", "roles": []string{"supervisor"}, "language": "zh"},
		"fixer": {"name": "赵工", "email": "fix@corp.cn", "department": "repair", "roles": []string{"department"}, "language": "zh"},
		"ceo":   {"name": "刘总", "email": "ceo@corp.cn", "roles": []string{"executive"}, "language": "zh"},
	} {
		if code, b := s.api(t, "PUT", "/staff/"+id, admin, body); code != http.StatusCreated {
			t.Fatalf("staff %s: %d %s", id, code, b)
		}
	}
	_, b := s.api(t, "GET", "/settings", admin, nil)
	var set map[string]any
	_ = json.Unmarshal(b, &set)
	set["departments"] = []map[string]any{{"id": "sales", "name": map[string]string{"zh": "销售部", "en": "Sales"}},
		{"id": "repair", "name": map[string]string{"zh": "维修部", "en": "Repair"}}}
	if code, b := s.api(t, "PUT", "/settings", admin, set, "If-Match", fmt.Sprintf(`"%v"`, set["version"])); code != 200 {
		t.Fatalf("settings: %d %s", code, b)
	}
	account := func(tok, name, phone string) string {
		code, b := s.api(t, "POST", "/customers", tok, map[string]any{"name": name, "tier": "key", "industry": "制造业", "region": "华东",
			"contacts": []map[string]string{{"name": "王伟", "title": "采购经理", "phone": phone, "email": "wang." + phone[7:] + "@example.cn", "language": "zh"}}})
		var v struct{ ID string }
		if code != http.StatusCreated || json.Unmarshal(b, &v) != nil {
			t.Fatalf("account %s: %d %s", name, code, b)
		}
		return v.ID
	}
	aliceTok := localToken(t, "alice", "sales", "manager")
	alicesFile := account(aliceTok, "上海精工机械有限公司", "13812345678")
	account(localToken(t, "bob", "sales", "manager"), "Beta Trading Ltd", "13900001111")
	today := time.Now().In(shanghaiZone(t)).Format(time.DateOnly)
	code, b := s.api(t, "POST", "/visits", aliceTok, map[string]any{"customerId": alicesFile, "date": today, "purpose": "care"})
	var vi struct{ ID string }
	if code != http.StatusCreated || json.Unmarshal(b, &vi) != nil {
		t.Fatalf("visit: %d %s", code, b)
	}
	if code, b := s.api(t, "POST", "/visits/"+vi.ID+"/approve", localToken(t, "sue", "sales", "supervisor"), map[string]any{}); code != 200 {
		t.Fatalf("approve: %d %s", code, b)
	}

	// A manager: sign in, My day, the account, the visit report.
	alice := window(t, browserCtx, s.Base, out)
	alice.open("/console/sign-in")
	alice.shoot("sign-in")
	alice.signIn("alice", "sales", "manager")
	alice.sees("王丽", "我的一天", "上海精工机械有限公司")
	alice.shoot("day")
	alice.do(chromedp.Click(chromedp.CSS(`nav.main a[href="/console/accounts"]`)))
	alice.do(chromedp.WaitVisible(chromedp.CSS(`a[href="/console/accounts/` + alicesFile + `"]`)))
	alice.sees("上海精工机械有限公司")
	if strings.Contains(alice.text(), "Beta Trading") {
		t.Fatal("alice's list shows bob's account")
	}
	alice.shoot("accounts")
	alice.do(chromedp.Click(chromedp.CSS(`a[href="/console/accounts/` + alicesFile + `"]`)))
	alice.do(chromedp.WaitVisible(chromedp.CSS("h1")))
	alice.sees("上海精工机械有限公司", "13812345678", "客户价值评分")
	alice.shoot("account")
	alice.open("/console/visits/" + vi.ID)
	alice.sees("上海精工机械有限公司")
	alice.eval(`document.querySelector('#report-form').noValidate = true; ''`) // the browser's own check would stop it first
	alice.submit("#report-form", map[string]string{"happenedOn": today, "attendees": "", "learned": "客户计划明年扩产两条产线"})
	alice.sees("请填写参加人员") // the form again, the message beside the field, with what was typed
	if v := alice.eval(`document.querySelector('#report-form [name="learned"]').value`); v != "客户计划明年扩产两条产线" {
		t.Fatalf("the form came back without what was typed: %q", v)
	}
	alice.shoot("visit-report")
	alice.submit("#report-form", map[string]string{"happenedOn": today, "attendees": "王伟\n李娜", "learned": "客户计划明年扩产两条产线",
		"action0": "寄送新产品样品", "owner0": "王丽", "due0": time.Now().In(shanghaiZone(t)).AddDate(0, 0, 7).Format(time.DateOnly)})
	alice.sees("拜访报告已提交", "寄送新产品样品")
	alice.shoot("visit")
	for _, p := range []string{"visits", "follow-ups", "plans", "coverage"} {
		alice.open("/console/" + p)
		alice.shoot(p)
	}

	// Another manager cannot open alice's account by its URL: a 403 page in
	// his language, nothing of the file on it.
	bob := window(t, browserCtx, s.Base, out)
	bob.signIn("bob", "sales", "manager")
	bob.sees("My day")
	bob.open("/console/accounts/" + alicesFile)
	bob.sees("Not allowed")
	if body := bob.text(); strings.Contains(body, "上海精工机械") || strings.Contains(body, "13812345678") {
		t.Fatalf("the 403 page shows the file:\n%s", body)
	}
	bob.shoot("forbidden")

	// A supervisor enters a phone complaint.
	sue := window(t, browserCtx, s.Base, out)
	sue.signIn("sue", "sales", "supervisor")
	sue.open("/console/complaints/new")
	sue.shoot("complaint-entry")
	sue.submit("#entry-form", map[string]string{"customerId": alicesFile, "channel": "phone", "contactName": "王伟", "contactPhone": "13812345678",
		"category": "logistics", "request": "compensation", "severity": "normal", "description": "11月20日到货的托盘破损，要求赔偿。"})
	m := cardRE.FindStringSubmatch(sue.location())
	if m == nil {
		t.Fatalf("after the entry: %s\n%s", sue.location(), sue.text())
	}
	number := m[1]
	card := "/console/complaints/" + number
	sue.sees(number, "已登记", "首次答复")

	// The accept form without its CSRF token (a page of another site would
	// post it so): refused, nothing changed.
	sue.eval(`document.querySelector('form[action$="/accept"] input[name="csrf"]').remove(); ''`)
	sue.submit(`form[action$="/accept"]`, map[string]string{})
	sue.sees("请求被拒绝")
	sue.shoot("csrf-refused")
	status := func() domain.ComplaintStatus {
		code, b := s.api(t, "GET", "/complaints/"+number, localToken(t, "sue", "sales", "supervisor"), nil)
		var c domain.Complaint
		if code != 200 || json.Unmarshal(b, &c) != nil {
			t.Fatalf("complaint %s: %d %s", number, code, b)
		}
		return c.Status
	}
	if st := status(); st != domain.StatusReceived {
		t.Fatalf("a CSRF-less post moved the complaint to %s", st)
	}

	// The queue, then the card walked to closed through its forms.
	sue.open("/console/complaints")
	sue.sees(number, "上海精工机械有限公司")
	sue.shoot("complaints")
	sue.open(card)
	sue.submit(`form[action$="/accept"]`, map[string]string{})
	sue.sees("已受理")
	sue.submit(`form[action$="/assign"]`, map[string]string{"department": "repair", "opinion": "请维修部核查托盘破损原因"})
	sue.sees("已分派", "维修部")
	sue.shoot("card")
	fixer := window(t, browserCtx, s.Base, out)
	fixer.signIn("fixer", "repair", "department")
	fixer.open(card)
	fixer.submit(`form[action$="/investigation"]`, map[string]string{"cause": "装卸不当", "whatHappened": "叉车碰撞托盘", "responsible": "物流组",
		"conclusion": "有责投诉", "companyAtFault": "true", "countermeasures": "培训叉车司机，加固包装"})
	fixer.sees("已调查")
	sue.open(card)
	sue.submit(`form[action$="/review"]`, map[string]string{"approve": "true", "comment": "同意"})
	sue.sees("已审核")
	sue.submit(`form[action$="/reply"]`, map[string]string{"text": "我们将免费补发货物并致歉。", "method": "written"})
	sue.sees("已答复")
	alice.open(card)
	alice.submit(`form[action$="/callback"]`, map[string]string{"method": "phone", "result": "客户对处理满意", "satisfied": "true"})
	alice.sees("已回访")
	sue.open(card)
	sue.submit(`form[action$="/close"]`, map[string]string{})
	sue.sees("已结案")
	sue.shoot("card-closed")
	if st := status(); st != domain.StatusClosed {
		t.Fatalf("after the forms the complaint is %s", st)
	}

	// An executive: the monthly report of this month so far counts the
	// complaint just closed, with the complaint statistics table; its XLSX
	// download is the API's export. The manager sees their own figures and
	// is neither offered nor given the company's complaint table.
	month := time.Now().In(shanghaiZone(t)).Format("2006-01")
	// get navigates to a download: a file is a download (Chrome ends the
	// navigation, net::ERR_ABORTED); a refusal is a page with its status.
	get := func(u *consoleUser, path string) (int64, error) {
		t.Helper()
		r, err := chromedp.RunResponse(u.ctx, chromedp.Navigate(u.base+path))
		if err != nil {
			return 0, err
		}
		return r.Status, nil
	}
	ceo := window(t, browserCtx, s.Base, out)
	ceo.signIn("ceo", "", "executive")
	ceo.open("/console/reports?month=" + month)
	ceo.sees("全公司", "本月截至目前", "受理投诉", "已结案投诉", "投诉及时率", "投诉统计表", "物流", "投诉统计表（Excel）")
	if n := ceo.eval(`[...document.querySelectorAll("ul.figures li")].filter(li => /^(受理投诉|已结案投诉)\s+1(\s|$)/.test(li.innerText)).length + ""`); n != "2" {
		t.Fatalf("received and closed are not 1 each: %s", ceo.eval(`document.querySelector("ul.figures").innerText`))
	}
	ceo.shoot("reports-so-far")
	if st, err := get(ceo, "/console/reports/"+month+"/report.xlsx"); err == nil || !strings.Contains(err.Error(), "ERR_ABORTED") {
		t.Fatalf("the XLSX download was not a download: %d %v", st, err)
	}
	alice.open("/console/reports?month=" + month)
	alice.sees("客户经理：王丽", "受理投诉")
	if n := alice.eval(`document.querySelectorAll('a[href*="/complaints."]').length + ""`); n != "0" {
		t.Fatalf("the manager is offered %s complaint table downloads", n)
	}
	if st, err := get(alice, "/console/reports/"+month+"/complaints.xlsx"); err != nil || st != http.StatusForbidden {
		t.Fatalf("the manager's complaint table download: %d %v", st, err)
	}

	// The month ends. On the 1st at 00:30, before the monthly run, the
	// executive's My day says there is no report yet (nothing computed);
	// after the run it shows the kept company report with its hash. On the
	// reports page the executive picks a scope and a month in the GET form
	// and sees the scope's kept months, each with its hash and its check.
	// A manager asking for the company by URL is refused in his language.
	// Before it ends: alice's account renews within 90 days and has a new
	// open complaint, so the month's risk list names it.
	if code, b := s.api(t, "POST", "/customers/"+alicesFile+"/contracts", aliceTok, map[string]any{"start": time.Now().AddDate(-1, 0, 0).Format(time.DateOnly),
		"end": time.Now().AddDate(0, 0, 45).Format(time.DateOnly), "value": 1200000}); code != http.StatusCreated {
		t.Fatalf("contract: %d %s", code, b)
	}
	if code, b := s.api(t, "POST", "/complaints", aliceTok, map[string]any{"customerId": alicesFile, "contact": map[string]any{"name": "王伟", "phone": "13812345678"},
		"channel": "visit", "category": "billing", "request": "price-reduction", "description": "发票金额与合同不符"}); code != http.StatusCreated {
		t.Fatalf("complaint: %d %s", code, b)
	}
	loc := shanghaiZone(t)
	first := time.Date(time.Now().In(loc).Year(), time.Now().In(loc).Month()+1, 1, 0, 30, 0, 0, loc)
	if code, b := s.api(t, "POST", "/_local/clock", "", map[string]string{"now": first.UTC().Format(time.RFC3339)}); code != 200 {
		t.Fatalf("clock: %d %s", code, b)
	}
	ceo.signIn("ceo", "", "executive") // idle for weeks: signed out
	ceo.sees("最新月度数据", month+" 的月度报告尚未生成")
	if code, b := s.api(t, "POST", "/_local/schedules/MonthlyReportFunction", "", nil); code != 200 {
		t.Fatalf("the monthly run: %d %s", code, b)
	}
	code, b = s.api(t, "GET", "/reports/snapshots?scope=company", localToken(t, "ceo", "", "executive"), nil)
	var kept struct {
		Items []domain.KeptReport `json:"items"`
	}
	if code != 200 || json.Unmarshal(b, &kept) != nil || len(kept.Items) == 0 || kept.Items[0].Month != month {
		t.Fatalf("kept months after the run: %d %s", code, b)
	}
	ceo.open("/console")
	ceo.sees("最新月度数据", month, "已存档，哈希", kept.Items[0].Hash, "受理投诉", "风险客户", "上海精工机械有限公司 (王丽)")
	if n := ceo.eval(`document.querySelectorAll('#no-report').length + ""`); n != "0" {
		t.Fatal("My day still says there is no report")
	}
	ceo.shoot("day-executive")
	prev := time.Date(first.Year(), first.Month()-2, 1, 0, 0, 0, 0, loc).Format("2006-01")
	ceo.open("/console/reports?month=" + prev) // a quiet month, kept on its first reading
	ceo.sees("本月没有可报告的内容")
	ceo.open("/console")
	ceo.do(chromedp.Click(chromedp.CSS(`a[href="/console/reports"]`)))
	ceo.do(chromedp.WaitVisible(chromedp.CSS("#report-picker")))
	ceo.submit("#report-picker", map[string]string{"scope": "manager:alice", "month": month})
	if l := ceo.location(); !strings.Contains(l, "scope=manager%3Aalice") || !strings.Contains(l, "month="+month) {
		t.Fatalf("the picker went to %s", l)
	}
	ceo.sees("客户经理：王丽", "已存档，哈希", "历史存档 · 客户经理：王丽", "受理投诉")
	ceo.submit("#report-picker", map[string]string{"scope": "company", "month": month})
	ceo.sees("全公司", "已存档，哈希", kept.Items[0].Hash, "投诉统计表", "历史存档 · 全公司", "核验", prev)
	if n := ceo.eval(`document.querySelectorAll('#kept-months li').length + ""`); n != "2" {
		t.Fatalf("kept months listed: %s", ceo.eval(`document.querySelector('#kept-months').innerText`))
	}
	if opts := ceo.eval(`[...document.querySelectorAll('#scope option')].map(o => o.value).join(' ')`); opts != "company department:sales department:repair manager:alice manager:bob" {
		t.Fatalf("the executive is offered %q", opts)
	}
	ceo.shoot("reports")
	ceo.do(chromedp.Click(chromedp.CSS(`#kept-months a[href^="/console/reports/` + month + `/verify"]`)))
	ceo.do(chromedp.WaitVisible(chromedp.CSS("#verification")))
	ceo.sees("与存档一致", kept.Items[0].Hash)
	ceo.shoot("report-verify")
	bob.signIn("bob", "sales", "manager")
	bob.open("/console/reports?scope=company")
	bob.sees("Not allowed")
	if opts := func() string {
		bob.open("/console/reports")
		return bob.eval(`[...document.querySelectorAll('#scope option')].map(o => o.value).join(' ')`)
	}(); opts != "manager:bob" {
		t.Fatalf("bob is offered %q", opts)
	}

	// Admin pages.
	root := window(t, browserCtx, s.Base, out)
	root.signIn("root", "", "admin")
	root.open("/console/admin/staff")
	root.sees("王丽", "Bob Li")
	root.shoot("staff")
	root.open("/console/admin/settings")
	root.shoot("settings")
	// Sign-out ends the session: the console sends the person to sign in.
	root.eval(`window.__before = true; document.querySelector('form[action$="/sign-out"] button').click(); ''`)
	root.waitNewPage()
	if l := root.location(); l != "/console/signed-out" {
		t.Fatalf("the sign-out went to %s", l)
	}
	root.open("/console")
	if l := root.location(); !strings.HasPrefix(l, "/console/sign-in") {
		t.Fatalf("after the sign-out: %s", l)
	}
	s.stop(t)
}

func shanghaiZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
