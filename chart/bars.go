package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Bars draws points as vertical bars, left to right, each with its value
// above and its label below (wrapped on two lines, thinned out when there
// are many): for a distribution such as reply delays. title names the
// chart, desc says what it shows and what to read in it.
func Bars(title, desc string, points []Point) template.HTML {
	const (
		height  = 280.0
		left    = 12.0
		right   = 12.0
		top     = 26.0
		bottom  = 48.0
		lineGap = 17.0
	)
	var b strings.Builder
	svgOpen(&b, height, title, desc, "bars", points)
	base := height - bottom
	if len(points) == 0 {
		return closeEmpty(&b, height)
	}
	values := make([]float64, len(points))
	for i, p := range points {
		values[i] = p.Value
	}
	hi := maxOf(values)
	if hi == 0 {
		hi = 1
	}
	slot := (width - left - right) / float64(len(points))
	show := every(len(points), 12)
	maxChars := max(3, int(slot*float64(show)/charWidth))
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>`+"\n",
		num(left), num(base), num(width-right), num(base), textColor)
	for i, p := range points {
		h := max(0, p.Value) / hi * (base - top)
		x := left + float64(i)*slot
		cx := x + slot/2
		fmt.Fprintf(&b, `<g><title>%s : %s</title>`, text(p.Label), text(p.valueText()))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(x+slot*0.15), num(base-h), num(slot*0.7), num(h), seriesStyles[0].color)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-weight="bold">%s</text>`,
			num(cx), num(base-h-6), text(p.valueText()))
		if i%show == 0 {
			for j, l := range wrap(p.Label, maxChars, 2) {
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`,
					num(cx), num(base+lineGap*float64(j+1)), text(l))
			}
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// HBars draws points as horizontal bars, top to bottom, each with its
// label on the left (shortened when long, whole in the bar's tooltip) and
// its value at the end of the bar: to compare offers or agencies.
func HBars(title, desc string, points []Point) template.HTML {
	const (
		rowHeight  = 30.0
		top        = 8.0
		labelWidth = 190.0
		valueRoom  = 64.0
	)
	height := top*2 + rowHeight*float64(max(len(points), 2))
	var b strings.Builder
	svgOpen(&b, height, title, desc, "hbars", points)
	if len(points) == 0 {
		return closeEmpty(&b, height)
	}
	values := make([]float64, len(points))
	for i, p := range points {
		values[i] = p.Value
	}
	hi := maxOf(values)
	if hi == 0 {
		hi = 1
	}
	x0 := labelWidth
	span := width - x0 - valueRoom
	maxChars := int(math.Floor((labelWidth - 10) / charWidth))
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>`+"\n",
		num(x0), num(top), num(x0), num(top+rowHeight*float64(len(points))), textColor)
	for i, p := range points {
		y := top + float64(i)*rowHeight
		w := max(0, p.Value) / hi * span
		mid := y + rowHeight/2 + fontSize*0.35
		fmt.Fprintf(&b, `<g><title>%s : %s</title>`, text(p.Label), text(p.valueText()))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(x0-8), num(mid), text(shorten(p.Label, maxChars)))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(x0), num(y+rowHeight*0.15), num(w), num(rowHeight*0.7), seriesStyles[0].color)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-weight="bold">%s</text>`, num(x0+w+6), num(mid), text(p.valueText()))
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// closeEmpty ends a chart without data with a sentence saying so.
func closeEmpty(b *strings.Builder, height float64) template.HTML {
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n</svg>\n", num(width/2), num(height/2), noData)
	return template.HTML(b.String())
}
