package views

import "strconv"

// Geometry of the SVG charts, in user units.
const (
	chartWidth   = 360
	barHeight    = 18
	barGap       = 6
	labelWidth   = 130
	valueWidth   = 56
	columnHeight = 120
)

// hbar is a horizontal bar laid out for drawing.
type hbar struct {
	Bar
	Y, W int
}

func (c Chart) hbars() []hbar {
	top := 0
	for _, b := range c.Bars {
		top = max(top, b.Value)
	}
	out := make([]hbar, len(c.Bars))
	span := chartWidth - labelWidth - valueWidth
	for i, b := range c.Bars {
		w := 0
		if top > 0 {
			w = b.Value * span / top
		}
		if b.Value > 0 {
			w = max(w, 2)
		}
		out[i] = hbar{Bar: b, Y: i * (barHeight + barGap), W: w}
	}
	return out
}

func (c Chart) hHeight() int { return max(1, len(c.Bars)*(barHeight+barGap)-barGap) }

// vbar is a vertical bar laid out for drawing.
type vbar struct {
	Bar
	X, Y, W, H int
}

func (c Chart) vbars() []vbar {
	top := 0
	for _, b := range c.Bars {
		top = max(top, b.Value)
	}
	n := max(1, len(c.Bars))
	slot := chartWidth / n
	w := max(2, slot*2/3)
	out := make([]vbar, len(c.Bars))
	for i, b := range c.Bars {
		h := 0
		if top > 0 {
			h = b.Value * columnHeight / top
		}
		if b.Value > 0 {
			h = max(h, 2)
		}
		out[i] = vbar{Bar: b, X: i*slot + (slot-w)/2, Y: columnHeight - h, W: w, H: h}
	}
	return out
}

// chartSummary describes the chart's data in words for screen readers.
func (c Chart) chartSummary() string {
	s := c.Title + ": "
	for i, b := range c.Bars {
		if i > 0 {
			s += ", "
		}
		s += b.Label + " " + formatInt(b.Value)
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
