set search_path = expirybench;
\timing on
begin;
delete from events where account_id = 'acc_bench' and rule_kind = 'event' and anchor_at < '2025-02-01 00:00:00+00';
rollback;
begin;
drop table events_y2025m01;
rollback;
begin;
delete from personal_values where account_id = 'acc_bench' and rule_kind = 'event' and anchor_at < '2025-02-01 00:00:00+00';
rollback;
