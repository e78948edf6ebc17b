package main

// The counsellors' live inbox streams that `outreach bench webhooks` reads
// to time each reply's trip to its counsellor.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/franceoutreach/outreach/postgres"
)

// inboxStreams reads every counsellor's live inbox stream, noting when
// each item arrived.
type inboxStreams struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	arrived map[int64]time.Time // inbox item → when its event was read
}

// openInboxStreams opens each counsellor's live inbox (/boite/flux) in a
// web app session of theirs, as their browser would.
func openInboxStreams(ctx context.Context, cfg Config, store *postgres.Store, counsellors []int64) (*inboxStreams, error) {
	cookies := make([]string, len(counsellors))
	for i, id := range counsellors {
		var err error
		if cookies[i], _, err = operatorSession(ctx, store, id); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &inboxStreams{cancel: cancel, arrived: map[int64]time.Time{}}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(counsellors)},
		// A signed-out browser is sent to the sign-in page: not a stream.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ready := make(chan error, len(counsellors))
	for _, cookie := range cookies {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.read(ctx, client, cfg.PublicURL+"/boite/flux", cookie, ready)
		}()
	}
	for range counsellors {
		if err := <-ready; err != nil {
			s.close()
			return nil, fmt.Errorf("open inbox stream: %w", err)
		}
	}
	return s, nil
}

// read follows one stream, reporting on ready once it is subscribed (the
// server's first line comes after its subscription).
func (s *inboxStreams) read(ctx context.Context, client *http.Client, url, cookie string, ready chan<- error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		ready <- err
		return
	}
	req.AddCookie(&http.Cookie{Name: "outreach_session", Value: cookie})
	resp, err := client.Do(req)
	if err != nil {
		ready <- err
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ready <- fmt.Errorf("HTTP %d", resp.StatusCode)
		return
	}
	sc := bufio.NewScanner(resp.Body)
	first := true
	for sc.Scan() {
		if first {
			ready <- nil
			first = false
		}
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(data, 10, 64)
		if err != nil {
			continue
		}
		now := time.Now()
		s.mu.Lock()
		s.arrived[id] = now
		s.mu.Unlock()
	}
	if first {
		ready <- errors.New("stream closed before its first line")
	}
}

func (s *inboxStreams) close() {
	s.cancel()
	s.wg.Wait()
}

func (s *inboxStreams) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrived)
}

// pushLatencies waits (up to 10 s) for every expected item to arrive and
// returns, for each, the time from its webhook's post to its event.
func (s *inboxStreams) pushLatencies(ctx context.Context, store *postgres.Store, sentAt map[string]time.Time, want int) ([]time.Duration, error) {
	for deadline := time.Now().Add(10 * time.Second); s.count() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	s.close()
	sids, err := store.InboxItemSIDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for id, at := range s.arrived {
		sid, ok := sids[id]
		if !ok {
			return nil, fmt.Errorf("bench webhooks: live event for inbox item %d, which is not in the database", id)
		}
		if t0, ok := sentAt[sid]; ok {
			out = append(out, at.Sub(t0))
		}
	}
	if len(out) != want || len(sids) != want {
		return nil, fmt.Errorf("bench webhooks: %d inbox items in the database and %d pushed live, want %d", len(sids), len(out), want)
	}
	return out, nil
}
