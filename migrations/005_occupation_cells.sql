-- Matching filters on occupation and place at once: each candidate carries
-- one token per ROME code and grid cell ("N1103:183:13"), and one GIN
-- lookup with the tokens of the offer's codes and of the cells covering its
-- radius returns just the candidates worth ranking. The column is
-- generated, so PostgreSQL keeps it right on every insert and update.
--
-- Cells are 0.25 degree of latitude (27.8 km) by 0.35 degree of longitude
-- (about 27 km in mainland France). The Go side (postgres.cellTokens) must
-- use the same sizes.
CREATE FUNCTION occupation_cells(codes text[], lat double precision, lon double precision)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(code || ':' || floor(lat / 0.25)::int || ':' || floor(lon / 0.35)::int), '{}')
    FROM unnest(codes) AS code
$$;

ALTER TABLE candidates
    ADD COLUMN occupation_cells text[] GENERATED ALWAYS AS (occupation_cells(rome_codes, lat, lon)) STORED;

CREATE INDEX candidates_occupation_cells ON candidates USING gin (occupation_cells) WHERE sms_consent;
