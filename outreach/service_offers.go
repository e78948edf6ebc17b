package outreach

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// OfferInput is an offer as a counsellor or an agency system sends it.
type OfferInput struct {
	ExternalID   string
	Title        string
	ROMECode     string // or give Appellation
	Appellation  int    // job title (OGR code): sets ROMECode, and Title when empty
	Employer     Employer
	Location     *Point
	CommuneCode  string
	Town         string
	ContractType string
	Skills       []string // none: the occupation's core skills (see DefaultOfferSkills)
	StartsOn     string   // first day of work, "YYYY-MM-DD"; empty: as soon as possible
	RadiusKM     float64  // 0: DefaultRadiusKM
	Positions    int      // 0: 1
	CounsellorID int64
	// Questions are the pre-screening questions asked after a yes: nil
	// for those DefaultQuestions proposes from the offer's fields, empty
	// for none.
	Questions *[]Question
}

// DefaultRadiusKM is the search radius when an offer gives none.
const DefaultRadiusKM = 30

// CreateOffer validates and stores an offer with its pre-screening
// questions, in one transaction, giving it the short reference printed in
// its SMS.
func (s *Service) CreateOffer(ctx context.Context, in OfferInput) (Offer, error) {
	o, err := s.offerFromInput(ctx, in)
	if err != nil {
		return Offer{}, err
	}
	if o.Questions, err = s.inputQuestions(o, in.Questions); err != nil {
		return Offer{}, err
	}
	for attempt := 0; ; attempt++ {
		if o.Reference, err = NewOfferReference(rand.Reader); err != nil {
			return Offer{}, fmt.Errorf("offer reference: %w", err)
		}
		err = s.store.InTx(ctx, func(tx Store) error {
			if err := tx.CreateOffer(ctx, &o); err != nil {
				return err
			}
			return tx.SaveOfferQuestions(ctx, o.ID, o.Questions)
		})
		if !errors.Is(err, ErrConflict) || attempt == 5 {
			break
		}
	}
	if errors.Is(err, ErrConflict) {
		return Offer{}, invalid("external_id", "an offer with this external_id already exists")
	}
	if err != nil {
		return Offer{}, fmt.Errorf("create offer: %w", err)
	}
	return o, nil
}

func (s *Service) offerFromInput(ctx context.Context, in OfferInput) (Offer, error) {
	o := Offer{
		ExternalID:   strings.TrimSpace(in.ExternalID),
		Title:        strings.TrimSpace(in.Title),
		Employer:     Employer{Name: strings.TrimSpace(in.Employer.Name), Email: strings.TrimSpace(in.Employer.Email)},
		ContractType: strings.ToUpper(strings.TrimSpace(in.ContractType)),
		RadiusKM:     in.RadiusKM,
		Positions:    in.Positions,
		CounsellorID: in.CounsellorID,
	}
	if o.ExternalID != "" {
		if err := checkText("external_id", o.ExternalID, 100); err != nil {
			return o, err
		}
	}
	if in.Appellation != 0 {
		label, code, err := s.appellation(ctx, "appellation", in.Appellation)
		if err != nil {
			return o, err
		}
		if in.ROMECode != "" && !strings.EqualFold(strings.TrimSpace(in.ROMECode), code) {
			return o, invalid("rome_code", "job title %d belongs to %s, not %s", in.Appellation, code, in.ROMECode)
		}
		in.ROMECode, o.Appellation = code, in.Appellation
		if o.Title == "" {
			o.Title = label
		}
	}
	if err := checkText("title", o.Title, 120); err != nil {
		return o, err
	}
	codes, err := s.checkROMECodes(ctx, "rome_code", []string{in.ROMECode})
	if err != nil {
		var v *ValidationError
		if errors.As(err, &v) {
			v.Field = "rome_code"
		}
		return o, err
	}
	o.ROMECode = codes[0]
	if err := checkText("employer.name", o.Employer.Name, 200); err != nil {
		return o, err
	}
	if _, err := mail.ParseAddress(o.Employer.Email); err != nil || strings.ContainsAny(o.Employer.Email, "<> ") {
		return o, invalid("employer.email", "must be an e-mail address")
	}
	var communeName string
	if o.Location, o.CommuneCode, communeName, err = s.locate(ctx, in.Location, in.CommuneCode); err != nil {
		return o, err
	}
	o.Town = strings.TrimSpace(in.Town)
	if o.Town == "" {
		o.Town = communeName
	}
	if err := checkText("town", o.Town, 80); o.Town != "" && err != nil {
		return o, err
	}
	if _, ok := ContractTypes[o.ContractType]; !ok {
		return o, invalid("contract_type", "unknown contract type %q", in.ContractType)
	}
	if o.Skills, err = cleanList("skills", in.Skills, 30); err != nil {
		return o, err
	}
	if len(o.Skills) == 0 {
		if o.Skills, err = s.coreSkills(ctx, o.ROMECode); err != nil {
			return o, err
		}
	}
	if o.StartsOn, err = parseDate("starts_on", in.StartsOn); err != nil {
		return o, err
	}
	if o.RadiusKM == 0 {
		o.RadiusKM = DefaultRadiusKM
	}
	if o.RadiusKM < 0 || o.RadiusKM > 200 {
		return o, invalid("radius_km", "must be more than 0 and at most 200 km")
	}
	if o.Positions == 0 {
		o.Positions = 1
	}
	if o.Positions < 0 || o.Positions > 1000 {
		return o, invalid("positions", "must be between 1 and 1000")
	}
	return o, s.checkCounsellor(ctx, o.CounsellorID)
}

