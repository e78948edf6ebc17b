-- Counsellors sign in to the web app (issue 7). A password is stored as an
-- argon2id hash (PHC string); NULL: no password yet, the account cannot
-- sign in. An administrator sees every counsellor of their agency.
ALTER TABLE counsellors
    ADD COLUMN password_hash text,
    ADD COLUMN admin boolean NOT NULL DEFAULT false;

-- A signed-in browser. The cookie holds a random token; only its SHA-256
-- is stored, so that a copy of the database opens no session. Each session
-- has its own CSRF token, required on every form and write.
CREATE TABLE sessions (
    token_hash    bytea PRIMARY KEY,
    counsellor_id bigint NOT NULL REFERENCES counsellors (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_counsellor ON sessions (counsellor_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
