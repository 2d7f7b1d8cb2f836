-- Messages (SMS, email, chat, voice, push, OTT): ids, times, channel and routing attributes only.
-- Content, attachments and traffic data (from, to, route, duration) are personal values in
-- personal_values, sealed under the subject's key. record_rule names the policy record that
-- matched, whose retention governs the message.
create table messages (
  account_id       uuid         not null references accounts (account_id),
  sent_at          timestamp(6) with time zone not null,
  message_id       uuid         not null,
  subject_id       uuid         not null,
  channel          varchar(40)  not null,
  product          varchar(64),
  api              varchar(32),
  direction        varchar(8)   not null,
  record_rule      varchar(64)  not null,
  conversation_key varchar(64),
  campaign_id      varchar(200),
  status           varchar(32),
  received_at      timestamp(6) with time zone not null,
  primary key (account_id, sent_at, message_id)
);
create index messages_by_subject on messages (account_id, subject_id, sent_at);
create index messages_by_conversation on messages (account_id, conversation_key);

-- When each conversation started (the conversation_started retention trigger). The client's
-- conversation id is kept only as a blind index.
create table conversations (
  account_id       uuid        not null references accounts (account_id),
  conversation_key varchar(64) not null,
  started_at       timestamp(6) with time zone not null,
  primary key (account_id, conversation_key)
);
