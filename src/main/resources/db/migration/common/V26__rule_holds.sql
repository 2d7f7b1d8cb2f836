-- Rule holds (docs/erasure.md, docs/retention.md): a category whose retention rule counts from the
-- person's erasure (`after: erased` with a period, e.g. invoices kept ten years) is kept past the
-- erasure the way a legal hold keeps one — its category keys wrapped under a key of its own
-- (hold_keys / held_keys, under hold_id) — and this row names the rule that keeps it, for the
-- sweep that removes the values and destroys the keys once erased_at + the rule's period has
-- passed. Ids, a category and a rule's path only: no personal value, and no subject id (the
-- erasure names the person).
create table rule_holds (
  account_id uuid         not null references accounts (account_id),
  hold_id    uuid         not null,
  erasure_id uuid         not null,
  category   varchar(64)  not null,
  rule_name  varchar(200) not null,
  erased_at  timestamp(6) with time zone not null,
  primary key (account_id, hold_id),
  foreign key (account_id, erasure_id) references erasures (account_id, erasure_id)
);
-- what a sweep looks for: a rule's holds whose erasure is far enough in the past
create index rule_holds_by_rule on rule_holds (account_id, rule_name, erased_at);
