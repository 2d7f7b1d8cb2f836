-- one month of N events (and one value per event) plus a second month that stays, shaped as V13
drop schema if exists expirybench cascade;
create schema expirybench;
set search_path = expirybench;
create table events (
  account_id varchar(40) not null, occurred_at timestamptz not null, event_id varchar(40) not null,
  subject_id varchar(40), session_id varchar(40), type varchar(200) not null, received_at timestamptz not null,
  rule_kind varchar(64), anchor_at timestamptz not null,
  primary key (account_id, occurred_at, event_id)) partition by range (occurred_at);
create table events_y2025m01 partition of events for values from ('2025-01-01 00:00:00+00') to ('2025-02-01 00:00:00+00');
create table events_y2025m02 partition of events for values from ('2025-02-01 00:00:00+00') to ('2025-03-01 00:00:00+00');
create index events_by_subject on events (account_id, subject_id, occurred_at);
create index events_by_rule on events (account_id, rule_kind, anchor_at);
create index events_by_session on events (account_id, session_id);
create table personal_values (
  account_id varchar(40) not null, category varchar(64) not null, collected_at timestamptz not null,
  value_id varchar(40) not null, subject_id varchar(40) not null, field varchar(200) not null,
  record_kind varchar(32), record_id varchar(40), rule_kind varchar(64), anchor_at timestamptz not null,
  ciphertext bytea not null, primary key (account_id, category, collected_at, value_id));
create index personal_values_by_subject on personal_values (account_id, subject_id, field, collected_at);
create index personal_values_by_record on personal_values (account_id, record_id);
create index personal_values_by_rule on personal_values (account_id, rule_kind, anchor_at);
insert into events
select 'acc_bench', t, 'evt_' || g, 'sub_' || (g % 50000), 'ses_' || (g / 10), 'page_view', t, 'event', t
from (select g, timestamptz '2025-01-01 00:00:00+00' + (g % 2678400) * interval '1 second' as t
      from generate_series(1, :n) g) s;
insert into events
select 'acc_bench', t, 'evtb_' || g, 'sub_' || (g % 50000), 'sesb_' || (g / 10), 'page_view', t, 'event', t
from (select g, timestamptz '2025-02-01 00:00:00+00' + (g % 2419200) * interval '1 second' as t
      from generate_series(1, :n / 4) g) s;
insert into personal_values
select account_id, 'visit_history', occurred_at, 'val_' || event_id, subject_id, 'context.url', 'event', event_id,
       rule_kind, anchor_at, decode(md5(event_id) || md5(event_id), 'hex')
from events;
vacuum analyze events; vacuum analyze personal_values;
