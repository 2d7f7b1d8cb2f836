-- Background jobs (dev.lethe.jobs.Jobs, on db-scheduler 16.7.1): one row per scheduled execution of
-- a task. A recurring task has one row (task_instance 'recurring') whose execution_time is its next
-- run; a server takes a due row by setting picked (an update guarded by version), so one run of a
-- task happens at a time across every server on this database, and a running server refreshes
-- last_heartbeat so that a run whose server died is taken up again.
-- The table db-scheduler documents for PostgreSQL (db-scheduler/src/test/resources/
-- postgresql_tables.sql at v16.7.1), with index names in Lethe's style. A platform table: its rows
-- are the platform's work, no account's, and hold no personal data (recurring tasks carry no
-- task_data), so its key does not start with account_id (see SchemaShapeTest).

create table scheduled_tasks (
  task_name            text not null,
  task_instance        text not null,
  task_data            bytea,
  execution_time       timestamp with time zone not null,
  picked               boolean not null,
  picked_by            text,
  last_success         timestamp with time zone,
  last_failure         timestamp with time zone,
  consecutive_failures int,
  last_heartbeat       timestamp with time zone,
  version              bigint not null,
  priority             smallint,
  primary key (task_name, task_instance)
);

create index scheduled_tasks_by_execution_time on scheduled_tasks (execution_time);
create index scheduled_tasks_by_heartbeat on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_by_priority on scheduled_tasks (priority desc, execution_time asc);
