package simulator

import (
	"strings"
	"testing"
)

func TestCountSegments(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"empty", "", 0},
		{"short", "Bonjour", 1},
		{"GSM-7 160", strings.Repeat("a", 160), 1},
		{"GSM-7 161", strings.Repeat("a", 161), 2},
		{"GSM-7 306", strings.Repeat("a", 306), 2},
		{"GSM-7 307", strings.Repeat("a", 307), 3},
		{"é stays GSM-7", strings.Repeat("é", 160), 1},
		{"accents in GSM-7", "à è é ù ì ò É Ç", 1},
		{"extension counts twice", strings.Repeat("€", 80), 1},
		{"extension over 160", strings.Repeat("€", 81), 2},
		{"ê switches to UCS-2", "ê" + strings.Repeat("a", 69), 1},
		{"UCS-2 71", "ê" + strings.Repeat("a", 70), 2},
		{"UCS-2 134", "ç" + strings.Repeat("a", 133), 2},
		{"UCS-2 135", "ç" + strings.Repeat("a", 134), 3},
		{"curly quote", "l’offre" + strings.Repeat("a", 100), 2},
		{"emoji is two UTF-16 units", strings.Repeat("👍", 35), 1},
		{"emoji over 70 units", strings.Repeat("👍", 36), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := countSegments(tt.body); got != tt.want {
				t.Errorf("countSegments = %d, want %d", got, tt.want)
			}
		})
	}
}
