package postgres

import (
	"context"
	"errors"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Bulk loading and the benchmark's baseline: what `outreach bench match`
// needs to fill a database of its own with millions of job seekers and to
// compare the matcher with the query a first version would have written.

// CopyBatch is how many candidates CopyCandidates sends per COPY, and how
// often it reports progress.
const CopyBatch = 100_000

// candidateCopyColumns are the columns CopyCandidates fills; the others
// (id, timestamps) take their defaults.
var candidateCopyColumns = []string{
	"external_id", "first_name", "phone", "lat", "lon", "commune_code", "mobility_km",
	"rome_codes", "skills", "contract_types", "sms_consent", "counsellor_id", "available_from",
}

// copier is what both a pool and a transaction offer for COPY.
type copier interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// CopyCandidates inserts the candidates src yields with COPY, CopyBatch at
// a time, pulling them from src as PostgreSQL takes them so that millions
// never sit in memory. Each batch is its own COPY: on a pool it is
// committed when progress hears of it, with the total so far. Candidates
// are inserted, never upserted (a taken external id fails the batch); their
// OptedOut flag is not stored, as opt-outs belong to phone numbers (see
// OptOutPhones). It returns how many were inserted.
func (s *Store) CopyCandidates(ctx context.Context, src iter.Seq[outreach.Candidate], progress func(done int)) (int, error) {
	c, ok := s.db.(copier)
	if !ok {
		return 0, errors.New("copy candidates: the connection cannot COPY")
	}
	next, stop := iter.Pull(src)
	defer stop()
	done := 0
	for {
		sent, exhausted := 0, false
		rows := pgx.CopyFromFunc(func() ([]any, error) {
			if sent == CopyBatch {
				return nil, nil
			}
			cand, ok := next()
			if !ok {
				exhausted = true
				return nil, nil
			}
			sent++
			return candidateCopyRow(cand), nil
		})
		n, err := c.CopyFrom(ctx, pgx.Identifier{"candidates"}, candidateCopyColumns, rows)
		done += int(n)
		if err != nil {
			return done, translate(err, "copy candidates")
		}
		if n > 0 && progress != nil {
			progress(done)
		}
		if exhausted {
			return done, nil
		}
	}
}

func candidateCopyRow(c outreach.Candidate) []any {
	var commune *string
	if c.CommuneCode != "" {
		commune = &c.CommuneCode
	}
	return []any{
		c.ExternalID, c.FirstName, c.Phone, c.Location.Lat, c.Location.Lon, commune, c.MobilityKM,
		nonNil(c.ROMECodes), nonNil(c.Skills), nonNil(c.ContractTypes), c.SMSConsent, c.CounsellorID,
		nullDate(c.AvailableFrom),
	}
}

// OptOutPhones records that each phone sent STOP, as OptOut does for one,
// and returns how many were not opted out already.
func (s *Store) OptOutPhones(ctx context.Context, phones []string, source string) (int, error) {
	const q = `
WITH ins AS (
	INSERT INTO opt_outs (phone, source) SELECT DISTINCT unnest($1::text[]), $2::text
	ON CONFLICT (phone) DO NOTHING RETURNING phone)
INSERT INTO consent_events (phone, action, source) SELECT phone, 'opt_out', $2 FROM ins`
	tag, err := s.db.Exec(ctx, q, phones, source)
	return int(tag.RowsAffected()), translate(err, "opt out phones")
}

// CandidateCounts reports how many candidates there are, and how many of
// them have an external id starting with prefix.
func (s *Store) CandidateCounts(ctx context.Context, prefix string) (total, prefixed int, err error) {
	const q = `SELECT count(*), count(*) FILTER (WHERE starts_with(external_id, $1)) FROM candidates`
	err = s.db.QueryRow(ctx, q, prefix).Scan(&total, &prefixed)
	return total, prefixed, translate(err, "count candidates")
}

// ResetOutreach empties every table of the outreach loop (counsellors,
// candidates, opt-outs, offers, contacts, replies, inbox), keeping the
// reference data. It is for a benchmark's own database, never a real one.
func (s *Store) ResetOutreach(ctx context.Context) error {
	const q = `TRUNCATE counsellors, candidates, candidate_removals, opt_outs, consent_events, offers, contacts,
	inbound_messages, status_events, inbox_items RESTART IDENTITY CASCADE`
	_, err := s.db.Exec(ctx, q)
	return translate(err, "reset outreach tables")
}

// ResetOffers empties the offers and everything that hangs from them
// (contacts, replies, inbox), so that a benchmark run starts with nobody
// contacted. It is for a benchmark's own database, never a real one.
func (s *Store) ResetOffers(ctx context.Context) error {
	const q = `TRUNCATE offers, contacts, inbound_messages, status_events, inbox_items RESTART IDENTITY CASCADE`
	_, err := s.db.Exec(ctx, q)
	return translate(err, "reset offers")
}

// VacuumCandidates vacuums and analyses the candidates and opt-outs after
// a bulk load: fresh statistics for the planner, the visibility map set
// for index-only scans, and the GIN index's pending list merged. It cannot
// run inside a transaction.
func (s *Store) VacuumCandidates(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `VACUUM (ANALYZE) candidates, opt_outs`)
	return translate(err, "vacuum candidates")
}

