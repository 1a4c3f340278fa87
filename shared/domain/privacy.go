package domain

// Personal information (个人信息保护, PIPL): the public form tells the sender
// what it collects, why, for how long and whom to ask. How long is a
// setting; whom to ask is the brand (Settings.Brand: contact, hotline,
// reply-to, address).

// Retention says how long personal data is kept (settings "retention").
type Retention struct {
	// ComplaintYears: a complaint's contact details (name, phone, email)
	// are kept this many years after it is closed; the anonymised card
	// stays for the statistics (domain.md: deletion keeps the statistics).
	ComplaintYears int `json:"complaintYears"`
}

// DefaultRetention is the retention while an admin sets none: three years
// after closure, a placeholder each company replaces with its own policy.
var DefaultRetention = Retention{ComplaintYears: 3}

func (r Retention) validate(v *ValidationError) {
	between(v, "retention.complaintYears", r.ComplaintYears, 1, 30)
}
