-- Per-agency API clients (issue 8): the agency's systems call /api/v1
-- with their own Bearer token, which sees only that agency's counsellors,
-- job seekers and offers. Only the token's SHA-256 is stored, as for
-- sessions, so that a copy of the database opens nothing. A revoked
-- client stays listed, refused. API_TOKEN (the operator's key) is not
-- here: it sees every agency.
CREATE TABLE api_clients (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    agency     text NOT NULL CHECK (agency <> ''),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- The audit log names the API client behind an export (actor_id), or
-- none for the operator's API_TOKEN.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_id_check CHECK (
    CASE actor_kind
        WHEN 'counsellor' THEN actor_id IS NOT NULL
        WHEN 'employer' THEN actor_id IS NOT NULL
        WHEN 'system' THEN actor_id IS NULL
        ELSE true
    END);
