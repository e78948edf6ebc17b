package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEraseAndAuditCommands: `outreach audit --candidate` prints one line
// per access to a job seeker's data, oldest first; `outreach erase
// --candidate` prints one line with the counts, and an unknown or missing
// candidate is one line and a failure.
func TestEraseAndAuditCommands(t *testing.T) {
	w := newGDPRWorld(t)
	p := w.person("CLI-PERSON", "Philomène", "0639987101")
	w.page(w.counsellor, fmt.Sprintf("/personnes/%d", p.id))
	w.page(w.counsellor, fmt.Sprintf("/personnes/%d", p.id))

	out, err := w.cli("audit", "--candidate", p.ext)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := fmt.Sprintf(" view by counsellor %d: GET /personnes/:id request=", w.counsellor)
	if len(lines) != 2 || !strings.Contains(lines[0], want) || !strings.Contains(lines[1], want) {
		t.Fatalf("audit printed %q, want two lines with %q", out, want)
	}
	if _, err := time.Parse(time.RFC3339, strings.Fields(lines[0])[0]); err != nil {
		t.Errorf("audit line %q does not start with the time: %v", lines[0], err)
	}

	out, err = w.cli("erase", "--candidate", p.ext)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, fmt.Sprintf("erased candidate %d: ", p.id)) || strings.Count(out, "\n") != 1 ||
		!strings.Contains(out, "contacts=0") || !strings.Contains(out, "queued_tasks=0") {
		t.Errorf("erase printed %q, want one line with the counts", out)
	}
	out, err = w.cli("audit", "--id", itoa64(p.id))
	if err != nil || !strings.Contains(out, "erase by system: outreach erase") {
		t.Errorf("audit after the erasure: %q (%v), want the erasure", out, err)
	}

	for _, tt := range []struct {
		args  []string
		usage bool
	}{
		{[]string{"erase", "--candidate", p.ext}, false}, // erased already
		{[]string{"erase", "--candidate", "NOBODY"}, false},
		{[]string{"audit", "--candidate", "NOBODY"}, false},
		{[]string{"erase"}, true},
		{[]string{"erase", "--candidate", " "}, true},
		{[]string{"audit"}, true},
		{[]string{"audit", "--candidate", "X", "--id", "3"}, true},
	} {
		_, err := w.cli(tt.args...)
		switch {
		case err == nil:
			t.Errorf("%v succeeded", tt.args)
		case errors.Is(err, errUsage) != tt.usage:
			t.Errorf("%v: %v, want a usage error %v", tt.args, err, tt.usage)
		case !tt.usage && !strings.Contains(err.Error(), "not found"):
			t.Errorf("%v: %v, want not found", tt.args, err)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("%v: %q is more than one line", tt.args, err)
		}
	}
}

func TestRetentionConfig(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
		bad   bool
	}{
		{"", 180 * 24 * time.Hour, false},
		{"180d", 180 * 24 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"4320h", 4320 * time.Hour, false},
		{"off", 0, false},
		{"0d", 0, true},
		{"-5d", 0, true},
		{"30m", 0, true},
		{"six months", 0, true},
		{"180", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			env := map[string]string{"API_TOKEN": "0123456789abcdef", "RETENTION_AFTER": tt.value}
			c, err := loadConfig(func(k string) string { return env[k] })
			switch {
			case tt.bad && (err == nil || !strings.Contains(err.Error(), "RETENTION_AFTER")):
				t.Errorf("RETENTION_AFTER=%q: %v, want an error naming it", tt.value, err)
			case !tt.bad && err != nil:
				t.Errorf("RETENTION_AFTER=%q: %v", tt.value, err)
			case !tt.bad && c.RetentionAfter != tt.want:
				t.Errorf("RETENTION_AFTER=%q: %s, want %s", tt.value, c.RetentionAfter, tt.want)
			}
		})
	}
}
