-- Foundation: accounts, API keys, policy versions, operator bounds, the audit log.
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode. Every table carries the account id
-- as the first column of its key, so the schema can later be distributed by account.
-- None of these tables holds a data subject's personal value. Row ids (accounts, subjects, values,
-- records) are uuids: an index of uuids is about three quarters the size of the same ids as text.

create table accounts (
  account_id        uuid         not null primary key,
  name              varchar(200) not null,
  created_at        timestamp(6) with time zone not null,
  contract_ended_at timestamp(6) with time zone,
  notices_public    boolean      not null default false
);

-- The platform itself is an account: it owns the operator keys, the default policy and the
-- operator's audit chain. Its id is the nil uuid.
insert into accounts (account_id, name, created_at) values ('00000000-0000-0000-0000-000000000000', 'Platform operator', current_timestamp);


create table api_keys (
  account_id  uuid         not null references accounts (account_id),
  key_id      varchar(40)  not null,
  secret_hash varchar(64)  not null,
  scopes      varchar(100) not null,
  label       varchar(200),
  created_at  timestamp(6) with time zone not null,
  created_by  varchar(40),
  revoked_at  timestamp(6) with time zone,
  primary key (account_id, key_id)
);
create unique index api_keys_by_key_id on api_keys (key_id);

create table policy_versions (
  account_id uuid        not null references accounts (account_id),
  version    integer     not null,
  source     varchar     not null,
  media_type varchar(40) not null,
  document   varchar     not null,
  author     varchar(40) not null,
  created_at timestamp(6) with time zone not null,
  primary key (account_id, version)
);

-- Operator-approved retention extensions: an account may keep `target` (categories.x or
-- records.y) for up to `max_period`, beyond the platform default.
create table retention_extensions (
  account_id  uuid         not null references accounts (account_id),
  target      varchar(200) not null,
  max_period  varchar(40)  not null,
  reason      varchar(500) not null,
  approved_by varchar(40)  not null,
  approved_at timestamp(6) with time zone not null,
  primary key (account_id, target)
);

-- The hash-chained audit log, one chain per account. Entries hold ids and keyed hashes only.
create table audit_log (
  account_id uuid         not null references accounts (account_id),
  seq        bigint       not null,
  at         timestamp(6) with time zone not null,
  actor      varchar(80)  not null,
  source     varchar(80),
  action     varchar(80)  not null,
  targets    varchar      not null,
  outcome    varchar(16)  not null,
  detail     varchar      not null,
  prev_hash  varchar(64)  not null,
  hash       varchar(64)  not null,
  primary key (account_id, seq)
);
create index audit_log_by_time on audit_log (account_id, at);

-- The head of each chain; locked (select … for update) to append, so appends are serialised per
-- account across threads and server instances.
create table audit_heads (
  account_id uuid        not null primary key references accounts (account_id),
  seq        bigint      not null,
  hash       varchar(64) not null
);

insert into audit_heads (account_id, seq, hash)
values ('00000000-0000-0000-0000-000000000000', 0, '0000000000000000000000000000000000000000000000000000000000000000');
