-- The seven tables of BrightRun (architecture.md §4), their checks, foreign keys, indexes and
-- triggers. Re-runnable: tables and indexes use IF NOT EXISTS, functions CREATE OR REPLACE,
-- triggers are dropped and recreated.
--
-- Ownership: every table carries `user_id`. Child rows point at their parent through a composite
-- foreign key (parent id, user_id) so a row can never belong to a user other than its parent's.

create schema if not exists private;
-- Helpers live in `private`, which the API roles cannot reach (and PostgREST does not expose).
revoke all on schema private from public;

-- Triggers -----------------------------------------------------------------------------------

create or replace function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- No role, the service role included, may move a row to another user: that would leak it.
create or replace function private.forbid_owner_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.user_id is distinct from old.user_id then
    raise exception 'Changing the owner of a row is not allowed' using errcode = '42501';
  end if;
  return new;
end
$$;

-- datasets -----------------------------------------------------------------------------------

create table if not exists public.datasets (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  description text check (char_length(description) <= 2000),
  file_name text not null check (char_length(file_name) between 1 and 255),
  file_size bigint not null check (file_size > 0 and file_size <= 524288000),
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  storage_path text not null unique,
  -- The product's dataset format name for every upload; the line shape goes beside it.
  format text not null default 'brightrun_lora_v4' check (format = 'brightrun_lora_v4'),
  detected_shape text
    check (detected_shape in ('brightrun_lora_v4', 'chat_messages', 'conversations', 'turns')),
  status text not null default 'uploading'
    check (status in ('uploading', 'validating', 'ready', 'failed', 'deleted')),
  -- Statistics of dataset-format.md §4.
  total_training_pairs integer check (total_training_pairs >= 0),
  total_samples integer check (total_samples >= 0),
  total_conversations integer check (total_conversations >= 0),
  total_tokens bigint check (total_tokens >= 0),
  tokens_estimated boolean not null default false,
  avg_turns_per_conversation numeric check (avg_turns_per_conversation >= 0),
  avg_tokens_per_turn numeric check (avg_tokens_per_turn >= 0),
  token_stats jsonb check (token_stats is null or jsonb_typeof(token_stats) = 'object'),
  sample_data jsonb check (sample_data is null or jsonb_typeof(sample_data) = 'array'),
  validation_errors jsonb not null default '[]'::jsonb check (
    jsonb_typeof(validation_errors) = 'array' and jsonb_array_length(validation_errors) <= 100
  ),
  training_ready boolean not null default false,
  error_message text,
  -- The validator's claim and resumable cursor (huge files are validated across invocations).
  validation_claimed_by text,
  validation_lease_expires_at timestamptz,
  validation_attempts integer not null default 0 check (validation_attempts >= 0),
  validation_cursor jsonb,
  uploaded_at timestamptz,
  validated_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint datasets_id_user_id_key unique (id, user_id),
  constraint datasets_deleted_consistent check ((status = 'deleted') = (deleted_at is not null)),
  constraint datasets_ready_needs_stats check (
    not training_ready or (total_training_pairs > 0 and total_tokens > 0)
  )
);

create index if not exists idx_datasets_user_id on public.datasets (user_id);
create index if not exists idx_datasets_status on public.datasets (status);
-- GET /datasets: the user's live datasets, newest first.
create index if not exists idx_datasets_user_created
  on public.datasets (user_id, created_at desc) where deleted_at is null;
-- validate-datasets: datasets waiting for (or holding an expired claim on) validation.
create index if not exists idx_datasets_validation_queue
  on public.datasets (updated_at) where status = 'validating';

-- training_jobs ------------------------------------------------------------------------------

