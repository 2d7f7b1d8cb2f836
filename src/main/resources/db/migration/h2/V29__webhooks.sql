-- Webhooks join email in the outbox (kind 'webhook'), and sub-processor change subscriptions.
-- H2 gave the kind check of V19 a generated name: the column is replaced by one with a named check.
alter table outbox add column kind_new varchar(16);
update outbox set kind_new = kind;
alter table outbox drop column kind;
alter table outbox alter column kind_new rename to kind;
alter table outbox alter column kind set not null;
alter table outbox add constraint outbox_kind check (kind in ('email', 'webhook'));

-- Webhook endpoints an account configured (docs/webhooks.md). The URL and the signing secret are
-- sealed together in `target` under the account's webhook key: the server must sign with the
-- secret, so it is kept sealed rather than hashed. `events` is a comma-separated list of event
-- names; `processor_name` ties the endpoint to a processor of the policy, and nothing is sent to it
-- while that processor is not active (its effectiveFrom is in the future, or it is gone).
create table webhooks (
  account_id     uuid         not null references accounts (account_id),
  webhook_id     uuid         not null,
  key_id         uuid         not null,
  target         bytea        not null,
  events         varchar(500) not null,
  processor_name varchar(200),
  with_identifiers boolean    not null,
  created_at     timestamp(6) with time zone not null,
  primary key (account_id, webhook_id)
);

-- People (or systems) who asked to hear of sub-processor changes. The address (an email or a
-- webhook URL) is sealed under the account's subscription key, with a blind index so one address
-- subscribes once. The confirmation token travels only in the confirmation message: only its
-- SHA-256 is stored, and it is cleared once used. The unsubscribe token is derived (a keyed PRF of
-- the subscription id), so nothing of it is stored. An unconfirmed row expires (swept).
create table subprocessor_subscriptions (
  account_id      uuid         not null references accounts (account_id),
  subscription_id uuid         not null,
  channel         varchar(16)  not null check (channel in ('email', 'webhook')),
  key_id          uuid         not null,
  address         bytea        not null,
  address_index   bytea        not null,
  confirm_hash    bytea,
  created_at      timestamp(6) with time zone not null,
  confirmed_at    timestamp(6) with time zone,
  primary key (account_id, subscription_id)
);
create unique index subprocessor_subscriptions_address on subprocessor_subscriptions (account_id, address_index);
create index subprocessor_subscriptions_confirm on subprocessor_subscriptions (account_id, confirm_hash);
create index subprocessor_subscriptions_unconfirmed on subprocessor_subscriptions (confirmed_at, created_at);
