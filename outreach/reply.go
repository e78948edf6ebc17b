package outreach

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// How ParseReply reads an SMS.
//
// Job seekers answer from all kinds of phones, in French, with typos, so the
// body is first reduced to plain words:
//
//   - Offer references (see IsOfferReference), in any case and anywhere, are
//     taken out; the first one becomes ParsedReply.OfferRef.
//   - The rest is lower-cased and accents are stripped (é→e, ç→c, œ→oe).
//   - Apostrophes, punctuation and symbols separate words ("j'ai" is "j ai").
//     A "?" marks the message as a question.
//   - 👍 👌 ✅ ✔ read as "oui", 👎 ❌ as "non"; other emoji are ignored.
//   - Repeated letters count once ("ouiii", "nonnn", "stooop"); "nn" is "non".
//     Words from the tables below get the same treatment, so "interessee"
//     and "intéréssé" are the same word. The tables hold the SMS spellings
//     of their words too ("jsuis", "chui", "pr", "d'acc", "nan", "g trouvé").
//
// Then the first matching rule wins:
//
//  1. STOP (IntentStop), opting out of all SMS: the message starts with
//     stop, stop sms, stopall, arret, arreter, arretez, desinscrire,
//     desinscription, desabonner, unsubscribe, end, quit, cancel or "ne plus
//     recevoir" (but not "arrêt maladie" nor "arrêt de travail"); or it
//     contains an unmistakable opt-out phrase anywhere ("je ne veux plus
//     recevoir", "me désinscrire", "plus de SMS"...); or "stop" is a word of a
//     message of at most 5 words, or its last word. When in doubt about an
//     opt-out we honour it: the job seeker can send START.
//  2. START (IntentStart): the whole message, courtesy words aside, is start,
//     unstop, "je veux recevoir" or "me réinscrire".
//  3. HELP (IntentHelp): the whole message, courtesy words aside, is aide,
//     help or info(s).
//  4. NO and YES. Each word or phrase is one of: a yes ("oui", "ouais",
//     "yes", "bien sûr", "pas de souci", "1" when alone...), a yes that a
//     negation turns into a no ("intéressé(e)", "dispo", "partant(e)",
//     "ok", "d'accord", "volontiers"), a no ("non", "nope", "non merci",
//     "pas intéressé", "pas dispo", "pas pour moi", "déjà en poste", "j'ai
//     trouvé", "2" when alone...), a negation ("ne", "n'", "pas", "plus",
//     "jamais"), a condition ("mais", "sauf", "si", "seulement",
//     "peut-être"...), a question word ("où", "quand", "combien"...), a
//     neutral word ("je", "suis", "merci", "bonjour", "poste", "offre",
//     "très"...), or unknown. Unknown words after a sign-off ("cordialement",
//     "bonne journée") are a signature and count as neutral. Then:
//     - a question ("?" or a question word) or a condition: unclear, the
//     counsellor must read it ("oui mais pas le samedi");
//     - with a negation, negatable yeses become noes ("ça ne m'intéresse
//     pas", "non je ne suis pas dispo"); a plain yes next to a negation is
//     unclear ("oui je n'ai pas de voiture");
//     - a plain yes and a no together: unclear ("oui non");
//     - a no word or phrase: NO, even next to negatable yeses ("ok, non
//     merci", "pas du tout intéressé") or unknown words ("non je ne cherche
//     plus");
//     - negated yeses alone, with only neutral words: NO;
//     - yeses with only neutral words: YES. An unknown word makes it unclear,
//     because we never guess a yes ("oui je suis dispo lundi" goes to the
//     counsellor as unclear; "ui" and "oiu" are unclear).
//  5. Anything else, including an empty message: IntentUnclear.
//
// A message naming two different offer references is never a yes or a no:
// the counsellor has to sort it out.

// ParseReply understands the body of an SMS from a job seeker: what they ask
// for and which offer it is about. It never fails: what it cannot read is
// IntentUnclear, for the counsellor to read.
func ParseReply(body string) ParsedReply {
	ref, refs, rest := extractOfferRefs(body)
	words, question := replyWords(rest)
	reply := ParsedReply{Intent: IntentUnclear, OfferRef: ref}
	switch {
	case isStop(words):
		reply.Intent = IntentStop
	case onlyPhrase(words, startPhrases):
		reply.Intent = IntentStart
	case onlyPhrase(words, helpPhrases):
		reply.Intent = IntentHelp
	case refs <= 1:
		reply.Intent = yesOrNo(words, question)
	}
	return reply
}

