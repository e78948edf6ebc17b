package outreach

import (
	"context"
	"time"
)

// UnassignedReply is an SMS from a number that matches no job seeker. No
// counsellor has it in their inbox: an administrator reads it, so that no
// reply is ever dropped.
type UnassignedReply struct {
	InboxItemID int64
	PhoneMasked string
	Body        string
	Intent      Intent
	ReceivedAt  time.Time
	HandledAt   *time.Time
}

// UnassignedReplies lists the replies from unknown numbers, newest first.
func (s *Service) UnassignedReplies(ctx context.Context, limit int) ([]UnassignedReply, error) {
	if limit <= 0 || limit > 500 {
		return nil, invalid("limit", "must be between 1 and 500")
	}
	return s.store.UnassignedReplies(ctx, limit)
}
