-- Every SMS changes its contact twice (claimed, then sent) and its
-- delivery reports once or twice more. An update that changes no indexed
-- column, on a page with room, is a HOT update: no index is written. The
-- index of contacts in flight named status, so every one of those changes
-- wrote all six indexes of the table. This one names only message_sid and
-- error_message, which the claim and the delivery reports leave alone:
-- it holds the contacts not sent and not failed (planned, queued, sending),
-- and a fillfactor leaves room on each page for the new row versions.
DROP INDEX contacts_in_flight;
UPDATE contacts SET error_message = 'échec' WHERE status = 'failed' AND error_message IS NULL;
CREATE INDEX contacts_unsent ON contacts (id) WHERE message_sid IS NULL AND error_message IS NULL;
ALTER TABLE contacts SET (fillfactor = 80);
