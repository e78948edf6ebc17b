package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

func TestMaskPhones(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+33612345678", "+*********78"},
		{"from +33612345678 to +33700000000", "from +*********78 to +*********00"},
		{"+33 6 12 34 56 78", "+** * ** ** ** 78"},
		{"0033612345678", "***********78"},
		{"06 12 34 56 78", "** ** ** ** 78"},
		{"06.12.34.56.78", "**.**.**.**.78"},
		{"06-12-34-56-78", "**-**-**-**-78"},
		{"0712345678", "********78"},
		{"tel:0612345678.", "tel:********78."},
		{"From=%2B33612345678&Body=OUI", "From=%2B*********78&Body=OUI"},
		{"+447911123456", "+**********56"},
		{`raise: refused "+33639980001"`, `raise: refused "+*********01"`},
		// Already masked, or not phone numbers: unchanged.
		{"+336******78", "+336******78"},
		{"SM0612345678abcdef0612345678abcdef", "SM0612345678abcdef0612345678abcdef"},
		{"contact 1234567890", "contact 1234567890"},
		{"offer_id=20612345678", "offer_id=20612345678"},
		{"2026-05-01T12:00:00Z took 12.345678901s", "2026-05-01T12:00:00Z took 12.345678901s"},
		{"06123", "06123"},
		{"", ""},
	} {
		if got := maskPhones(tc.in); got != tc.want {
			t.Errorf("maskPhones(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// phoneIntent is a named string type, logged as slog.KindAny.
type phoneIntent string

// TestLogHandler: every text of a record, message, attribute, error and
// group member, is masked; the request ID of the context is added.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(newLogHandler(&buf, slog.LevelInfo)).With("component", "test")
	ctx := withRequestID(context.Background(), "req-42")
	log.ErrorContext(ctx, "refused 0612345678",
		"phone", "+33612345678",
		"err", fmt.Errorf("insert: %w", errors.New("duplicate +33612345679")),
		"named", phoneIntent("06 12 34 56 70"),
		slog.Group("g", "to", "+33612345671"),
		"masked", outreach.MaskPhone("+33612345672"),
		"count", 612345678)
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"msg": "refused ********78", "phone": "+*********78", "err": "insert: duplicate +*********79",
		"named": "** ** ** ** 70", "g": map[string]any{"to": "+*********71"}, "masked": "+336******72",
		"count": float64(612345678), "request_id": "req-42", "component": "test", "level": "ERROR",
	}
	for k, v := range want {
		if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("a record logged without context has a request ID: %s", lines[1])
	}
}

// syncBuffer is a log destination written by many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRequestLogs: the error logged while a webhook fails carries the
// request ID the answer gives, and no phone number, even one inside the
// database's error message.
func TestRequestLogs(t *testing.T) {
	var logs syncBuffer
	e := startE2E(t, func(_ map[string]string, opts *stackOptions) { opts.log = newLogger(&logs, "info") })
	const phone = "+33639980001"
	// The database refuses inbound SMS, naming the sender in full.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
CREATE FUNCTION refuse_inbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'inbound refused from %', NEW.from_phone; END $$;
CREATE TRIGGER refuse_inbound BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION refuse_inbound();`); err != nil {
		t.Fatal(err)
	}

	form := url.Values{"MessageSid": {"SM0000000000000000000000000000log"}, "From": {phone}, "To": {simulatorNumber}, "Body": {"OUI"}}
	req, err := http.NewRequest(http.MethodPost, e.cfg.PublicURL+webhooks.InboundPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", simulator.Sign(e.cfg.TwilioAuthToken, e.cfg.PublicURL+webhooks.InboundPath, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusServiceUnavailable || id == "" {
		t.Fatalf("status %d, request ID %q: want 503 with an ID", resp.StatusCode, id)
	}

	var found bool
	waitFor(t, "the access log line", func() bool { return strings.Contains(logs.String(), `"msg":"request"`) })
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, phone) || strings.Contains(line, "0639980001") {
			t.Errorf("a phone number in full: %s", line)
		}
		var rec struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
			Err       string `json:"err"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
		if rec.Msg == "inbound sms not handled" {
			found = true
			if rec.RequestID != id {
				t.Errorf("request_id %q, want the answer's %q: %s", rec.RequestID, id, line)
			}
			if !strings.Contains(rec.Err, "inbound refused from +*********01") {
				t.Errorf("the database's error is not there, masked: %s", line)
			}
		}
	}
	if !found {
		t.Errorf("no error logged:\n%s", logs.String())
	}
}

// TestValidRequestID: a client's X-Request-Id reaches the logs and the
// audit log only when it looks like an ID.
func TestValidRequestID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"hQ3kT9pZ0aJeD6fGZr9kT3hQ", true},
		{"3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", true},
		{"lb.req_42", true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"id with spaces", false},
		{"id\nforged=log", false},
		{"+33612345678", false},
		{"é", false},
	} {
		if got := validRequestID(tc.id); got != tc.want {
			t.Errorf("validRequestID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
