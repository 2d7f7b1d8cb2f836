-- The notifications outbox (docs/outbox.md). A message is written in the transaction of what it
-- announces and delivered afterwards by the outbox job. Its recipient, subject line and text are
-- sealed together in `content`: under the subject's key when it is about a person (an erasure
-- makes pending mail unreadable), else under the account's outbox key. `content` is set to null
-- once a sent message is older than the outbox's retention; the row (ids, times, counts) stays.
--
-- A delivery run claims a due message by setting claimed_until (a compare-and-set on the row),
-- sends it outside any transaction, then records the outcome: two runs never send it at once.
create table outbox (
  account_id      uuid         not null references accounts (account_id),
  message_id      uuid         not null,
  subject_id      uuid,
  key_id          uuid         not null,
  kind            varchar(16)  not null check (kind in ('email')),
  purpose         varchar(64)  not null,
  content         bytea,
  status          varchar(16)  not null check (status in ('pending', 'sent', 'failed')),
  attempts        integer      not null,
  last_error      varchar(500),
  created_at      timestamp(6) with time zone not null,
  next_attempt_at timestamp(6) with time zone not null,
  claimed_until   timestamp(6) with time zone,
  sent_at         timestamp(6) with time zone,
  primary key (account_id, message_id)
);
-- what delivery looks for: due pending messages, oldest first
create index outbox_due on outbox (status, next_attempt_at);
-- the admin list, newest first, paged by (created_at, message_id)
create index outbox_by_time on outbox (account_id, created_at, message_id);
create index outbox_by_subject on outbox (account_id, subject_id);