create table if not exists public.training_jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  dataset_id uuid not null,
  name text check (char_length(name) <= 200),
  -- The normalised configuration {preset_id, hyperparameters, gpu_config}; the columns below
  -- repeat it for filtering and for the trainer, checked against training.md §1 once more.
  config jsonb not null check (jsonb_typeof(config) = 'object'),
  preset_id text not null check (preset_id in ('conservative', 'balanced', 'aggressive', 'custom')),
  base_model text not null,
  learning_rate numeric not null check (learning_rate between 0.00001 and 0.001),
  batch_size integer not null check (batch_size between 1 and 64),
  epochs integer not null check (epochs between 1 and 20),
  lora_rank integer not null check (lora_rank between 4 and 128),
  lora_alpha integer not null check (lora_alpha between 1 and 512),
  lora_dropout numeric not null check (lora_dropout between 0 and 0.5),
  warmup_ratio numeric not null check (warmup_ratio between 0 and 0.5),
  max_seq_length integer not null check (max_seq_length between 128 and 32768),
  gradient_accumulation_steps integer not null check (gradient_accumulation_steps between 1 and 64),
  validation_split numeric not null check (validation_split between 0 and 0.5),
  gpu_type text not null check (gpu_type in ('A100-80GB', 'A100-40GB', 'H100', 'V100-32GB')),
  gpu_count integer not null check (gpu_count between 1 and 8),
  -- Lifecycle (training.md §4).
  status text not null default 'queued'
    check (status in ('queued', 'initializing', 'running', 'completed', 'failed', 'cancelled')),
  current_stage text not null default 'queued' check (current_stage in (
    'queued', 'initializing', 'queued_on_gpu', 'training', 'evaluating', 'saving',
    'uploading_artifacts', 'completed'
  )),
  progress numeric not null default 0 check (progress between 0 and 100),
  current_epoch integer not null default 0 check (current_epoch >= 0),
  current_step integer not null default 0 check (current_step >= 0),
  total_steps integer check (total_steps >= 0),
  steps_per_epoch integer check (steps_per_epoch >= 0),
  current_training_loss double precision,
  current_validation_loss double precision,
  current_learning_rate double precision,
  current_gpu_utilization double precision,
  last_progress_at timestamptz,
  -- Money: the authoritative estimate (computed in SQL from the catalog, never from the client).
  estimated_cost numeric(12, 2) check (estimated_cost >= 0),
  estimated_duration_hours numeric check (estimated_duration_hours >= 0),
  hourly_rate numeric(12, 4) check (hourly_rate >= 0),
  actual_cost numeric(12, 2) check (actual_cost >= 0),
  -- Processor queue: claim with a lease, retry with backoff, at most max_attempts submissions.
  claimed_by text,
  lease_expires_at timestamptz,
  attempt integer not null default 0 check (attempt >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 10),
  next_attempt_at timestamptz not null default now(),
  cancel_requested_at timestamptz,
  external_id text,
  error_message text,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint training_jobs_id_user_id_key unique (id, user_id),
  constraint training_jobs_dataset_fkey foreign key (dataset_id, user_id)
    references public.datasets (id, user_id) on delete no action,
  constraint training_jobs_attempts_capped check (attempt <= max_attempts),
  constraint training_jobs_finished_has_time check (
    status not in ('completed', 'failed', 'cancelled') or completed_at is not null
  )
);

create index if not exists idx_training_jobs_user_created
  on public.training_jobs (user_id, created_at desc);
create index if not exists idx_training_jobs_user_status
  on public.training_jobs (user_id, status, created_at desc);
create index if not exists idx_training_jobs_dataset_id on public.training_jobs (dataset_id);
create index if not exists idx_training_jobs_status on public.training_jobs (status);
-- process-training-jobs: the next queued job due for an attempt.
create index if not exists idx_training_jobs_queue
  on public.training_jobs (next_attempt_at, created_at) where status = 'queued';
-- process-training-jobs: active jobs to poll, and leases to reclaim.
create index if not exists idx_training_jobs_active
  on public.training_jobs (lease_expires_at) where status in ('initializing', 'running');
create index if not exists idx_training_jobs_external_id
  on public.training_jobs (external_id) where external_id is not null;

-- metrics_points -----------------------------------------------------------------------------

create table if not exists public.metrics_points (
  id bigint generated always as identity primary key,
  job_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  epoch numeric not null check (epoch >= 0),
  step integer not null check (step >= 0),
  -- `< 'Infinity'` also excludes NaN (Postgres sorts NaN above every number): a diverged run
  -- fails the job instead of storing the point.
  training_loss double precision not null
    check (training_loss < 'Infinity' and training_loss > '-Infinity'),
  validation_loss double precision
    check (validation_loss < 'Infinity' and validation_loss > '-Infinity'),
  learning_rate double precision check (learning_rate >= 0),
  gradient_norm double precision,
  throughput double precision check (throughput >= 0),
  gpu_utilization double precision check (gpu_utilization between 0 and 100),
  created_at timestamptz not null default now(),
  -- A step is stored once; also the cursor index of GET /jobs/:id/metrics?after_step=N.
  constraint metrics_points_job_step_key unique (job_id, step),
  constraint metrics_points_job_fkey foreign key (job_id, user_id)
    references public.training_jobs (id, user_id) on delete cascade
);

create index if not exists idx_metrics_points_user_id on public.metrics_points (user_id);

-- model_artifacts ----------------------------------------------------------------------------

