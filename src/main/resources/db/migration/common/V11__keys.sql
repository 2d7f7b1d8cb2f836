-- Keys shaped for legal holds, merges and epochs (docs/keys.md).
--
-- A subject key now has an id of its own and an owner (subject_id), and is wrapped by the
-- account's data key of one epoch. Values are sealed under a key derived from a subject key per
-- category, and each value row names the key that sealed it (key_id), so:
--   * a merge hands the merged subject's keys to the survivor instead of re-sealing its values;
--   * a legal hold keeps a category after the subject's keys are destroyed by wrapping only that
--     category's derived key under a hold key (held_keys), no value row rewritten;
--   * account data keys rotate by epoch: subject keys are opened with the epoch they name.
--
-- Nothing is deployed. Values sealed by the earlier scheme cannot be opened by this one, so they
-- and their subject keys are dropped rather than converted; a database made before this version
-- holds test data only and is best started afresh. The blind-index account keys are kept: they
-- never rotate, and every stored blind index depends on them.

delete from personal_values;
drop table subject_keys;
delete from account_keys where purpose = 'data';

-- One row per subject key. subject_id is its owner, which a merge changes; sealing marks the
-- one key of the owner that seals new values (keys brought in by a merge only open old ones).
-- key_purpose and epoch reference the account key that wraps it, so the database itself refuses
-- to destroy an epoch a key still needs, or to store a key under an epoch already destroyed.
create table subject_keys (
  account_id  uuid        not null references accounts (account_id),
  key_id      uuid        not null,
  subject_id  uuid        not null,
  sealing     boolean     not null,
  key_purpose varchar(16) not null default 'data' check (key_purpose = 'data'),
  epoch       integer     not null,
  wrapped     bytea       not null,
  created_at  timestamp(6) with time zone not null,
  primary key (account_id, key_id),
  foreign key (account_id, key_purpose, epoch) references account_keys (account_id, purpose, epoch)
);
create index subject_keys_by_subject on subject_keys (account_id, subject_id);
-- Re-wrapping pages through one epoch's keys in key order.
create index subject_keys_by_epoch on subject_keys (account_id, epoch, key_id);

alter table personal_values add column key_id uuid not null;

-- One key per legal hold (or other reason to keep categories past an erasure), wrapped by the
-- account's data key of one epoch like a subject key. Releasing the hold destroys it.
create table hold_keys (
  account_id  uuid        not null references accounts (account_id),
  hold_id     uuid        not null,
  key_purpose varchar(16) not null default 'data' check (key_purpose = 'data'),
  epoch       integer     not null,
  wrapped     bytea       not null,
  created_at  timestamp(6) with time zone not null,
  primary key (account_id, hold_id),
  foreign key (account_id, key_purpose, epoch) references account_keys (account_id, purpose, epoch)
);
create index hold_keys_by_epoch on hold_keys (account_id, epoch, hold_id);

-- A held category's derived key, wrapped under the hold's key, written in the transaction that
-- destroys the subject key it was derived from. Values of that key and category keep opening
-- through it until the hold is released.
create table held_keys (
  account_id uuid        not null references accounts (account_id),
  key_id     uuid        not null,
  category   varchar(64) not null,
  hold_id    uuid        not null,
  wrapped    bytea       not null,
  created_at timestamp(6) with time zone not null,
  primary key (account_id, key_id, category, hold_id),
  foreign key (account_id, hold_id) references hold_keys (account_id, hold_id)
);
create index held_keys_by_hold on held_keys (account_id, hold_id);