// offerRefLetters are the letters of an offer reference: no I or O, which
// read like 1 and 0.
const offerRefLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

// IsOfferReference reports whether s is an offer reference as printed in SMS:
// six upper-case characters alternating letter and digit, "K4P8M2", with
// letters from A-Z but I and O and digits from 2 to 9, so that none can be
// misread.
func IsOfferReference(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if i%2 == 0 && strings.IndexByte(offerRefLetters, s[i]) < 0 {
			return false
		}
		if i%2 == 1 && (s[i] < '2' || s[i] > '9') {
			return false
		}
	}
	return true
}

// NewOfferReference draws a new offer reference (see IsOfferReference) from
// the random bytes of r; pass crypto/rand.Reader in production. There are
// 24³×8³ ≈ 7 million references: callers must still check uniqueness.
func NewOfferReference(r io.Reader) (string, error) {
	ref := make([]byte, 0, 6)
	var buf [16]byte
	for len(ref) < 6 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("new offer reference: %w", err)
		}
		for _, b := range buf {
			if len(ref) == 6 {
				break
			}
			if len(ref)%2 == 1 {
				ref = append(ref, '2'+b%8) // 256 is a multiple of 8: no bias
				continue
			}
			if b < 240 { // 240 = 10×24: drop the rest to avoid bias
				ref = append(ref, offerRefLetters[b%24])
			}
		}
	}
	return string(ref), nil
}

// extractOfferRefs finds the offer references in body, as whole words in any
// case. It returns the first (upper case), how many different ones there
// are, and body with all of them blanked out.
func extractOfferRefs(body string) (first string, distinct int, rest string) {
	var b strings.Builder
	seen := map[string]bool{}
	start := -1
	flush := func(end int) {
		word := body[start:end]
		if up := strings.ToUpper(word); IsOfferReference(up) {
			if first == "" {
				first = up
			}
			if !seen[up] {
				seen[up] = true
				distinct++
			}
			word = " "
		}
		b.WriteString(word)
		start = -1
	}
	for i, r := range body {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			flush(i)
		}
		if !inWord {
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		flush(len(body))
	}
	return first, distinct, b.String()
}

// replyWords reduces an SMS body to plain words (see the grammar above) and
// reports whether it asks a question.
func replyWords(s string) (words []string, question bool) {
	var word []rune
	end := func() {
		if len(word) > 0 {
			words = append(words, squeezeWord(word))
			word = word[:0]
		}
	}
	for _, r := range s {
		if w, ok := replyEmoji[r]; ok {
			end()
			words = append(words, w)
			continue
		}
		r = unicode.ToLower(r)
		switch {
		case r == '?' || r == '¿':
			question = true
			end()
		case (r == '°' || r == 'º') && string(word) == "n":
			word = append(word[:0], []rune("numero")...)
		case unicode.Is(unicode.Mn, r): // combining accent of a decomposed letter
		case foldAccent[r] != "":
			word = append(word, []rune(foldAccent[r])...)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, r)
		default:
			end()
		}
	}
	end()
	return words, question
}

