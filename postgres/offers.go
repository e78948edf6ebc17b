package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

// CreateOffer inserts an offer; a taken reference or external id is ErrConflict.
func (s *Store) CreateOffer(ctx context.Context, o *outreach.Offer) error {
	const q = `
INSERT INTO offers (external_id, reference, title, rome_code, employer_name, employer_email, lat, lon,
	commune_code, town, contract_type, skills, radius_km, positions, counsellor_id, appellation_id, starts_on)
VALUES (nullif($1, ''), $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, $11, $12, $13, $14, $15, nullif($16, 0), $17)
RETURNING id, created_at`
	err := s.db.QueryRow(ctx, q, o.ExternalID, o.Reference, o.Title, o.ROMECode, o.Employer.Name, o.Employer.Email,
		o.Location.Lat, o.Location.Lon, o.CommuneCode, o.Town, o.ContractType, nonNil(o.Skills), o.RadiusKM,
		o.Positions, o.CounsellorID, o.Appellation, nullDate(o.StartsOn)).Scan(&o.ID, &o.CreatedAt)
	return translate(err, "insert offer")
}

const offerColumns = `o.id, coalesce(o.external_id, ''), o.reference, o.title, o.rome_code, o.employer_name,
	o.employer_email, o.lat, o.lon, coalesce(o.commune_code, ''), o.town, o.contract_type, o.skills, o.radius_km,
	o.positions, o.counsellor_id, o.created_at, coalesce(o.appellation_id, 0), o.starts_on,
	o.outreach_started_at, o.closed_at`

func scanOffer(row interface{ Scan(...any) error }) (outreach.Offer, error) {
	var o outreach.Offer
	var starts *time.Time
	err := row.Scan(&o.ID, &o.ExternalID, &o.Reference, &o.Title, &o.ROMECode,
		&o.Employer.Name, &o.Employer.Email, &o.Location.Lat, &o.Location.Lon, &o.CommuneCode, &o.Town,
		&o.ContractType, &o.Skills, &o.RadiusKM, &o.Positions, &o.CounsellorID, &o.CreatedAt, &o.Appellation, &starts,
		&o.OutreachStartedAt, &o.ClosedAt)
	o.StartsOn = orZero(starts)
	return o, err
}

// Offer loads one offer.
func (s *Store) Offer(ctx context.Context, id int64) (outreach.Offer, error) {
	o, err := scanOffer(s.db.QueryRow(ctx, `SELECT `+offerColumns+` FROM offers o WHERE o.id = $1`, id))
	return o, translate(err, fmt.Sprintf("offer %d", id))
}

// MarketOffers finds the department of the offer (from its commune, or
// the nearest commune to its point) and the latest offers for the same
// ROME code located there, the offer itself included.
func (s *Store) MarketOffers(ctx context.Context, o outreach.Offer, limit int) (string, []outreach.Offer, error) {
	const deptQuery = `
SELECT department FROM communes
WHERE insee = $1 OR ($1 = '' AND lat IS NOT NULL)
ORDER BY insee = $1 DESC, (lat - $2) ^ 2 + ((lon - $3) * cos(radians($2))) ^ 2
LIMIT 1`
	var dept string
	if err := s.reader().QueryRow(ctx, deptQuery, o.CommuneCode, o.Location.Lat, o.Location.Lon).Scan(&dept); err != nil {
		return "", nil, translate(err, "offer department")
	}
	q := `SELECT ` + offerColumns + ` FROM offers o JOIN communes cm ON cm.insee = o.commune_code
WHERE o.rome_code = $1 AND cm.department = $2 ORDER BY o.created_at DESC, o.id DESC LIMIT $3`
	rows, err := s.reader().Query(ctx, q, o.ROMECode, dept, limit)
	if err != nil {
		return "", nil, translate(err, "market offers")
	}
	defer rows.Close()
	var peers []outreach.Offer
	for rows.Next() {
		peer, err := scanOffer(rows)
		if err != nil {
			return "", nil, translate(err, "scan offer")
		}
		peers = append(peers, peer)
	}
	return dept, peers, translate(rows.Err(), "market offers")
}

// Appellation returns a job title and its ROME code.
func (s *Store) Appellation(ctx context.Context, id int) (string, string, error) {
	var label, code string
	err := s.db.QueryRow(ctx, `SELECT label, rome_code FROM rome_appellations WHERE id = $1`, id).Scan(&label, &code)
	return label, code, translate(err, fmt.Sprintf("job title %d", id))
}

// ROMESkills lists the skills of a ROME code, core skills first, then by id.
func (s *Store) ROMESkills(ctx context.Context, code string) ([]outreach.ROMESkill, error) {
	const q = `
SELECT s.id, s.label, l.core FROM rome_code_skills l JOIN rome_skills s ON s.id = l.skill_id
WHERE l.rome_code = $1 ORDER BY l.core DESC, s.id`
	rows, err := s.db.Query(ctx, q, code)
	if err != nil {
		return nil, translate(err, "rome skills")
	}
	skills, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.ROMESkill, error) {
		var sk outreach.ROMESkill
		err := row.Scan(&sk.ID, &sk.Label, &sk.Core)
		return sk, err
	})
	return skills, translate(err, "rome skills")
}

