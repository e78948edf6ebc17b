package outreach

import "context"

// Pacer holds each SMS back until the provider's rate allows it, across
// every worker process (ratelimit.Limiter on Redis).
type Pacer interface {
	Wait(ctx context.Context) error
}

// UsePacer makes SendContact wait for p before claiming each contact.
// Waiting before the claim, not after, keeps a contact out of the sending
// state while it waits its turn: the state's lease measures provider
// calls only, whatever the backlog.
func (s *Service) UsePacer(p Pacer) { s.pacer = p }