// squeezeWord counts repeated letters once ("ouiii" is "oui"); a word of
// only n's ("nn") is "non". Digits are left alone: "11" is not "1".
func squeezeWord(w []rune) string {
	if len(w) >= 2 && strings.Trim(string(w), "n") == "" {
		return "non"
	}
	out := make([]rune, 0, len(w))
	for i, r := range w {
		if i > 0 && r == w[i-1] && unicode.IsLetter(r) {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// replyEmoji are the emoji that mean something in a reply.
var replyEmoji = map[rune]string{
	'👍': "oui", '👌': "oui", '✅': "oui", '✔': "oui",
	'👎': "non", '❌': "non",
}

// foldAccent maps lower-case accented letters to plain ones.
var foldAccent = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// replyKind is what a word or phrase of a reply says.
type replyKind int

const (
	kindUnknown  replyKind = iota
	kindNeutral            // courtesy and filler: "je", "merci", "poste"
	kindSignOff            // "cordialement": unknown words after it are a signature
	kindYes                // "oui", "bien sûr"
	kindSoftYes            // a yes that a negation turns into a no: "intéressé"
	kindNo                 // "non", "pas dispo"
	kindNeg                // "ne", "pas"
	kindCond               // "mais", "sauf": a condition for the counsellor
	kindQuestion           // "où", "quand"
	kindDigitYes           // "1", a yes only when alone
	kindDigitNo            // "2", a no only when alone
)

// phrase is a sequence of normalised words.
type phrase []string

// phrases normalises each of ps like a reply body.
func phrases(ps ...string) []phrase {
	out := make([]phrase, len(ps))
	for i, p := range ps {
		out[i], _ = replyWords(p)
	}
	return out
}

func (p phrase) prefixOf(words []string) bool {
	if len(p) > len(words) {
		return false
	}
	for i := range p {
		if p[i] != words[i] {
			return false
		}
	}
	return true
}

var (
	stopPrefixes = phrases("stop", "stop sms", "stopsms", "stopall", "arret", "arrete", "arreter",
		"arretez", "desinscrire", "desinscription", "desinscrivez", "desabonner", "desabonnez",
		"desabonnement", "unsubscribe", "end", "quit", "cancel", "ne plus recevoir")
	notStopPrefixes = phrases("arrêt maladie", "arrêt de travail", "arrêt de bus", "arrêt de tram")
	stopAnywhere    = phrases("ne plus recevoir", "plus recevoir", "plus m'envoyer", "plus me contacter",
		"plus de sms", "stop sms", "stopall", "désinscrire", "désinscrivez", "désinscription",
		"désabonner", "désabonnez", "unsubscribe", "arrêtez de m'envoyer", "arrêter de m'envoyer",
		"arrêtez les sms", "arrêt des sms", "retirez moi", "me retirer de", "supprimez mon numéro",
		"supprimer mon numéro")
	startPhrases = phrases("start", "start sms", "unstop", "je veux recevoir", "je veux recevoir les sms",
		"je veux recevoir les offres", "je veux recevoir vos sms", "je veux recevoir vos offres",
		"je veux à nouveau recevoir", "je veux de nouveau recevoir", "réinscrire", "me réinscrire",
		"je veux me réinscrire", "réinscription")
	helpPhrases = phrases("aide", "help", "info", "infos", "information", "informations", "aidez moi")
	courtesy    = phrases("merci", "merci beaucoup", "svp", "stp", "s'il vous plaît", "s'il te plaît",
		"bonjour", "bonsoir", "salut", "bjr", "slt", "cordialement")
)

// isStop applies rule 1 of the grammar.
func isStop(words []string) bool {
	if hasPrefix(words, stopPrefixes) && !hasPrefix(words, notStopPrefixes) {
		return true
	}
	for i, w := range words {
		if w == "stop" && (len(words) <= 5 || i == len(words)-1) {
			return true
		}
		if hasPrefix(words[i:], stopAnywhere) {
			return true
		}
	}
	return false
}

func hasPrefix(words []string, ps []phrase) bool {
	for _, p := range ps {
		if p.prefixOf(words) {
			return true
		}
	}
	return false
}

// onlyPhrase reports whether words, courtesy phrases aside, are exactly one
// of ps.
func onlyPhrase(words []string, ps []phrase) bool {
	rest := make([]string, 0, len(words))
	for i := 0; i < len(words); {
		if n := longestMatch(words[i:], courtesy); n > 0 {
			i += n
			continue
		}
		rest = append(rest, words[i])
		i++
	}
	for _, p := range ps {
		if len(p) == len(rest) && p.prefixOf(rest) {
			return true
		}
	}
	return false
}

// longestMatch returns the length of the longest of ps that words start
// with, or 0.
func longestMatch(words []string, ps []phrase) int {
	best := 0
	for _, p := range ps {
		if len(p) > best && p.prefixOf(words) {
			best = len(p)
		}
	}
	return best
}

// replyLexicon gives the kind of the words and phrases of yes/no answers.
// Phrases win over the single words they contain: "pas de souci" is a yes,
// "pas intéressé" a no.
var replyLexicon = map[replyKind][]phrase{
	kindYes: phrases("oui", "ouai", "ouais", "ouaip", "ouep", "yes", "yep", "yeah", "bien sûr",
		"avec plaisir", "pas de souci", "pas de soucis", "pas de problème", "pas de pb", "sans problème",
		"sans souci", "aucun problème", "aucun souci", "tout à fait", "absolument", "évidemment",
		"carrément", "je prends"),
	kindSoftYes: phrases("ok", "oki", "okay", "okey", "oké", "d'accord", "daccord", "dac", "dak",
		"intéressé", "intéressés", "intéresser", "intéressée", "intéressées", "intéresse", "intresse",
		"partant", "partante", "partants", "partantes", "dispo", "dispos", "disponible", "disponibles",
		"volontiers", "motivé", "motivée", "ça me va", "ça marche", "ça me convient", "me convient",
		"c'est bon", "je veux bien", "d'acc"),
	kindNo: phrases("non", "nan", "no", "nope", "nop", "pas intéressé", "pas intéressée", "pas intéressant",
		"pas dispo", "pas disponible", "pas libre", "indisponible", "pas pour moi", "déjà en poste",
		"j'ai trouvé", "ai trouvé", "déjà trouvé", "déjà un emploi", "déjà un travail", "déjà un poste",
		"déjà un job", "déjà embauché", "déjà embauchée", "travaille déjà", "pas pour l'instant",
		"pas pour le moment", "pas maintenant", "plus en recherche", "plus à la recherche",
		"plus intéressé", "plus intéressée", "plus dispo", "aucun intérêt", "ne m'intéresse pas",
		"pas du tout", "jai trouvé", "g trouvé"),
	kindNeg: phrases("ne", "n", "pas", "plus", "jamais", "aucun", "aucune"),
	kindCond: phrases("mais", "sauf", "si", "seulement", "uniquement", "condition", "cependant",
		"toutefois", "par contre", "peut-être", "juste", "dépend", "réserve", "hésite", "sinon"),
	kindQuestion: phrases("où", "quand", "comment", "combien", "pourquoi", "quel", "quelle", "quels",
		"quelles", "qui", "quoi", "lequel", "laquelle", "est-ce que"),
	kindSignOff: phrases("cordialement", "bien cordialement", "cdlt", "cdt", "bien à vous",
		"bonne journée", "bonne soirée", "bonne fin de journée", "à bientôt"),
	kindNeutral: phrases("je", "j", "suis", "serais", "serai", "moi", "me", "m", "ça", "sa", "c", "cela",
		"est", "être", "très", "vraiment", "bien", "toujours", "aussi", "tout", "merci", "beaucoup",
		"bcp", "bonjour", "bonsoir", "salut", "bjr", "slt", "madame", "monsieur", "mme", "mr", "pour",
		"par", "le", "la", "l", "les", "de", "d", "du", "des", "un", "une", "ce", "cet", "cette", "à",
		"au", "et", "en", "vous", "votre", "vos", "poste", "offre", "offres", "emploi", "travail",
		"job", "boulot", "proposition", "annonce", "mission", "message", "sms", "réf", "référence",
		"numéro", "num", "svp", "stp", "s'il vous plaît", "e", "quand même", "mais merci", "super",
		"parfait", "top", "génial", "cool", "jsuis", "chui", "chuis", "pr"),
	kindDigitYes: phrases("1"),
	kindDigitNo:  phrases("2"),
}

// lexReply gives the kind of each word or phrase of words, longest phrases
// first.
func lexReply(words []string) []replyKind {
	var kinds []replyKind
	signedOff := false
	for i := 0; i < len(words); {
		kind, n := kindUnknown, 1
		for k, ps := range replyLexicon {
			if m := longestMatch(words[i:], ps); m > 0 && (m > n || kind == kindUnknown) {
				kind, n = k, m
			}
		}
		switch {
		case kind == kindSignOff:
			signedOff, kind = true, kindNeutral
		case kind == kindUnknown && signedOff:
			kind = kindNeutral
		}
		kinds = append(kinds, kind)
		i += n
	}
	return kinds
}

// yesOrNo applies rules 4 and 5 of the grammar.
func yesOrNo(words []string, question bool) Intent {
	count := map[replyKind]int{}
	meaningful := 0
	for _, k := range lexReply(words) {
		count[k]++
		if k != kindNeutral {
			meaningful++
		}
	}
	if question || count[kindQuestion] > 0 || count[kindCond] > 0 {
		return IntentUnclear
	}
	if digits := count[kindDigitYes] + count[kindDigitNo]; digits > 0 {
		if meaningful == 1 && count[kindDigitYes] == 1 {
			return IntentYes
		}
		if meaningful == 1 {
			return IntentNo
		}
		count[kindUnknown] += digits
	}
	yes, soft, no, negated := count[kindYes], count[kindSoftYes], count[kindNo], 0
	if count[kindNeg] > 0 {
		if yes > 0 {
			return IntentUnclear
		}
		negated, soft = soft, 0
	}
	switch {
	case yes > 0 && no+negated > 0:
		return IntentUnclear
	case no > 0: // a no wins over the yeses a no can sit with: "ok, non merci"
		return IntentNo
	case negated > 0 && count[kindUnknown] == 0:
		return IntentNo
	case yes+soft > 0 && count[kindUnknown] == 0:
		return IntentYes
	}
	return IntentUnclear
}
