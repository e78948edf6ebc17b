package simulator

import (
	"strings"
	"unicode/utf16"
)

// gsm7Basic is the GSM 03.38 default alphabet; each character is one septet.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension holds the characters sent as an escape plus one septet.
const gsm7Extension = "\f^{}\\[~]|€"

// countSegments returns how many SMS parts body takes: GSM-7 fits 160
// septets in one part and 153 per part when concatenated; a single
// character outside GSM-7 switches the whole message to UCS-2, 70 UTF-16
// units in one part and 67 per part.
func countSegments(body string) int {
	if body == "" {
		return 0
	}
	if septets, ok := gsm7Septets(body); ok {
		return parts(septets, 160, 153)
	}
	return parts(len(utf16.Encode([]rune(body))), 70, 67)
}

// gsm7Septets counts the septets body takes in GSM-7, or reports false if
// body has a character GSM-7 cannot carry.
func gsm7Septets(body string) (int, bool) {
	n := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extension, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

func parts(units, single, multi int) int {
	if units <= single {
		return 1
	}
	return (units + multi - 1) / multi
}