// Offer returns one offer, with its pre-screening questions.
func (s *Service) Offer(ctx context.Context, id int64) (Offer, error) {
	o, err := s.store.Offer(ctx, id)
	if err != nil {
		return Offer{}, err
	}
	if o.Questions, err = s.store.OfferQuestions(ctx, id); err != nil {
		return Offer{}, fmt.Errorf("offer questions: %w", err)
	}
	return o, nil
}

// Match is a ranked candidate for an offer, with the reasons of its score.
type Match struct {
	matcher.Match
	ExternalID string
	FirstName  string
	Phone      string
}

// Matches ranks the candidates who may be texted about the offer, best
// first, at most limit of them.
func (s *Service) Matches(ctx context.Context, offerID int64, limit int) ([]Match, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if limit > 0 && s.index != nil {
		top, err := s.rankTop(ctx, o, limit)
		if !errors.Is(err, ErrIndexNotReady) {
			if err == nil {
				s.obs.MatcherLatency(MatchFromIndex, time.Since(start))
			}
			return top, err
		}
	}
	ranked, err := s.rank(ctx, s.store, o, limit)
	if err == nil {
		s.obs.MatcherLatency(MatchFromPostgres, time.Since(start))
	}
	return ranked, err
}

// rank ranks every candidate the store pre-selects for the offer.
func (s *Service) rank(ctx context.Context, store Store, o Offer, limit int) ([]Match, error) {
	mo, err := s.matcherOffer(ctx, store, o)
	if err != nil {
		return nil, err
	}
	codes := []string{o.ROMECode}
	for code := range mo.Related {
		codes = append(codes, code)
	}
	pool, err := store.MatchCandidates(ctx, MatchQuery{Offer: o, ROMECodes: codes})
	if err != nil {
		return nil, fmt.Errorf("match candidates: %w", err)
	}
	return withContacts(matcher.Rank(mo, candidatesOf(pool)), pool, limit), nil
}

// matcherOffer is the offer as the matcher ranks it, with its related
// occupations and the rules of the service.
func (s *Service) matcherOffer(ctx context.Context, store Store, o Offer) (matcher.Offer, error) {
	related, err := store.RelatedOccupations(ctx, o.ROMECode)
	if err != nil {
		return matcher.Offer{}, fmt.Errorf("related occupations: %w", err)
	}
	return matcher.Offer{
		ROMECode:     o.ROMECode,
		Location:     matcher.Point{Lat: o.Location.Lat, Lon: o.Location.Lon},
		RadiusKM:     o.RadiusKM,
		ContractType: o.ContractType,
		Skills:       o.Skills,
		Town:         o.Town,
		Related:      related,
		MaxPer7Days:  s.cfg.MaxOfferSMSPer7Days,
		Now:          s.cfg.Now(),
		StartsOn:     o.StartsOn,
	}, nil
}

