-- An import's preview, row by row (docs/import.md): what the commit would do with each data row
-- of the uploaded file (create, update, clear, unchanged, error), the names of the fields it
-- changes as a JSON list, and its errors as a JSON list of {column, reason}; never a value and
-- never a subject id. Deleted when the job ends (completed, failed, cancelled, expired).
create table import_rows (
  account_id  uuid          not null,
  job_id      uuid          not null,
  row_no      bigint        not null,
  action      varchar(16)   not null check (action in ('create', 'update', 'clear', 'unchanged', 'error')),
  fields      varchar(8000) not null,
  errors      varchar(8000) not null,
  primary key (account_id, job_id, row_no),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);
