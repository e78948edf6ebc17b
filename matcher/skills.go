package matcher

import (
	"unicode"
	"unicode/utf8"
)

// NormalizeSkill returns the form under which skill labels are compared:
// lower case, accents stripped, typographic apostrophes made plain, runs of
// white space collapsed to one space, and trimmed. "  Hygiène  Alimentaire"
// becomes "hygiene alimentaire" and "Règles d’hygiène" "regles d'hygiene".
func NormalizeSkill(s string) string {
	if isNormalSkill(s) {
		return s
	}
	return string(appendNormalSkill(make([]byte, 0, len(s)), s))
}

// appendNormalSkill appends NormalizeSkill(s) to dst, so that a caller with
// a buffer to reuse can normalise without allocating.
func appendNormalSkill(dst []byte, s string) []byte {
	start := len(dst)
	space := false // a space is owed before the next letter
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = len(dst) > start
			continue
		case unicode.Is(unicode.Mn, r): // combining accent of decomposed text
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		r = unicode.ToLower(r)
		if f := foldLetter(r); f != "" {
			dst = append(dst, f...)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// isNormalSkill reports whether NormalizeSkill would return s unchanged
// without looking at it closely: plain ASCII with no capitals and single
// inner spaces. Labels stored already normalised then cost no allocation.
func isNormalSkill(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80, 'A' <= c && c <= 'Z', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

// foldLetter returns the plain letters for a lower-case accented letter or
// ligature of the Latin alphabets, a plain apostrophe for a typographic one,
// and "" for anything else.
func foldLetter(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return "a"
	case 'ç', 'ć', 'ĉ', 'ċ', 'č':
		return "c"
	case 'ď', 'đ':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě':
		return "e"
	case 'ĝ', 'ğ', 'ġ', 'ģ':
		return "g"
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı':
		return "i"
	case 'ł', 'ľ', 'ĺ', 'ļ':
		return "l"
	case 'ñ', 'ń', 'ň', 'ņ':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő':
		return "o"
	case 'ŕ', 'ř', 'ŗ':
		return "r"
	case 'ś', 'ŝ', 'ş', 'š':
		return "s"
	case 'ţ', 'ť':
		return "t"
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų':
		return "u"
	case 'ý', 'ÿ', 'ŷ':
		return "y"
	case 'ź', 'ż', 'ž':
		return "z"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ß':
		return "ss"
	case '’', '‘', 'ʼ':
		return "'"
	}
	return ""
}
