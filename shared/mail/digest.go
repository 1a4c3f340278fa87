package mail

import (
	"errors"
	"fmt"
	htmltpl "html/template"
)

// WebComplaintDigest is the day's one summary to the supervisors of the
// anonymous web complaints nobody has accepted yet ("web-complaint-digest"):
// anyone can file one, so a flood of them must not become a flood of mail.
type WebComplaintDigest struct {
	Cases []Case // each with its Number, ReceivedAt, FirstResponseDue and URL
	URL   string // the list of open complaints
}

// Kind of the summary.
func (WebComplaintDigest) Kind() string { return "web-complaint-digest" }

func (d WebComplaintDigest) compose(e *env) (*doc, error) {
	if len(d.Cases) == 0 {
		return nil, errors.New("no complaints")
	}
	m := &doc{}
	n := len(d.Cases)
	overdue := 0
	for _, c := range d.Cases {
		if !c.FirstResponseDue.IsZero() && e.Now.After(c.FirstResponseDue) {
			overdue++
		}
	}
	m.Urgent = overdue > 0
	m.Tag = e.s("每日汇总", "Daily summary")
	m.Subject = e.s(fmt.Sprintf("【每日汇总】%d 件网上投诉尚未受理", n), fmt.Sprintf("[Daily summary] %d web complaints not accepted yet", n))
	if overdue > 0 {
		m.Subject += e.s(fmt.Sprintf("，其中 %d 件已超时", overdue), fmt.Sprintf(", %d overdue", overdue))
	}
	m.Heading = e.s(fmt.Sprintf("%d 件网上投诉尚未受理", n), fmt.Sprintf("%d web complaints are waiting to be accepted", n))
	m.para(e.s("以下投诉通过网上表单提交，尚未关联客户档案，也还没有人受理。请受理，或说明理由不予受理。此类投诉每天汇总提醒一次，不逐件发送。",
		"These complaints came through the web form, are linked to no account and nobody has accepted them yet. Please accept them, or reject them with a reason. Such complaints are summarised once a day, not mailed one by one."))
	m.link(e, e.s("查看待受理投诉", "Open the complaints"), d.URL)
	for i, c := range d.Cases {
		if i == 30 {
			m.small(e.s(fmt.Sprintf("另有 %d 件，见投诉列表。", n-30), fmt.Sprintf("%d more in the list of complaints.", n-30)))
			break
		}
		late := !c.FirstResponseDue.IsZero() && e.Now.After(c.FirstResponseDue)
		due := e.when(c.FirstResponseDue)
		if late {
			due += e.s("，", ", ") + e.late(c.FirstResponseDue)
		}
		number := fact{Label: e.s("投诉单号", "Complaint"), Value: c.Number, Strong: true}
		if absolute(c.URL) {
			number.Href = htmltpl.URL(c.URL) // the card's page; http(s) only
		}
		m.facts(
			number,
			fact{Label: e.s("登记时间", "Received"), Value: e.when(c.ReceivedAt)},
			fact{Label: e.s("首次答复期限", "First answer due"), Value: due, Alert: late},
		)
	}
	return m, nil
}
