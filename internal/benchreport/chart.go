package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// Point is one measurement on a chart.
type Point struct {
	X, Y  float64
	Label string // shown beside the point, e.g. the dataset name
}

// Series is a line of points of one colour.
type Series struct {
	Name   string
	Color  string
	Points []Point
}

// Panel is one log-log chart. With Linear set, a dashed line of slope 1
// through the first series' last point shows where cost proportional to
// size would lie.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	Linear                bool
}

const (
	panelW, panelH = 440, 320
	padL, padR     = 64, 16
	padT, padB     = 36, 52
)

// renderChart draws panels side by side as one standalone SVG document.
// Non-positive values cannot go on a log axis and are left out.
func renderChart(panels []Panel) []byte {
	var b bytes.Buffer
	w := panelW * max(len(panels), 1)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", w, panelH, w, panelH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, panelH)
	for i, p := range panels {
		fmt.Fprintf(&b, `<g transform="translate(%d,0)">`+"\n", i*panelW)
		drawPanel(&b, p)
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// logRange returns the decades that hold every positive value of vals.
func logRange(vals []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v > 0 {
			lo = math.Min(lo, math.Floor(math.Log10(v)))
			hi = math.Max(hi, math.Ceil(math.Log10(v)))
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

func drawPanel(b *bytes.Buffer, p Panel) {
	var xs, ys []float64
	for _, s := range p.Series {
		for _, pt := range s.Points {
			xs = append(xs, pt.X)
			ys = append(ys, pt.Y)
		}
	}
	x0, x1 := logRange(xs)
	y0, y1 := logRange(ys)
	plotW, plotH := float64(panelW-padL-padR), float64(panelH-padT-padB)
	sx := func(v float64) float64 { return padL + (math.Log10(v)-x0)/(x1-x0)*plotW }
	sy := func(v float64) float64 { return padT + plotH - (math.Log10(v)-y0)/(y1-y0)*plotH }

	fmt.Fprintf(b, `<text x="%d" y="18" font-size="13" font-weight="bold">%s</text>`+"\n", padL, html.EscapeString(p.Title))
	// Grid and tick labels at every decade.
	for d := x0; d <= x1; d++ {
		x := sx(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", x, padT, x, padT+plotH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, padT+plotH+14, tickLabel(d))
	}
	for d := y0; d <= y1; d++ {
		y := sy(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", padL, y, padL+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", padL-4, y+4, tickLabel(d))
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#6b7280"/>`+"\n", padL, padT, plotW, plotH)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", padL+plotW/2, panelH-8, html.EscapeString(p.XLabel))
	fmt.Fprintf(b, `<text transform="translate(14,%.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", padT+plotH/2, html.EscapeString(p.YLabel))

	legendY := padT + 14
	for si, s := range p.Series {
		var pts []Point
		for _, pt := range s.Points {
			if pt.X > 0 && pt.Y > 0 {
				pts = append(pts, pt)
			}
		}
		if len(pts) == 0 {
			continue
		}
		if p.Linear && si == 0 {
			// y = k·x through the last point, clipped to the plot.
			last := pts[len(pts)-1]
			k := last.Y / last.X
			xa := math.Max(math.Pow(10, x0), math.Pow(10, y0)/k)
			xb := math.Min(math.Pow(10, x1), math.Pow(10, y1)/k)
			if xa < xb {
				fmt.Fprintf(b, `<line class="linear" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-opacity="0.5" stroke-dasharray="4 4"/>`+"\n",
					sx(xa), sy(k*xa), sx(xb), sy(k*xb), s.Color)
			}
		}
		var path bytes.Buffer
		for i, pt := range pts {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, sx(pt.X), sy(pt.Y))
		}
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", bytes.TrimSpace(path.Bytes()), s.Color)
		for _, pt := range pts {
			fmt.Fprintf(b, `<circle class="point" cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s</title></circle>`+"\n",
				sx(pt.X), sy(pt.Y), s.Color, html.EscapeString(pt.Label), html.EscapeString(formatNum(pt.Y)))
			if pt.Label != "" {
				fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#374151">%s</text>`+"\n", sx(pt.X)+5, sy(pt.Y)-6, html.EscapeString(pt.Label))
			}
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", padL+8, legendY-4, padL+24, legendY-4, s.Color)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", padL+28, legendY, html.EscapeString(s.Name))
		legendY += 14
	}
	if p.Linear {
		fmt.Fprintf(b, `<text x="%d" y="%d" fill="#6b7280">dashed: proportional to size</text>`+"\n", padL+8, legendY)
	}
}

// tickLabel names the decade 10^d compactly: 0.01, 1, 100, 10k, 1M.
func tickLabel(d float64) string {
	v := math.Pow(10, d)
	switch {
	case d >= 6:
		return fmt.Sprintf("%gM", v/1e6)
	case d >= 3:
		return fmt.Sprintf("%gk", v/1e3)
	default:
		return fmt.Sprintf("%g", v)
	}
}

// formatNum prints a measurement with about three significant digits.
func formatNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
