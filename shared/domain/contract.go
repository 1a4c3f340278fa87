package domain

import (
	"strings"
	"time"
)

// Contracts (service agreements: start, end, value, which one they renew)
// and monthly business volume of an account: the inputs of the report's
// renewal rate, year-on-year growth and risk list. Each record keeps the
// account's manager, department and tier when it was recorded, which is
// how reports attribute it.

// ContractRecord is one contract of an account (POST /customers/{id}/contracts).
type ContractRecord struct {
	ID           string     `json:"id"`
	CustomerID   string     `json:"customerId"`
	CustomerName string     `json:"customerName"`
	ManagerID    string     `json:"managerId"`
	Department   string     `json:"department"`
	Tier         Tier       `json:"tier"`
	Start        string     `json:"start"` // YYYY-MM-DD
	End          string     `json:"end"`   // YYYY-MM-DD, the last day it runs
	Value        int64      `json:"value"` // yuan
	Renews       string     `json:"renews,omitempty"`
	RenewedBy    string     `json:"renewedBy,omitempty"` // the contract that renewed this one
	RenewedAt    *time.Time `json:"renewedAt,omitempty"` // when that was recorded
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
}

// ContractInput is the body of POST /customers/{id}/contracts.
type ContractInput struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Value  int64  `json:"value"`
	Renews string `json:"renews"` // optional: the id of the account's contract this one renews
}

// MaxContractValue bounds a contract's value (yuan).
const MaxContractValue = 1_000_000_000_000

// NewContract is the contract in describes for account a, recorded by p at now.
func NewContract(in ContractInput, id string, a *Customer, p Principal, now time.Time) (*ContractRecord, error) {
	v := &ValidationError{}
	in.Renews = strings.TrimSpace(in.Renews)
	if !ValidDate(in.Start) {
		v.Add("start", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	}
	if !ValidDate(in.End) {
		v.Add("end", "date must be YYYY-MM-DD 日期格式为 YYYY-MM-DD")
	} else if ValidDate(in.Start) && in.End < in.Start {
		v.Add("end", "ends before it starts 结束日期早于开始日期")
	}
	if in.Value < 0 || in.Value > MaxContractValue {
		v.Add("value", "must be between 0 and 10^12 yuan 金额须在 0–10^12 元之间")
	}
	if in.Renews != "" && !ValidID(in.Renews) {
		v.Add("renews", "not a contract id 合同标识无效")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &ContractRecord{ID: id, CustomerID: a.ID, CustomerName: a.Name, ManagerID: a.ManagerID, Department: a.Department, Tier: a.Tier,
		Start: in.Start, End: in.End, Value: in.Value, Renews: in.Renews, CreatedBy: p.Sub, CreatedAt: now.UTC()}, nil
}

// Volume is an account's business volume in one month (PUT
// /customers/{id}/volume/{YYYY-MM}); a second PUT corrects it.
type Volume struct {
	CustomerID string    `json:"customerId"`
	Month      string    `json:"month"` // YYYY-MM
	Amount     int64     `json:"amount"`
	ManagerID  string    `json:"managerId"`
	Department string    `json:"department"`
	Tier       Tier      `json:"tier"`
	RecordedBy string    `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// VolumeInput is the body of PUT /customers/{id}/volume/{YYYY-MM}.
type VolumeInput struct {
	Amount int64 `json:"amount"`
}

// NewVolume is account a's volume of month, recorded by p at now. A month
// after the current one (in loc) is refused.
func NewVolume(in VolumeInput, month string, a *Customer, p Principal, now time.Time, loc *time.Location) (*Volume, error) {
	m, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	v := &ValidationError{}
	if MonthOf(now, loc).Before(m) {
		v.Add("month", "lies in the future 月份不能晚于本月")
	}
	if in.Amount < 0 || in.Amount > MaxContractValue {
		v.Add("amount", "must be between 0 and 10^12 yuan 金额须在 0–10^12 元之间")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &Volume{CustomerID: a.ID, Month: m.String(), Amount: in.Amount, ManagerID: a.ManagerID, Department: a.Department, Tier: a.Tier,
		RecordedBy: p.Sub, RecordedAt: now.UTC()}, nil
}

// Audit actions of account figures.
const (
	ActionContract = "contract"
	ActionVolume   = "volume"
	// ActionInReport: an account or complaint named in a report someone read.
	ActionInReport = "shown-in-report"
)