create table if not exists public.model_artifacts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  job_id uuid not null,
  dataset_id uuid,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  base_model text not null,
  status text not null default 'creating'
    check (status in ('creating', 'ready', 'failed', 'deleted')),
  -- `<user_id>/<artifact_id>/` in bucket lora-models.
  storage_path text not null unique,
  -- {file name: {path, size, sha256}}.
  files jsonb not null default '{}'::jsonb check (jsonb_typeof(files) = 'object'),
  total_size bigint check (total_size >= 0),
  quality_metrics jsonb check (quality_metrics is null or jsonb_typeof(quality_metrics) = 'object'),
  overall_score smallint check (overall_score between 1 and 5),
  training_summary jsonb
    check (training_summary is null or jsonb_typeof(training_summary) = 'object'),
  config jsonb check (config is null or jsonb_typeof(config) = 'object'),
  error_message text,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint model_artifacts_job_id_key unique (job_id),
  constraint model_artifacts_id_user_id_key unique (id, user_id),
  constraint model_artifacts_job_fkey foreign key (job_id, user_id)
    references public.training_jobs (id, user_id) on delete cascade,
  constraint model_artifacts_dataset_fkey foreign key (dataset_id, user_id)
    references public.datasets (id, user_id) on delete set null (dataset_id)
);

create index if not exists idx_model_artifacts_user_created
  on public.model_artifacts (user_id, created_at desc);
create index if not exists idx_model_artifacts_dataset_id on public.model_artifacts (dataset_id);

-- checkpoints --------------------------------------------------------------------------------

create table if not exists public.checkpoints (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  job_id uuid not null,
  artifact_id uuid,
  epoch integer not null check (epoch >= 0),
  step integer not null check (step >= 0),
  training_loss double precision,
  validation_loss double precision,
  storage_path text,
  file_size bigint check (file_size >= 0),
  created_at timestamptz not null default now(),
  constraint checkpoints_job_step_key unique (job_id, step),
  constraint checkpoints_job_fkey foreign key (job_id, user_id)
    references public.training_jobs (id, user_id) on delete cascade,
  constraint checkpoints_artifact_fkey foreign key (artifact_id, user_id)
    references public.model_artifacts (id, user_id) on delete set null (artifact_id)
);

create index if not exists idx_checkpoints_user_id on public.checkpoints (user_id);
create index if not exists idx_checkpoints_artifact_id on public.checkpoints (artifact_id);

-- cost_records -------------------------------------------------------------------------------

create table if not exists public.cost_records (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  job_id uuid,
  cost_type text not null check (cost_type in ('training_compute', 'storage')),
  amount numeric(12, 2) not null check (amount >= 0),
  currency text not null default 'USD' check (currency = 'USD'),
  gpu_type text,
  gpu_count integer check (gpu_count between 1 and 8),
  hours numeric check (hours >= 0),
  hourly_rate numeric(12, 4) check (hourly_rate >= 0),
  -- The first day of the (UTC) month the cost belongs to.
  billing_period date not null check (extract(day from billing_period) = 1),
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The final cost of a job is written once per kind, even if the writer retries.
  constraint cost_records_job_type_key unique (job_id, cost_type),
  -- Money history outlives a deleted job: only the link is cleared.
  constraint cost_records_job_fkey foreign key (job_id, user_id)
    references public.training_jobs (id, user_id) on delete set null (job_id)
);

create index if not exists idx_cost_records_user_period
  on public.cost_records (user_id, billing_period desc);

-- notifications ------------------------------------------------------------------------------

create table if not exists public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  type text not null check (type in (
    'dataset_validated', 'dataset_validation_failed', 'job_queued', 'job_started',
    'job_completed', 'job_failed', 'job_cancelled', 'artifact_ready', 'budget_alert'
  )),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  title text not null check (char_length(title) between 1 and 200),
  message text not null default '',
  read boolean not null default false,
  read_at timestamptz,
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notifications_read_consistent check (read = (read_at is not null))
);

-- GET /notifications: unread first, newest first.
create index if not exists idx_notifications_user_read_created
  on public.notifications (user_id, read, created_at desc);

-- Triggers on every table --------------------------------------------------------------------

do $$
declare
  t text;
begin
  foreach t in array array['datasets', 'training_jobs', 'model_artifacts', 'cost_records',
                           'notifications'] loop
    execute format('drop trigger if exists set_updated_at on public.%I', t);
    execute format(
      'create trigger set_updated_at before update on public.%I '
      'for each row execute function private.set_updated_at()', t);
  end loop;
  foreach t in array array['datasets', 'training_jobs', 'metrics_points', 'model_artifacts',
                           'checkpoints', 'cost_records', 'notifications'] loop
    execute format('drop trigger if exists forbid_owner_change on public.%I', t);
    execute format(
      'create trigger forbid_owner_change before update of user_id on public.%I '
      'for each row execute function private.forbid_owner_change()', t);
  end loop;
end
$$;
