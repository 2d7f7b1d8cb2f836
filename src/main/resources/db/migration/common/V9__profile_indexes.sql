-- Goals achieved, recorded when the achieving event arrives (and, for a goal defined later, from
-- the events already stored): which subject, which event, in which session, when. Ids, times and
-- a goal id only; the event's values stay in personal_values. A session's goals are part of its
-- summary, so these rows outlive the events that achieved them as the summary does.
create table goal_hits (
  account_id  uuid        not null references accounts (account_id),
  goal_id     uuid        not null,
  event_id    uuid        not null,
  subject_id  uuid        not null,
  session_id  uuid       ,
  achieved_at timestamp(6) with time zone not null,
  primary key (account_id, goal_id, event_id)
);
create index goal_hits_by_subject on goal_hits (account_id, subject_id, achieved_at);
create index goal_hits_by_goal on goal_hits (account_id, goal_id, subject_id);

-- Values of custom fields declared filterable, for equality filters in profile lists: the
-- account's blind index of (field, normalised value), never the value, which is a personal
-- value in personal_values. One row per profile and field: the latest value. category and
-- collected_at let retention cut these rows with the value they index.
create table field_values (
  account_id   uuid        not null references accounts (account_id),
  field_key    varchar(64) not null,
  subject_id   uuid        not null,
  value_index  varchar(64) not null,
  category     varchar(64) not null,
  collected_at timestamp(6) with time zone not null,
  primary key (account_id, field_key, subject_id)
);
create index field_values_by_value on field_values (account_id, field_key, value_index);

-- A session summary's important events: how many events of each type other than page views
-- arrived in the session, as a small JSON object {"type": count}. Types, never values.
alter table sessions add column event_types varchar;
