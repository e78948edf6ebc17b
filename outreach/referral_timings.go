package outreach

import (
	"context"
	"fmt"
	"time"
)

// TimingsFilter selects what Timings measures; zero fields select all.
type TimingsFilter struct {
	OfferID      int64
	CounsellorID int64 // the offers the counsellor follows
	// Viewer, when set, keeps the offers the viewer sees (see Viewer): a
	// counsellor's own, or their agency's for an administrator.
	Viewer Viewer
	// Since and Until bound, the first included and the second not, when
	// the pre-screenings started and when the referrals were made.
	Since, Until time.Time
}

// Timings measures how fast candidates go from their yes to the end of
// the pre-screening, and from the offer to the referral, next to the
// pilot's figures (ReferenceScreeningShare within ReferenceScreeningWithin,
// ReferenceReferralShare within ReferenceReferralWithin).
type Timings struct {
	Screening ScreeningTimings
	Referral  ReferralTimings
}

// ScreeningTimings measures the pre-screenings that asked at least one
// question.
type ScreeningTimings struct {
	Started int // conversations started
	// Settled are those whose outcome within ReferenceScreeningWithin is
	// known: ended, or started longer ago than that. The share within the
	// reference time is over them, so that conversations just started do
	// not count as late.
	Settled int
	// Completed ended qualified or not qualified; CompletedWithin did
	// within ReferenceScreeningWithin of the yes.
	Completed       int
	CompletedWithin int
	// Median and P90 are the times of the completed ones, nil when none.
	Median, P90 *time.Duration
}

// ShareWithin is the share of the settled conversations completed within
// ReferenceScreeningWithin; ok is false when none settled.
func (t ScreeningTimings) ShareWithin() (share float64, ok bool) {
	return ratio(t.CompletedWithin, t.Settled)
}

// ReferralTimings measures the referrals, from the offer's creation.
type ReferralTimings struct {
	Referred int
	Within   int // referred within ReferenceReferralWithin of the offer
	// Median and P90 are the times of the referrals, nil when none.
	Median, P90 *time.Duration
}

// ShareWithin is the share of the referrals made within
// ReferenceReferralWithin; ok is false when there is none.
func (t ReferralTimings) ShareWithin() (share float64, ok bool) {
	return ratio(t.Within, t.Referred)
}

func ratio(n, of int) (float64, bool) {
	if of == 0 {
		return 0, false
	}
	return float64(n) / float64(of), true
}

// Timings measures the pre-screenings and referrals that f selects (see
// Timings). An unknown offer or counsellor is ErrNotFound.
func (s *Service) Timings(ctx context.Context, f TimingsFilter) (Timings, error) {
	if f.OfferID != 0 {
		if _, err := s.store.Offer(ctx, f.OfferID); err != nil {
			return Timings{}, err
		}
	}
	if f.CounsellorID != 0 {
		if _, err := s.store.Counsellor(ctx, f.CounsellorID); err != nil {
			return Timings{}, err
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return Timings{}, invalid("until", "must be after since")
	}
	t, err := s.store.Timings(ctx, f, s.cfg.Now())
	if err != nil {
		return Timings{}, fmt.Errorf("timings: %w", err)
	}
	return t, nil
}
