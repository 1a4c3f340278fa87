package report

import (
	"bytes"
	"fmt"
	"regexp"
	"sync"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"keycare/shared/domain"
)

// The 12-month trend chart: a PNG inline in the email (cid:trend), the same
// chart as SVG inline in the report page. Its labels are numbers only (the
// month and the percentage): the words are in the HTML beside it, in the
// reader's language, so the chart needs no CJK font. Series differ by line
// pattern and marker as well as colour.

// trendSeries are the charted figures, in legend order.
var trendSeries = []struct {
	key   string
	color drawing.Color
	dash  []float64
	width float64
}{
	{domain.KPICSAT, drawing.ColorFromHex("1f4e79"), nil, 3.5},
	{domain.KPITimeliness, drawing.ColorFromHex("c55a11"), []float64{10, 5}, 3},
	{domain.KPIPassRate, drawing.ColorFromHex("2e7d32"), []float64{2, 4}, 3},
	{domain.KPIHandlingSatisfaction, drawing.ColorFromHex("6a1b9a"), []float64{10, 4, 2, 4}, 3},
}

// patternName is how the legend describes each series' line, by key.
var patternName = map[string][2]string{
	domain.KPICSAT:                 {"实线", "solid line"},
	domain.KPITimeliness:           {"长虚线", "dashed line"},
	domain.KPIPassRate:             {"点线", "dotted line"},
	domain.KPIHandlingSatisfaction: {"点划线", "dash-dot line"},
}

// trendChart draws the trend of r at scale (1 for the page, 2 for the
// email's PNG, which phones and retina screens scale down).
func trendChart(r domain.Report, scale float64) chart.Chart {
	n := len(r.Trend)
	var series []chart.Series
	for _, s := range trendSeries {
		// One series per run of months with a value: a month without a
		// report is a gap, not a zero.
		var xs, ys []float64
		flush := func() {
			if len(xs) > 0 {
				series = append(series, chart.ContinuousSeries{XValues: xs, YValues: ys, Style: chart.Style{
					StrokeColor: s.color, StrokeWidth: s.width * scale, StrokeDashArray: scaled(s.dash, scale),
					DotColor: s.color, DotWidth: 3.5 * scale}})
			}
			xs, ys = nil, nil
		}
		for i, p := range r.Trend {
			v, ok := p.Values[s.key]
			if !ok {
				flush()
				continue
			}
			xs, ys = append(xs, float64(i)), append(ys, v)
		}
		flush()
	}
	// The satisfaction target as a thin grey line.
	target := r.Basis.Targets.SatisfactionPct
	series = append(series, chart.ContinuousSeries{XValues: []float64{0, float64(n - 1)}, YValues: []float64{target, target},
		Style: chart.Style{StrokeColor: drawing.ColorFromHex("9e9e9e"), StrokeWidth: 1.5 * scale, StrokeDashArray: scaled([]float64{4, 4}, scale)}})

	var xticks []chart.Tick
	for i, p := range r.Trend {
		xticks = append(xticks, chart.Tick{Value: float64(i), Label: p.Month[5:7]})
	}
	var yticks []chart.Tick
	for v := 0; v <= 100; v += 25 {
		yticks = append(yticks, chart.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	font := chart.Style{FontSize: 11, FontColor: drawing.ColorFromHex("37474f")}
	grid := chart.Style{StrokeColor: drawing.ColorFromHex("e0e0e0"), StrokeWidth: 1 * scale}
	var gridLines []chart.GridLine
	for v := 25; v <= 100; v += 25 {
		gridLines = append(gridLines, chart.GridLine{Value: float64(v)})
	}
	return chart.Chart{
		Width: int(600 * scale), Height: int(260 * scale), DPI: 96 * scale,
		Background: chart.Style{Padding: chart.Box{Top: int(12 * scale), Left: int(6 * scale), Right: int(14 * scale), Bottom: int(6 * scale)}},
		XAxis:      chart.XAxis{Style: font, Ticks: xticks, Range: &chart.ContinuousRange{Min: -0.3, Max: float64(n) - 0.7}},
		YAxis: chart.YAxis{Style: font, Ticks: yticks, Range: &chart.ContinuousRange{Min: 0, Max: 100}, AxisType: chart.YAxisPrimary,
			GridLines: gridLines, GridMajorStyle: grid},
		Series: series,
	}
}

func scaled(xs []float64, k float64) []float64 {
	if xs == nil {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

// TrendPNG is the trend chart as a PNG for the email (twice the size it
// is shown at).
func TrendPNG(r domain.Report) ([]byte, error) {
	var b bytes.Buffer
	c := trendChart(r, 2)
	if err := c.Render(chart.PNG, &b); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	return b.Bytes(), nil
}

var svgSize = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^<svg([^>]*?) width="(\d+)" height="(\d+)"`) })

// TrendSVG is the trend chart as SVG for the report page, scaling with the
// page (a viewBox instead of a fixed size).
func TrendSVG(r domain.Report) ([]byte, error) {
	var b bytes.Buffer
	c := trendChart(r, 1)
	if err := c.Render(chart.SVG, &b); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	out := svgSize().ReplaceAll(b.Bytes(), []byte(`<svg$1 viewBox="0 0 $2 $3" width="100%" preserveAspectRatio="xMidYMid meet" role="img"`))
	return out, nil
}
