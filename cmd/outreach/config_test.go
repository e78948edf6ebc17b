package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

func TestLoadConfig(t *testing.T) {
	base := map[string]string{"API_TOKEN": "0123456789abcdef"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // each must appear in the error
		check   func(t *testing.T, c Config)
	}{
		{"defaults use the simulator", nil, nil, func(t *testing.T, c Config) {
			if !c.Simulator || c.TwilioAPIURL != "http://127.0.0.1:8080/simulator" || c.PublicURL != "http://127.0.0.1:8080" {
				t.Errorf("got simulator=%v api=%s public=%s", c.Simulator, c.TwilioAPIURL, c.PublicURL)
			}
			if c.QuietHours.Off() || c.Timezone.String() != "Europe/Paris" {
				t.Errorf("quiet hours %s in %s", c.QuietHours, c.Timezone)
			}
			if !c.MatchIndex {
				t.Error("the candidate index is off by default")
			}
		}},
		{"index off", map[string]string{"MATCH_INDEX": "off"}, nil, func(t *testing.T, c Config) {
			if c.MatchIndex {
				t.Error("MATCH_INDEX=off left the index on")
			}
		}},
		{"real twilio", map[string]string{"TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("a", 32), "TWILIO_AUTH_TOKEN": "Zq9s3cretAuthValue", "TWILIO_FROM": "+33700000001"}, nil,
			func(t *testing.T, c Config) {
				if c.Simulator || c.TwilioAPIURL != "https://api.twilio.com" {
					t.Errorf("got simulator=%v api=%s", c.Simulator, c.TwilioAPIURL)
				}
			}},
		{"public url trailing slash", map[string]string{"PUBLIC_URL": "https://sms.agence.example/"}, nil, func(t *testing.T, c Config) {
			if c.PublicURL != "https://sms.agence.example" {
				t.Errorf("public url %q", c.PublicURL)
			}
		}},
		{"half twilio credentials", map[string]string{"TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("a", 32)}, []string{"TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", "TWILIO_FROM"}, nil},
		{"every problem at once", map[string]string{"PUBLIC_URL": "sms.example", "DATABASE_URL": "mysql://x", "REDIS_URL": "http://x",
			"QUIET_HOURS": "25:00-08:00", "TIMEZONE": "Mars/Olympus", "API_TOKEN": "short", "LOG_LEVEL": "loud", "MATCH_INDEX": "yes",
			"SMS_TEMPLATES": "/nonexistent/sms-templates.json", "SMS_RATE_PER_SECOND": "-1", "WORKER_CONCURRENCY": "0",
			"SEND_LEASE": "1ms", "OUTBOX_SWEEP_EVERY": "soon", "SMS_RETRY_BASE": "-5s", "FOLLOW_UP_AFTER": "-1h", "CAMPAIGN_WINDOW": "3 days"},
			[]string{"PUBLIC_URL", "DATABASE_URL", "REDIS_URL", "QUIET_HOURS", "TIMEZONE", "API_TOKEN", "LOG_LEVEL", "MATCH_INDEX", "SMS_TEMPLATES",
				"SMS_RATE_PER_SECOND", "WORKER_CONCURRENCY", "SEND_LEASE", "OUTBOX_SWEEP_EVERY", "SMS_RETRY_BASE", "FOLLOW_UP_AFTER", "CAMPAIGN_WINDOW"}, nil},
		{"follow-up off, campaigns of 72 h by default", nil, nil, func(t *testing.T, c Config) {
			if c.FollowUpAfter != 0 || c.CampaignWindow != 72*time.Hour || !strings.Contains(c.String(), "follow_up=off campaign_window=72h0m0s") {
				t.Errorf("follow-up %s, window %s: %s", c.FollowUpAfter, c.CampaignWindow, c)
			}
		}},
		{"follow-up on", map[string]string{"FOLLOW_UP_AFTER": "48h", "CAMPAIGN_WINDOW": "120h"}, nil, func(t *testing.T, c Config) {
			if c.FollowUpAfter != 48*time.Hour || c.CampaignWindow != 120*time.Hour {
				t.Errorf("follow-up %s, window %s", c.FollowUpAfter, c.CampaignWindow)
			}
		}},
		{"follow-up explicitly off", map[string]string{"FOLLOW_UP_AFTER": "0"}, nil, func(t *testing.T, c Config) {
			if c.FollowUpAfter != 0 {
				t.Errorf("FOLLOW_UP_AFTER=0 gave %s", c.FollowUpAfter)
			}
		}},
		{"reminder after the close", map[string]string{"FOLLOW_UP_AFTER": "72h"}, []string{"FOLLOW_UP_AFTER: 72h0m0s must be shorter than CAMPAIGN_WINDOW (72h0m0s)"}, nil},
		{"empty campaign window", map[string]string{"CAMPAIGN_WINDOW": "0s"}, []string{"CAMPAIGN_WINDOW: must be a positive duration"}, nil},
		{"sending settings", map[string]string{"SMS_RATE_PER_SECOND": "12.5", "WORKER_CONCURRENCY": "64", "SEND_LEASE": "90s"}, nil,
			func(t *testing.T, c Config) {
				if c.SMSRate != 12.5 || c.WorkerConcurrency != 64 || c.SendLease != 90*time.Second || c.SweepEvery != 5*time.Second {
					t.Errorf("rate %v concurrency %d lease %s sweep %s", c.SMSRate, c.WorkerConcurrency, c.SendLease, c.SweepEvery)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := loadConfig(func(k string) string { return env[k] })
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v does not name %s", err, want)
				}
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			if s := c.String(); strings.Contains(s, env["API_TOKEN"]) || (c.TwilioAuthToken != "" && strings.Contains(s, c.TwilioAuthToken)) {
				t.Errorf("secrets printed: %s", s)
			}
		})
	}
}

func TestLoadConfigSMSTemplates(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lyon := outreach.OfferSMS{AgencyName: "Agence Lyon Part-Dieu", FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"}
	tests := []struct {
		name    string
		path    string
		wantErr []string // each must appear in the error, on one line
		want    string   // the offer SMS of lyon, when no error
	}{
		{"unset: built-in text", "", nil,
			"Bonjour Marie, Agence Lyon Part-Dieu : offre Boulanger (CDI) à Lyon. Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"the example of the docs", "../../docs/sms-templates.example.json", nil,
			"Marie, une offre de l'agence Lyon Part-Dieu : Boulanger (CDI) à Lyon. Ça vous intéresse ? Répondez OUI ou NON + réf K4P8M2. STOP pour ne plus recevoir nos SMS."},
		{"missing file", filepath.Join(dir, "absent.json"), []string{"SMS_TEMPLATES: open ", "absent.json: no such file"}, ""},
		{"invalid JSON", file("invalid.json", `{"default": {"offer": }}`), []string{"SMS_TEMPLATES: ", "invalid.json: invalid JSON at line 1"}, ""},
		{"bad templates", file("bad.json", `{
			"Agence Lyon Part-Dieu": {"offer": "{{.JobTitle}}, réf {{.Reference}} : OUI ou NON ?"},
			"default": {"offer": "{{.JobTitle}"}}`),
			[]string{`bad.json: agency "Agence Lyon Part-Dieu", template "offer": does not say how to opt out: STOP`,
				`bad.json: agency "default", template "offer": does not parse`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"API_TOKEN": "0123456789abcdef", "SMS_TEMPLATES": tt.path}
			c, err := loadConfig(func(k string) string { return env[k] })
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v does not say %s", err, want)
				}
			}
			if len(tt.wantErr) > 0 {
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got, err := c.SMSTemplates.Offer(lyon.AgencyName).Compose(lyon); err != nil || got != tt.want {
				t.Errorf("offer SMS\n got %q (%v)\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestCommandLineErrors(t *testing.T) {
	var out, errOut strings.Builder
	env := func(string) string { return "" }
	if err := run(t.Context(), []string{"fly"}, env, &out, &errOut); err == nil || !strings.Contains(err.Error(), `unknown command "fly"`) {
		t.Errorf("unknown command: %v", err)
	}
	if err := run(t.Context(), []string{"serve"}, env, &out, &errOut); err == nil || !strings.Contains(err.Error(), "API_TOKEN") {
		t.Errorf("serve without API_TOKEN: %v", err)
	}
	if err := run(t.Context(), []string{"seed", "-candidates", "0"}, env, &out, &errOut); err == nil || !strings.Contains(err.Error(), "-candidates") {
		t.Errorf("seed with 0 candidates: %v", err)
	}
	if err := run(t.Context(), []string{"help"}, env, &out, &errOut); err != nil || !strings.Contains(out.String(), "usage: outreach") {
		t.Errorf("help: %v %q", err, out.String())
	}
}
