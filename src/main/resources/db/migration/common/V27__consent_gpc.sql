-- A consent recorded from a request that carried Sec-GPC: 1. A grant of targeting given so is the
-- person's explicit choice made with the signal on: later GPC requests do not turn it into an
-- objection (docs/consent.md, "Global Privacy Control").
alter table consents add column gpc boolean default false not null;
