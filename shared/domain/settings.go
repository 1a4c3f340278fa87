package domain

import (
	"fmt"
	"time"
)

// Settings are the numbers of domain.md an admin may change. Defaults holds
// the values that apply when none is stored.
type Settings struct {
	TimeZone string `json:"timeZone"` // company time zone for display and dates

	// Tiers (分级): revenue-share thresholds.
	StrategicShare float64 `json:"strategicShare"` // ≥ 5% of company revenue
	KeyShare       float64 `json:"keyShare"`       // ≥ 1%

	// Value score (客户价值评分).
	ScoreWeights    ScoreWeights `json:"scoreWeights"`
	OrderAmountFull int64        `json:"orderAmountFull"` // order amount worth 100 points
	ProfitFull      int64        `json:"profitFull"`      // profit worth 100 points
	ScoreStrategic  float64      `json:"scoreStrategic"`
	ScoreKey        float64      `json:"scoreKey"`
}

// Defaults are domain.md's values.
func Defaults() Settings {
	return Settings{
		TimeZone:        "Asia/Shanghai",
		StrategicShare:  0.05,
		KeyShare:        0.01,
		ScoreWeights:    ScoreWeights{Credit: 0.3, Orders: 0.3, Prospects: 0.2, Profit: 0.2},
		OrderAmountFull: 10_000_000,
		ProfitFull:      2_000_000,
		ScoreStrategic:  70,
		ScoreKey:        40,
	}
}

// Location loads the company time zone.
func (s Settings) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("settings: time zone %q: %w", s.TimeZone, err)
	}
	return loc, nil
}
