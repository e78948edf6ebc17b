-- The outreach loop: counsellors, candidates, offers, contacts (one SMS
-- solicitation of one candidate for one offer), inbound messages, delivery
-- reports and the counsellors' inbox.

CREATE TABLE counsellors (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    name       text NOT NULL,
    agency     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX counsellors_email ON counsellors (lower(email));

CREATE TABLE candidates (
    id             bigserial PRIMARY KEY,
    external_id    text NOT NULL UNIQUE,
    first_name     text NOT NULL,
    phone          text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    commune_code   text,
    mobility_km    double precision NOT NULL CHECK (mobility_km > 0),
    rome_codes     text[] NOT NULL,
    skills         text[] NOT NULL DEFAULT '{}',
    contract_types text[] NOT NULL DEFAULT '{}',
    sms_consent    boolean NOT NULL,
    counsellor_id  bigint NOT NULL REFERENCES counsellors (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_rome_codes ON candidates USING gin (rome_codes);
CREATE INDEX candidates_lat_lon ON candidates (lat, lon);
CREATE INDEX candidates_phone ON candidates (phone);
CREATE INDEX candidates_counsellor ON candidates (counsellor_id);

-- A phone number that sent STOP (or was reported unsubscribed by the
-- provider). START or a counsellor re-recording consent removes the row;
-- every change is kept in consent_events.
CREATE TABLE opt_outs (
    phone      text PRIMARY KEY,
    source     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consent_events (
    id         bigserial PRIMARY KEY,
    phone      text NOT NULL,
    action     text NOT NULL CHECK (action IN ('opt_out', 'opt_in')),
    source     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_phone ON consent_events (phone, created_at);

CREATE TABLE offers (
    id             bigserial PRIMARY KEY,
    external_id    text UNIQUE,
    reference      text NOT NULL UNIQUE,
    title          text NOT NULL,
    rome_code      text NOT NULL REFERENCES rome_codes (code),
    employer_name  text NOT NULL,
    employer_email text NOT NULL,
    lat            double precision NOT NULL,
    lon            double precision NOT NULL,
    commune_code   text,
    town           text NOT NULL DEFAULT '',
    contract_type  text NOT NULL,
    skills         text[] NOT NULL DEFAULT '{}',
    radius_km      double precision NOT NULL CHECK (radius_km > 0),
    positions      integer NOT NULL CHECK (positions > 0),
    counsellor_id  bigint NOT NULL REFERENCES counsellors (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
    id              bigserial PRIMARY KEY,
    offer_id        bigint NOT NULL REFERENCES offers (id),
    candidate_id    bigint NOT NULL REFERENCES candidates (id),
    phone           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'undelivered', 'failed')),
    score           double precision NOT NULL,
    distance_km     double precision NOT NULL,
    reasons         jsonb NOT NULL,
    body            text NOT NULL,
    enqueued_at     timestamptz,
    send_claimed_at timestamptz,
    message_sid     text UNIQUE,
    sent_at         timestamptz,
    delivered_at    timestamptz,
    error_code      integer,
    error_message   text,
    reply           text CHECK (reply IN ('interested', 'declined', 'unclear', 'opted_out')),
    replied_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (offer_id, candidate_id)
);
CREATE INDEX contacts_phone_recent ON contacts (phone, created_at DESC);
CREATE INDEX contacts_unqueued ON contacts (id) WHERE enqueued_at IS NULL;

-- Every inbound SMS, stored once per provider MessageSid, including those
-- from unknown numbers.
CREATE TABLE inbound_messages (
    id           bigserial PRIMARY KEY,
    message_sid  text NOT NULL UNIQUE,
    from_phone   text NOT NULL,
    to_phone     text NOT NULL,
    body         text NOT NULL,
    intent       text NOT NULL,
    offer_ref    text NOT NULL DEFAULT '',
    contact_id   bigint REFERENCES contacts (id),
    candidate_id bigint REFERENCES candidates (id),
    link         text NOT NULL CHECK (link IN ('reference', 'inferred', 'none')),
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Delivery reports, deduplicated by (message_sid, status).
CREATE TABLE status_events (
    message_sid text NOT NULL,
    status      text NOT NULL,
    error_code  integer,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_sid, status)
);

CREATE TABLE inbox_items (
    id            bigserial PRIMARY KEY,
    counsellor_id bigint REFERENCES counsellors (id), -- NULL: unknown sender, for administrators
    inbound_id    bigint NOT NULL UNIQUE REFERENCES inbound_messages (id),
    candidate_id  bigint REFERENCES candidates (id),
    offer_id      bigint REFERENCES offers (id),
    contact_id    bigint REFERENCES contacts (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    handled_at    timestamptz
);
CREATE INDEX inbox_items_counsellor ON inbox_items (counsellor_id, created_at DESC);
