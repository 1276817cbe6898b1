-- State the background functions keep on a training job (issue 5): what the GPU cluster last
-- reported, the running cost and ETA the monitor shows, and when the current attempt was sent.
-- Re-runnable.

alter table public.training_jobs
  -- The cluster's last `output` (stage, progress, model_files, model_metadata): RunPod keeps a
  -- finished job's output only for a while, and create-model-artifacts needs its file URLs.
  add column if not exists gpu_output jsonb
    check (gpu_output is null or jsonb_typeof(gpu_output) = 'object'),
  -- Cost so far (hourly rate × hours since started_at), refreshed while the job runs.
  add column if not exists running_cost numeric(12, 2) check (running_cost >= 0),
  -- Seconds left at the current pace; null before the first progress and once finished.
  add column if not exists eta_seconds integer check (eta_seconds >= 0),
  -- When the current attempt was handed to the GPU cluster (set before POST /run).
  add column if not exists submitted_at timestamptz;

-- create-model-artifacts: completed jobs, oldest first.
create index if not exists idx_training_jobs_completed
  on public.training_jobs (completed_at) where status = 'completed';

-- validate-datasets rewrites its resumable cursor (megabytes of hash-table state for a large
-- file) on every run: stored out of line without compression, which costs the writer less CPU
-- than pglz for data that hardly compresses.
alter table public.datasets alter column validation_cursor set storage external;
