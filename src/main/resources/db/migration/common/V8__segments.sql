-- Saved segments: a named profile filter (tag, last-visit range or window, order). A definition
-- holds no person's data: email and phone filters cannot be saved.
create table segments (
  account_id  uuid         not null references accounts (account_id),
  segment_id  uuid         not null,
  name        varchar(200) not null,
  filter_json varchar      not null,
  created_at  timestamp(6) with time zone not null,
  primary key (account_id, segment_id)
);
create unique index segments_by_name on segments (account_id, name);
