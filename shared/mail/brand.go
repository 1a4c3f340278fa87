package mail

import (
	"strings"

	"keycare/shared/domain"
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

// Brand says whose mail it is (a setting: domain.Settings.Brand).
type Brand = domain.Brand

// DefaultBrand is the brand until an admin stores the company's own.
func DefaultBrand() Brand { return domain.DefaultBrand() }

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
