package mail

import (
	"time"

	"keycare/shared/domain"
)

// sample is one message of every kind with realistic data; the template
// tests and the browser test render them all.
type sample struct {
	name string
	env  Envelope
	data Data
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}

// sampleBrand is a company's own settings, as an admin would store them.
func sampleBrand() Brand {
	return Brand{
		Company: domain.Text{ZH: "华东精工集团有限公司", EN: "East China Precision Group"},
		Service: domain.Text{ZH: "客户服务中心", EN: "Customer Service Centre"},
		Hotline: "400-820-1234",
		ReplyTo: "kefu@ecprecision.example.cn",
		Contact: domain.Text{ZH: "刘静（客服主管）", EN: "Liu Jing (customer service lead)"},
		Address: domain.Text{ZH: "上海市浦东新区张江路 1288 号 客户服务中心", EN: "Customer Service Centre, 1288 Zhangjiang Road, Pudong, Shanghai"},
	}
}

const (
	sampleTracking = "https://keycare.ecprecision.example.cn/public/complaints/261122001?token=Vb1m0qYqk3Z7yq9H2J5p6cXwT1uQ8rL4sN0aD2fG7hK&lang=zh"
	sampleSurvey   = "https://keycare.ecprecision.example.cn/s/q8Rk2m5Nf7Tz1Lw4Xc9Vb3Hj6Gd0Sa2Pe5Uy8Io1Kl7Mn"
)

func sampleCase() Case {
	return Case{Number: "261122001", Customer: "上海精工机械有限公司", Tier: domain.TierStrategic, Severity: domain.SeveritySerious,
		Status: domain.StatusAssigned, Category: domain.CategoryLogistics,
		Description: "11月20日送达的托盘货物外包装严重破损，其中 3 台主轴电机磕碰变形，无法安装使用。我们的生产线因此停工半天，请尽快处理并给出赔偿方案。",
		Department:  "logistics", DepartmentName: "物流部", Manager: "张敏",
		ReceivedAt: ts("2026-11-22T02:05:00Z"), FirstResponseDue: ts("2026-11-23T02:05:00Z"), CloseDue: ts("2026-11-29T02:05:00Z"),
		URL: "https://api.ecprecision.example.cn/complaints/261122001"}
}

func caseEN() Case {
	c := sampleCase()
	c.Customer, c.DepartmentName, c.Manager = "Shanghai Precision Machinery Co.", "Logistics Department", "Zhang Min"
	c.Description = "The pallet delivered on 20 November arrived crushed; three spindle motors are bent and cannot be fitted. Our line stood still for half a day."
	return c
}

