package sms

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
)

// callTransport carries one Send's requests: it binds them to the call's
// context, which twilio-go has no parameter for, sends requests meant for
// *.twilio.com to the configured API URL, and remembers the last HTTP
// status, which twilio-go drops when an error body is not JSON.
type callTransport struct {
	ctx    context.Context
	sender *TwilioSender
	status atomic.Int32
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(t.ctx)
	if t.sender.rewrite && isTwilioHost(req.URL.Hostname()) {
		api := t.sender.apiURL
		out.URL.Scheme = api.Scheme
		out.URL.Host = api.Host
		out.URL.Path = api.Path + req.URL.Path
		out.URL.RawPath = ""
		out.Host = api.Host
	}
	resp, err := t.sender.transport.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	t.status.Store(int32(resp.StatusCode))
	return resp, nil
}

// lastStatus is the HTTP status of the last answer, or 0 if none came.
func (t *callTransport) lastStatus() int {
	return int(t.status.Load())
}

func isTwilioHost(host string) bool {
	host = strings.ToLower(host)
	return host == "twilio.com" || strings.HasSuffix(host, ".twilio.com")
}
