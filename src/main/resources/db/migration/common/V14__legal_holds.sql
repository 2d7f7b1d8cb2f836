-- Legal holds: data kept past its time because the law or a dispute requires it (an unpaid
-- invoice, a court case). A hold covers one person (subject_id), one data category of every
-- person, or the whole account. Sweeps skip what an active hold covers and report it with the
-- hold's id; an erasure keeps held categories under the hold's key (hold_keys, V11). A hold holds
-- no personal value: its reason is the account's own words about a case, never a person's data.
-- subject_id has no foreign key: the hold outlives the person's erasure (it is the record of why
-- the held data was kept), and moves with the person on a merge (SubjectTable.LEGAL_HOLDS).
create table legal_holds (
  account_id  uuid         not null references accounts (account_id),
  hold_id     uuid         not null,
  scope       varchar(16)  not null check (scope in ('profile', 'category', 'account')),
  subject_id  uuid,
  category    varchar(100),
  reason      varchar(500) not null,
  held_until  timestamp(6) with time zone,
  created_at  timestamp(6) with time zone not null,
  created_by  varchar(100) not null,
  released_at timestamp(6) with time zone,
  released_by varchar(100),
  primary key (account_id, hold_id),
  check ((scope = 'profile' and subject_id is not null and category is null)
      or (scope = 'category' and subject_id is null and category is not null)
      or (scope = 'account' and subject_id is null and category is null))
);
-- what a sweep asks: the holds of an account not released yet (their end is checked in Java)
create index legal_holds_active on legal_holds (account_id, released_at, hold_id);
create index legal_holds_by_subject on legal_holds (account_id, subject_id);
