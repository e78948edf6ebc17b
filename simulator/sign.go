package simulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
)

// Sign returns the X-Twilio-Signature Twilio would send with a webhook
// posting params to fullURL: base64(HMAC-SHA1(authToken, fullURL followed
// by each key and value, keys sorted)). A repeated key contributes each of
// its values, sorted.
func Sign(authToken, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range keys {
		values := slices.Clone(params[k])
		sort.Strings(values)
		for _, v := range values {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
