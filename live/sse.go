package live

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// pingEvery keeps an idle stream open through proxies that close silent
// connections.
const pingEvery = 25 * time.Second

// WriteEvents streams events to a browser as Server-Sent Events, one
// "inbox" event per new inbox item (its ID as data), with a comment ping
// when idle, until ctx ends, the events stop or the client goes away.
func WriteEvents(ctx context.Context, w http.ResponseWriter, events <-chan Event) {
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("retry: 3000\n\n"))
	flush()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
		case e, ok := <-events:
			if !ok {
				return
			}
			if _, err := w.Write([]byte("event: inbox\ndata: " + strconv.FormatInt(e.InboxItemID, 10) + "\n\n")); err != nil {
				return
			}
		}
		flush()
	}
}
