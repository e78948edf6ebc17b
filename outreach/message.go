package outreach

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// OfferSMS is what the SMS proposing an offer to a job seeker says.
type OfferSMS struct {
	AgencyName   string // signs the SMS, e.g. "France Travail"
	FirstName    string
	JobTitle     string
	Town         string
	ContractType string // France Travail code: CDI, CDD, MIS, SAI, LIB, FRA, ALT...
	Reference    string // offer reference, e.g. K4P8M2
}

// maxOfferSegments is the most SMS segments an offer may take;
// maxReminderSegments, its reminder.
const (
	maxOfferSegments    = 2
	maxReminderSegments = 1
)

// ComposeOfferSMS writes the SMS proposing an offer with the built-in
// text, in French:
//
//	Bonjour Marie, France Travail : offre Boulanger (CDI) à Lyon. Intéressé(e) ?
//	Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.
//
// The text is GSM-7 (see ToGSM7) and fits in 2 segments: a long job title is
// shortened first, then the town. Empty fields are left out. Agencies may
// write their own text: see SMSTemplates.
func ComposeOfferSMS(m OfferSMS) string {
	body, err := builtinOffer.Compose(m)
	if err != nil {
		panic("built-in offer SMS: " + err.Error()) // it only prints fields: cannot happen
	}
	return body
}

// ComposeReminderSMS writes the reminder of an offer SMS left unanswered,
// with the built-in text, in one GSM-7 segment:
//
//	Rappel France Travail : Marie, l'offre Boulanger à Lyon vous intéresse ?
//	Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.
//
// Long fields are shortened as in ComposeOfferSMS. Agencies may write their
// own: see SMSTemplates.
func ComposeReminderSMS(m OfferSMS) string {
	body, err := builtinReminder.Compose(m)
	if err != nil {
		panic("built-in reminder SMS: " + err.Error()) // it only prints fields: cannot happen
	}
	return body
}

// offerFields are the GSM-7 parts of an offer SMS, as a template sees them.
type offerFields struct {
	AgencyName, FirstName, JobTitle, Town, Contract, Reference string
}

func newOfferFields(m OfferSMS) offerFields {
	return offerFields{
		AgencyName: cleanField(m.AgencyName),
		FirstName:  cleanField(m.FirstName),
		JobTitle:   cleanField(m.JobTitle),
		Town:       cleanField(m.Town),
		Contract:   cleanField(ContractLabel(m.ContractType)),
		Reference:  cleanField(m.Reference),
	}
}

// shortenToFit shortens the fields of f, in this order, until fits
// reports that the SMS fits. Later steps only matter for absurdly long
// names.
func (f *offerFields) shortenToFit(fits func() bool) {
	steps := []struct {
		field *string
		min   int
	}{
		{&f.JobTitle, 20}, {&f.Town, 15}, {&f.JobTitle, 10}, {&f.Town, 0},
		{&f.FirstName, 15}, {&f.AgencyName, 20}, {&f.Contract, 0}, {&f.FirstName, 0}, {&f.AgencyName, 10}, {&f.Reference, 8},
	}
	for _, s := range steps {
		if fits() {
			return
		}
		shorten(s.field, s.min, fits)
	}
}

// shorten cuts *field to the most runes, but no fewer than min, for which
// fits holds (binary search: fewer runes never take more room).
func shorten(field *string, min int, fits func() bool) {
	full := *field
	lo, hi := min, utf8.RuneCountInString(full) // the answer is in [lo, hi]
	for lo < hi {
		mid := (lo + hi + 1) / 2
		*field = ellipsis(full, mid)
		if fits() {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	*field = ellipsis(full, lo)
}

// ellipsis keeps at most the first n runes of s, marking the cut with
// "...". It cuts after a whole word when one ends in the last few runes.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n > 0 && r[n] != ' ' && r[n-1] != ' ' {
		for j := n - 1; j > 0 && j >= n-12; j-- {
			if r[j] == ' ' {
				n = j
				break
			}
		}
	}
	cut := strings.TrimRight(string(r[:n]), " ,;:-/(.")
	if cut == "" {
		return ""
	}
	return cut + "..."
}

// cleanField makes one line of GSM-7 text of s.
func cleanField(s string) string {
	return strings.Join(strings.Fields(ToGSM7(s)), " ")
}

