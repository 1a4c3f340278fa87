package mail

// DigestMail is what the daily summary of unaccepted web complaints shows.
type DigestMail struct {
	Date    string // the day, in the company's zone
	Count   int
	Numbers string // the first numbers, for the subject
	List    string // one line per complaint
}

// The daily summary replaces one reminder per complaint for anonymous web
// complaints nobody has accepted yet (anyone can file one).
func init() {
	wording["web-complaint-digest"] = map[string]struct {
		Subject string
		Paras   []string
	}{
		"zh": {"【每日汇总】{{.Count}} 件网上投诉尚未受理：{{.Numbers}}", []string{
			"截至 {{.Date}}，以下 {{.Count}} 件通过网上表单提交、未关联客户档案的投诉尚未受理：",
			"{{.List}}",
			"请尽快受理或不予受理（不予受理须说明理由）。此类投诉每天汇总提醒一次，不逐件发送。"}},
		"en": {"[Daily summary] {{.Count}} web complaints not accepted yet: {{.Numbers}}", []string{
			"As of {{.Date}}, these {{.Count}} complaints sent through the web form, linked to no account, have not been accepted yet:",
			"{{.List}}",
			"Please accept them, or reject them with a reason. Such complaints are summarised once a day, not mailed one by one."}},
	}
}
