-- Retention sweeps (docs/retention.md). Each sweep of an account is recorded with what each rule
-- did; the counts of a rule are written in the transaction of the batch they count, so a sweep cut
-- short by a crash reports exactly what it did and the next sweep finishes the work.
create table sweeps (
  account_id     uuid         not null references accounts (account_id),
  sweep_id       uuid         not null,
  status         varchar(16)  not null check (status in ('running', 'succeeded', 'failed', 'interrupted')),
  as_of          timestamp(6) with time zone not null,
  started_at     timestamp(6) with time zone not null,
  finished_at    timestamp(6) with time zone,
  started_by     varchar(100) not null,
  policy_version integer,
  error          varchar(500),
  primary key (account_id, sweep_id)
);
create index sweeps_by_start on sweeps (account_id, started_at);

-- What one rule did in one sweep: rows it deleted, anonymised or summarised (affected), rows it
-- removed along with them (derived: a deleted event's values and goal hits), rows a legal hold
-- kept (held), and the time it took.
create table sweep_rules (
  account_id uuid         not null references accounts (account_id),
  sweep_id   uuid         not null,
  position   integer      not null,
  rule       varchar(100) not null,
  action     varchar(16)  not null,
  affected   bigint       not null,
  derived    bigint       not null,
  held       bigint       not null,
  millis     bigint       not null,
  primary key (account_id, sweep_id, rule)
);

-- Rows each legal hold kept from each rule in one sweep.
create table sweep_holds (
  account_id uuid         not null references accounts (account_id),
  sweep_id   uuid         not null,
  rule       varchar(100) not null,
  hold_id    uuid         not null,
  held       bigint       not null,
  primary key (account_id, sweep_id, rule, hold_id)
);

-- One live sweep per account at a time, across every server on the database: a lease that the
-- sweeper renews with every batch and that another may take over once it has expired (a server
-- killed in the middle of a sweep).
create table sweep_leases (
  account_id uuid         not null references accounts (account_id),
  sweep_id   uuid,
  expires_at timestamp(6) with time zone,
  primary key (account_id)
);

-- A deleted or anonymised event takes its goal hits with it.
create index goal_hits_by_event on goal_hits (account_id, event_id);
-- Removing a person (a profile rule, an erasure) finds their list-filter rows directly.
create index field_values_by_subject on field_values (account_id, subject_id);
