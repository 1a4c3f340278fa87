package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"keycare/shared/domain"
)

// The words of the report, in Chinese and English: each figure, dimension
// and reason as users know it.

type words struct{ zh, en string }

func (w words) in(lang string) string {
	if lang == "en" {
		return w.en
	}
	return w.zh
}

var kpiLabels = map[string]words{
	domain.KPICSAT:                 {"客户满意度 CSAT", "Customer satisfaction (CSAT)"},
	domain.KPINPS:                  {"净推荐值 NPS", "Net promoter score (NPS)"},
	domain.KPIResponseRate:         {"问卷回复率", "Survey response rate"},
	domain.KPIComplaints:           {"受理投诉", "Complaints received"},
	domain.KPITimeliness:           {"投诉及时率", "Closed on time (timeliness)"},
	domain.KPIPassRate:             {"处理合格率", "Handling pass rate"},
	domain.KPIHandlingSatisfaction: {"处理满意率", "Handling satisfaction"},
	domain.KPIAtFault:              {"有责投诉", "Company at fault"},
	domain.KPIOverdue:              {"月末超时未结", "Overdue at month end"},
	domain.KPIRenewalRate:          {"战略/重点客户续约率", "Renewal rate, strategic and key"},
	domain.KPIGrowth:               {"战略/重点客户业务同比增长", "Year-on-year growth, strategic and key"},
	domain.KPIVisitsDone:           {"拜访计划完成率", "Planned visits done"},
	domain.KPIVisitReportsOnTime:   {"拜访报告及时率", "Visit reports on time"},
	domain.KPIFollowUpsOnTime:      {"回访及时率", "Follow-ups on time"},
	domain.KPIBelowFrequency:       {"拜访频次不足的客户", "Accounts below visit frequency"},
}

var categoryLabels = map[string]words{
	"service": {"服务质量", "Service quality"}, "product": {"产品质量", "Product quality"}, "logistics": {"物流", "Delivery/logistics"},
	"billing": {"价格/账务", "Price/billing"}, "staff": {"人员", "Staff conduct"}, "other": {"其他", "Other"},
}

var severityLabels = map[string]words{"normal": {"一般", "Normal"}, "serious": {"重大", "Serious"}}

var channelLabels = map[string]words{
	"web": {"网页", "Web form"}, "phone": {"电话", "Phone"}, "letter": {"信函", "Letter"}, "email": {"邮件", "Email"}, "visit": {"来访", "Visit"},
}

var tierLabels = map[string]words{
	"strategic": {"战略客户", "Strategic"}, "key": {"重点客户", "Key"}, "ordinary": {"普通客户", "Ordinary"}, "": {"未关联客户", "No account"},
}

var riskLabels = map[string]words{
	domain.RiskOverdueComplaint: {"投诉超时未结 %s", "overdue complaint %s"},
	domain.RiskOpenComplaint:    {"投诉处理中 %s", "open complaint %s"},
	domain.RiskDetractor:        {"贬损评价（推荐意愿 %s）", "detractor answer (recommend %s)"},
	domain.RiskMissedVisit:      {"拜访未完成（%s 次）", "planned visits missed (%s)"},
	domain.RiskUnansweredSurvey: {"问卷未回复%s", "survey unanswered%s"},
}

