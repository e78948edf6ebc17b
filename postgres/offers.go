package postgres

import (
	"context"
	"fmt"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

// CreateOffer inserts an offer; a taken reference or external id is ErrConflict.
func (s *Store) CreateOffer(ctx context.Context, o *outreach.Offer) error {
	const q = `
INSERT INTO offers (external_id, reference, title, rome_code, employer_name, employer_email, lat, lon,
	commune_code, town, contract_type, skills, radius_km, positions, counsellor_id)
VALUES (nullif($1, ''), $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, $11, $12, $13, $14, $15)
RETURNING id, created_at`
	err := s.db.QueryRow(ctx, q, o.ExternalID, o.Reference, o.Title, o.ROMECode, o.Employer.Name, o.Employer.Email,
		o.Location.Lat, o.Location.Lon, o.CommuneCode, o.Town, o.ContractType, nonNil(o.Skills), o.RadiusKM,
		o.Positions, o.CounsellorID).Scan(&o.ID, &o.CreatedAt)
	return translate(err, "insert offer")
}

// Offer loads one offer.
func (s *Store) Offer(ctx context.Context, id int64) (outreach.Offer, error) {
	const q = `
SELECT id, coalesce(external_id, ''), reference, title, rome_code, employer_name, employer_email, lat, lon,
	coalesce(commune_code, ''), town, contract_type, skills, radius_km, positions, counsellor_id, created_at
FROM offers WHERE id = $1`
	var o outreach.Offer
	err := s.db.QueryRow(ctx, q, id).Scan(&o.ID, &o.ExternalID, &o.Reference, &o.Title, &o.ROMECode,
		&o.Employer.Name, &o.Employer.Email, &o.Location.Lat, &o.Location.Lon, &o.CommuneCode, &o.Town,
		&o.ContractType, &o.Skills, &o.RadiusKM, &o.Positions, &o.CounsellorID, &o.CreatedAt)
	return o, translate(err, fmt.Sprintf("offer %d", id))
}

// ROMELabel returns the label of a ROME code.
func (s *Store) ROMELabel(ctx context.Context, code string) (string, error) {
	var label string
	err := s.db.QueryRow(ctx, `SELECT label FROM rome_codes WHERE code = $1`, code).Scan(&label)
	return label, translate(err, "ROME code "+code)
}

// MatchCandidates pre-filters in SQL what the matcher then ranks exactly:
// the GIN index on rome_codes and the (lat, lon) box keep it cheap.
func (s *Store) MatchCandidates(ctx context.Context, o outreach.Offer) ([]outreach.MatchCandidate, error) {
	const q = `
SELECT c.id, c.external_id, c.first_name, c.phone, c.lat, c.lon, c.mobility_km,
	c.rome_codes, c.skills, c.contract_types
FROM candidates c
WHERE c.rome_codes @> ARRAY[$1::text]
	AND c.lat BETWEEN $2 AND $3 AND c.lon BETWEEN $4 AND $5
	AND c.sms_consent
	AND NOT EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.phone = c.phone)
	AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.offer_id = $6 AND k.candidate_id = c.id)`
	minLat, maxLat, minLon, maxLon := matcher.BoundingBox(matcher.Point{Lat: o.Location.Lat, Lon: o.Location.Lon}, o.RadiusKM)
	rows, err := s.db.Query(ctx, q, o.ROMECode, minLat, maxLat, minLon, maxLon, o.ID)
	if err != nil {
		return nil, translate(err, "match candidates")
	}
	defer rows.Close()
	var out []outreach.MatchCandidate
	for rows.Next() {
		var m outreach.MatchCandidate
		if err := rows.Scan(&m.ID, &m.ExternalID, &m.FirstName, &m.Phone, &m.Location.Lat, &m.Location.Lon,
			&m.MobilityKM, &m.ROMECodes, &m.Skills, &m.ContractTypes); err != nil {
			return nil, translate(err, "scan match candidate")
		}
		out = append(out, m)
	}
	return out, translate(rows.Err(), "match candidates")
}
