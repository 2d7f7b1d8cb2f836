-- Anonymous statistics: counts per account, day, metric and dimension (an event type, a
-- traffic source's host, a campaign). Nothing here identifies a person, so these rows outlive
-- erasure and retention.
create table daily_counts (
  account_id uuid         not null references accounts (account_id),
  on_day     date         not null,
  metric     varchar(40)  not null,
  dimension  varchar(200) not null,
  total      bigint       not null,
  primary key (account_id, on_day, metric, dimension)
);
