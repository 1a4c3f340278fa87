package domain

import "math"

// ScoreInputs are the figures behind the value score (客户价值评分).
type ScoreInputs struct {
	LatePayments int     `json:"latePayments"` // late payments over the last year
	DaysLate     int     `json:"daysLate"`     // total days late over the last year
	OrderAmount  int64   `json:"orderAmount"`  // orders over the last 1–2 years (yuan)
	MarginPct    float64 `json:"marginPct"`    // gross margin on those orders, percent
	Prospects    int     `json:"prospects"`    // manager's 1–5 judgement; 0 = not given
}

func (in ScoreInputs) validate(v *ValidationError) {
	if in.LatePayments < 0 || in.LatePayments > 10000 {
		v.Add("scoreInputs.latePayments", "must be between 0 and 10000 须在 0–10000 之间")
	}
	if in.DaysLate < 0 || in.DaysLate > 100000 {
		v.Add("scoreInputs.daysLate", "must be between 0 and 100000 须在 0–100000 之间")
	}
	if in.OrderAmount < 0 {
		v.Add("scoreInputs.orderAmount", "must not be negative 不能为负")
	}
	if math.IsNaN(in.MarginPct) || in.MarginPct < -100 || in.MarginPct > 100 {
		v.Add("scoreInputs.marginPct", "must be between -100 and 100 须在 -100–100 之间")
	}
	if in.Prospects < 0 || in.Prospects > 5 {
		v.Add("scoreInputs.prospects", "must be 1 to 5 (0 = not rated) 须为 1–5")
	}
}

// ScoreWeights weigh the four components; they are settings.
type ScoreWeights struct {
	Credit    float64 `json:"credit"`
	Orders    float64 `json:"orders"`
	Prospects float64 `json:"prospects"`
	Profit    float64 `json:"profit"`
}

// ValueScore is the composite with its breakdown; each component is 0–100.
type ValueScore struct {
	Total         float64      `json:"total"`
	Credit        float64      `json:"credit"`
	Orders        float64      `json:"orders"`
	Prospects     float64      `json:"prospects"`
	Profit        float64      `json:"profit"`
	Weights       ScoreWeights `json:"weights"`
	SuggestedTier Tier         `json:"suggestedTier"`
}

func clamp100(x float64) float64 { return math.Max(0, math.Min(100, x)) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Score computes the value score of in under settings s:
//
//	credit    = 100 − 10 per late payment − 1 per 3 days late
//	orders    = 100 × orderAmount / OrderAmountFull (capped)
//	prospects = (rating − 1) × 25; an unrated account counts 50
//	profit    = 100 × orderAmount × margin / ProfitFull (capped)
//
// and the total is their weighted mean. The suggested tier is strategic at
// or above Score.Strategic, key at or above Score.Key.
func Score(in ScoreInputs, s Settings) ValueScore {
	w := s.Score.Weights
	vs := ValueScore{Weights: w}
	vs.Credit = clamp100(100 - 10*float64(in.LatePayments) - float64(in.DaysLate)/3)
	if s.Score.OrderAmountFull > 0 {
		vs.Orders = clamp100(100 * float64(in.OrderAmount) / float64(s.Score.OrderAmountFull))
	}
	if in.Prospects == 0 {
		vs.Prospects = 50
	} else {
		vs.Prospects = clamp100(float64(in.Prospects-1) * 25)
	}
	if s.Score.ProfitFull > 0 {
		vs.Profit = clamp100(100 * float64(in.OrderAmount) * in.MarginPct / 100 / float64(s.Score.ProfitFull))
	}
	sum := w.Credit + w.Orders + w.Prospects + w.Profit
	if sum > 0 {
		vs.Total = (w.Credit*vs.Credit + w.Orders*vs.Orders + w.Prospects*vs.Prospects + w.Profit*vs.Profit) / sum
	}
	vs.Credit, vs.Orders, vs.Prospects, vs.Profit, vs.Total =
		round1(vs.Credit), round1(vs.Orders), round1(vs.Prospects), round1(vs.Profit), round1(vs.Total)
	switch {
	case vs.Total >= s.Score.Strategic:
		vs.SuggestedTier = TierStrategic
	case vs.Total >= s.Score.Key:
		vs.SuggestedTier = TierKey
	default:
		vs.SuggestedTier = TierOrdinary
	}
	return vs
}
