package sms

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
)

func reject(code int) func(*simulator.Server) {
	return func(s *simulator.Server) { s.SetBehaviour(seeker, simulator.Behaviour{RejectCode: code}) }
}

// checkSendError checks that err is a *outreach.SendError like want,
// Message aside, which must not be empty.
func checkSendError(t *testing.T, err error, want outreach.SendError) {
	t.Helper()
	se, ok := err.(*outreach.SendError)
	if !ok {
		t.Fatalf("err = %T %v, want *outreach.SendError", err, err)
	}
	if se.Message == "" {
		t.Error("SendError without a message")
	}
	got := *se
	got.Message = ""
	if got != want {
		t.Errorf("SendError = %+v, want %+v", *se, want)
	}
	var target *outreach.SendError
	if !errors.As(err, &target) {
		t.Error("errors.As does not find the SendError")
	}
}

// closedPortURL returns a URL nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/simulator"
}

// htmlServer stands for a proxy in front of the API answering status with
// an HTML page, which twilio-go cannot decode.
func htmlServer(t *testing.T, status int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		io.WriteString(w, "<html><body>Bad gateway</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
