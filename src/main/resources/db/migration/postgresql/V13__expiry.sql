-- Storage shape for forgetting (PostgreSQL). Events lose their default partition: monthly
-- partitions are made ahead by a job (dev.lethe.activity.Partitions), and ingest refuses event
-- times outside the months made, so every month's rows sit in their own partition and a sweep can
-- drop a month whole. Rows that landed in the default partition get their month's partition here.
create temporary table events_moved on commit drop as select * from events_default;
drop table events_default;
do $$
declare
  month date;
begin
  for month in
    select distinct date_trunc('month', occurred_at at time zone 'UTC')::date from events_moved
  loop
    execute format(
      'create table if not exists %I partition of events for values from (%L) to (%L)',
      'events_y' || to_char(month, 'YYYY') || 'm' || to_char(month, 'MM'),
      month::text || ' 00:00:00+00',
      (month + interval '1 month')::date::text || ' 00:00:00+00');
  end loop;
end
$$;
insert into events select * from events_moved;

-- Every value and record says which retention rule governs it (rule_kind) and when that rule's
-- clock starts (anchor_at), so a sweep deletes one rule's expired rows as one index range:
--   where account_id = ? and rule_kind = ? and anchor_at < <cut-off from the policy in force>.
-- rule_kind is the name of a record rule of the policy (the key under `records:`); on
-- personal_values it is the record rule of the part of the record the value belongs to (null for a
-- value that belongs to no governed record), while its category rule keeps using the primary key
-- (account_id, category, collected_at, …). See docs/storage.md.

alter table personal_values add column rule_kind varchar(64);
alter table personal_values add column anchor_at timestamp(6) with time zone;
update personal_values set anchor_at = collected_at;
alter table personal_values alter column anchor_at set not null;
create index personal_values_by_rule on personal_values (account_id, rule_kind, anchor_at);

-- Records that will be anonymised keep their row without a person: subject_id becomes optional.
alter table events alter column subject_id drop not null;
alter table events add column rule_kind varchar(64);
alter table events add column anchor_at timestamp(6) with time zone;
update events set anchor_at = occurred_at;
alter table events alter column anchor_at set not null;
create index events_by_rule on events (account_id, rule_kind, anchor_at);
-- A complete session is summarised from its events.
create index events_by_session on events (account_id, session_id);

alter table sessions alter column subject_id drop not null;
alter table sessions add column rule_kind varchar(64);
alter table sessions add column anchor_at timestamp(6) with time zone;
update sessions set anchor_at = started_at;
alter table sessions alter column anchor_at set not null;
create index sessions_by_rule on sessions (account_id, rule_kind, anchor_at);

-- Messages: rule_kind governs the row (its log); record_rule still names the message rule that
-- governs its content. send_at is the scheduled send date (the `sent` trigger), if one was given.
alter table messages alter column subject_id drop not null;
alter table messages add column rule_kind varchar(64);
alter table messages add column anchor_at timestamp(6) with time zone;
alter table messages add column send_at timestamp(6) with time zone;
update messages set anchor_at = sent_at, rule_kind = record_rule;
alter table messages alter column anchor_at set not null;
create index messages_by_rule on messages (account_id, rule_kind, anchor_at);
-- The `campaign_ended` trigger finds a campaign's messages.
create index messages_by_campaign on messages (account_id, campaign_id, sent_at);

-- Conversations name their person, so an erasure finds them, and are found by start.
alter table conversations add column subject_id uuid;
update conversations c set subject_id = (
  select m.subject_id from messages m
  where m.account_id = c.account_id and m.conversation_key = c.conversation_key
  order by m.sent_at, m.message_id limit 1);
create index conversations_by_subject on conversations (account_id, subject_id);
create index conversations_by_start on conversations (account_id, started_at);

alter table goal_hits add column rule_kind varchar(64);
alter table goal_hits add column anchor_at timestamp(6) with time zone;
update goal_hits set anchor_at = achieved_at;
alter table goal_hits alter column anchor_at set not null;
create index goal_hits_by_rule on goal_hits (account_id, rule_kind, anchor_at);

-- A tag row is cut with the tag value it indexes: same category, same collection time.
alter table profile_tags add column category varchar(64);
alter table profile_tags add column collected_at timestamp(6) with time zone;
update profile_tags t set
  category = (select min(v.category) from personal_values v
              where v.account_id = t.account_id and v.subject_id = t.subject_id and v.field = 'traits.tags'),
  collected_at = (select max(v.collected_at) from personal_values v
                  where v.account_id = t.account_id and v.subject_id = t.subject_id and v.field = 'traits.tags');
-- a tag row without any tag value indexes nothing any more
delete from profile_tags where category is null;
alter table profile_tags alter column category set not null;
alter table profile_tags alter column collected_at set not null;
create index profile_tags_by_collection on profile_tags (account_id, category, collected_at);

-- An identifier lives as long as its latest value: collected_at moves each time an identify sees it.
alter table identifiers add column collected_at timestamp(6) with time zone;
update identifiers set collected_at = created_at;
alter table identifiers alter column collected_at set not null;
create index identifiers_by_collection on identifiers (account_id, kind, collected_at);
