package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// admin sends a request to the admin pages with the given headers and
// Basic credentials (none when basicUser is empty), and returns the
// answer with its body.
func (e *e2e) admin(method, path string, header map[string]string, basicUser, basicPassword string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.cfg.PublicURL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPassword)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestQueueMonitor checks that asynqmon answers under /admin/queues only
// to the admin, and shows the service's queue once tasks were enqueued.
func TestQueueMonitor(t *testing.T) {
	e := startE2E(t)
	token := e.cfg.APIToken

	refused := []struct {
		name, user, password string
		header               map[string]string
	}{
		{"no credentials", "", "", nil},
		{"wrong password", adminUser, "not-the-api-token", nil},
		{"wrong user", "root", token, nil},
		{"empty password", adminUser, "", nil},
		{"wrong bearer", "", "", map[string]string{"Authorization": "Bearer not-the-api-token"}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/admin/queues", "/admin/queues/api/queues"} {
				resp, body := e.admin(http.MethodGet, path, tt.header, tt.user, tt.password)
				if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") ||
					!strings.Contains(body, `"code":"unauthorized"`) {
					t.Errorf("%s: %d %q %s, want 401 with a Basic challenge", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
				}
			}
		})
	}

	resp, body := e.admin(http.MethodGet, "/admin/queues", nil, adminUser, token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
		t.Errorf("Basic admin: %d %.200s, want the asynqmon page", resp.StatusCode, body)
	}
	script := regexp.MustCompile(`src="(/admin/queues/static/js/[^"]+)"`).FindStringSubmatch(body)
	if script == nil {
		t.Errorf("the page loads no script under /admin/queues: %.300s", body)
	} else if resp, _ := e.admin(http.MethodGet, script[1], nil, adminUser, token); resp.StatusCode != http.StatusOK {
		t.Errorf("%s: %d", script[1], resp.StatusCode)
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	if resp, body := e.admin(http.MethodGet, "/admin/queues/api/queues", bearer, "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("Bearer: %d %s", resp.StatusCode, body)
	}

	// The service's queue shows once the outreach enqueued its SMS. Other
	// test runs share Redis: a queue of theirs deleted mid-listing makes
	// asynqmon answer 500, so this polls.
	startCampaign(t, e)
	var q queueSnapshot
	eventually(t, "the service's queue in asynqmon", func() bool {
		q = e.queueSnapshot(e.cfg.QueueName)
		return q.Queue != "" && q.Size+q.Processed >= 5
	})

	// Writes are allowed from the page itself, refused from another site.
	pause := "/admin/queues/api/queues/" + e.cfg.QueueName + ":pause"
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		if resp, body := e.admin(http.MethodPost, pause, h, adminUser, token); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site pause %v: %d %s, want 403", h, resp.StatusCode, body)
		}
	}
	if q := e.queueSnapshot(e.cfg.QueueName); q.Paused {
		t.Fatal("a cross-site request paused the queue")
	}
	if resp, body := e.admin(http.MethodPost, pause, map[string]string{"Sec-Fetch-Site": "same-origin"}, adminUser, token); resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		t.Fatalf("pause: %d %s", resp.StatusCode, body)
	}
	if q := e.queueSnapshot(e.cfg.QueueName); !q.Paused {
		t.Error("the queue is not paused")
	}
	resume := "/admin/queues/api/queues/" + e.cfg.QueueName + ":resume"
	if resp, body := e.admin(http.MethodPost, resume, nil, adminUser, token); resp.StatusCode >= 300 {
		t.Errorf("resume: %d %s", resp.StatusCode, body)
	}
}

// queueSnapshot is one queue as asynqmon lists it.
type queueSnapshot struct {
	Queue     string `json:"queue"`
	Size      int    `json:"size"`
	Processed int    `json:"processed"`
	Paused    bool   `json:"paused"`
}

// queueSnapshot finds a queue in asynqmon's list; zero when it is not
// there or the list failed.
func (e *e2e) queueSnapshot(name string) queueSnapshot {
	e.t.Helper()
	resp, body := e.admin(http.MethodGet, "/admin/queues/api/queues", nil, adminUser, e.cfg.APIToken)
	if resp.StatusCode != http.StatusOK {
		e.t.Logf("asynqmon queues: %d %s", resp.StatusCode, body)
		return queueSnapshot{}
	}
	var list struct {
		Queues []queueSnapshot `json:"queues"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		e.t.Fatalf("asynqmon queues: %v: %s", err, body)
	}
	for _, q := range list.Queues {
		if q.Queue == name {
			return q
		}
	}
	return queueSnapshot{}
}
