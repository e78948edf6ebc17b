package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The employer's side of a referral: through the signed link of their
// offer (see EmployerLinks) they see the candidates the counsellor
// referred, first name and phone only, and say where they stand with each;
// the counsellor sees it on the shortlist.

// EmployerStatus is where the employer stands with a referred candidate.
type EmployerStatus string

// Employer statuses, in the order they usually come.
const (
	EmployerContacted   EmployerStatus = "contacted"
	EmployerInterviewed EmployerStatus = "interviewed"
	EmployerHired       EmployerStatus = "hired"
	EmployerNotRetained EmployerStatus = "not_retained"
)

// EmployerStatusValues lists every employer status, in the order they
// usually come.
var EmployerStatusValues = []EmployerStatus{EmployerContacted, EmployerInterviewed, EmployerHired, EmployerNotRetained}

// Valid reports whether s is one of EmployerStatusValues.
func (s EmployerStatus) Valid() bool {
	for _, v := range EmployerStatusValues {
		if s == v {
			return true
		}
	}
	return false
}

// EmployerStore keeps what employers do with the candidates referred to
// them: every status they set, append-only, the latest one counting.
type EmployerStore interface {
	// ReferredCandidates lists the contacts referred for the offer that
	// still say yes (a STOP, a correction or an erasure since takes them
	// off), in the order they were referred (then best match first), each
	// with the employer's latest status.
	ReferredCandidates(ctx context.Context, offerID int64) ([]EmployerCandidate, error)
	// RecordEmployerStatus appends a status of the contact, at at, when it
	// was referred for the offer and is listed by ReferredCandidates:
	// ErrNotFound otherwise.
	RecordEmployerStatus(ctx context.Context, offerID, contactID int64, status EmployerStatus, at time.Time) error
	// EmployerStatusHistory lists every status set on the offer's
	// contacts, oldest first.
	EmployerStatusHistory(ctx context.Context, offerID int64) ([]EmployerStatusChange, error)
}

// EmployerCandidate is a referred candidate as the employer sees them:
// their first name and how to reach them (they agreed to be contacted),
// nothing else. CandidateID is for the audit log, never shown.
type EmployerCandidate struct {
	ContactID   int64
	CandidateID int64
	FirstName   string
	Phone       string         // E.164
	Status      EmployerStatus // "" until the employer sets one
	StatusAt    *time.Time     // when Status was set
}

// EmployerShortlist is what the employer's link shows: their offer, and
// the candidates referred for it.
type EmployerShortlist struct {
	OfferID      int64
	Title        string
	Town         string
	EmployerName string
	Candidates   []EmployerCandidate
}

// EmployerStatusChange is one status an employer set on a referred
// candidate.
type EmployerStatusChange struct {
	ID        int64
	ContactID int64
	FirstName string
	Status    EmployerStatus
	At        time.Time
}

// UseEmployerLinks makes EmployerLink sign links with l, and
// VerifyEmployerLink check them.
func (s *Service) UseEmployerLinks(l EmployerLinks) { s.links = &l }

// EmployerLink returns the token of a link that opens the offer's
// shortlist to its employer, and when it expires (ServiceConfig.
// EmployerLinkTTL from now). Only a viewer who sees the offer gets one.
func (s *Service) EmployerLink(ctx context.Context, v Viewer, offerID int64) (token string, expires time.Time, err error) {
	if s.links == nil {
		return "", time.Time{}, errors.New("employer links are not set up: no signing key")
	}
	if _, err := s.seenOffer(ctx, v, offerID); err != nil {
		return "", time.Time{}, err
	}
	expires = s.cfg.Now().Add(s.cfg.EmployerLinkTTL).Truncate(time.Second)
	s.log.Info("employer link made", "offer_id", offerID, "counsellor_id", v.CounsellorID, "expires", expires)
	return s.links.Token(offerID, expires), expires, nil
}

// VerifyEmployerLink returns the offer an employer link's token opens now,
// or ErrLinkTampered or ErrLinkExpired.
func (s *Service) VerifyEmployerLink(token string) (int64, error) {
	if s.links == nil {
		return 0, ErrLinkTampered
	}
	return s.links.Verify(token, s.cfg.Now())
}

// EmployerShortlist is the employer's view of their offer (see
// VerifyEmployerLink): the candidates the counsellor referred, with the
// employer's latest status of each.
func (s *Service) EmployerShortlist(ctx context.Context, offerID int64) (EmployerShortlist, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return EmployerShortlist{}, err
	}
	cs, err := s.store.ReferredCandidates(ctx, offerID)
	if err != nil {
		return EmployerShortlist{}, fmt.Errorf("referred candidates of offer %d: %w", offerID, err)
	}
	return EmployerShortlist{OfferID: o.ID, Title: o.Title, Town: o.Town, EmployerName: o.Employer.Name, Candidates: cs}, nil
}

// SetEmployerStatus records where the employer stands with a candidate
// referred for their offer; every change is kept, the latest counting.
// The status the candidate already has is not recorded again: a double
// click, or the form sent again, is one status. A contact not referred
// for that offer is ErrNotFound.
func (s *Service) SetEmployerStatus(ctx context.Context, offerID, contactID int64, status EmployerStatus) error {
	if !status.Valid() {
		return invalid("status", "must be one of contacted, interviewed, hired, not_retained")
	}
	referred, err := s.store.ReferredCandidates(ctx, offerID)
	if err != nil {
		return fmt.Errorf("referred candidates of offer %d: %w", offerID, err)
	}
	for _, k := range referred {
		if k.ContactID == contactID && k.Status == status {
			return nil
		}
	}
	at := s.cfg.Now().Truncate(time.Microsecond)
	if err := s.store.RecordEmployerStatus(ctx, offerID, contactID, status, at); err != nil {
		return err
	}
	s.log.Info("employer status", "offer_id", offerID, "contact_id", contactID, "status", status)
	return nil
}

// EmployerStatuses lists, for a viewer who sees the offer, every status
// its employer set on the referred candidates, oldest first.
func (s *Service) EmployerStatuses(ctx context.Context, v Viewer, offerID int64) ([]EmployerStatusChange, error) {
	if _, err := s.seenOffer(ctx, v, offerID); err != nil {
		return nil, err
	}
	hs, err := s.store.EmployerStatusHistory(ctx, offerID)
	if err != nil {
		return nil, fmt.Errorf("employer statuses of offer %d: %w", offerID, err)
	}
	return hs, nil
}
