package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// InboxLinks signs the URL of each counsellor's inbox page, so that the
// link opens that inbox only. (Accounts with passwords come with the full
// counsellor web app.)
type InboxLinks struct {
	key []byte
}

// NewInboxLinks derives the signing key from a server secret.
func NewInboxLinks(secret string) InboxLinks {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("outreach inbox links v1"))
	return InboxLinks{key: mac.Sum(nil)}
}

func (l InboxLinks) sign(counsellorID int64) string {
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte("inbox:" + strconv.FormatInt(counsellorID, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Path returns the signed path of a counsellor's inbox page.
func (l InboxLinks) Path(counsellorID int64) string {
	return "/inbox/" + strconv.FormatInt(counsellorID, 10) + "?sig=" + l.sign(counsellorID)
}

// Valid checks a signature.
func (l InboxLinks) Valid(counsellorID int64, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(l.sign(counsellorID)))
}
