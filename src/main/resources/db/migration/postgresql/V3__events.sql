-- Events: ids, times and types only; their personal values are in personal_values.
-- Partitioned by month of occurred_at, so retention can drop whole months. Monthly partitions are
-- created ahead by the server (events_yYYYYmMM); the default partition catches anything else.
create table events (
  account_id  uuid         not null,
  occurred_at timestamp(6) with time zone not null,
  event_id    uuid         not null,
  subject_id  uuid         not null,
  session_id  uuid       ,
  type        varchar(200) not null,
  received_at timestamp(6) with time zone not null,
  primary key (account_id, occurred_at, event_id)
) partition by range (occurred_at);
create table events_default partition of events default;
create index events_by_subject on events (account_id, subject_id, occurred_at);
