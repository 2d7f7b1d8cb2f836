select c.relname as index, t.relname as "table", pg_relation_size(c.oid) as bytes, t.reltuples::bigint as table_rows
from pg_class c join pg_index i on i.indexrelid = c.oid join pg_class t on t.oid = i.indrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = current_schema() and t.relname in ('personal_values','subjects','identifiers','sessions','subject_keys','goal_hits')
   or (n.nspname = current_schema() and t.relname like 'events%')
order by t.relname, c.relname;
