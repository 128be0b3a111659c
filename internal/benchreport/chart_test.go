package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"testing"
)

// svgElements parses doc as XML and returns its elements in order, failing
// the test when the document is not well-formed.
type svgElement struct {
	Name  string
	Attrs map[string]string
	Text  string
}

func parseSVG(t *testing.T, doc []byte) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out []svgElement
	var stack []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, doc)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := svgElement{Name: tk.Name.Local, Attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tk)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatal("unclosed elements")
	}
	return out
}

func attrFloat(t *testing.T, e svgElement, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.Attrs[name], 64)
	if err != nil {
		t.Fatalf("%s has %s=%q: %v", e.Name, name, e.Attrs[name], err)
	}
	return v
}

func TestChartIsWellFormedSVGWithOnePointPerMeasurement(t *testing.T) {
	panels := []Panel{
		{Title: `Time <vs> "size" & more`, XLabel: "rows", YLabel: "s", Linear: true, Series: []Series{
			{Name: "wall", Color: "#2563eb", Points: []Point{{X: 200, Y: 0.3, Label: "small"}, {X: 3000, Y: 0.5, Label: "medium"},
				{X: 120000, Y: 6, Label: "<large>"}, {X: 1.2e6, Y: 70, Label: "xl"}}},
			{Name: "baseline", Color: "#6b7280", Points: []Point{{X: 200, Y: 0.001}, {X: 0, Y: 5}, {X: 1.2e6, Y: -1}}},
		}},
		{Title: "Memory", Series: []Series{{Name: "rss", Color: "#059669", Points: []Point{{X: 200, Y: 20}, {X: 1.2e6, Y: 180}}}}},
	}
	doc := renderChart(panels)
	els := parseSVG(t, doc)
	if els[0].Name != "svg" || els[0].Attrs["xmlns"] != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %q with xmlns %q, want an svg element in the SVG namespace", els[0].Name, els[0].Attrs["xmlns"])
	}
	width := attrFloat(t, els[0], "width")
	height := attrFloat(t, els[0], "height")

	var circles []svgElement
	var texts []string
	for _, e := range els {
		switch e.Name {
		case "circle":
			circles = append(circles, e)
		case "text":
			texts = append(texts, e.Text)
		}
	}
	// 4 + 1 positive baseline point + 2 memory points; the non-positive
	// ones cannot go on a log axis and are left out.
	if len(circles) != 7 {
		t.Fatalf("%d points drawn, want 7", len(circles))
	}
	for _, c := range circles {
		cx, cy := attrFloat(t, c, "cx"), attrFloat(t, c, "cy")
		if cx < 0 || cx > width || cy < 0 || cy > height {
			t.Errorf("point (%v, %v) outside the %vx%v canvas", cx, cy, width, height)
		}
	}
	// Larger values sit higher (smaller y) and further right.
	small, xl := circles[0], circles[3]
	if !(attrFloat(t, xl, "cy") < attrFloat(t, small, "cy")) || !(attrFloat(t, xl, "cx") > attrFloat(t, small, "cx")) {
		t.Errorf("xl at (%s, %s) is not above and right of small at (%s, %s)",
			xl.Attrs["cx"], xl.Attrs["cy"], small.Attrs["cx"], small.Attrs["cy"])
	}
	// Text is escaped, and reads back as written.
	found := map[string]bool{}
	for _, s := range texts {
		found[s] = true
	}
	for _, want := range []string{`Time <vs> "size" & more`, "<large>", "1k", "1M"} {
		if !found[want] {
			t.Errorf("no text %q in the chart (texts: %q)", want, texts)
		}
	}
}

func TestChartWithNoDataIsStillAnSVG(t *testing.T) {
	els := parseSVG(t, renderChart([]Panel{{Title: "empty"}}))
	if els[0].Name != "svg" {
		t.Fatalf("root %q", els[0].Name)
	}
}
