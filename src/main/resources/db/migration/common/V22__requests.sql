-- Data-subject requests (GDPR Art. 15-21): access, erasure, rectification, restriction,
-- objection, portability. A request holds no personal value: the person is named by subject_id
-- (null when Lethe did not know the identifier given) and the kind of identifier used, never the
-- identifier itself; a verification code is kept only as a salted hash. reason and
-- extension_reason are the account's own words about the case, as a legal hold's reason is.
-- subject_id has no foreign key: a request is the record of a right exercised and outlives the
-- person's erasure; it moves with the person on a merge (SubjectTable.REQUESTS).
create table requests (
  account_id            uuid         not null references accounts (account_id),
  request_id            uuid         not null,
  request_type          varchar(16)  not null check (request_type in
                          ('access', 'erasure', 'rectification', 'restriction', 'objection', 'portability')),
  subject_id            uuid,
  identifier_kind       varchar(16)  not null,
  status                varchar(24)  not null check (status in
                          ('received', 'awaiting_verification', 'in_progress', 'completed', 'rejected')),
  outcome               varchar(24),
  purposes              varchar(2000),
  received_at           timestamp(6) with time zone not null,
  clock_started_at      timestamp(6) with time zone,
  due_at                timestamp(6) with time zone,
  extended_to           timestamp(6) with time zone,
  extension_reason      varchar(500),
  verification_hash     varchar(120),
  verification_attempts integer      not null default 0,
  verification_expires  timestamp(6) with time zone,
  reason                varchar(500),
  restricted            boolean      not null default false,
  lifted_at             timestamp(6) with time zone,
  closed_at             timestamp(6) with time zone,
  created_by            varchar(100) not null,
  updated_at            timestamp(6) with time zone not null,
  primary key (account_id, request_id)
);
-- the queue: open requests by due date, filtered by status and type
create index requests_queue on requests (account_id, status, due_at);
create index requests_by_received on requests (account_id, received_at, request_id);
-- a person's requests (earlier requests in an access package) and whether they are restricted
create index requests_by_subject on requests (account_id, subject_id, restricted);
