// Package chart draws the dashboard's charts as inline SVG, server-side,
// without JavaScript nor outside library: vertical bars (a distribution),
// horizontal bars (a comparison with long labels) and lines (a series over
// time). Each chart is an image for assistive technologies (role="img",
// with its <title> and <desc>), writes its values next to the marks, uses
// dark colours on white and dashes besides colour, and scales to the width
// of a phone through its viewBox. Pages show the same figures as a table
// next to it (Table, PointsTable, SeriesTable) for screen readers and for
// whoever wants the exact numbers.
//
// All text given is escaped; values are expected to be zero or more.
package chart

import (
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Point is one labelled value: a bar.
type Point struct {
	Label string
	Value float64
	// Text is the value as written on the chart, e.g. "42 %"; empty:
	// Number(Value).
	Text string
}

// Series is one line of a Lines chart: a value per label, NaN where
// there is none (a rate without any SMS delivered): the line breaks there.
type Series struct {
	Name   string
	Values []float64
}

// Format writes a value for a reader: an axis tick, a label on a mark.
type Format func(float64) string

// Number writes a value the French way, to two decimals at most, after a
// comma ("3", "2,5", "0,25").
func Number(v float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64), ".", ",", 1)
}

// Percent writes a share (0.42) as a French percentage ("42 %", with a
// no-break space).
func Percent(v float64) string {
	return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "\u00a0%"
}

// The drawing: a viewBox this wide, text this large, in these colours
// (contrast with white above 4.5:1, the grid excepted, which only helps).
const (
	width     = 480
	fontSize  = 14
	charWidth = 0.55 * fontSize // an average character, to fit labels
	textColor = "#1a1a1a"
	gridColor = "#b0b0b0"
	noData    = "Pas encore de données"
)

// seriesStyles tell the lines apart by colour, dash and marker.
var seriesStyles = []struct {
	color, dash string
	square      bool
}{
	{"#1f4e79", "", false},
	{"#a33c00", "6 4", true},
	{"#2e6b30", "2 3", false},
}

// svgOpen starts a chart of the given height: the image and its name and
// description, referred to by ids unique to its content.
func svgOpen(b *strings.Builder, height float64, title, desc string, content ...any) {
	h := fnv.New64a()
	fmt.Fprint(h, title, "\x00", desc, "\x00")
	fmt.Fprint(h, content...)
	id := fmt.Sprintf("chart-%x", h.Sum64())
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" width="100%%" role="img" `+
		`aria-labelledby="%s-title %s-desc" class="chart" font-family="system-ui, sans-serif" font-size="%d" fill="%s">`+"\n",
		width, num(height), id, id, fontSize, textColor)
	fmt.Fprintf(b, `<title id="%s-title">%s</title>`+"\n", id, text(title))
	fmt.Fprintf(b, `<desc id="%s-desc">%s</desc>`+"\n", id, text(desc))
}

// scale is a value axis from 0 to top, with a tick every step.
type scale struct{ top, step float64 }

// niceScale fits values up to hi on an axis of round ticks, about four.
func niceScale(hi float64) scale {
	if !(hi > 0) || math.IsInf(hi, 0) {
		return scale{top: 1, step: 0.25}
	}
	raw := hi / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return scale{top: step * math.Ceil(hi/step-1e-9), step: step}
}

// ticks lists the axis values from 0 to top.
func (s scale) ticks() []float64 {
	var out []float64
	for i := 0; float64(i)*s.step <= s.top*(1+1e-9); i++ {
		out = append(out, float64(i)*s.step)
	}
	return out
}

// maxOf is the largest finite value, 0 when none.
func maxOf(values []float64) float64 {
	hi := 0.0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) && v > hi {
			hi = v
		}
	}
	return hi
}

// num writes a coordinate, to a tenth.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// text escapes s for XML and HTML, dropping the characters XML forbids.
func text(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != utf8.RuneError && r != 0xFFFE && r != 0xFFFF) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, ""))
	return html.EscapeString(s)
}

// wrap splits a label into lines of about maxChars, at spaces, at most
// maxLines of them, the last one shortened with "…" if need be.
func wrap(label string, maxChars, maxLines int) []string {
	var lines []string
	for _, w := range strings.Fields(label) {
		n := len(lines)
		if n > 0 && utf8.RuneCountInString(lines[n-1])+1+utf8.RuneCountInString(w) <= maxChars {
			lines[n-1] += " " + w
			continue
		}
		lines = append(lines, w)
	}
	if len(lines) > maxLines {
		lines = append(lines[:maxLines-1], strings.Join(lines[maxLines-1:], " "))
	}
	for i, l := range lines {
		lines[i] = shorten(l, maxChars)
	}
	return lines
}

// shorten cuts s to maxChars characters, ending with "…" when cut.
func shorten(s string, maxChars int) string {
	if utf8.RuneCountInString(s) <= maxChars {
		return s
	}
	r := []rune(s)
	return string(r[:max(maxChars-1, 1)]) + "…"
}

// every says which labels to write so that at most limit show: one in
// every so many.
func every(n, limit int) int {
	return max(1, (n+limit-1)/limit)
}

// valueText is the text of a point's value.
func (p Point) valueText() string {
	if p.Text != "" {
		return p.Text
	}
	return Number(p.Value)
}
