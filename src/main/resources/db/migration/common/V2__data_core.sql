-- The data core: the key hierarchy, subjects (visitors and profiles), identifiers by blind index,
-- personal values stored apart from their records, and sessions. Record rows keep only ids,
-- times, types and counts; every personal value lives in personal_values, sealed under its
-- subject's key and keyed by (account, category, collected_at) so retention can cut it by range.

-- Account keys (data: wraps subject keys; index: blind indexes), wrapped by the master key.
create table account_keys (
  account_id uuid        not null references accounts (account_id),
  purpose    varchar(16) not null,
  epoch      integer     not null,
  wrapped    bytea       not null,
  created_at timestamp(6) with time zone not null,
  primary key (account_id, purpose, epoch)
);

-- One key per data subject, wrapped by the account's data key. Deleting the row crypto-shreds
-- every value of the subject.
create table subject_keys (
  account_id uuid        not null references accounts (account_id),
  subject_id uuid        not null,
  epoch      integer     not null,
  wrapped    bytea       not null,
  created_at timestamp(6) with time zone not null,
  primary key (account_id, subject_id)
);

-- A data subject: an anonymous visitor (identified = false) or an identified profile.
create table subjects (
  account_id    uuid        not null references accounts (account_id),
  subject_id    uuid        not null,
  subject_type  varchar(64) not null,
  identified    boolean     not null,
  created_at    timestamp(6) with time zone not null,
  first_seen_at timestamp(6) with time zone not null,
  last_seen_at  timestamp(6) with time zone not null,
  primary key (account_id, subject_id)
);
create index subjects_by_last_seen on subjects (account_id, last_seen_at);

-- Exact-match lookups: a keyed PRF (blind index) of a normalised email, phone, external id or
-- visitor id, never the value itself.
create table identifiers (
  account_id  uuid        not null references accounts (account_id),
  kind        varchar(16) not null,
  blind_index varchar(64) not null,
  subject_id  uuid        not null,
  created_at  timestamp(6) with time zone not null,
  primary key (account_id, kind, blind_index)
);
create index identifiers_by_subject on identifiers (account_id, subject_id);

-- Every personal value, sealed (AEAD) under its subject's key with account, subject and
-- category as associated data. field is where it arrived (traits.email), never the value.
create table personal_values (
  account_id   uuid         not null references accounts (account_id),
  category     varchar(64)  not null,
  collected_at timestamp(6) with time zone not null,
  value_id     uuid         not null,
  subject_id   uuid         not null,
  field        varchar(200) not null,
  record_kind  varchar(32),
  record_id    uuid       ,
  ciphertext   bytea        not null,
  primary key (account_id, category, collected_at, value_id)
);
create index personal_values_by_subject on personal_values (account_id, subject_id, field, collected_at);
create index personal_values_by_record on personal_values (account_id, record_id);

-- Sessions: started by a visitor's first event, ended by inactivity. The summary's counts live
-- here; its personal parts (referrer, campaign, landing page) are personal_values of the session.
create table sessions (
  account_id    uuid        not null references accounts (account_id),
  started_at    timestamp(6) with time zone not null,
  session_id    uuid        not null,
  subject_id    uuid        not null,
  session_key   varchar(64) not null,
  visitor_index varchar(64) not null,
  last_event_at timestamp(6) with time zone not null,
  event_count   integer     not null,
  page_count    integer     not null,
  primary key (account_id, started_at, session_id)
);
create index sessions_by_subject on sessions (account_id, subject_id, last_event_at);
create index sessions_by_key on sessions (account_id, session_key);
create index sessions_by_visitor on sessions (account_id, visitor_index, last_event_at);
