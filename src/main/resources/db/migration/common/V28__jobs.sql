-- Governed jobs (docs/jobs.md): imports, exports and bulk deletions that run in the background,
-- report progress, can be cancelled and resume after a crash. A job row holds no personal value:
-- its kind, state, counts, a resume position (a row number or an id), a non-personal summary;
-- what a job needs that is personal (a filter's values, the requester's address) is sealed in
-- `sealed` under the job's own account key (purpose 'job/<id>'), which is destroyed with the
-- job's files. db-scheduler runs a job as the one-time task 'transfer-job' (instance
-- '<account>/<job>'); this table is what the run reads and records. `run_no` fences runs: each
-- run takes the next number, and a step recorded under an older number (a run the scheduler
-- thought dead but was only slow) is refused.
create table jobs (
  account_id       uuid          not null references accounts (account_id),
  job_id           uuid          not null,
  kind             varchar(32)   not null,
  state            varchar(16)   not null check (state in ('uploading', 'previewing', 'staged', 'queued', 'running',
                                                          'completed', 'failed', 'cancelled', 'expired')),
  requested_by     varchar(64),
  params           varchar(4000) not null,
  sealed           bytea,
  total            bigint,
  done             bigint        not null,
  errors           bigint        not null,
  position         varchar(200),
  result           varchar(8000),
  failure          varchar(500),
  cancel_requested boolean       not null,
  run_no           integer       not null,
  files            boolean       not null,
  created_at       timestamp(6) with time zone not null,
  started_at       timestamp(6) with time zone,
  finished_at      timestamp(6) with time zone,
  expires_at       timestamp(6) with time zone,
  primary key (account_id, job_id)
);
-- the list, newest first, paged by (created_at, job_id)
create index jobs_by_time on jobs (account_id, created_at, job_id);
-- what the expiry looks for: files past their time
create index jobs_expiry on jobs (files, expires_at);
-- what resumption looks for: jobs that should have a run
create index jobs_runnable on jobs (state);

-- Each error a job met: the row (1 = the first data row of a file; 0 for the whole job), the
-- column, and why; never the value.
create table job_errors (
  account_id  uuid          not null,
  job_id      uuid          not null,
  seq         bigint        not null,
  row_no      bigint        not null,
  column_name varchar(200),
  reason      varchar(500)  not null,
  primary key (account_id, job_id, seq),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);

-- A job's files (an uploaded import, an export's CSV), in sealed chunks of up to 1 MiB, kept in
-- the database so every server reaches them; deleted with the job's key.
create table job_chunks (
  account_id uuid         not null,
  job_id     uuid         not null,
  stream     varchar(32)  not null,
  seq        integer      not null,
  data       bytea        not null,
  primary key (account_id, job_id, stream, seq),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);
