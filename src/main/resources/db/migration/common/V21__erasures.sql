-- Erasures (docs/erasure.md). An erasure destroys the person's keys, keeps held categories under
-- their hold's key, and writes this record and the suppression entries in one transaction; the
-- rows of the person are then purged. The record holds ids, counts and state only (no personal
-- value), and is kept: it answers GET /v1/erasures/{id} and makes erasing again idempotent.
-- subject_id is the erased subject's id; it has no foreign key, since the subject's row goes.
create table erasures (
  account_id   uuid         not null references accounts (account_id),
  erasure_id   uuid         not null,
  subject_id   uuid         not null,
  request_id   varchar(100),
  erased_at    timestamp(6) with time zone not null,
  erased_by    varchar(100) not null,
  state        varchar(16)  not null check (state in ('shredded', 'purged')),
  purged_at    timestamp(6) with time zone,
  receipt      text         not null,
  primary key (account_id, erasure_id)
);
create unique index erasures_by_subject on erasures (account_id, subject_id);
-- what the purge job looks for: erasures whose rows are not deleted yet (after a crash)
create index erasures_by_state on erasures (state, account_id, erasure_id);

-- The suppression list: blind indexes (never values) of an erased person's identifiers, so a late
-- or retried batch for them does not bring the person back. Each entry goes at expires_at.
create table suppressions (
  account_id  uuid         not null references accounts (account_id),
  kind        varchar(16)  not null,
  blind_index varchar(64)  not null,
  erasure_id  uuid         not null,
  expires_at  timestamp(6) with time zone not null,
  primary key (account_id, kind, blind_index)
);
create index suppressions_by_expiry on suppressions (account_id, expires_at);