// ui holds every other phrase of the report.
var ui = map[string]words{
	"title":           {"月度服务质量报告", "Monthly service-quality report"},
	"scope.company":   {"全公司", "Whole company"},
	"scope.dept":      {"部门 %s", "Department %s"},
	"scope.manager":   {"客户经理 %s", "Account manager %s"},
	"asOf":            {"数据截至 %s（%s）", "Figures as of %s (%s)"},
	"inProgress":      {"本月尚未结束：以下为截至目前的数据，月初将生成正式报告。", "The month is not over: these are the figures so far; the final report comes on the 1st."},
	"empty":           {"%s：%s本月没有需要报告的内容（无投诉、问卷、拜访、合同或业务量记录）。", "%s: nothing to report for %s this month (no complaints, surveys, visits, contracts or volume recorded)."},
	"risk":            {"风险客户（合同 %d 天内到期）", "Accounts at risk (contract ends within %d days)"},
	"risk.none":       {"没有合同即将到期且存在风险信号的客户。", "No account whose contract ends soon shows a risk signal."},
	"customer":        {"客户", "Account"},
	"contractEnd":     {"合同到期", "Contract ends"},
	"reasons":         {"原因", "Reasons"},
	"kpis":            {"主要指标", "Headline figures"},
	"figure":          {"指标", "Figure"},
	"thisMonth":       {"本月", "This month"},
	"target":          {"目标", "Target"},
	"lastMonth":       {"上月", "Last month"},
	"met":             {"✔ 达标", "✔ met"},
	"missed":          {"✖ 未达标", "✖ missed"},
	"noData":          {"—", "—"},
	"trend":           {"近 12 个月趋势", "Trend over 12 months"},
	"trend.note":      {"横轴为月份（%s 至 %s），纵轴为百分比；灰色虚线为满意度目标 %s。无数据的月份留空。", "Horizontal axis: month (%s to %s); vertical axis: percent; the grey dashed line is the satisfaction target, %s. Months without a report are left blank."},
	"trend.alt":       {"近 12 个月满意度、及时率、合格率、处理满意率的趋势图", "Trend chart of CSAT, timeliness, pass rate and handling satisfaction over 12 months"},
	"month":           {"月份", "Month"},
	"satisfaction":    {"客户满意度", "Customer satisfaction"},
	"sat.summary":     {"发出问卷 %d 份，月末前回复 %d 份（回复率 %s）；本月收到答卷 %d 份：满意 %d，推荐者 %d、中立 %d、贬损者 %d。", "%d invitations sent, %d answered by month end (response rate %s); %d answers received this month: %d satisfied; %d promoters, %d passives, %d detractors."},
	"sat.aspects":     {"分项平均分（1–5）：响应速度 %s，质量 %s，专业性 %s。", "Aspect averages (1–5): responsiveness %s, quality %s, professionalism %s."},
	"tier":            {"客户分级", "Tier"},
	"invitations":     {"邀请", "Invited"},
	"responseRate":    {"回复率", "Response"},
	"answers":         {"答卷", "Answers"},
	"complaints":      {"投诉", "Complaints"},
	"cmp.summary":     {"受理 %d 件，不受理 %d 件；结案 %d 件：及时 %d（%s），一次审核通过 %d（%s），满意 %d（%s），有责 %d。", "%d received, %d not accepted; %d closed: %d on time (%s), %d passed the first review (%s), %d satisfied (%s), %d at fault."},
	"cmp.days":        {"平均结案 %s 天，最长 %s 天（%s）。月末在办 %d 件，其中超时 %d 件。", "Average %s days to close, longest %s days (%s). Open at month end: %d, of them overdue: %d."},
	"byCategory":      {"按类别", "By category"},
	"bySeverity":      {"按严重程度", "By severity"},
	"byChannel":       {"按渠道", "By channel"},
	"byDepartment":    {"按受理部门", "By handling department"},
	"byTier":          {"按客户分级", "By tier"},
	"unassigned":      {"未分派", "not assigned"},
	"overdueList":     {"超时未结投诉", "Overdue complaints"},
	"number":          {"单号", "Number"},
	"department":      {"受理部门", "Department"},
	"daysOverdue":     {"超时天数", "Days overdue"},
	"repeat":          {"重复投诉客户（%d 个月内 ≥ %d 次）", "Repeat complainers (≥ %[2]d in %[1]d months)"},
	"inMonth":         {"本月", "This month"},
	"inWindow":        {"期间合计", "In the period"},
	"staff":           {"责任人员（按本月结案投诉）", "Staff responsible (complaints closed this month)"},
	"staff.none":      {"本月结案投诉未认定责任人员。", "No staff member was named responsible for complaints closed this month."},
	"person":          {"人员", "Staff member"},
	"inScope":         {"本范围", "Here"},
	"total":           {"全公司", "Company"},
	"ladder":          {"制度对照（由相关负责人决定）", "Policy ladder (people decide)"},
	"criticism":       {"通报批评", "public criticism"},
	"fine":            {"罚款 ¥%d", "fine ¥%d"},
	"dismissal":       {"按规定提交辞退审议", "dismissal review"},
	"flag":            {"⚠ ", "⚠ "},
	"accounts":        {"客户续约与业务", "Renewals and business"},
	"acc.renewal":     {"本月合同到期的战略/重点客户 %d 个，月末前续约 %d 个（续约率 %s，目标 %s）。", "%d strategic and key contracts ended this month, %d renewed by month end (renewal rate %s, target %s)."},
	"acc.growth":      {"战略/重点客户本月业务量 %s，去年同月 %s，同比 %s（目标 %s）。", "Strategic and key accounts' volume this month %s, same month last year %s: %s (target %s)."},
	"lost":            {"流失客户（合同到期未续约）", "Accounts lost (contract ended, not renewed)"},
	"volume":          {"本月业务量", "Volume"},
	"lastYear":        {"去年同月", "Last year"},
	"growth":          {"同比", "Growth"},
	"visits":          {"客户拜访与回访", "Visits and follow-ups"},
	"visits.none":     {"未记录：拜访与回访尚未在系统中登记。", "Not recorded: visits and follow-ups are not recorded in the system yet."},
	"visits.summary":  {"计划拜访 %d 次，完成 %d 次（%s）；拜访报告应交 %d 份，按时 %d 份（%s）；回访应做 %d 次，按时 %d 次（%s）；拜访频次不足的客户 %d 个。", "%d visits planned, %d done (%s); %d visit reports due, %d on time (%s); %d follow-ups due, %d on time (%s); %d accounts below visit frequency."},
	"managers":        {"客户经理排名（按满意度）", "Account managers ranked (by satisfaction)"},
	"rank":            {"排名", "Rank"},
	"manager":         {"客户经理", "Manager"},
	"table":           {"投诉统计表", "Complaint statistics table"},
	"category":        {"类别", "Category"},
	"received":        {"受理", "Received"},
	"closed":          {"结案", "Closed"},
	"inTime":          {"7天内结", "In 7 days"},
	"atFault":         {"有责", "At fault"},
	"avgDays":         {"平均天数", "Avg. days"},
	"overdue":         {"超时", "Overdue"},
	"sum":             {"合计", "Total"},
	"attachments":     {"附件：全部数字（CSV）%s。", "Attached: every figure as CSV%s."},
	"attach.xlsx":     {"，投诉统计表（XLSX）", ", the complaint statistics table as XLSX"},
	"online":          {"在线查看：GET %s", "Online: GET %s"},
	"hash":            {"报告快照 SHA-256：%s", "Snapshot SHA-256: %s"},
	"subject":         {"【月度服务质量报告】%s · %s", "Monthly service-quality report, %s — %s"},
	"csv.section":     {"部分", "Section"},
	"csv.breakdown":   {"分组", "Breakdown"},
	"csv.rejected":    {"不受理", "Not accepted"},
	"csv.worst":       {"最长结案天数", "Longest days to close"},
	"csv.open":        {"月末在办", "Open at month end"},
	"csv.repeat":      {"重复投诉客户（本月/期间）", "Repeat complainer (month/period)"},
	"csv.notRecorded": {"未记录", "not recorded"},
	"risk.short":      {"风险客户", "Accounts at risk"},
	"endsOn":          {"合同 %s 到期", "contract ends %s"},
	"colon":           {"：", ": "},
	"more":            {"另有 %d 件，见附件 CSV 或在线报告。", "%d more in the CSV and the online report."},
	"overdueBy":       {"超时 %s 天", "%s days overdue"},
	"trend.more":      {"其他指标近 12 个月", "The other figures over 12 months"},
	"moreRows":        {"另有 %d 行，见附件 CSV 或在线报告。", "%d more rows in the CSV and the online report."},
}