// NaiveShortlistSQL is the benchmark's baseline: the shortlist as a first
// version would write it, one plain query that applies every exclusion
// (consent, opt-out, already contacted, contract), computes the haversine
// distance in SQL, keeps those within both radii and sorts by distance.
// `$1 = ANY (rome_codes)` cannot use the GIN index and nothing bounds the
// coordinates, so PostgreSQL scans every candidate. It ranks by distance
// alone: no skills, related occupations or fatigue.
const NaiveShortlistSQL = `
SELECT id, distance_km FROM (
	SELECT c.id, c.mobility_km, 2 * 6371.0088 * asin(sqrt(least(1,
		power(sin(radians(c.lat - $2) / 2), 2)
		+ cos(radians($2)) * cos(radians(c.lat)) * power(sin(radians(c.lon - $3) / 2), 2)))) AS distance_km
	FROM candidates c
	WHERE $1 = ANY (c.rome_codes)
		AND c.sms_consent
		AND (cardinality(c.contract_types) = 0 OR $5 = ANY (c.contract_types))
		AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = c.phone)
		AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.offer_id = $6 AND k.candidate_id = c.id)
) d
WHERE distance_km <= least($4, mobility_km)
ORDER BY distance_km, id
LIMIT $7`

// NaiveShortlist runs NaiveShortlistSQL for the offer and returns the ids
// of at most limit candidates, nearest first.
func (s *Store) NaiveShortlist(ctx context.Context, o outreach.Offer, limit int) ([]int64, error) {
	rows, err := s.db.Query(ctx, NaiveShortlistSQL, o.ROMECode, o.Location.Lat, o.Location.Lon, o.RadiusKM,
		o.ContractType, o.ID, limit)
	if err != nil {
		return nil, translate(err, "naive shortlist")
	}
	ids, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (int64, error) {
		var id int64
		var km float64
		err := row.Scan(&id, &km)
		return id, err
	})
	return ids, translate(err, "naive shortlist")
}

// PlanContacts plans, in one statement, a contact of the offer for each of
// the first n candidates (by ID) with the given SMS body: a send
// benchmark's campaign, without ranking. It returns how many it planned.
// It is for a benchmark's own database, never a real one.
func (s *Store) PlanContacts(ctx context.Context, offerID int64, n int, body string) (int, error) {
	const q = `
INSERT INTO contacts (offer_id, candidate_id, phone, status, score, distance_km, reasons, body)
SELECT $1, c.id, c.phone, 'planned', 50, 1, '[]', $3
FROM candidates c ORDER BY c.id LIMIT $2
ON CONFLICT (offer_id, candidate_id) DO NOTHING`
	tag, err := s.db.Exec(ctx, q, offerID, n, body)
	return int(tag.RowsAffected()), translate(err, "plan contacts")
}

// CountSent counts the offer's contacts that have a provider SID.
func (s *Store) CountSent(ctx context.Context, offerID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE offer_id = $1 AND message_sid IS NOT NULL`, offerID).Scan(&n)
	return n, translate(err, "count sent contacts")
}