func candidatesOf(pool []MatchCandidate) []matcher.Candidate {
	cands := make([]matcher.Candidate, len(pool))
	for i, c := range pool {
		cands[i] = c.Candidate
	}
	return cands
}

// withContacts keeps the first limit ranked matches (all when limit is 0)
// and adds how to reach each candidate, found in pool.
func withContacts(ranked []matcher.Match, pool []MatchCandidate, limit int) []Match {
	if limit > 0 && len(ranked) > limit {
		ranked = ranked[:limit]
	}
	byID := make(map[int64]MatchCandidate, len(pool))
	for _, c := range pool {
		byID[c.ID] = c
	}
	out := make([]Match, len(ranked))
	for i, m := range ranked {
		c := byID[m.CandidateID]
		out[i] = Match{Match: m, ExternalID: c.ExternalID, FirstName: c.FirstName, Phone: c.Phone}
	}
	return out
}

// allocate picks who to text among the ranked matches: a draw weighted by
// score (matcher.Allocate), seeded by the offer, so that similar offers do
// not all go to the same top profiles.
func allocate(o Offer, ranked []Match, n int) []Match {
	byID := make(map[int64]Match, len(ranked))
	plain := make([]matcher.Match, len(ranked))
	for i, m := range ranked {
		byID[m.CandidateID] = m
		plain[i] = m.Match
	}
	picked := matcher.Allocate(plain, n, uint64(o.ID))
	out := make([]Match, len(picked))
	for i, m := range picked {
		out[i] = byID[m.CandidateID]
	}
	return out
}

// OutreachStarted reports what StartOutreach did.
type OutreachStarted struct {
	Queued  int // contacts created and queued by this call
	Matched int // candidates ranked
}

// StartOutreach texts limit of the offer's matches, drawn among all
// eligible ones with weights growing with the score (see allocate). The contacts are
// committed first, then queued; a contact committed but not queued (Redis
// down) stays planned, and the outbox sweep queues it (see
// ReconcileOutbox): the outreach is started all the same. Nobody is texted twice about the
// same offer. The first contacts start the offer's campaign (see
// Campaign); a closed campaign takes no more.
func (s *Service) StartOutreach(ctx context.Context, offerID int64, limit int) (OutreachStarted, error) {
	if limit <= 0 || limit > 10000 {
		return OutreachStarted{}, invalid("limit", "must be between 1 and 10000")
	}
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return OutreachStarted{}, err
	}
	return s.startOutreach(ctx, o, limit, nil)
}

// StartOutreachExcluding is StartOutreach on behalf of a counsellor who
// previewed the matches and set some aside: the offer must be one the
// viewer sees (else ErrNotFound), and the excluded candidates are never
// texted about it (nor counted in Matched).
func (s *Service) StartOutreachExcluding(ctx context.Context, v Viewer, offerID int64, limit int,
	excluded []int64) (OutreachStarted, error) {
	if limit <= 0 || limit > 10000 {
		return OutreachStarted{}, invalid("limit", "must be between 1 and 10000")
	}
	if len(excluded) > 10000 {
		return OutreachStarted{}, invalid("excluded", "at most 10000 candidates")
	}
	o, err := s.seenOffer(ctx, v, offerID)
	if err != nil {
		return OutreachStarted{}, err
	}
	return s.startOutreach(ctx, o, limit, excluded)
}

