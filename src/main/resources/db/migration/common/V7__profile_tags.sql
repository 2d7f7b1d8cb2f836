-- Which profiles carry a tag, for filtering: the tag is kept only as the account's blind index of
-- it; the tag's text is a personal value of the profile (field traits.tags) in personal_values.
create table profile_tags (
  account_id uuid        not null references accounts (account_id),
  tag_index  varchar(64) not null,
  subject_id uuid        not null,
  primary key (account_id, tag_index, subject_id)
);
create index profile_tags_by_subject on profile_tags (account_id, subject_id);
