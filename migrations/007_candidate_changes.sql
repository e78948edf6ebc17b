-- The matcher keeps an in-memory index of candidates in each API process
-- (matcher.Index, kept by postgres.LiveIndex). To catch up with changes
-- committed by any process, it asks for the rows written by transactions
-- it may not have seen: each row records the transaction that last wrote
-- it, and the index remembers the oldest transaction still running at its
-- previous read (pg_snapshot_xmin). Rows from before this migration have
-- no transaction recorded: the index reads them when it loads.
ALTER TABLE candidates ADD COLUMN changed_xid xid8;
ALTER TABLE candidates ALTER COLUMN changed_xid SET DEFAULT pg_current_xact_id();

CREATE FUNCTION candidates_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;

CREATE TRIGGER candidates_changed BEFORE UPDATE ON candidates
    FOR EACH ROW EXECUTE FUNCTION candidates_changed();

CREATE INDEX candidates_changed_xid ON candidates (changed_xid);

-- Deleted candidates (erasure) leave their id here, for the same catch-up.
CREATE TABLE candidate_removals (
    candidate_id bigint NOT NULL,
    removed_xid  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX candidate_removals_xid ON candidate_removals (removed_xid);

CREATE FUNCTION candidates_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO candidate_removals (candidate_id) VALUES (OLD.id);
    RETURN OLD;
END
$$;

CREATE TRIGGER candidates_removed AFTER DELETE ON candidates
    FOR EACH ROW EXECUTE FUNCTION candidates_removed();