// samples lists one message of every kind in lang; now is 2026-11-30 10:00
// in Shanghai for the staff notices (the sample complaint is a day late).
func samples(lang string) []sample {
	zh := lang != "en"
	loc := shanghai()
	name, account, reply := "王伟", "上海精工机械有限公司", "王先生您好：\n\n经调查，破损发生在第三方承运途中，责任在我方选择的承运商。\n1. 3 台主轴电机已于 11 月 24 日免费补发；\n2. 停工损失按合同第 9 条给予 2 万元补偿。\n\n再次向您致歉。"
	reason := "经核实，该批货物已于 2025 年 6 月签收并超过 12 个月质保期。\n如您有当时的验收记录，请提供给我们。"
	cs := sampleCase()
	if !zh {
		name, account = "Jane Doe", "Shanghai Precision Machinery Co."
		reply = "Dear Ms Doe,\n\nOur investigation found the damage happened in transit, with the carrier we chose.\n1. Three spindle motors were re-sent free of charge on 24 November;\n2. We will compensate the lost production under clause 9 of the contract.\n\nWe apologise again."
		reason = "The goods were signed for in June 2025 and are past the 12-month warranty.\nIf you have the acceptance record from then, please send it to us."
		cs = caseEN()
	}
	cust := Envelope{To: []string{"wang.wei@example.cn"}, Lang: lang, Name: name, Zone: loc, Now: ts("2026-11-22T02:06:00Z"), Brand: sampleBrand()}
	staff := Envelope{To: []string{"sue@example.com"}, Lang: lang, Zone: loc, Now: ts("2026-11-30T02:00:00Z")}
	at := func(e Envelope, now string) Envelope { e.Now = ts(now); return e }
	return []sample{
		{"complaint-received", cust, ComplaintReceived{Number: "261122001", ReceivedAt: ts("2026-11-22T02:05:00Z"),
			FirstResponseDue: ts("2026-11-23T02:05:00Z"), CloseDue: ts("2026-11-29T02:05:00Z"), TrackingURL: sampleTracking}},
		{"complaint-accepted", at(cust, "2026-11-22T08:00:00Z"), ComplaintAccepted{Number: "261122001", TrackingURL: sampleTracking,
			CloseDue: ts("2026-11-29T02:05:00Z"), FirstResponseDue: ts("2026-11-23T02:05:00Z")}},
		{"complaint-accepted-late", at(cust, "2026-11-30T02:00:00Z"), ComplaintAccepted{Number: "261122001", TrackingURL: sampleTracking,
			CloseDue: ts("2026-11-29T02:05:00Z"), FirstResponseDue: ts("2026-11-23T02:05:00Z"), NewDue: ts("2026-12-03T10:00:00Z")}},
		{"complaint-rejected", cust, ComplaintRejected{Number: "261122001", Reason: reason, TrackingURL: sampleTracking}},
		{"complaint-replied", cust, ComplaintReplied{Number: "261122001", Reply: reply, TrackingURL: sampleTracking}},
		{"survey-invitation", cust, SurveyInvitation{Link: sampleSurvey, ExpiresAt: ts("2026-12-22T02:00:00Z")}},
		{"survey-invitation-complaint", cust, SurveyInvitation{Link: sampleSurvey, ExpiresAt: ts("2026-12-22T02:00:00Z"), ComplaintNumber: "261122001"}},
		{"survey-reminder", cust, SurveyReminder{Link: sampleSurvey, ExpiresAt: ts("2026-12-22T02:00:00Z")}},
		{"handover-notice", cust, HandoverNotice{Account: account, PreviousManager: pick(lang, "李强", "Li Qiang"),
			NewManager:  Person{Name: pick(lang, "张敏", "Zhang Min"), Title: pick(lang, "高级客户经理", "Senior account manager"), Phone: "+86 138 1234 5678", Email: "zhang.min@ecprecision.example.cn"},
			EffectiveAt: ts("2026-12-01T00:00:00Z"), CallWithinDays: 7}},
		{"complaint-reminder", at(staff, "2026-11-28T03:00:00Z"), ComplaintReminder{Case: cs,
			Reminder: domain.Reminder{Key: "close-soon", To: domain.ToOwner, Kind: "close-soon", Deadline: cs.CloseDue}}},
		{"complaint-reminder-overdue", staff, ComplaintReminder{Case: cs,
			Reminder: domain.Reminder{Key: "close-overdue-supervisor", To: domain.ToSupervisor, Kind: "close-overdue", Deadline: cs.CloseDue}}},
		{"complaint-reminder-first-response", at(staff, "2026-11-24T07:05:00Z"), ComplaintReminder{Case: cs,
			Reminder: domain.Reminder{Key: "first-response-overdue", To: domain.ToSupervisor, Kind: "first-response-overdue", Deadline: cs.FirstResponseDue}}},
		{"complaint-escalation", at(staff, "2026-11-30T07:05:00Z"), ComplaintReminder{Case: cs,
			Reminder: domain.Reminder{Key: "close-overdue-executive", To: domain.ToExecutive, Kind: "close-overdue", Deadline: cs.CloseDue}}},
		{"complaint-new", at(staff, "2026-11-22T02:06:00Z"), NewComplaint{Case: func() Case {
			c := cs
			c.Status = domain.StatusReceived
			c.Department, c.DepartmentName = "", ""
			return c
		}(),
			Channel: domain.ChannelWeb, Request: domain.RequestCompensation}},
		{"complaint-new-manager", at(staff, "2026-11-22T02:06:00Z"), NewComplaint{Case: func() Case {
			c := cs
			c.Status = domain.StatusReceived
			c.Department, c.DepartmentName = "", ""
			return c
		}(),
			Channel: domain.ChannelPhone, Request: domain.RequestCompensation, ForManager: true}},
		{"complaint-assigned", at(staff, "2026-11-23T01:00:00Z"), ComplaintAssigned{Case: cs, By: pick(lang, "刘静", "Liu Jing"),
			Opinion: pick(lang, "请物流部核实承运记录，\n并与承运商确认破损责任。", "Logistics, please check the carrier's record\nand agree the liability with the carrier.")}},
		{"complaint-review", at(staff, "2026-11-26T01:00:00Z"), ComplaintForReview{Case: func() Case { c := cs; c.Status = domain.StatusInvestigated; return c }(),
			Conclusion: pick(lang, "承运途中破损，属我方选择承运商的责任。", "Damaged in transit; the carrier we chose is responsible."), CompanyAtFault: true, By: pick(lang, "赵磊", "Zhao Lei")}},
		{"complaint-approval", at(staff, "2026-11-27T01:00:00Z"), ComplaintForApproval{Case: func() Case { c := cs; c.Status = domain.StatusReviewed; return c }(),
			ReviewedBy: pick(lang, "刘静", "Liu Jing"), Comment: pick(lang, "同意补发并按合同补偿。", "Agreed: re-send and compensate under the contract.")}},
		{"survey-poor-answer", at(staff, "2026-11-30T02:00:00Z"), PoorSurveyAnswer{Customer: cs.Customer, Tier: domain.TierStrategic, Manager: cs.Manager,
			Overall: 2, Recommend: 3, Comment: pick(lang, "处理太慢，\n希望下次能更快。", "Far too slow.\nPlease be quicker next time."), ComplaintNumber: "261122001",
			AnsweredAt: ts("2026-11-30T01:30:00Z"), FollowUpDue: ts("2026-12-03T01:30:00Z"), URL: "https://api.ecprecision.example.cn/surveys/responses?customer=c-42"}},
		{"visit-digest", at(staff, "2026-11-23T00:00:00Z"), managerDigest(lang)},
		{"supervisor-digest", at(staff, "2026-11-23T00:00:00Z"), supervisorDigest(lang)},
		{"handover-list-new", at(staff, "2026-11-23T02:22:00Z"), handoverList(lang, true)},
		{"handover-list-old", at(staff, "2026-11-23T02:22:00Z"), handoverList(lang, false)},
	}
}

