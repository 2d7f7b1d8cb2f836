-- Verification of a requester, followed up: when the first code was sent (a request waits for
-- its requester from then on), when the one reminder went out, and when the right code was given
-- (a request verified by email is answered by email when it closes). Times only, no value.
alter table requests add column verification_started_at timestamp(6) with time zone;
alter table requests add column reminded_at timestamp(6) with time zone;
alter table requests add column verified_at timestamp(6) with time zone;
-- the reminder job: requests awaiting verification, oldest first
create index requests_awaiting on requests (status, verification_started_at);