// contractLabels are the words job seekers know for France Travail's
// contract codes.
var contractLabels = map[string]string{
	"CDI": "CDI", "CDD": "CDD", "MIS": "intérim", "SAI": "saisonnier",
	"LIB": "libéral", "FRA": "franchise", "ALT": "alternance",
}

// ContractLabel turns a France Travail contract code (CDI, MIS, SAI...) into
// the word for it in an SMS; unknown codes are returned as they are.
func ContractLabel(code string) string {
	if label, ok := contractLabels[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return label
	}
	return strings.TrimSpace(code)
}

// ComposeReplyConfirmation writes the SMS sent back after a reply with the
// given intent, signed by agencyName when it is not empty. Each fits in one
// GSM-7 segment for an agency name of a reasonable length.
func ComposeReplyConfirmation(intent Intent, agencyName string) string {
	agency := cleanField(agencyName)
	var s string
	switch intent {
	case IntentYes:
		s = "Merci ! Votre conseiller" + prefixed(" ", agency) +
			" a bien noté que l'offre vous intéresse et revient vers vous rapidement."
	case IntentNo:
		s = "C'est noté, merci de votre réponse."
	case IntentStop:
		from := "de notre part"
		if agency != "" {
			from = "de " + agency
		}
		s = "Vous ne recevrez plus de SMS " + from + ". Pour vous réinscrire, répondez START."
	case IntentStart:
		s = "Vous recevrez à nouveau nos offres par SMS. STOP pour vous désinscrire."
		if agency != "" {
			s = agency + " : vous recevrez à nouveau nos offres par SMS. STOP pour vous désinscrire."
		}
	case IntentHelp:
		head := "Offres d'emploi par SMS."
		if agency != "" {
			head = agency + " : offres d'emploi par SMS."
		}
		s = head + " Répondez OUI ou NON avec la référence de l'offre. STOP pour ne plus recevoir de SMS."
	default:
		s = "Nous n'avons pas compris. Répondez OUI ou NON avec la référence de l'offre." +
			" Votre message a été transmis à votre conseiller."
	}
	return ToGSM7(s)
}

