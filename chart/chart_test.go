package chart_test

import (
	"encoding/xml"
	"errors"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var nan = math.NaN()

// TestGolden compares each chart with its golden file (go test -update
// rewrites them; look at them in a browser before committing), and checks
// that it is well-formed XML, an image named and described for assistive
// technologies.
func TestGolden(t *testing.T) {
	delays := []chart.Point{{Label: "0-5 min", Value: 12}, {Label: "5-15 min", Value: 9}, {Label: "15-30 min", Value: 7}, {Label: "30-60 min", Value: 4},
		{Label: "1-2 h", Value: 3}, {Label: "2-6 h", Value: 2}, {Label: "6-24 h", Value: 1}, {Label: "plus de 24 h", Value: 0}}
	weeks := []string{"2 mars", "9 mars", "16 mars", "23 mars", "30 mars"}
	rates := []chart.Series{
		{Name: "Taux de réponse", Values: []float64{0.8, 0.65, nan, 0.72, 1}},
		{Name: "Taux d'intérêt", Values: []float64{0.75, 0, nan, 0.4, 0.5}},
	}
	many := make([]string, 26)
	sent := make([]float64, 26)
	for i := range many {
		many[i] = "S" + chart.Number(float64(i+1))
		sent[i] = float64((i * 37) % 90)
	}
	tests := []struct {
		name string
		got  template.HTML
	}{
		{"bars_reply_delays.svg", chart.Bars("Délai de première réponse",
			"Nombre de réponses selon le délai après l'envoi du SMS ; la moitié des réponses arrive en moins de 15 minutes.", delays)},
		{"bars_spread.svg", chart.Bars("SMS par demandeur d'emploi", "Demandeurs d'emploi selon le nombre de SMS reçus.",
			[]chart.Point{{Label: "1", Value: 40}, {Label: "2", Value: 12}, {Label: "3", Value: 3}, {Label: "4 et +", Value: 1}})},
		{"bars_empty.svg", chart.Bars("Délai de première réponse", "Aucune réponse sur la période.", nil)},
		{"bars_zero.svg", chart.Bars("Échecs", "Aucun échec.", []chart.Point{{Label: "Semaine 10", Value: 0}})},
		{"hbars_offers.svg", chart.HBars("Taux de réponse par offre", "Part des SMS délivrés qui ont reçu une réponse, par offre.",
			[]chart.Point{{Label: "Boulanger (K4P8M2)", Value: 0.8, Text: "80\u00a0%"},
				{Label: "Vendeur en boulangerie-pâtisserie, temps partiel (H7T2Q9)", Value: 0.5, Text: "50\u00a0%"},
				{Label: "Serveur (Z3X9W1)", Value: 0, Text: "0\u00a0%"}})},
		{"lines_rates.svg", chart.Lines("Taux par semaine", "Taux de réponse et d'intérêt des SMS envoyés chaque semaine.",
			weeks, chart.Percent, rates...)},
		{"lines_many_weeks.svg", chart.Lines("SMS envoyés par semaine", "SMS envoyés chaque semaine sur six mois.", many, nil,
			chart.Series{Name: "SMS envoyés", Values: sent})},
		{"lines_one_week.svg", chart.Lines("Délai médian", "Délai médian de première réponse, en minutes.", []string{"2 mars"},
			func(v float64) string { return chart.Number(v) + " min" }, chart.Series{Name: "Délai médian", Values: []float64{25}})},
		{"lines_empty.svg", chart.Lines("Taux par semaine", "Pas de SMS.", weeks, chart.Percent,
			chart.Series{Name: "Taux de réponse", Values: []float64{nan, nan, nan, nan, nan}})},
		{"table_rates.html", chart.SeriesTable("Taux par semaine", "Semaine", weeks, chart.Percent, rates...)},
		{"table_delays.html", chart.PointsTable("Délai de première réponse", "Délai", "Réponses", delays)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.got)
			if err := wellFormed(got); err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, got)
			}
			if strings.HasSuffix(tt.name, ".svg") {
				checkImage(t, got)
			}
			golden := filepath.Join("testdata", tt.name)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./chart -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from its golden file (go test ./chart -update, then look at the diff)\ngot:\n%s", tt.name, got)
			}
		})
	}
}