const sampleAPI = "https://api.ecprecision.example.cn"

// managerDigest is a busy Monday of an account manager: 08:00 in Shanghai
// on 23 November 2026, a report and a callback late, a promised action
// overdue, a visit today with a complaint's closing callback, the week's
// visits, a birthday, an account short of visits, December's plan due.
func managerDigest(lang string) VisitDigest {
	t := func(zh, en string) string { return pick(lang, zh, en) }
	jinggong, hangzhou, suzhou, wuxi := t("上海精工机械有限公司", "Shanghai Precision Machinery Co."), t("杭州新材料科技有限公司", "Hangzhou New Materials Technology Co."),
		t("苏州明光光学有限公司", "Suzhou Bright Optics Ltd."), t("无锡华晨电气股份有限公司", "Wuxi Huachen Electric Co.")
	return VisitDigest{At: ts("2026-11-23T00:00:00Z"), Calendar: true, Sections: []DigestSection{
		{Kind: DigestReportsOverdue, Items: []DigestItem{{Title: hangzhou, Detail: t("新业务洽谈 · 11月17日拜访", "New business · visited 17 Nov"), DateLabel: t("报告截止", "report due"),
			Date: "2026-11-19", Overdue: true, URL: sampleAPI + "/visits/vp3f9c2a71d04be"}}},
		{Kind: DigestFollowUpsOverdue, Items: []DigestItem{{Title: suzhou, Detail: t("活动后回访", "Callback after an event"), Due: ts("2026-11-20T16:00:00Z"), Overdue: true,
			URL: sampleAPI + "/follow-ups?due=overdue"}}},
		{Kind: DigestActionsOverdue, Items: []DigestItem{{Title: jinggong, Detail: t("承诺：提交框架协议报价", "Promised: quote the framework agreement"), DateLabel: t("期限", "due"),
			Date: "2026-11-18", Overdue: true, URL: sampleAPI + "/visits/vdemo-reported"}}},
		{Kind: DigestVisitsToday, Items: []DigestItem{{Title: jinggong, Detail: t("新产品推介 · 王丽、技术支持 刘工", "New product · Wang Li, Liu (technical support)"),
			URL: sampleAPI + "/visits/vp8e1d5b7c9a20f"}}},
		{Kind: DigestFollowUpsToday, Items: []DigestItem{{Title: jinggong, Detail: t("投诉结案回访 · 投诉 261122004", "Complaint closing callback · complaint 261122004"),
			Due: ts("2026-11-23T06:30:00Z"), URL: sampleAPI + "/follow-ups?due=today"}}},
		{Kind: DigestReportsDue, Items: []DigestItem{{Title: wuxi, Detail: t("关系维护 · 11月20日拜访", "Relationship care · visited 20 Nov"), DateLabel: t("报告截止", "report due"),
			Date: "2026-11-24", URL: sampleAPI + "/visits/vp0a4471e2b6c3d"}}},
		{Kind: DigestActionsDue, Items: []DigestItem{{Title: jinggong, Detail: t("承诺：安排工厂参观", "Promised: arrange a factory tour"), DateLabel: t("期限", "due"),
			Date: "2026-11-25", URL: sampleAPI + "/visits/vdemo-reported"}}},
		{Kind: DigestVisitsWeek, Items: []DigestItem{
			{Title: wuxi, Detail: t("催收货款（待审批）", "Collecting payment (awaiting approval)"), Date: "2026-11-26", URL: sampleAPI + "/visits/vi4bgmqkdlgilo3ov"},
			{Title: hangzhou, Detail: t("二期项目洽谈", "New business: phase two"), Date: "2026-11-27", URL: sampleAPI + "/visits/vp5c7d90e13f2ab"}}},
		{Kind: DigestGreetings, Days: 7, Items: []DigestItem{{Title: jinggong, Detail: t("联系人生日：王伟", "Contact's birthday: Wang Wei"), Date: "2026-11-28",
			URL: sampleAPI + "/customers/cdemo0003"}}},
		{Kind: DigestFrequency, Items: []DigestItem{{Title: wuxi, Detail: t("重点客户 · 上次拜访 8月12日，须于 12月31日前拜访", "Key account · last visit 12 Aug; visit by 31 Dec"),
			URL: sampleAPI + "/visits/coverage?period=2026-Q4"}}},
		{Kind: DigestDeadlines, Items: []DigestItem{{Title: t("2026-12 拜访计划", "2026-12 visit plan"), Detail: t("请提交下月拜访计划", "Submit next month's visit plan"),
			DateLabel: t("截止", "due"), Date: "2026-11-30", URL: sampleAPI + "/visit-plans?month=2026-12"}}},
	}}
}

