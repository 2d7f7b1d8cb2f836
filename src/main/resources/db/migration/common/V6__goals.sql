-- Goals an account defines: an event type, optionally with property values that must match.
-- A definition holds no personal data; which profiles achieved a goal is worked out from their
-- (encrypted) events when a profile is read.
create table goals (
  account_id uuid         not null references accounts (account_id),
  goal_id    uuid         not null,
  name       varchar(200) not null,
  event_type varchar(200) not null,
  match_json varchar      not null,
  created_at timestamp(6) with time zone not null,
  primary key (account_id, goal_id)
);
create unique index goals_by_name on goals (account_id, name);