func t(lang, key string) string { return ui[key].in(lang) }

func tf(lang, key string, args ...any) string { return fmt.Sprintf(t(lang, key), args...) }

func label(m map[string]words, key, lang string) string {
	if w, ok := m[key]; ok {
		return w.in(lang)
	}
	if key == "" {
		return t(lang, "unassigned")
	}
	return key
}

func monthName(month, lang string) string {
	m, err := domain.ParseMonth(month)
	if err != nil {
		return month
	}
	if lang == "en" {
		return time.Month(m.Month).String() + " " + strconv.Itoa(m.Year)
	}
	return fmt.Sprintf("%d年%d月", m.Year, int(m.Month))
}

func scopeName(scope, lang string, names func(string) string) string {
	sc, err := domain.ParseScope(scope)
	if err != nil {
		return scope
	}
	switch sc.Kind {
	case domain.ScopeManager:
		n := names(sc.ID)
		if n != sc.ID {
			n += " (" + sc.ID + ")"
		}
		return tf(lang, "scope.manager", n)
	case domain.ScopeDepartment:
		return tf(lang, "scope.dept", sc.ID)
	}
	return t(lang, "scope.company")
}

func subjectOf(r domain.Report, lang string, names func(string) string) string {
	return tf(lang, "subject", monthName(r.Month, lang), scopeName(r.Scope, lang, names))
}