// ComposeLateReplyConfirmation writes the SMS sent back after an answer
// (yes, no or unclear) that came once the offer's campaign was closed: it
// no longer counts, but the counsellor reads it.
func ComposeLateReplyConfirmation(agencyName string) string {
	return ToGSM7("Merci. Les réponses à cette offre sont closes : votre message a été transmis à votre conseiller" +
		prefixed(" ", cleanField(agencyName)) + ".")
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// gsm7Basic is the GSM 03.38 default alphabet (one septet each), without
// the escape code.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension is the GSM 03.38 extension table: two septets each (escape
// and the character).
const gsm7Extension = "\f^{}\\[~]|€"

// gsm7Septets returns how many septets r takes in GSM-7, or 0 if r is not
// in GSM-7.
func gsm7Septets(r rune) int {
	switch {
	case strings.ContainsRune(gsm7Basic, r):
		return 1
	case strings.ContainsRune(gsm7Extension, r):
		return 2
	}
	return 0
}

// IsGSM7 reports whether s can be sent in the GSM-7 alphabet (basic or
// extension table), so that an SMS holds 160 characters rather than 70.
func IsGSM7(s string) bool {
	for _, r := range s {
		if gsm7Septets(r) == 0 {
			return false
		}
	}
	return true
}

// SMSSegments returns the encoding an SMS with body s is sent in, "GSM-7" or
// "UCS-2", and how many segments it is billed as. GSM-7 holds 160 septets in
// a single SMS, 153 per part when concatenated; extension characters
// (^ { } \ [ ~ ] | €) take two septets and are never split across parts.
// UCS-2 holds 70 UTF-16 code units, 67 per part, so an emoji counts as two;
// a surrogate pair is never split. An empty body is one segment.
func SMSSegments(s string) (encoding string, segments int) {
	if IsGSM7(s) {
		return "GSM-7", countSegments(s, 160, 153, gsm7Septets)
	}
	return "UCS-2", countSegments(s, 70, 67, utf16.RuneLen)
}

// countSegments packs the runes of s into parts of per units (single if the
// total fits in single), size giving the units of each rune.
func countSegments(s string, single, per int, size func(rune) int) int {
	total := 0
	for _, r := range s {
		total += size(r)
	}
	if total <= single {
		return 1
	}
	parts, used := 1, 0
	for _, r := range s {
		n := size(r)
		if used+n > per {
			parts, used = parts+1, 0
		}
		used += n
	}
	return parts
}

// ToGSM7 rewrites s in the GSM-7 alphabet, so that an SMS is not billed as
// UCS-2: letters outside it lose their accent (ç→c, ê→e, â→a, î→i, ô→o,
// û→u, ë→e, ï→i, œ→oe; accepted practice in French SMS), typographic quotes
// and dashes become ASCII, non-breaking spaces become spaces and "…" becomes
// "...". é è à ù ì ò É Ç Ä Ö Ü ä ö ü ñ ß æ Æ are GSM-7 and kept. Other
// letters and digits become "?"; emoji and other symbols are dropped.
func ToGSM7(s string) string {
	if IsGSM7(s) {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if i+1 < len(rs) && unicode.Is(unicode.Mn, rs[i+1]) {
			// A decomposed letter: keep it composed when GSM-7 has it.
			if c, ok := composeGSM7[[2]rune{r, rs[i+1]}]; ok {
				r = c
			}
			i++
			for i+1 < len(rs) && unicode.Is(unicode.Mn, rs[i+1]) {
				i++
			}
		}
		switch t, ok := toGSM7[r]; {
		case gsm7Septets(r) > 0:
			b.WriteRune(r)
		case ok:
			b.WriteString(t)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteByte('?')
		}
	}
	return b.String()
}

// toGSM7 gives the closest GSM-7 text for common characters outside it.
var toGSM7 = map[rune]string{
	'ç': "c", 'â': "a", 'ê': "e", 'î': "i", 'ô': "o", 'û': "u", 'ë': "e", 'ï': "i", 'ÿ': "y",
	'á': "a", 'ã': "a", 'í': "i", 'ó': "o", 'õ': "o", 'ú': "u", 'ý': "y", 'ā': "a", 'ē': "e",
	'À': "A", 'Â': "A", 'Á': "A", 'Ã': "A", 'È': "E", 'Ê': "E", 'Ë': "E", 'Î': "I", 'Ï': "I",
	'Í': "I", 'Ì': "I", 'Ô': "O", 'Ó': "O", 'Ò': "O", 'Õ': "O", 'Ù': "U", 'Û': "U", 'Ú': "U",
	'Ÿ': "Y", 'Ý': "Y",
	'œ': "oe", 'Œ': "OE", 'ł': "l", 'Ł': "L", 'ș': "s", 'ş': "s", 'š': "s", 'Š': "S", 'ž': "z",
	'Ž': "Z", 'č': "c", 'Č': "C", 'ć': "c", 'ń': "n", 'ğ': "g", 'ı': "i", 'ă': "a", 'ț': "t",
	'‘': "'", '’': "'", '‚': "'", '‛': "'", 'ʼ': "'", '′': "'", '`': "'", '´': "'",
	'“': "\"", '”': "\"", '„': "\"", '«': "\"", '»': "\"", '″': "\"",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'\u00a0': " ", '\u202f': " ", '\u2009': " ", '\u2007': " ", '\t': " ",
	'…': "...", '•': "-", '·': ".", '°': "o", 'º': "o", 'ª': "a", '×': "x",
	'²': "2", '³': "3", '½': "1/2", '¼': "1/4", '¾': "3/4",
}

// composeGSM7 joins a letter and a combining accent into the GSM-7 letter.
var composeGSM7 = map[[2]rune]rune{
	{'e', '\u0301'}: 'é', {'e', '\u0300'}: 'è', {'a', '\u0300'}: 'à', {'u', '\u0300'}: 'ù',
	{'i', '\u0300'}: 'ì', {'o', '\u0300'}: 'ò', {'E', '\u0301'}: 'É', {'C', '\u0327'}: 'Ç',
	{'a', '\u0308'}: 'ä', {'o', '\u0308'}: 'ö', {'u', '\u0308'}: 'ü', {'A', '\u0308'}: 'Ä',
	{'O', '\u0308'}: 'Ö', {'U', '\u0308'}: 'Ü', {'n', '\u0303'}: 'ñ', {'N', '\u0303'}: 'Ñ',
	{'a', '\u030a'}: 'å', {'A', '\u030a'}: 'Å',
}
