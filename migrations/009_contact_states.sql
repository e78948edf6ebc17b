-- Contacts move through explicit states, each change a conditional
-- update, so that a retried or redelivered task never sends twice:
--   planned   committed with its offer's outreach, not yet in the queue
--   queued    handed to the queue (asynq task sms:send:<id>)
--   sending   claimed by a worker, provider call in flight
--   sent      the provider took it: message_sid is stored
--   delivered, undelivered, failed   final
-- The outbox sweep (outreach.Service.ReconcileOutbox) queues planned
-- contacts, queues everything again when Redis lost its data, and settles
-- contacts left in sending by a worker that died mid-call.
ALTER TABLE contacts DROP CONSTRAINT contacts_status_check;
UPDATE contacts SET status = 'planned' WHERE status = 'queued' AND enqueued_at IS NULL;
UPDATE contacts SET status = 'sending'
WHERE status = 'queued' AND send_claimed_at IS NOT NULL AND message_sid IS NULL;
ALTER TABLE contacts ADD CONSTRAINT contacts_status_check
    CHECK (status IN ('planned', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'));

DROP INDEX contacts_unqueued;
CREATE INDEX contacts_in_flight ON contacts (status, id) WHERE status IN ('planned', 'queued', 'sending');
