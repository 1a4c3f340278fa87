// Package domain holds keycare's business rules as pure Go: the types, their
// validation, the permission predicates and the settings that tune them. It
// imports no AWS package and nothing else of keycare, so every rule of
// domain.md can be found and unit-tested here with Go alone.
//
// Where each rule lives (a test keeps this list complete):
//
//	roles.go      who is who: admin, executive 总经理, supervisor 主管, manager 客户经理, department 受理部门
//	access.go     confidentiality (信息保护): who sees which file, masking of contacts, list scopes
//	customer.go   the key-account file (大客户档案): fields, validation, opening and changing it
//	tier.go       tier from revenue share (分级) and the manual override with its reason
//	score.go      value score (客户价值评分) with its breakdown
//	audit.go      the access record (查阅登记): who, when, what, why
//	complaint.go  the complaint record card (投诉记录卡), its workflow and who takes each step, intake rules
//	number.go     complaint numbers YYMMDDNNN (单号)
//	register.go   the complaint register: every number a card or a void (作废), when a reservation is settled
//	clock.go      the SLA clock: working days, service hours, deadlines (投诉处理时限)
//	calendar.go   China's official holidays and adjusted working days (调休), the festivals of the Chinese calendar
//	festivals_table.go  the festivals' dates 1901–2100, generated from lunar-go (go generate; local/cmd/festivalgen)
//	reminder.go   reminders and escalation (催办 / 升级): what is due, to whom, at which hour
//	survey.go     satisfaction surveys (满意度调查): invitations, answers, CSAT, NPS, poor answers
//	followup.go   follow-up callbacks (回访) a manager owes, their schedules after customer events, completing them
//	visit.go      visit plans (拜访计划书), visits, reports (拜访报告) and promised actions, visit frequency per tier
//	greeting.go   greetings (节日 / 纪念日问候): anniversaries, cooperation anniversaries, contacts' birthdays
//	handover.go   handover of a manager's accounts (交接) and relationship plans (客户关系发展计划)
//	staff.go      the staff directory: where people's mail goes, who is active
//	contract.go   an account's contracts (renewal) and monthly business volume, as the report counts them
//	report.go     the monthly report (每月服务质量报告): months, scopes and who reads which, report settings (staff ladder), snapshots
//	kpi.go        the report's figures: 满意率 CSAT, 及时率, 合格率, 满意率 of handling, renewal, growth, repeat complainers, ladder, risk list, 投诉统计表
//	visitmonth.go a month's visit figures as of its end: plan completion, reports and follow-ups on time, accounts below frequency
//	session.go    the staff console's sessions: who signed in, the CSRF token, idle and absolute expiry
//	settings.go   the numbers of domain.md an admin may change, their defaults and validation
//	brand.go      whose mail it is: company, hotline, reply-to (a setting)
//	query.go      listings: pages and the selections the store answers
//	idempotency.go  Idempotency-Key names: one namespace per caller and kind of request
//	tokens.go     secret links: tracking tokens made from a nonce and the stack key, stored as SHA-256
//	public.go     the public form's defences: per-client limits, the signed form token, acknowledgements apart
//	privacy.go    personal information (个人信息保护): how long it is kept (a setting), for the form's notice
//	outbox.go     mail kept in the table when the mail queue cannot take it
//	context.go    the request id audit entries record
//	errors.go     validation, permission, conflict and not-found errors shared by every rule
package domain
