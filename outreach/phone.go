package outreach

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidPhone is returned, wrapped with the reason, for a phone number
// that cannot be turned into E.164.
var ErrInvalidPhone = errors.New("invalid phone number")

// NormalizePhone turns a phone number as people type it into E.164
// (+33612345678), so that the same phone is always stored and compared the
// same way.
//
// French national numbers (10 digits starting with a single 0, e.g.
// "06 12 34 56 78", "06.12.34.56.78") become +33 and the 9 national digits.
// International numbers start with "+" or "00"; the trunk prefix written
// "(0)" after the country code is dropped ("+33 (0)6 12 34 56 78"), and so is
// a 0 written straight after +33 ("+33 06 12 34 56 78"). Spaces, dots,
// hyphens, slashes and parentheses are separators. Errors wrap
// ErrInvalidPhone and do not repeat the number, so they can be logged.
func NormalizePhone(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidPhone)
	}
	intl := false
	switch {
	case strings.HasPrefix(s, "+"):
		intl, s = true, s[1:]
	case strings.HasPrefix(s, "00"):
		intl, s = true, s[2:]
	}
	if intl {
		s = strings.Replace(s, "(0)", "", 1)
	}
	digits, err := phoneDigits(s)
	if err != nil {
		return "", err
	}
	if !intl {
		if len(digits) != 10 || digits[0] != '0' || digits[1] == '0' {
			return "", fmt.Errorf("%w: a national number needs 10 digits starting with 0, got %d digits", ErrInvalidPhone, len(digits))
		}
		return "+33" + digits[1:], nil
	}
	if strings.HasPrefix(digits, "330") && len(digits) == 12 {
		digits = "33" + digits[3:] // +33 06..., the trunk 0 kept by mistake
	}
	if strings.HasPrefix(digits, "33") && len(digits) != 11 {
		return "", fmt.Errorf("%w: a French number needs 9 digits after +33, got %d", ErrInvalidPhone, len(digits)-2)
	}
	if len(digits) < 8 || len(digits) > 15 {
		return "", fmt.Errorf("%w: an international number needs 8 to 15 digits, got %d", ErrInvalidPhone, len(digits))
	}
	if digits[0] == '0' {
		return "", fmt.Errorf("%w: a country code cannot start with 0", ErrInvalidPhone)
	}
	if strings.HasPrefix(digits, "33") && digits[2] == '0' {
		return "", fmt.Errorf("%w: a French national number cannot start with 0 after +33", ErrInvalidPhone)
	}
	return "+" + digits, nil
}

// phoneDigits keeps the digits of s, skipping separators and rejecting
// anything else.
func phoneDigits(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')' || r == '\t' || r == '\u00a0':
		case r == '+':
			return "", fmt.Errorf("%w: \"+\" is only allowed first", ErrInvalidPhone)
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalidPhone, r)
		}
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("%w: no digits", ErrInvalidPhone)
	}
	return b.String(), nil
}

// IsFrenchMobile reports whether e164 is a French mobile number (+336 or
// +337), the only French numbers that can receive our SMS.
func IsFrenchMobile(e164 string) bool {
	if len(e164) != 12 || !(strings.HasPrefix(e164, "+336") || strings.HasPrefix(e164, "+337")) {
		return false
	}
	return allDigits(e164[1:])
}

// MaskPhone hides most of a phone number for logs and pages, keeping what a
// counsellor needs to tell numbers apart: "+33612345678" becomes
// "+336******78" (the "+", the first three digits, which for French numbers
// are the country code and the first national digit, and the last two).
// Numbers not in E.164 are normalised first; anything that is still not a
// phone number becomes "***".
func MaskPhone(p string) string {
	if !isE164(p) {
		n, err := NormalizePhone(p)
		if err != nil {
			return "***"
		}
		p = n
	}
	digits := p[1:]
	return "+" + digits[:3] + strings.Repeat("*", len(digits)-5) + digits[len(digits)-2:]
}

// isE164 reports whether p is "+" then 8 to 15 digits, the first not 0.
func isE164(p string) bool {
	if len(p) < 9 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	return allDigits(p[1:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
