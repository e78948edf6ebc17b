package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// The job title search, accent- and case-insensitive without the unaccent
// extension: each word typed is folded (lower case, no accent), then made
// a regular expression that matches a word start in a label with any
// accent on its letters ("boulangere" finds "Boulangère", "oeuf" finds
// "œufs"). The labels are short and few (about 13,000): a scan with those
// expressions takes a few milliseconds.

// searchJobTitles finds the job titles whose label matches every
// expression of $1, or whose ROME code is $2; at most $3 of them. Labels
// starting with the first word come first, then the shortest.
const searchJobTitles = `
SELECT a.id, a.label, a.rome_code, r.label
FROM rome_appellations a JOIN rome_codes r ON r.code = a.rome_code
WHERE a.rome_code = $2
	OR (cardinality($1::text[]) > 0 AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE a.label !~* ('(?:^|' || $4 || ')' || p)))
ORDER BY a.label ~* ('^' || ($1::text[])[1]) DESC, length(a.label), a.label, a.id
LIMIT $3`

// notLetter matches a character that separates words in a label.
const notLetter = `[^0-9A-Za-zÀ-ÖØ-öø-ÿŒœÆæ]`

// SearchJobTitles lists the job titles whose label has a word starting
// with each word of q, accents and case aside, or whose ROME code is q.
func (s *Store) SearchJobTitles(ctx context.Context, q string, limit int) ([]outreach.JobTitle, error) {
	words := strings.Fields(foldWords(q))
	patterns := make([]string, len(words))
	for i, w := range words {
		patterns[i] = wordPattern(w)
	}
	code := strings.ToUpper(strings.TrimSpace(q))
	rows, err := s.db.Query(ctx, searchJobTitles, patterns, code, limit, notLetter)
	if err != nil {
		return nil, translate(err, "search job titles")
	}
	titles, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.JobTitle, error) {
		var t outreach.JobTitle
		err := row.Scan(&t.Appellation, &t.Label, &t.ROMECode, &t.ROMELabel)
		return t, err
	})
	return titles, translate(err, "search job titles")
}

// foldedLetters removes the accents of French letters; ligatures are
// spelt out.
var foldedLetters = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a", "å", "a", "ç", "c",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "í", "i", "ì", "i", "î", "i", "ï", "i", "ñ", "n",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ý", "y", "ÿ", "y", "œ", "oe", "æ", "ae",
)

// foldWords writes s in lower case without accents, every character but
// a-z and 0-9 made a space.
func foldWords(s string) string {
	s = foldedLetters.Replace(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, s)
}

// accentedLetters lists the forms a folded letter may take in a label.
var accentedLetters = map[byte]string{
	'a': "aàâäáãåAÀÂÄÁÃÅ", 'c': "cçCÇ", 'e': "eéèêëEÉÈÊË", 'i': "iíìîïIÍÌÎÏ", 'n': "nñNÑ",
	'o': "oóòôöõOÓÒÔÖÕ", 'u': "uúùûüUÚÙÛÜ", 'y': "yýÿYÝŸ",
}

// wordPattern is the regular expression of a folded word (a-z, 0-9) that
// matches its accented forms, "oe" and "ae" matching the ligatures too.
func wordPattern(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if i+1 < len(w) && w[i+1] == 'e' && (w[i] == 'o' || w[i] == 'a') {
			lig := map[byte]string{'o': "œŒ", 'a': "æÆ"}[w[i]]
			b.WriteString("(?:[" + accentedLetters[w[i]] + "][" + accentedLetters['e'] + "]|[" + lig + "])")
			i++
			continue
		}
		if forms, ok := accentedLetters[w[i]]; ok {
			b.WriteString("[" + forms + "]")
			continue
		}
		b.WriteByte(w[i])
	}
	return b.String()
}
