package domain

import "strings"

// Text is a piece of wording in both languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In is the text in lang ("en", else Chinese), or in the other language when
// that one is missing.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

// Brand says whose mail it is: every customer email shows the company, its
// hotline and the address that answers the customer (domain.md: key accounts
// are told one phone number, one postal address and one email for
// complaints). It is part of the settings an admin edits.
type Brand struct {
	Company Text   `json:"company"`           // the company's name (公司名称), shown as the sender
	Service Text   `json:"service,omitempty"` // the team that writes (e.g. 客户服务中心); optional
	Hotline string `json:"hotline"`           // 客服热线, shown and dialable from the mail
	// ReplyTo is the mailbox a person reads: it is shown in every customer
	// mail and set as the message's Reply-To, so "reply to this email" works
	// even though the mail is sent from a no-reply identity.
	ReplyTo string `json:"replyTo"`
	Contact Text   `json:"contact,omitempty"` // a contact person (联系人); optional
	Address Text   `json:"address,omitempty"` // postal address for complaints (投诉地址); optional
}

// DefaultBrand is the brand used until an admin stores the company's own.
// Every value is an explicit placeholder that a deployment must replace
// before mailing real customers:
//
//	Company  客户服务中心 / Customer Service Centre
//	Hotline  400-000-0000
//	ReplyTo  service@example.com
func DefaultBrand() Brand {
	return Brand{
		Company: Text{ZH: "客户服务中心", EN: "Customer Service Centre"},
		Hotline: "400-000-0000",
		ReplyTo: "service@example.com",
	}
}

// Validate checks that the brand says who writes and how to answer: a
// company name, a hotline with digits and a reply-to address.
func (b Brand) Validate() error {
	v := &ValidationError{}
	b.check(v, "")
	return v.Err()
}

func (b Brand) check(v *ValidationError, prefix string) {
	if strings.TrimSpace(b.Company.ZH) == "" && strings.TrimSpace(b.Company.EN) == "" {
		v.Add(prefix+"company", "give the company's name 请填写公司名称")
	}
	digits := 0
	for _, r := range b.Hotline {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 3 || !ValidPhone(strings.TrimSpace(b.Hotline)) {
		v.Add(prefix+"hotline", "give a hotline number 请填写客服热线")
	}
	if !ValidEmail(b.ReplyTo) {
		v.Add(prefix+"replyTo", "give the address that answers customers 请填写客户回复邮箱")
	}
	for f, t := range map[string]Text{"company": b.Company, "service": b.Service, "contact": b.Contact, "address": b.Address} {
		checkText(v, prefix+f+".zh", t.ZH, MaxNameLen, false)
		checkText(v, prefix+f+".en", t.EN, MaxNameLen, false)
	}
}
