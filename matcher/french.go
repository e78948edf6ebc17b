package matcher

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// round1 rounds x to one decimal place, the precision shown to people.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// formatKM writes kilometres the French way, to 0.1 and without a useless
// ",0": 12,3 or 30.
func formatKM(km float64) string {
	s := strconv.FormatFloat(round1(km), 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1)
}

// fromTown returns how a distance names the town it is measured from:
// " de Lyon", " d'Orléans", " du Havre" for Le Havre, " des Mureaux" for
// Les Mureaux, or "" when the town is unknown.
func fromTown(town string) string {
	town = strings.TrimSpace(town)
	switch {
	case town == "":
		return ""
	case hasPrefixFold(town, "le "):
		return " du " + town[len("le "):]
	case hasPrefixFold(town, "les "):
		return " des " + town[len("les "):]
	case startsWithVowel(town):
		return " d'" + town
	}
	return " de " + town
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// startsWithVowel reports whether s starts with a vowel, accented or not,
// before which French elides "de". A leading h is not counted: whether it
// elides depends on the word.
func startsWithVowel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	r = unicode.ToLower(r)
	if f := foldLetter(r); f != "" {
		r = rune(f[0])
	}
	return strings.ContainsRune("aeiou", r)
}

// plural returns word with an "s" when n calls for the French plural
// (2 and more; 0 and 1 are singular).
func plural(n int, word string) string {
	if n >= 2 {
		return word + "s"
	}
	return word
}
