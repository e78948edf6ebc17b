package chart

import (
	"html/template"
	"math"
	"strings"
)

// Table writes the figures of a chart as a plain HTML table, to show next
// to it (or in a <details> under it): its caption, a header row, then
// rows whose first cell heads the row. Every cell is escaped.
func Table(caption string, header []string, rows [][]string) template.HTML {
	var b strings.Builder
	b.WriteString(`<table class="chart-table">`)
	b.WriteString("<caption>" + text(caption) + "</caption>\n<thead><tr>")
	for _, h := range header {
		b.WriteString(`<th scope="col">` + text(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range rows {
		b.WriteString("<tr>")
		for i, c := range r {
			if i == 0 {
				b.WriteString(`<th scope="row">` + text(c) + "</th>")
				continue
			}
			b.WriteString("<td>" + text(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>\n")
	return template.HTML(b.String())
}

// PointsTable is the table of a Bars or HBars chart: one row per point.
func PointsTable(caption, labelHeader, valueHeader string, points []Point) template.HTML {
	rows := make([][]string, len(points))
	for i, p := range points {
		rows[i] = []string{p.Label, p.valueText()}
	}
	return Table(caption, []string{labelHeader, valueHeader}, rows)
}

// SeriesTable is the table of a Lines chart: one row per label, one
// column per series, "—" where a series has no value.
func SeriesTable(caption, labelHeader string, labels []string, format Format, series ...Series) template.HTML {
	if format == nil {
		format = Number
	}
	header := []string{labelHeader}
	for _, s := range series {
		header = append(header, s.Name)
	}
	rows := make([][]string, len(labels))
	for i, l := range labels {
		rows[i] = []string{l}
		for _, s := range series {
			cell := "—"
			if i < len(s.Values) && !math.IsNaN(s.Values[i]) && !math.IsInf(s.Values[i], 0) {
				cell = format(s.Values[i])
			}
			rows[i] = append(rows[i], cell)
		}
	}
	return Table(caption, header, rows)
}
