// Package chart draws the desk's charts as SVG on the server: readable
// without JavaScript, printable, and coloured by CSS classes (c0…c7) so the
// page's stylesheet gives them dark-mode colours. Each chart has a title
// (its accessible name); the page shows the same figures as a table.
//
// No Go charting library fit: go-echarts renders JavaScript, and
// gonum/plot and go-chart draw for files (fixed colours and fonts, no CSS,
// no accessible names, and a font parser linked into the server), so this
// is a small writer of two kinds of chart.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Values []int
}

// Colours is how many colour classes charts cycle through (c0…c7).
const Colours = 8

// Geometry of the drawing, in viewBox units.
const (
	width, height       = 720.0, 300.0
	left, right, top    = 40.0, 150.0, 30.0
	bottom              = 40.0
	barHeight, barGap   = 22.0, 8.0
	barLeft, barRight   = 180.0, 60.0
	legendLine, legendX = 18.0, width - right + 12
)

// Lines draws series over labels (months) as lines with a legend; id
// names the chart's title element (unique on the page).
func Lines(id, title string, labels []string, series []Series) template.HTML {
	var b strings.Builder
	open(&b, id, title, width, height)
	maxV := 1
	for _, s := range series {
		for _, v := range s.Values {
			maxV = max(maxV, v)
		}
	}
	plotW, plotH := width-left-right, height-top-bottom
	x := func(i int) float64 {
		if len(labels) < 2 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(len(labels)-1)
	}
	y := func(v int) float64 { return top + plotH - plotH*float64(v)/float64(maxV) }
	// Axes: zero and the top value; every other label below.
	fmt.Fprintf(&b, `<g class="axis"><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y(0), left+plotW, y(0))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">0</text><text x="%.1f" y="%.1f" text-anchor="end">%d</text>`,
		left-6, y(0)+4, left-6, y(maxV)+4, maxV)
	for i, l := range labels {
		if i%2 == len(labels)%2 || len(labels) <= 6 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(i), height-bottom+18, esc(l))
		}
	}
	b.WriteString(`</g>`)
	if len(series) == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="%.1f" y="%.1f" text-anchor="middle">Nothing to draw yet</text>`, left+plotW/2, top+plotH/2)
	}
	for k, s := range series {
		pts := make([]string, len(s.Values))
		for i, v := range s.Values {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
		}
		fmt.Fprintf(&b, `<g class="c%d"><title>%s</title><polyline fill="none" stroke-width="2.5" points="%s"/>`, k%Colours, esc(s.Name), strings.Join(pts, " "))
		for i, v := range s.Values {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3"><title>%s, %s: %d</title></circle>`, x(i), y(v), esc(s.Name), esc(labelAt(labels, i)), v)
		}
		ly := top + float64(k)*legendLine
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12"/><text class="legend" x="%.1f" y="%.1f">%s</text></g>`,
			legendX, ly-10, legendX+18, ly, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Bars draws one horizontal bar per label, its value at its end.
func Bars(id, title string, labels []string, values []int) template.HTML {
	var b strings.Builder
	h := top + float64(max(len(labels), 1))*(barHeight+barGap) + 10
	open(&b, id, title, width, h)
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	if len(labels) == 0 {
		fmt.Fprintf(&b, `<text class="empty" x="%.1f" y="%.1f" text-anchor="middle">Nothing to draw yet</text>`, width/2, top+barHeight/2)
	}
	plotW := width - barLeft - barRight
	for i, l := range labels {
		v := 0
		if i < len(values) {
			v = values[i]
		}
		yy := top + float64(i)*(barHeight+barGap)
		w := plotW * float64(v) / float64(maxV)
		fmt.Fprintf(&b, `<g class="c%d"><text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, i%Colours, barLeft-8, yy+barHeight*0.7, esc(truncate(l, 26)))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d</title></rect>`, barLeft, yy, w, barHeight, esc(l), v)
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f">%d</text></g>`, barLeft+w+6, yy+barHeight*0.7, v)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// open starts an SVG whose accessible name is its title.
func open(b *strings.Builder, id, title string, w, h float64) {
	fmt.Fprintf(b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s">`+
		`<title id="%s">%s</title>`, w, h, esc(id), esc(id), esc(title))
}

func esc(s string) string { return html.EscapeString(s) }

func labelAt(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}

// truncate shortens s to n runes with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
