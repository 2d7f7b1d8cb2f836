-- When a campaign ended: the campaign_ended retention trigger counts from here (messages name their
-- campaign by campaign_id). Set by PUT /v1/campaigns/{id}; a campaign not ended has no row, or a
-- null ended_at. The id is the integrator's own name of a campaign, as messages carry it.
create table campaigns (
  account_id  uuid         not null references accounts (account_id),
  campaign_id varchar(200) not null,
  ended_at    timestamp(6) with time zone,
  updated_at  timestamp(6) with time zone not null,
  primary key (account_id, campaign_id)
);