func emptyLine(r domain.Report, lang string, names func(string) string) string {
	return tf(lang, "empty", monthName(r.Month, lang), scopeName(r.Scope, lang, names))
}

// Number formats.

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64) + "%"
}

func num1(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

func kpiValue(unit string, v *float64) string {
	if v == nil {
		return "—"
	}
	switch unit {
	case "%":
		return pct(v)
	case "count":
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	return num1(v)
}

func yuan(n int64) string {
	if n < 0 {
		return "-¥" + Thousands(strconv.FormatInt(-n, 10))
	}
	return "¥" + Thousands(strconv.FormatInt(n, 10))
}

// Thousands groups the digits of the integer s by three with commas
// ("-1234567" → "-1,234,567"), as reports and the console print amounts.
func Thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func signedPct(v *float64) string {
	if v == nil {
		return "—"
	}
	if *v > 0 {
		return "+" + pct(v)
	}
	return pct(v)
}

func ladderText(o domain.LadderOutcome, lang string) string {
	if !o.Flagged {
		return "—"
	}
	var parts []string
	if o.Criticism {
		parts = append(parts, t(lang, "criticism"))
	}
	if o.FineYuan > 0 {
		parts = append(parts, tf(lang, "fine", o.FineYuan))
	}
	if o.DismissalReview {
		parts = append(parts, t(lang, "dismissal"))
	}
	sep := "，"
	if lang == "en" {
		sep = ", "
	}
	return t(lang, "flag") + strings.Join(parts, sep)
}

func reasonText(r domain.RiskReason, lang string) string {
	w := riskLabels[r.Kind].in(lang)
	if !strings.Contains(w, "%s") {
		return w
	}
	ref := r.Ref
	if r.Kind == domain.RiskUnansweredSurvey {
		ref = ""
	}
	return fmt.Sprintf(w, ref)
}

// breakdown is one way the month's complaints are counted (by category,
// severity, channel, department, tier), with the labels of its keys (nil:
// the keys are shown as they are).
type breakdown struct {
	key    string
	cs     []domain.Count
	labels map[string]words
}

// breakdowns are c's counts in the order the report shows them, on the
// page, in the email and in the files.
func breakdowns(c domain.ComplaintFigures) []breakdown {
	return []breakdown{{"byCategory", c.ByCategory, categoryLabels}, {"bySeverity", c.BySeverity, severityLabels}, {"byChannel", c.ByChannel, channelLabels},
		{"byDepartment", c.ByDepartment, nil}, {"byTier", c.ByTier, tierLabels}}
}
