package outreach

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		body   string
		intent Intent
		ref    string
	}{
		// Empty and noise.
		{"", IntentUnclear, ""},
		{"   ", IntentUnclear, ""},
		{"\n\t ", IntentUnclear, ""},
		{"...", IntentUnclear, ""},
		{"😊", IntentUnclear, ""},
		{"?", IntentUnclear, ""},

		// STOP.
		{"STOP", IntentStop, ""},
		{"stop", IntentStop, ""},
		{"Stop SMS", IntentStop, ""},
		{"STOP!!!", IntentStop, ""},
		{"Stooop", IntentStop, ""},
		{"ARRÊT", IntentStop, ""},
		{"arrêt", IntentStop, ""},
		{"Arret", IntentStop, ""},
		{"Arrêtez de m'envoyer des messages", IntentStop, ""},
		{"désinscrire", IntentStop, ""},
		{"DESINSCRIPTION", IntentStop, ""},
		{"Désabonner svp", IntentStop, ""},
		{"unsubscribe", IntentStop, ""},
		{"STOPALL", IntentStop, ""},
		{"end", IntentStop, ""},
		{"Cancel", IntentStop, ""},
		{"Ne plus recevoir", IntentStop, ""},
		{"Je ne veux plus recevoir vos SMS", IntentStop, ""},
		{"Merci de me désinscrire de vos envois", IntentStop, ""},
		{"non stop", IntentStop, ""},
		{"Oui stop", IntentStop, ""},
		{"ok merci stop", IntentStop, ""},
		{"Bonjour je ne suis plus intéressée par vos offres, stop", IntentStop, ""},
		{"stop K4P8M2", IntentStop, "K4P8M2"},
		{"Arrêt maladie jusqu'à lundi", IntentUnclear, ""},

		// START and HELP.
		{"START", IntentStart, ""},
		{"start", IntentStart, ""},
		{"Start merci", IntentStart, ""},
		{"unstop", IntentStart, ""},
		{"Je veux recevoir", IntentStart, ""},
		{"Je veux recevoir les offres", IntentStart, ""},
		{"start je suis intéressé", IntentUnclear, ""},
		{"AIDE", IntentHelp, ""},
		{"aide ?", IntentHelp, ""},
		{"HELP", IntentHelp, ""},
		{"Info", IntentHelp, ""},
		{"infos svp", IntentHelp, ""},
		{"plus d'infos sur le poste", IntentUnclear, ""},

		// NO.
		{"NON", IntentNo, ""},
		{"non", IntentNo, ""},
		{"Non.", IntentNo, ""},
		{"nonnn", IntentNo, ""},
		{"nn", IntentNo, ""},
		{"No", IntentNo, ""},
		{"nope", IntentNo, ""},
		{"non merci", IntentNo, ""},
		{"Non merci, bonne journée", IntentNo, ""},
		{"Non merci quand même", IntentNo, ""},
		{"pas intéressé", IntentNo, ""},
		{"Pas interessee", IntentNo, ""},
		{"pas intéressé(e)", IntentNo, ""},
		{"Je ne suis pas intéressée", IntentNo, ""},
		{"pas très intéressé", IntentNo, ""},
		{"Pas du tout intéressé", IntentNo, ""},
		{"ça ne m'intéresse pas", IntentNo, ""},
		{"Ca m interesse pas", IntentNo, ""},
		{"pas dispo", IntentNo, ""},
		{"Pas disponible en ce moment", IntentNo, ""},
		{"non je ne suis pas dispo", IntentNo, ""},
		{"Pas pour moi", IntentNo, ""},
		{"Déjà en poste", IntentNo, ""},
		{"J'ai trouvé un CDI", IntentNo, ""},
		{"j ai deja trouve merci", IntentNo, ""},
		{"Je ne suis plus à la recherche d'un emploi", IntentNo, ""},
		{"Non je ne cherche plus", IntentNo, ""},
		{"Ok non merci", IntentNo, ""},
		{"2", IntentNo, ""},
		{"2.", IntentNo, ""},
		{"👎", IntentNo, ""},
		{"❌", IntentNo, ""},
		{"Non K4P8M2", IntentNo, "K4P8M2"},
		{"k4p8m2 non", IntentNo, "K4P8M2"},
		{"K4P8M2 2", IntentNo, "K4P8M2"},

		// YES.
		{"OUI", IntentYes, ""},
		{"oui", IntentYes, ""},
		{"Oui!", IntentYes, ""},
		{"Oui.", IntentYes, ""},
		{"ouiii", IntentYes, ""},
		{"Ouii !!", IntentYes, ""},
		{"oui oui", IntentYes, ""},
		{"OUI merci", IntentYes, ""},
		{"Ouais", IntentYes, ""},
		{"ouai", IntentYes, ""},
		{"ok", IntentYes, ""},
		{"OK", IntentYes, ""},
		{"okay", IntentYes, ""},
		{"Okkk", IntentYes, ""},
		{"Ok pour moi", IntentYes, ""},
		{"d'accord", IntentYes, ""},
		{"D’accord !", IntentYes, ""},
		{"dac", IntentYes, ""},
		{"Intéressé", IntentYes, ""},
		{"intéressée", IntentYes, ""},
		{"Intéressé(e)", IntentYes, ""},
		{"interese", IntentYes, ""},
		{"Je suis intéressé", IntentYes, ""},
		{"Oui je suis intéressée", IntentYes, ""},
		{"OUI JE SUIS INTERESSEE", IntentYes, ""},
		{"Oui, je suis très intéressée par ce poste. Cordialement, Marie Dupont", IntentYes, ""},
		{"ça m'intéresse", IntentYes, ""},
		{"Partant", IntentYes, ""},
		{"partante !", IntentYes, ""},
		{"Volontiers", IntentYes, ""},
		{"yes", IntentYes, ""},
		{"Oui bien sûr", IntentYes, ""},
		{"Avec plaisir", IntentYes, ""},
		{"Oui pas de souci", IntentYes, ""},
		{"1", IntentYes, ""},
		{"1️⃣", IntentYes, ""},
		{"👍", IntentYes, ""},
		{"👍🏽", IntentYes, ""},
		{"Oui 😊", IntentYes, ""},
		{"OUI K4P8M2", IntentYes, "K4P8M2"},
		{"Réf K4P8M2 : oui", IntentYes, "K4P8M2"},
		{"Réf. n° K4P8M2 oui merci", IntentYes, "K4P8M2"},
		{"k4p8m2 OK", IntentYes, "K4P8M2"},
		{"K4P8M2 1", IntentYes, "K4P8M2"},
		{"oui\nK4P8M2", IntentYes, "K4P8M2"},

		// As people type them: typos, SMS spellings, lower-case references.
		{"oui!", IntentYes, ""},
		{"ARRET", IntentStop, ""},
		{"ouii", IntentYes, ""},
		{"Ouiiii je suis interessé", IntentYes, ""},
		{"oui jsuis dispo", IntentYes, ""},
		{"chui dispo", IntentYes, ""},
		{"ok pr moi", IntentYes, ""},
		{"d'acc", IntentYes, ""},
		{"dac merci", IntentYes, ""},
		{"oki", IntentYes, ""},
		{"Oké", IntentYes, ""},
		{"ouép", IntentYes, ""},
		{"Ouais ok", IntentYes, ""},
		{"Yes !", IntentYes, ""},
		{"Bjr oui", IntentYes, ""},
		{"OK 👍", IntentYes, ""},
		{"Ça marche", IntentYes, ""},
		{"Bonjour, oui je suis toujours disponible", IntentYes, ""},
		{"oui k4p8m2", IntentYes, "K4P8M2"},
		{"Oui intéressé par l'offre k4p8m2", IntentYes, "K4P8M2"},
		{"nn merci", IntentNo, ""},
		{"Nan", IntentNo, ""},
		{"nan merci", IntentNo, ""},
		{"NON MERCI", IntentNo, ""},
		{"non non", IntentNo, ""},
		{"pas interesse", IntentNo, ""},
		{"non c bon", IntentNo, ""},
		{"déjà trouvé", IntentNo, ""},
		{"G trouvé", IntentNo, ""},
		{"jsuis pas dispo", IntentNo, ""},
		{"je suis plus dispo", IntentNo, ""},
		{"dsl pas dispo", IntentNo, ""},
		{"Non merci j'ai trouvé du travail", IntentNo, ""},
		{"J'ai déjà un travail", IntentNo, ""},
		{"non merci a2b3c4", IntentNo, "A2B3C4"},
		{"ref k4p8m2 non", IntentNo, "K4P8M2"},
		{"STOP svp", IntentStop, ""},
		{"stop stp", IntentStop, ""},
		{"Pas intéressé stop", IntentStop, ""},
		{"desinscrire svp", IntentStop, ""},
		{"Je veux me désinscrire", IntentStop, ""},
		{"Aide svp", IntentHelp, ""},
		{"start svp", IntentStart, ""},
		{"jsp", IntentUnclear, ""},
		{"bof", IntentUnclear, ""},
		{"c bon", IntentUnclear, ""},
		{"0ui", IntentUnclear, ""},
		{"o", IntentUnclear, ""},
		{"oui c quand", IntentUnclear, ""},
		{"Oui, et vous ?", IntentUnclear, ""},
		{"Plus besoin merci", IntentUnclear, ""},
		{"Oui je suis intéressé, merci de me rappeler", IntentUnclear, ""},
		{"Interessé mais pas le week-end", IntentUnclear, ""},

		// Unclear: mixed, conditions, questions, unknown words, typos.
		{"oui non", IntentUnclear, ""},
		{"Oui mais pas le samedi", IntentUnclear, ""},
		{"oui si c'est à temps partiel", IntentUnclear, ""},
		{"Oui sauf le week-end", IntentUnclear, ""},
		{"Oui je n'ai pas de voiture", IntentUnclear, ""},
		{"c'est où ?", IntentUnclear, ""},
		{"Oui ?", IntentUnclear, ""},
		{"C'est quoi le salaire", IntentUnclear, ""},
		{"Quand ?", IntentUnclear, ""},
		{"Oui je suis dispo lundi", IntentUnclear, ""},
		{"Peut-être", IntentUnclear, ""},
		{"Pourquoi pas", IntentUnclear, ""},
		{"je ne sais pas", IntentUnclear, ""},
		{"Je ne suis pas dispo le matin", IntentNo, ""},
		{"oiu", IntentUnclear, ""},
		{"ouo", IntentUnclear, ""},
		{"ui", IntentUnclear, ""},
		{"n", IntentUnclear, ""},
		{"11", IntentUnclear, ""},
		{"12", IntentUnclear, ""},
		{"1 2", IntentUnclear, ""},
		{"3", IntentUnclear, ""},
		{"👍👎", IntentUnclear, ""},
		{"Appelez-moi", IntentUnclear, ""},
		{"Super", IntentUnclear, ""},
		{"Qui êtes-vous", IntentUnclear, ""},
		{"K4P8M2", IntentUnclear, "K4P8M2"},
		{"K4P8M2 oui A2B3C4 non", IntentUnclear, "K4P8M2"},
		{"oui K4P8M2 A2B3C4", IntentUnclear, "K4P8M2"},
		{"oui K4P8M2 k4p8m2", IntentYes, "K4P8M2"},
		{"stop K4P8M2 A2B3C4", IntentStop, "K4P8M2"},
		{"OUI K4P8M", IntentUnclear, ""},
		{"OUI K4P8M2X", IntentUnclear, ""},
		{"oui KIP8M2", IntentUnclear, ""},
	}
	for _, tt := range tests {
		got := ParseReply(tt.body)
		if got.Intent != tt.intent || got.OfferRef != tt.ref {
			t.Errorf("ParseReply(%q) = {%s %q}, want {%s %q}", tt.body, got.Intent, got.OfferRef, tt.intent, tt.ref)
		}
	}
}

