-- Bulk deletions (docs/erasure.md, "Bulk deletion"): one row per job with what its one receipt
-- needs, summed over every erasure the job made, updated in the transaction of each batch of
-- erasures (so a crash never counts a batch twice nor loses one). Ids and counts only: the
-- identifiers themselves live in the job's sealed file until the job ends.
create table bulk_deletions (
  account_id     uuid          not null,
  job_id         uuid          not null,
  erased         bigint        not null,
  not_found      bigint        not null,
  already_erased bigint        not null,
  duplicates     bigint        not null,
  -- JSON: {table: rows} summed over the erasures; {category: {values, holds | rules}} held
  -- under legal holds (their ids) and kept by rules after: erased (their paths)
  tables         varchar(4000)    not null,
  held           varchar(1000000) not null,
  kept           varchar(100000)  not null,
  primary key (account_id, job_id),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);

-- The erasures a bulk deletion made (the per-person erasure records stay as erasure keeps them):
-- the same person named twice in one file is counted once.
create table bulk_deletion_erasures (
  account_id uuid not null,
  job_id     uuid not null,
  erasure_id uuid not null,
  primary key (account_id, job_id, erasure_id),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);
