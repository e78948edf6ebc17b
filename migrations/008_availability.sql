-- When job seekers can start and when offers start: a job seeker is only
-- proposed for an offer they can take up in time (see the eligibility rules
-- in matcher/doc.go). NULL: available now / the offer starts as soon as
-- possible.
ALTER TABLE candidates ADD COLUMN available_from date;
ALTER TABLE offers ADD COLUMN starts_on date;

-- The skills of the ROME 4.0 referential (know-how, soft skills and
-- knowledge, by OGR code) and the skills each occupation calls for; core
-- marks the referential's core skills ("Principale"). Loaded by
-- postgres.LoadReference from the files embedded in package refdata. An
-- offer created without skills gets the first core skills of its code.
CREATE TABLE rome_skills (
    id    integer PRIMARY KEY,
    label text NOT NULL
);

CREATE TABLE rome_code_skills (
    rome_code text NOT NULL REFERENCES rome_codes (code),
    skill_id  integer NOT NULL REFERENCES rome_skills (id),
    core      boolean NOT NULL,
    PRIMARY KEY (rome_code, skill_id)
);
