package domain

import (
	"sort"
	"time"
)

// Tier is a key account's class (分级).
type Tier string

// The three tiers of domain.md.
const (
	TierStrategic Tier = "strategic" // 战略客户
	TierKey       Tier = "key"       // 重点客户
	TierOrdinary  Tier = "ordinary"  // 普通客户
)

// Valid reports whether t is one of the three tiers.
func (t Tier) Valid() bool {
	return t == TierStrategic || t == TierKey || t == TierOrdinary
}

// Label is the tier's name as users know it.
func (t Tier) Label(lang string) string {
	zh := map[Tier]string{TierStrategic: "战略客户", TierKey: "重点客户", TierOrdinary: "普通客户"}
	en := map[Tier]string{TierStrategic: "Strategic", TierKey: "Key", TierOrdinary: "Ordinary"}
	if lang == "en" {
		return en[t]
	}
	return zh[t]
}

// TierSource says where the tier in force comes from.
type TierSource string

// Tier sources.
const (
	TierFromInput    TierSource = "input"    // given when the file was created, no revenue yet
	TierFromRevenue  TierSource = "revenue"  // computed from revenue share
	TierFromOverride TierSource = "override" // manual override with a reason
)

// TierOverride is a manual tier decision; it needs a reason and is audited.
type TierOverride struct {
	Tier   Tier      `json:"tier"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Revenue is one year's figures for the account.
type Revenue struct {
	Year           int   `json:"year"`
	Amount         int64 `json:"amount"`         // the account's annual revenue (yuan)
	CompanyRevenue int64 `json:"companyRevenue"` // the company's revenue that year (yuan)
}

// Share is the account's share of company revenue, in [0,1].
func (r Revenue) Share() float64 {
	if r.CompanyRevenue <= 0 {
		return 0
	}
	return float64(r.Amount) / float64(r.CompanyRevenue)
}

// Validate checks one year's figures.
func (r Revenue) Validate() error {
	v := &ValidationError{}
	if r.Year < 1900 || r.Year > 2200 {
		v.Add("year", "must be a year such as 2025 年份无效")
	}
	if r.Amount < 0 {
		v.Add("amount", "must not be negative 金额不能为负")
	}
	if r.CompanyRevenue <= 0 {
		v.Add("companyRevenue", "must be positive 公司收入须为正数")
	}
	if r.Amount > r.CompanyRevenue && r.CompanyRevenue > 0 {
		v.Add("amount", "exceeds the company's revenue 超过公司总收入")
	}
	return v.Err()
}

// TierFromShare classifies a revenue share with the thresholds of s:
// strategic at or above StrategicShare (5%), key at or above KeyShare (1%).
func TierFromShare(share float64, s Settings) Tier {
	switch {
	case share >= s.Tiers.StrategicShare:
		return TierStrategic
	case share >= s.Tiers.KeyShare:
		return TierKey
	default:
		return TierOrdinary
	}
}

// SetRevenue records one year's figures (replacing that year's) and
// recomputes the tier.
func (c *Customer) SetRevenue(r Revenue, s Settings) {
	out := c.Revenue[:0:0]
	for _, x := range c.Revenue {
		if x.Year != r.Year {
			out = append(out, x)
		}
	}
	out = append(out, r)
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	c.Revenue = out
	c.ApplyTier(s)
}

// ApplyTier sets Tier and TierSource from the override, else from the latest
// year's revenue share, else keeps the tier given as input.
func (c *Customer) ApplyTier(s Settings) {
	switch {
	case c.TierOverride != nil:
		c.Tier, c.TierSource = c.TierOverride.Tier, TierFromOverride
	case len(c.Revenue) > 0:
		c.Tier, c.TierSource = TierFromShare(c.Revenue[len(c.Revenue)-1].Share(), s), TierFromRevenue
	default:
		if c.TierSource == "" {
			c.TierSource = TierFromInput
		}
	}
}

// ComputedTier is the tier revenue alone gives, or "" with no figures.
func (c *Customer) ComputedTier(s Settings) Tier {
	if len(c.Revenue) == 0 {
		return ""
	}
	return TierFromShare(c.Revenue[len(c.Revenue)-1].Share(), s)
}
