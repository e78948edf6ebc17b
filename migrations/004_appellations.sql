-- Offers and candidates may name job titles (ROME appellations, OGR codes);
-- each maps to one ROME code, which is what matching uses. No foreign key:
-- the reference tables are reloaded when the referential is updated.
ALTER TABLE offers ADD COLUMN appellation_id integer;
ALTER TABLE candidates ADD COLUMN appellation_ids integer[] NOT NULL DEFAULT '{}';