// ROMELabel returns the label of a ROME code.
func (s *Store) ROMELabel(ctx context.Context, code string) (string, error) {
	var label string
	err := s.db.QueryRow(ctx, `SELECT label FROM rome_codes WHERE code = $1`, code).Scan(&label)
	return label, translate(err, "ROME code "+code)
}

// RelatedOccupations lists the occupations with a ROME mobility link to
// code, with the rank of code in each one's mobility list.
func (s *Store) RelatedOccupations(ctx context.Context, code string) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT from_code, rank FROM rome_mobility WHERE to_code = $1`, code)
	if err != nil {
		return nil, translate(err, "related occupations")
	}
	defer rows.Close()
	related := map[string]int{}
	for rows.Next() {
		var from string
		var rank int
		if err := rows.Scan(&from, &rank); err != nil {
			return nil, translate(err, "scan related occupation")
		}
		related[from] = rank
	}
	return related, translate(rows.Err(), "related occupations")
}

// LockAllocation serialises outreach starts until the transaction ends,
// so that two offers allocated at once cannot both push a job seeker over
// the 7-day cap.
func (s *Store) LockAllocation(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('outreach allocation'))`)
	return translate(err, "lock allocation")
}

// matchCandidateSelect reads a candidate as the matcher sees it, with their
// recent contact history for the fatigue rules, keeping only those who may
// be texted about offer $1: SMS consent, not opted out, not already
// contacted for it. Callers add the rest of the WHERE clause.
const matchCandidateSelect = `
SELECT c.id, c.external_id, c.first_name, c.phone, c.lat, c.lon, c.mobility_km,
	c.rome_codes, c.skills, c.contract_types, h.recent, h.pending, h.last_contacted, c.available_from
FROM candidates c
CROSS JOIN LATERAL (
	SELECT count(*) FILTER (WHERE k.created_at > now() - interval '7 days' AND k.status <> 'failed') AS recent,
		count(*) FILTER (WHERE k.reply IS NULL AND k.status IN ('sent', 'delivered')
			AND k.created_at > now() - interval '14 days') AS pending,
		max(k.created_at) AS last_contacted
	FROM contacts k WHERE k.candidate_id = c.id
) h
WHERE c.sms_consent
	AND NOT EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.phone = c.phone)
	AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.offer_id = $1 AND k.candidate_id = c.id)`

// MatchCandidates pre-filters in SQL what the matcher then ranks exactly:
// one GIN lookup on occupation_cells (see migration 005) finds the
// candidates holding one of the codes in the grid cells covering the box,
// then the box itself trims them.
func (s *Store) MatchCandidates(ctx context.Context, q outreach.MatchQuery) ([]outreach.MatchCandidate, error) {
	const query = matchCandidateSelect + `
	AND c.occupation_cells && $2::text[]
	AND c.lat BETWEEN $3 AND $4 AND c.lon BETWEEN $5 AND $6`
	o := q.Offer
	minLat, maxLat, minLon, maxLon := matcher.BoundingBox(matcher.Point{Lat: o.Location.Lat, Lon: o.Location.Lon}, o.RadiusKM)
	tokens := cellTokens(q.ROMECodes, minLat, maxLat, minLon, maxLon)
	return s.matchCandidates(ctx, query, o.ID, tokens, minLat, maxLat, minLon, maxLon)
}

// MatchCandidatesByID is MatchCandidates for the given candidates only:
// the check, against the database, of what an in-memory index proposed.
func (s *Store) MatchCandidatesByID(ctx context.Context, offerID int64, ids []int64) ([]outreach.MatchCandidate, error) {
	return s.matchCandidates(ctx, matchCandidateSelect+` AND c.id = ANY($2)`, offerID, ids)
}

// matchCandidates reads on the replica, if any, outside a transaction
// (see WithReplica).
func (s *Store) matchCandidates(ctx context.Context, query string, args ...any) ([]outreach.MatchCandidate, error) {
	rows, err := s.reader().Query(ctx, query, args...)
	if err != nil {
		return nil, translate(err, "match candidates")
	}
	defer rows.Close()
	var out []outreach.MatchCandidate
	for rows.Next() {
		var m outreach.MatchCandidate
		var last, available *time.Time
		if err := rows.Scan(&m.ID, &m.ExternalID, &m.FirstName, &m.Phone, &m.Location.Lat, &m.Location.Lon,
			&m.MobilityKM, &m.ROMECodes, &m.Skills, &m.ContractTypes, &m.Solicitations7d, &m.PendingUnanswered, &last,
			&available); err != nil {
			return nil, translate(err, "scan match candidate")
		}
		m.LastContactedAt, m.AvailableFrom = orZero(last), orZero(available)
		out = append(out, m)
	}
	return out, translate(rows.Err(), "match candidates")
}
