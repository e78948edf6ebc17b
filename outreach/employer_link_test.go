package outreach_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

var linkKey = []byte("0123456789abcdef0123456789abcdef")

func employerLinks(t *testing.T, key []byte) outreach.EmployerLinks {
	t.Helper()
	l, err := outreach.NewEmployerLinks(key)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// forgeToken builds a token as the documented layout says, signed with
// key: what a future version, or an attacker holding the key, would make.
func forgeToken(key []byte, version byte, offerID int64, expires time.Time) string {
	b := make([]byte, 17)
	b[0] = version
	binary.BigEndian.PutUint64(b[1:9], uint64(offerID))
	binary.BigEndian.PutUint64(b[9:17], uint64(expires.Unix()))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("outreach employer link\x00"))
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(b))
}

// TestEmployerLinkTokens: a token opens its offer until it expires, and
// nothing else does: an expired link is ErrLinkExpired, anything altered,
// cut, of another version or another key is ErrLinkTampered.
func TestEmployerLinkTokens(t *testing.T) {
	links := employerLinks(t, linkKey)
	now := time.Date(2026, time.March, 10, 9, 0, 0, 0, time.UTC)
	expires := now.Add(14 * 24 * time.Hour)
	token := links.Token(42, expires)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 49 || raw[0] != 1 {
		t.Fatalf("token %q: %d bytes (%v), want 49, version 1", token, len(raw), err)
	}
	tests := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"fresh", token, now, nil},
		{"a second before it expires", token, expires.Add(-time.Second), nil},
		{"as it expires", token, expires, outreach.ErrLinkExpired},
		{"a month later", token, expires.Add(30 * 24 * time.Hour), outreach.ErrLinkExpired},
		{"another key", employerLinks(t, []byte("another key of 32 bytes........")).Token(42, expires), now, outreach.ErrLinkTampered},
		{"version 2, well signed", forgeToken(linkKey, 2, 42, expires), now, outreach.ErrLinkTampered},
		{"version 0, well signed", forgeToken(linkKey, 0, 42, expires), now, outreach.ErrLinkTampered},
		{"version 1 as documented", forgeToken(linkKey, 1, 42, expires), now, nil},
		{"offer 0, well signed", forgeToken(linkKey, 1, 0, expires), now, outreach.ErrLinkTampered},
		{"empty", "", now, outreach.ErrLinkTampered},
		{"cut", token[:len(token)-1], now, outreach.ErrLinkTampered},
		{"cut to the payload", base64.RawURLEncoding.EncodeToString(raw[:17]), now, outreach.ErrLinkTampered},
		{"one byte more", base64.RawURLEncoding.EncodeToString(append(raw[:49:49], 0)), now, outreach.ErrLinkTampered},
		{"padded", token + "==", now, outreach.ErrLinkTampered},
		{"standard base64", base64.StdEncoding.EncodeToString(raw), now, outreach.ErrLinkTampered},
		{"not base64", "not a token!", now, outreach.ErrLinkTampered},
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= bit
			tests = append(tests, struct {
				name  string
				token string
				at    time.Time
				want  error
			}{"byte flipped", base64.RawURLEncoding.EncodeToString(b), now, outreach.ErrLinkTampered})
		}
	}
	for i := range token {
		c := "A"
		if token[i] == 'A' {
			c = "B"
		}
		tests = append(tests, struct {
			name  string
			token string
			at    time.Time
			want  error
		}{"character replaced", token[:i] + c + token[i+1:], now, outreach.ErrLinkTampered})
	}
	for i, tt := range tests {
		id, err := links.Verify(tt.token, tt.at)
		if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%d %s: %v, want %v", i, tt.name, err, tt.want)
			continue
		}
		if err == nil && id != 42 {
			t.Errorf("%d %s: offer %d, want 42", i, tt.name, id)
		}
		if err != nil && id != 0 {
			t.Errorf("%d %s: offer %d with an error", i, tt.name, id)
		}
	}
	if strings.ContainsAny(token, "+/=") {
		t.Errorf("token %q is not URL-safe", token)
	}
}

func TestEmployerLinksKey(t *testing.T) {
	for _, key := range [][]byte{nil, []byte("short key")} {
		if _, err := outreach.NewEmployerLinks(key); err == nil {
			t.Errorf("key of %d bytes accepted", len(key))
		}
	}
	// The zero value verifies nothing.
	if _, err := (outreach.EmployerLinks{}).Verify(employerLinks(t, linkKey).Token(1, time.Now().Add(time.Hour)), time.Now()); !errors.Is(err, outreach.ErrLinkTampered) {
		t.Errorf("zero EmployerLinks: %v", err)
	}
}