// startOutreach texts limit of the offer's matches but the excluded
// candidates (see StartOutreach).
func (s *Service) startOutreach(ctx context.Context, o Offer, limit int, excluded []int64) (OutreachStarted, error) {
	offerID := o.ID
	if o.ClosedAt != nil {
		return OutreachStarted{}, invalid("offer", "its campaign closed on %s: the shortlist is final",
			o.ClosedAt.UTC().Format(time.RFC3339))
	}
	var res OutreachStarted
	err := s.store.InTx(ctx, func(tx Store) error {
		// Counts of recent SMS must not change between ranking and insert.
		if err := tx.LockAllocation(ctx); err != nil {
			return err
		}
		start := time.Now()
		ranked, err := s.rank(ctx, tx, o, 0)
		if err != nil {
			return err
		}
		s.obs.MatcherLatency(MatchFromPostgres, time.Since(start))
		ranked = without(ranked, excluded)
		res.Matched = len(ranked)
		matches := allocate(o, ranked, limit)
		contacts := make([]Contact, len(matches))
		for i, m := range matches {
			contacts[i] = s.newContact(o, m)
		}
		created, err := tx.CreateContacts(ctx, contacts)
		res.Queued = len(created)
		if err != nil || len(created) == 0 {
			return err
		}
		return tx.MarkOutreachStarted(ctx, offerID, s.cfg.Now())
	})
	if err != nil {
		return OutreachStarted{}, fmt.Errorf("start outreach: %w", err)
	}
	if err := s.enqueuePending(ctx, offerID); err != nil {
		// The contacts are committed: those the queue did not take stay
		// planned, and the workers' outbox sweep queues them once it can.
		s.log.Warn("outreach started but not all queued: the outbox sweep will", "offer_id", offerID, "err", err)
	}
	s.log.InfoContext(ctx, "outreach started", "offer_id", offerID, "queued", res.Queued, "matched", res.Matched)
	return res, nil
}

// without keeps the matches whose candidate is not excluded, in order.
func without(ranked []Match, excluded []int64) []Match {
	if len(excluded) == 0 {
		return ranked
	}
	skip := make(map[int64]bool, len(excluded))
	for _, id := range excluded {
		skip[id] = true
	}
	kept := ranked[:0:0]
	for _, m := range ranked {
		if !skip[m.CandidateID] {
			kept = append(kept, m)
		}
	}
	return kept
}

func (s *Service) newContact(o Offer, m Match) Contact {
	fields := OfferSMS{
		AgencyName:   s.cfg.AgencyName,
		FirstName:    m.FirstName,
		JobTitle:     o.Title,
		Town:         o.Town,
		ContractType: o.ContractType,
		Reference:    o.Reference,
	}
	// The service's agency chooses the text: the offer's counsellor is not
	// loaded here.
	body, err := s.cfg.SMSTemplates.Offer(s.cfg.AgencyName).Compose(fields)
	if err != nil {
		// Templates are checked at start; one failing on an odd offer must
		// not stop the outreach.
		s.log.Warn("agency's offer SMS template failed: built-in text used", "offer_id", o.ID, "err", err)
		body = ComposeOfferSMS(fields)
	}
	return Contact{
		OfferID:     o.ID,
		CandidateID: m.CandidateID,
		Phone:       m.Phone,
		Status:      StatusPlanned,
		Score:       m.Score,
		DistanceKM:  m.DistanceKM,
		Reasons:     m.Reasons,
		Body:        body,
	}
}

// enqueuePending hands the offer's committed-but-unqueued contacts to the
// queue, each at the next moment SMS are allowed.
func (s *Service) enqueuePending(ctx context.Context, offerID int64) error {
	_, err := s.QueuePlanned(ctx, offerID)
	return err
}

// QueuePlanned hands the offer's planned contacts to the queue, best match
// first, each at the next moment SMS are allowed, and returns how many it
// queued.
func (s *Service) QueuePlanned(ctx context.Context, offerID int64) (int, error) {
	ids, err := s.store.UnqueuedContacts(ctx, offerID)
	if err != nil {
		return 0, fmt.Errorf("list unqueued contacts: %w", err)
	}
	return s.enqueue(ctx, ids, s.cfg.QuietHours.NextAllowed(s.cfg.Now()))
}
