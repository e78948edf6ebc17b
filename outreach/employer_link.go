package outreach

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The employer opens the shortlist of their offer with a link, no account:
// the link carries a token that names the offer and when the link expires,
// signed with the server's key. Nothing is stored: a link cannot be
// revoked before it expires, so it expires soon (DefaultEmployerLinkTTL).

// Errors of a token that does not open a shortlist. The page tells the
// employer which one: a link altered (or cut when copied), or a link too
// old, for which they ask the counsellor a new one.
var (
	ErrLinkTampered = errors.New("employer link altered or unknown")
	ErrLinkExpired  = errors.New("employer link expired")
)

// DefaultEmployerLinkTTL is how long an employer link opens the shortlist,
// unless ServiceConfig.EmployerLinkTTL says otherwise.
const DefaultEmployerLinkTTL = 14 * 24 * time.Hour

// employerLinkVersion is the first byte of a token: its layout and what
// its signature covers. A new layout gets a new version.
const employerLinkVersion = 1

// A token is base64url (no padding) of version (1 byte), offer ID (8
// bytes, big-endian), expiry (Unix seconds, 8 bytes, big-endian) and the
// HMAC-SHA256 of the 17 bytes before it, with the domain employerLinkDomain.
const (
	employerLinkPayload = 1 + 8 + 8
	employerLinkSize    = employerLinkPayload + sha256.Size
	employerLinkDomain  = "outreach employer link\x00"
)

// minEmployerLinkKey is the shortest key EmployerLinks accepts, in bytes.
const minEmployerLinkKey = 16

// EmployerLinks signs and checks the tokens of employer links.
type EmployerLinks struct {
	key []byte
}

// NewEmployerLinks returns the links signed with key, a secret of the
// server of at least 16 bytes (the wiring derives it from the API token).
func NewEmployerLinks(key []byte) (EmployerLinks, error) {
	if len(key) < minEmployerLinkKey {
		return EmployerLinks{}, fmt.Errorf("employer link key: %d bytes, want at least %d", len(key), minEmployerLinkKey)
	}
	return EmployerLinks{key: append([]byte(nil), key...)}, nil
}

// Token returns the token of the link that opens the offer's shortlist
// until expires (to the second).
func (l EmployerLinks) Token(offerID int64, expires time.Time) string {
	b := make([]byte, employerLinkPayload, employerLinkSize)
	b[0] = employerLinkVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(offerID))
	binary.BigEndian.PutUint64(b[9:17], uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, l.sign(b)...))
}

// Verify returns the offer a token opens at now: ErrLinkTampered when it
// is not one of ours as it stands (altered, cut, another version, another
// key), ErrLinkExpired when its time passed. The signature is compared in
// constant time, and checked before the expiry: an altered expiry is
// tampering.
func (l EmployerLinks) Verify(token string, now time.Time) (offerID int64, err error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != employerLinkSize || b[0] != employerLinkVersion || len(l.key) == 0 {
		return 0, ErrLinkTampered
	}
	payload, mac := b[:employerLinkPayload], b[employerLinkPayload:]
	if !hmac.Equal(mac, l.sign(payload)) {
		return 0, ErrLinkTampered
	}
	offerID = int64(binary.BigEndian.Uint64(payload[1:9]))
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload[9:17])), 0)
	if offerID <= 0 {
		return 0, ErrLinkTampered
	}
	if !now.Before(expires) {
		return 0, ErrLinkExpired
	}
	return offerID, nil
}

func (l EmployerLinks) sign(payload []byte) []byte {
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(employerLinkDomain))
	mac.Write(payload)
	return mac.Sum(nil)
}
