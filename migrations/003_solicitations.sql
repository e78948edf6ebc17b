-- Per-candidate contact history for the fatigue rules (SMS in the rolling
-- 7 days, pending unanswered offers, last contact), and mobility links
-- looked up by target occupation.
CREATE INDEX contacts_candidate_recent ON contacts (candidate_id, created_at DESC);
CREATE INDEX rome_mobility_to_code ON rome_mobility (to_code);
