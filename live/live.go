// Package live fans inbox events out to connected counsellors through
// Redis pub/sub, so that whichever API process took a webhook, every
// process holding that counsellor's live stream hears of it.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/outreach"
)

// Event is what a counsellor's live stream receives for a new inbox item.
// It carries ids only: the page fetches what it shows through the
// authorised inbox view.
type Event struct {
	InboxItemID  int64 `json:"inbox_item_id"`
	CounsellorID int64 `json:"counsellor_id"`
	OfferID      int64 `json:"offer_id,omitempty"`
}

// Hub publishes and subscribes to inbox events.
type Hub struct {
	rdb    redis.UniversalClient
	prefix string
	// ended is closed by EndStreams: every subscription ends.
	ended   chan struct{}
	endOnce sync.Once
}

// NewHub returns a Hub whose channels start with prefix (to keep test runs apart).
func NewHub(rdb redis.UniversalClient, prefix string) *Hub {
	if prefix == "" {
		prefix = "outreach"
	}
	return &Hub{rdb: rdb, prefix: prefix, ended: make(chan struct{})}
}

// EndStreams ends every subscription, present and future, so that the
// live streams built on them finish: the HTTP server calls it when it
// shuts down, since it waits for requests to end and a stream never does
// on its own. Browsers reconnect to another process. Publishing goes on.
func (h *Hub) EndStreams() {
	h.endOnce.Do(func() { close(h.ended) })
}

func (h *Hub) channel(counsellorID int64) string {
	return h.prefix + ":inbox:" + strconv.FormatInt(counsellorID, 10)
}

// InboxItemCreated publishes the event on the counsellor's channel.
func (h *Hub) InboxItemCreated(ctx context.Context, item outreach.InboxItem) error {
	b, err := json.Marshal(Event{InboxItemID: item.ID, CounsellorID: item.CounsellorID, OfferID: item.OfferID})
	if err != nil {
		return err
	}
	if err := h.rdb.Publish(ctx, h.channel(item.CounsellorID), b).Err(); err != nil {
		return fmt.Errorf("publish inbox event: %w", err)
	}
	return nil
}

// Subscribe streams the events of the counsellors (one, or an agency's
// for its administrator) until ctx ends.
func (h *Hub) Subscribe(ctx context.Context, counsellorIDs ...int64) (<-chan Event, error) {
	select {
	case <-h.ended:
		return nil, errors.New("subscribe: the server is shutting down")
	default:
	}
	channels := make([]string, len(counsellorIDs))
	for i, id := range counsellorIDs {
		channels[i] = h.channel(id)
	}
	sub := h.rdb.Subscribe(ctx, channels...)
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	out := make(chan Event)
	go func() {
		defer close(out)
		defer sub.Close()
		msgs := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case <-h.ended:
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				var e Event
				if json.Unmarshal([]byte(m.Payload), &e) != nil {
					continue
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				case <-h.ended:
					return
				}
			}
		}
	}()
	return out, nil
}