// TestEscaping: text given to a chart never becomes markup, and
// characters XML forbids are dropped rather than breaking the image.
func TestEscaping(t *testing.T) {
	evil := `<script>alert("x")</script> & 'co'` + "\x00\x1b"
	pts := []chart.Point{{Label: evil, Value: 3, Text: evil}, {Label: "ok", Value: 1}}
	outputs := map[string]template.HTML{
		"Bars":        chart.Bars(evil, evil, pts),
		"HBars":       chart.HBars(evil, evil, pts),
		"Lines":       chart.Lines(evil, evil, []string{evil, "b"}, nil, chart.Series{Name: evil, Values: []float64{1, 2}}),
		"Table":       chart.Table(evil, []string{evil}, [][]string{{evil, evil}}),
		"PointsTable": chart.PointsTable(evil, evil, evil, pts),
	}
	for name, out := range outputs {
		s := string(out)
		if strings.Contains(strings.ToLower(s), "<script") || strings.Contains(s, "\x00") {
			t.Errorf("%s lets markup or NUL through:\n%s", name, s)
		}
		if !strings.Contains(s, "&lt;script&gt;") {
			t.Errorf("%s lost the escaped text:\n%s", name, s)
		}
		if err := wellFormed(s); err != nil {
			t.Errorf("%s: not well-formed XML: %v\n%s", name, err, s)
		}
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{chart.Number(3), "3"},
		{chart.Number(2.5), "2,5"},
		{chart.Number(0.125), "0,13"},
		{chart.Number(0.25), "0,25"},
		{chart.Number(1234), "1234"},
		{chart.Percent(0.42), "42\u00a0%"},
		{chart.Percent(0.8333), "83\u00a0%"},
		{chart.Percent(1), "100\u00a0%"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestLinesAxis: the value axis rises by round steps to just above the
// largest value.
func TestLinesAxis(t *testing.T) {
	tests := []struct {
		values []float64
		format chart.Format
		ticks  []string
	}{
		{[]float64{3, 1}, nil, []string{"0", "1", "2", "3"}},
		{[]float64{0.42, 0.1}, chart.Percent, []string{"0\u00a0%", "20\u00a0%", "40\u00a0%", "60\u00a0%"}},
		{[]float64{0, 0}, nil, []string{"0", "0,25", "0,5", "0,75", "1"}},
		{[]float64{970}, nil, []string{"0", "250", "500", "750", "1000"}},
	}
	for _, tt := range tests {
		out := string(chart.Lines("t", "d", make([]string, len(tt.values)), tt.format,
			chart.Series{Name: "s", Values: tt.values}))
		ticks := textsWith(t, out, "end")
		if !slices.Equal(ticks, tt.ticks) {
			t.Errorf("values %v: ticks %q, want %q", tt.values, ticks, tt.ticks)
		}
	}
}

// textsWith returns the <text> contents anchored at anchor, in order.
func textsWith(t *testing.T, svg, anchor string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var out []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "text" || attr(se, "text-anchor") != anchor {
			continue
		}
		var s string
		if err := d.DecodeElement(&s, &se); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader("<root>" + s + "</root>"))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// checkImage checks that the SVG is an image whose name and description
// are its <title> and <desc>, and that it scales (viewBox, no fixed size).
func checkImage(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var root xml.StartElement
	ids := map[string]string{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root.Name.Local == "" {
			root = se
		}
		if id := attr(se, "id"); id != "" {
			ids[id] = se.Name.Local
		}
	}
	if root.Name.Local != "svg" || attr(root, "role") != "img" || attr(root, "viewBox") == "" || attr(root, "width") != "100%" {
		t.Errorf("root %v: want <svg role=img viewBox=… width=100%%>", root)
	}
	labelled := strings.Fields(attr(root, "aria-labelledby"))
	if len(labelled) != 2 || ids[labelled[0]] != "title" || ids[labelled[1]] != "desc" {
		t.Errorf("aria-labelledby %q, want the ids of its <title> and <desc> (found %v)", labelled, ids)
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