// supervisorDigest is the same morning for the supervisor of sales.
func supervisorDigest(lang string) VisitDigest {
	t := func(zh, en string) string { return pick(lang, zh, en) }
	dept := t("销售一部", "Sales Dept. 1")
	return VisitDigest{At: ts("2026-11-23T00:00:00Z"), Sections: []DigestSection{
		{Kind: DigestToApprove, Department: dept, Items: []DigestItem{
			{Title: t("无锡华晨电气股份有限公司", "Wuxi Huachen Electric Co."), Detail: t("临时拜访：催收货款", "Ad-hoc visit: collecting payment"), Who: t("王丽", "Wang Li"),
				Date: "2026-11-26", URL: sampleAPI + "/visits/vi4bgmqkdlgilo3ov"},
			{Title: t("2026-12 拜访计划", "2026-12 visit plan"), Detail: t("3 次拜访", "3 visits"), Who: t("王丽", "Wang Li"), URL: sampleAPI + "/visit-plans/2026-12-alice"},
			{Title: t("示例客户", "Sample Customer Ltd."), Detail: t("客户关系发展计划", "Relationship plan"), Who: t("王丽", "Wang Li"), URL: sampleAPI + "/customers/cdemo0001/relationship-plan"}}},
		{Kind: DigestLateReports, Department: dept, Items: []DigestItem{{Title: t("杭州新材料科技有限公司", "Hangzhou New Materials Technology Co."), Who: t("李强", "Li Qiang"),
			DateLabel: t("报告截止", "report due"), Date: "2026-11-19", Overdue: true, URL: sampleAPI + "/visits/vp3f9c2a71d04be"}}},
		{Kind: DigestLateFollowUps, Department: dept, Items: []DigestItem{{Title: t("苏州明光光学有限公司", "Suzhou Bright Optics Ltd."), Detail: t("活动后回访", "Callback after an event"),
			Who: t("李强", "Li Qiang"), Due: ts("2026-11-20T16:00:00Z"), Overdue: true, URL: sampleAPI + "/follow-ups?manager=liqiang&due=overdue"}}},
		{Kind: DigestPlansMissing, Department: dept, Items: []DigestItem{{Title: t("张敏", "Zhang Min"), Detail: t("尚无获批的 11月拜访计划", "No approved November visit plan"),
			URL: sampleAPI + "/visit-plans?manager=zhangmin&month=2026-11"}}},
		{Kind: DigestBelowFrequency, Department: dept, Items: []DigestItem{{Title: t("无锡华晨电气股份有限公司", "Wuxi Huachen Electric Co."), Detail: t("重点客户 · 上次拜访 5月12日", "Key account · last visit 12 May"),
			Who: t("王丽", "Wang Li"), URL: sampleAPI + "/visits/coverage?period=2026-Q4"}}},
	}}
}

// handoverList is the list of a handover, for the manager who takes the
// accounts (forNew) or the one who hands them over.
func handoverList(lang string, forNew bool) HandoverList {
	t := func(zh, en string) string { return pick(lang, zh, en) }
	return HandoverList{From: t("李强", "Li Qiang"), To: t("张敏", "Zhang Min"), ForNew: forNew, CallbackDays: 7, At: ts("2026-11-23T02:20:00Z"),
		Reason: t("李强调任华南大区，客户交由张敏负责。", "Li Qiang moves to the South China region."),
		Accounts: []HandoverAccount{
			{Name: t("杭州新材料科技有限公司", "Hangzhou New Materials Technology Co."), Contact: t("陈静", "Chen Jing"), URL: sampleAPI + "/customers/cdemo0010"},
			{Name: "Suzhou Bright Optics Ltd.", Contact: "Emily Zhou", URL: sampleAPI + "/customers/cdemo0011"}}}
}
