package simulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/twilio/twilio-go/client"
)

func TestSignMatchesTwilioValidator(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params url.Values
	}{
		{"no params", "https://outreach.example.fr/webhooks/twilio/sms", url.Values{}},
		{"unicode", "https://outreach.example.fr/webhooks/twilio/sms", url.Values{
			"Body": {"Oui ça m'intéresse, l’offre K4P8M2 👍"},
			"From": {"+33612345678"},
		}},
		{"keys sorted byte-wise", "http://127.0.0.1:8080/webhooks/twilio/status?contact=42", url.Values{
			"To": {"+33612345678"}, "body": {"b"}, "Body": {"B"}, "AccountSid": {testAccountSID},
			"SmsSid": {"SM1"}, "SmsStatus": {"sent"}, "a": {""},
		}},
	}
	validator := client.NewRequestValidator(testAuthToken)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]string{}
			for k := range tt.params {
				params[k] = tt.params.Get(k)
			}
			sig := Sign(testAuthToken, tt.url, tt.params)
			if !validator.Validate(tt.url, params, sig) {
				t.Errorf("validator refused %q", sig)
			}
			other := client.NewRequestValidator("another0token")
			if other.Validate(tt.url, params, sig) {
				t.Error("validator with another token accepted the signature")
			}
		})
	}
}

func TestSignRepeatedKeys(t *testing.T) {
	const u = "https://outreach.example.fr/hook"
	params := url.Values{"Tag": {"zeta", "alpha"}, "A": {"1"}}
	mac := hmac.New(sha1.New, []byte(testAuthToken))
	mac.Write([]byte(u + "A1" + "Tagalpha" + "Tagzeta"))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := Sign(testAuthToken, u, params); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
	if params["Tag"][0] != "zeta" {
		t.Error("Sign reordered the caller's values")
	}
}
