-- Exports (docs/export.md): a governed job of kind 'export' writes a CSV into its sealed file;
-- this table holds what its download link needs. The link's token is random (256 bits) and only
-- its SHA-256 is kept here; the token itself is sealed under the job's own key (destroyed with the
-- file) so the requester can ask for the link again. `uses_left` counts the downloads the link
-- still allows; `withdrawn` says why a file was taken back (a person in it was erased).
create table exports (
  account_id   uuid         not null,
  job_id       uuid         not null,
  token_hash   varchar(64),
  token_sealed bytea,
  uses_left    integer      not null,
  withdrawn    varchar(200),
  primary key (account_id, job_id),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);
-- a link names the export by its id only (the token is the credential)
create index exports_by_job on exports (job_id);

-- Who is in an export's file: the erasure of any of them withdraws the file (its chunks and key
-- are destroyed in the erasure's transaction), so a file made before an erasure never yields the
-- person after it. Ids only.
create table export_subjects (
  account_id uuid not null,
  job_id     uuid not null,
  subject_id uuid not null,
  primary key (account_id, job_id, subject_id),
  foreign key (account_id, job_id) references jobs (account_id, job_id) on delete cascade
);
create index export_subjects_by_subject on export_subjects (account_id, subject_id);
