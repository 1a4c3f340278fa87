package mail

import (
	"fmt"
	"strings"
)

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
// complaints). It is a company setting: callers pass it in; the settings
// record will keep it in the table, edited by an admin.
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

// DefaultBrand is the brand used until an admin stores the company's own
// (the settings record). Every value is an explicit placeholder that a
// deployment must replace before mailing real customers:
//
//	Company  客户服务中心 / Customer Service Centre
//	Service  (none)
//	Hotline  400-000-0000
//	ReplyTo  service@example.com  (the domain of template.yaml's SenderEmail default)
//	Contact  (none)
//	Address  (none)
func DefaultBrand() Brand {
	return Brand{
		Company: Text{ZH: "客户服务中心", EN: "Customer Service Centre"},
		Hotline: "400-000-0000",
		ReplyTo: "service@example.com",
	}
}

// Validate checks that the brand says who writes and how to answer: a
// company name and both a hotline and a reply-to address.
func (b Brand) Validate() error {
	switch {
	case strings.TrimSpace(b.Company.ZH) == "" && strings.TrimSpace(b.Company.EN) == "":
		return fmt.Errorf("mail: brand without a company name")
	case strings.TrimSpace(b.Hotline) == "":
		return fmt.Errorf("mail: brand without a hotline")
	case dialable(b.Hotline) == "":
		return fmt.Errorf("mail: brand hotline %q has no digits", b.Hotline)
	case !validAddress(b.ReplyTo):
		return fmt.Errorf("mail: brand reply-to %q is not an email address", b.ReplyTo)
	}
	return nil
}

// validAddress is a plain addr-spec without header injection.
func validAddress(a string) bool {
	at := strings.LastIndex(a, "@")
	return at > 0 && at < len(a)-1 && !strings.ContainsAny(a, "\r\n \t<>,;\"") && len(a) <= 254
}

// dialable keeps the characters of a tel: link (digits and a leading +).
func dialable(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	if strings.Trim(b.String(), "+") == "" {
		return ""
	}
	return b.String()
}
