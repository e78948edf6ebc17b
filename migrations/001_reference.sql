-- Reference data: the ROME occupation referential (France Travail, Licence
-- Ouverte 2.0) and French communes with coordinates. Loaded by
-- `outreach seed --reference` from the files embedded in package refdata.

CREATE TABLE rome_codes (
    code        text PRIMARY KEY CHECK (code ~ '^[A-N][0-9]{4}$'),
    label       text NOT NULL,
    parent_code text NOT NULL
);

-- Job titles (appellations, OGR codes); each maps to exactly one ROME code.
CREATE TABLE rome_appellations (
    id          integer PRIMARY KEY,
    label       text NOT NULL,
    short_label text NOT NULL,
    rome_code   text NOT NULL REFERENCES rome_codes (code)
);
CREATE INDEX rome_appellations_rome_code ON rome_appellations (rome_code);

-- Mobility links between occupations, ranked (1 = closest).
CREATE TABLE rome_mobility (
    from_code text NOT NULL REFERENCES rome_codes (code),
    to_code   text NOT NULL REFERENCES rome_codes (code),
    rank      integer NOT NULL,
    PRIMARY KEY (from_code, to_code)
);

CREATE TABLE communes (
    insee        text PRIMARY KEY,
    name         text NOT NULL,
    postal_code  text NOT NULL,
    department   text NOT NULL,
    population   integer NOT NULL,
    lat          double precision,
    lon          double precision,
    former_insee text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX communes_former_insee ON communes USING gin (former_insee);
