-- Background jobs (dev.lethe.jobs.Jobs, on db-scheduler 16.7.1): one row per scheduled execution of
-- a task; see the PostgreSQL migration of this version for what the columns do. The same table in
-- H2's types: db-scheduler documents no H2 schema, and its HSQLDB one (hsql_tables.sql at v16.7.1)
-- has the same columns; names are varchar rather than text (text is a large object in H2, which a
-- primary key cannot hold), and the not-null constraints are those of the PostgreSQL table.
-- A platform table: no account's rows, no personal data (see SchemaShapeTest).

create table scheduled_tasks (
  task_name            varchar(100) not null,
  task_instance        varchar(100) not null,
  task_data            varbinary,
  execution_time       timestamp(6) with time zone not null,
  picked               boolean not null,
  picked_by            varchar(50),
  last_success         timestamp(6) with time zone,
  last_failure         timestamp(6) with time zone,
  consecutive_failures int,
  last_heartbeat       timestamp(6) with time zone,
  version              bigint not null,
  priority             smallint,
  primary key (task_name, task_instance)
);

create index scheduled_tasks_by_execution_time on scheduled_tasks (execution_time);
create index scheduled_tasks_by_heartbeat on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_by_priority on scheduled_tasks (priority desc, execution_time asc);
