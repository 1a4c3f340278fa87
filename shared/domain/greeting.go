package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Greetings (节日 / 纪念日问候): the festivals of the Chinese calendar
// (calendar.go) for every account, and per account its cooperation
// anniversary (the contract's start), its own anniversaries (founding day,
// milestones) and its contacts' birthdays. Each dated greeting becomes the
// manager's greeting task GreetingLeadDays ahead.

// Greeting is one dated occasion to greet a customer.
type Greeting struct {
	Kind         string `json:"kind"` // cooperation | anniversary | birthday
	Date         string `json:"date"` // this year's occurrence
	CustomerID   string `json:"customerId"`
	CustomerName string `json:"customerName"`
	Label        string `json:"label"`                 // the anniversary's label, the contact's name
	Years        int    `json:"years,omitempty"`       // years since, for anniversaries
	ContactName  string `json:"contactName,omitempty"` // birthdays
}

// occurrences returns the dates of month-day md within from..to.
func occurrences(md, from, to string) []string {
	if !ValidMonthDay(md) || len(from) < 4 || len(to) < 4 {
		return nil
	}
	var out []string
	fy, _ := time.Parse(time.DateOnly, from)
	ty, _ := time.Parse(time.DateOnly, to)
	for y := fy.Year(); y <= ty.Year(); y++ {
		d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-" + md
		if md == "02-29" && !ValidDate(d) {
			d = d[:5] + "02-28"
		}
		if d >= from && d <= to {
			out = append(out, d)
		}
	}
	return out
}

// GreetingsFor lists account c's greetings dated from..to (YYYY-MM-DD).
func GreetingsFor(c *Customer, from, to string) []Greeting {
	var out []Greeting
	anniv := func(kind, date, label string) {
		if !ValidDate(date) {
			return
		}
		for _, d := range occurrences(date[5:], from, to) {
			if years := atoi4(d) - atoi4(date); years > 0 {
				out = append(out, Greeting{Kind: kind, Date: d, CustomerID: c.ID, CustomerName: c.Name, Label: label, Years: years})
			}
		}
	}
	if c.Contract != nil && c.Contract.Start != "" {
		anniv("cooperation", c.Contract.Start, "cooperation anniversary 合作纪念日")
	}
	for _, a := range c.Anniversaries {
		anniv("anniversary", a.Date, a.Label)
	}
	for _, ct := range c.Contacts {
		for _, d := range occurrences(ct.Birthday, from, to) {
			out = append(out, Greeting{Kind: "birthday", Date: d, CustomerID: c.ID, CustomerName: c.Name, Label: ct.Name, ContactName: ct.Name})
		}
	}
	return out
}

func atoi4(s string) int {
	n := 0
	for _, c := range s[:4] {
		n = n*10 + int(c-'0')
	}
	return n
}

// Task is the greeting's task for the account's manager, due on the day
// (its id is derived from the occasion, so it is made once).
func (g Greeting) Task(c *Customer, cal SLA, now time.Time) FollowUp {
	h := sha256.Sum256([]byte(g.Kind + "\x00" + g.Label))
	return FollowUp{ID: "g-" + c.ID + "-" + g.Date + "-" + hex.EncodeToString(h[:4]), Kind: FollowUpGreeting, CustomerID: c.ID, CustomerName: c.Name,
		ManagerID: c.ManagerID, Department: c.Department, Reason: g.Kind + ": " + g.Label, DueAt: cal.DateAt(g.Date), CreatedAt: now.UTC(), Status: FollowUpOpen}
}
