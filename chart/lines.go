package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Lines draws one to three series over the same labels, in order (weeks,
// oldest first), as lines with a marker per value, a legend above and a
// value axis on the left written with format (nil: Number). Values are
// written by the markers while there are few of them (16 at most, all
// series together); every marker names its value in its tooltip.
func Lines(title, desc string, labels []string, format Format, series ...Series) template.HTML {
	const (
		height = 300.0
		left   = 58.0
		right  = 20.0
		top    = 40.0
		bottom = 48.0
		pad    = 16.0
	)
	if format == nil {
		format = Number
	}
	series = series[:min(len(series), len(seriesStyles))]
	var b strings.Builder
	svgOpen(&b, height, title, desc, "lines", labels, series)
	var all []float64
	for _, s := range series {
		all = append(all, s.Values...)
	}
	if len(labels) == 0 || !anyFinite(all) {
		return closeEmpty(&b, height)
	}
	base := height - bottom
	sc := niceScale(maxOf(all))
	x := func(i int) float64 {
		if len(labels) == 1 {
			return (left + width - right) / 2
		}
		return left + pad + float64(i)*(width-left-right-2*pad)/float64(len(labels)-1)
	}
	y := func(v float64) float64 { return base - max(0, v)/sc.top*(base-top) }

	legend(&b, series)
	for _, t := range sc.ticks() {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`,
			num(left), num(y(t)), num(width-right), num(y(t)), gridColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", num(left-8), num(y(t)+5), text(format(t)))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>`+"\n",
		num(left), num(base), num(width-right), num(base), textColor)
	show := every(len(labels), 8)
	maxChars := max(3, int(((width-left-right)/float64(len(labels))*float64(show)-4)/charWidth))
	for i, l := range labels {
		if i%show != 0 {
			continue
		}
		for j, line := range wrap(l, maxChars, 2) {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(x(i)), num(base+17*float64(j+1)), text(line))
		}
	}
	b.WriteString("\n")
	writeValues := countFinite(all) <= 16
	for k, s := range series {
		st := seriesStyles[k]
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`+"\n",
			linePath(s.Values, len(labels), x, y), st.color, dashAttr(st.dash))
		for i, v := range s.Values[:min(len(s.Values), len(labels))] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			fmt.Fprintf(&b, `<g><title>%s, %s : %s</title>`, text(labels[i]), text(s.Name), text(format(v)))
			marker(&b, x(i), y(v), k)
			if writeValues {
				ty := y(v) - 10
				if k > 0 && y(v)+22 < base {
					ty = y(v) + 22
				}
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-weight="bold" fill="%s">%s</text>`,
					num(x(i)), num(ty), st.color, text(format(v)))
			}
			b.WriteString("</g>\n")
		}
	}
	b.WriteString("</svg>\n")
	return template.HTML(b.String())
}

// linePath joins the finite values, breaking the line at the others.
func linePath(values []float64, n int, x func(int) float64, y func(float64) float64) string {
	var d strings.Builder
	move := true
	for i, v := range values[:min(len(values), n)] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			move = true
			continue
		}
		cmd := "L"
		if move {
			cmd = "M"
		}
		if d.Len() > 0 {
			d.WriteString(" ")
		}
		fmt.Fprintf(&d, "%s%s %s", cmd, num(x(i)), num(y(v)))
		move = false
	}
	return d.String()
}

// legend names the series above the plot, each with its line and marker.
func legend(b *strings.Builder, series []Series) {
	x := 12.0
	for k, s := range series {
		st := seriesStyles[k]
		fmt.Fprintf(b, `<g><line x1="%s" y1="14" x2="%s" y2="14" stroke="%s" stroke-width="2.5"%s/>`,
			num(x), num(x+28), st.color, dashAttr(st.dash))
		marker(b, x+14, 14, k)
		name := shorten(s.Name, 24)
		fmt.Fprintf(b, `<text x="%s" y="19">%s</text></g>`+"\n", num(x+36), text(name))
		x += 36 + float64(len([]rune(name)))*charWidth + 20
	}
}

// marker draws series k's mark at (x, y): a dot, a square, a diamond.
func marker(b *strings.Builder, x, y float64, k int) {
	st := seriesStyles[k]
	switch {
	case st.square:
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="9" height="9" fill="%s"/>`, num(x-4.5), num(y-4.5), st.color)
	case k == 0:
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="5" fill="%s"/>`, num(x), num(y), st.color)
	default:
		fmt.Fprintf(b, `<path d="M%s %sl5 5-5 5-5-5z" fill="%s"/>`, num(x), num(y-5), st.color)
	}
}

func dashAttr(dash string) string {
	if dash == "" {
		return ""
	}
	return ` stroke-dasharray="` + dash + `"`
}

func anyFinite(values []float64) bool { return countFinite(values) > 0 }

func countFinite(values []float64) int {
	n := 0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			n++
		}
	}
	return n
}
