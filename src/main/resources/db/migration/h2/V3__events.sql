-- Events: ids, times and types only; their personal values are in personal_values.
-- (On PostgreSQL the same table is partitioned by month.)
create table events (
  account_id  uuid         not null references accounts (account_id),
  occurred_at timestamp(6) with time zone not null,
  event_id    uuid         not null,
  subject_id  uuid         not null,
  session_id  uuid       ,
  type        varchar(200) not null,
  received_at timestamp(6) with time zone not null,
  primary key (account_id, occurred_at, event_id)
);
create index events_by_subject on events (account_id, subject_id, occurred_at);