// TestReplyLexiconUnambiguous checks that no phrase has two kinds, which
// would make parsing depend on map order.
func TestReplyLexiconUnambiguous(t *testing.T) {
	seen := map[string]replyKind{}
	for kind, ps := range replyLexicon {
		for _, p := range ps {
			key := strings.Join(p, " ")
			if len(p) == 0 {
				t.Errorf("kind %d has an empty phrase", kind)
			}
			if other, ok := seen[key]; ok && other != kind {
				t.Errorf("phrase %q has kinds %d and %d", key, other, kind)
			}
			seen[key] = kind
		}
	}
}

func TestIsOfferReference(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"K4P8M2", true},
		{"A2B3C4", true},
		{"Z9Y9X9", true},
		{"k4p8m2", false}, // canonical form is upper case
		{"K4P8M", false},
		{"K4P8M2A", false},
		{"", false},
		{"I4P8M2", false}, // no I
		{"K4O8M2", false}, // no O
		{"K1P8M2", false}, // no 1
		{"K4P0M2", false}, // no 0
		{"4KP8M2", false},
		{"KKP8M2", false},
		{"K4P8M2 ", false},
		{"É4P8M2", false},
	}
	for _, tt := range tests {
		if got := IsOfferReference(tt.s); got != tt.want {
			t.Errorf("IsOfferReference(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestNewOfferReference(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		ref, err := NewOfferReference(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !IsOfferReference(ref) {
			t.Fatalf("NewOfferReference() = %q, not a reference", ref)
		}
		seen[ref] = true
	}
	if len(seen) < 990 {
		t.Errorf("only %d different references in 1000", len(seen))
	}

	// Bytes chosen to show the mapping and the rejection of biased bytes.
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte{0, 0, 1, 1, 23, 7}, "A2B3Z9"},
		{[]byte{240, 255, 24, 8, 9, 47, 16}, "A2K9S2"},
	}
	for _, tt := range tests {
		in := append(tt.in, make([]byte, 32)...)
		got, err := NewOfferReference(bytes.NewReader(in))
		if err != nil || got != tt.want {
			t.Errorf("NewOfferReference(% x) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}

	boom := errors.New("boom")
	if _, err := NewOfferReference(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewOfferReference(failing reader) error = %v, want %v", err, boom)
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"", "oui", "NON K4P8M2", "Stop SMS", "ça ne m'intéresse pas", "👍🏽", "n°", "e\u0301",
		"oui mais", "k4p8m2 a2b3c4", "\xff\xfe", "nnnn", "pas de souci"} {
		f.Add(s)
	}
	valid := map[Intent]bool{IntentYes: true, IntentNo: true, IntentStop: true, IntentStart: true, IntentHelp: true, IntentUnclear: true}
	f.Fuzz(func(t *testing.T, body string) {
		got := ParseReply(body)
		if !valid[got.Intent] {
			t.Errorf("ParseReply(%q).Intent = %q, not a defined intent", body, got.Intent)
		}
		if got.OfferRef != "" && !IsOfferReference(got.OfferRef) {
			t.Errorf("ParseReply(%q).OfferRef = %q, not a reference", body, got.OfferRef)
		}
	})
}
