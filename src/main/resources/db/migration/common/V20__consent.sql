-- Consent (issue 15, part 6). Privacy-policy versions, the consent ledger, and who is a minor.
-- Nothing here is a personal value: purposes are the policy's words, the proof's IP address is kept
-- only as a keyed hash (the account's blind-index key), the form version is the account's label.

-- The account's privacy-policy versions. A version that requires re-consent makes consents given
-- under earlier versions not current from its publication on; a material one is announced to the
-- people it affects.
create table privacy_policies (
  account_id         uuid         not null references accounts (account_id),
  version            varchar(100) not null,
  url                varchar(2000) not null,
  published_at       timestamp(6) with time zone not null,
  material           boolean      not null,
  requires_reconsent boolean      not null,
  created_at         timestamp(6) with time zone not null,
  primary key (account_id, version)
);
create index privacy_policies_published on privacy_policies (account_id, published_at);

-- One row per consent given or withdrawn (a receipt each): append-only. subject_id moves with a
-- merge and goes with the person's removal (SubjectTable.CONSENTS).
create table consents (
  account_id     uuid         not null references accounts (account_id),
  consent_id     uuid         not null,
  subject_id     uuid         not null,
  policy_version varchar(100),
  source         varchar(100) not null,
  consented_at   timestamp(6) with time zone not null,
  recorded_at    timestamp(6) with time zone not null,
  proof_form     varchar(200),
  proof_ip_hash  varchar(64),
  primary key (account_id, consent_id)
);
create index consents_by_subject on consents (account_id, subject_id, consented_at);

-- The purposes of each consent: granted or not. The current state of a purpose is the subject's
-- latest row for it (by consented_at, then consent_id, a time-ordered uuid).
-- policy_published_at is the publication of the version it was given under, so "not superseded by
-- a version requiring re-consent" is a comparison, not a join. A withdrawal or objection recorded
-- before the account published any privacy policy (Sec-GPC) has neither version nor publication.
create table consent_purposes (
  account_id          uuid         not null references accounts (account_id),
  consent_id          uuid         not null,
  subject_id          uuid         not null,
  purpose             varchar(100) not null,
  granted             boolean      not null,
  consented_at        timestamp(6) with time zone not null,
  policy_published_at timestamp(6) with time zone,
  primary key (account_id, consent_id, purpose)
);
create index consent_purposes_current on consent_purposes (account_id, purpose, subject_id, consented_at);
create index consent_purposes_by_subject on consent_purposes (account_id, subject_id);

-- People below the digital age of consent of their country, from their birth date and country
-- (traits): no consent-based processing until adult_on.
create table consent_minors (
  account_id uuid not null references accounts (account_id),
  subject_id uuid not null,
  adult_on   date not null,
  primary key (account_id, subject_id)
);
