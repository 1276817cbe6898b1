-- Every user write goes through these SECURITY DEFINER functions: each one reads auth.uid()
-- first, validates its inputs, touches only the caller's rows (another user's row is reported
-- exactly like a missing one) and returns the row it wrote. `search_path = ''` and fully
-- qualified names keep a caller's objects from shadowing ours.
--
-- SQLSTATEs the API maps to HTTP statuses:
--   28000 not authenticated → 401     22023 invalid input → 400
--   P0002 not found → 404             55000 wrong state for the operation → 409

create or replace function private.require_uid() returns uuid
language plpgsql stable
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    raise exception 'Not authenticated: sign in first' using errcode = '28000';
  end if;
  return v_uid;
end
$$;

-- datasets ----------------------------------------------------------------------------------

create or replace function public.create_dataset(
  p_name text,
  p_file_name text,
  p_file_size bigint,
  p_sha256 text,
  p_description text default null
) returns public.datasets
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_id uuid := gen_random_uuid();
  v_row public.datasets;
begin
  if p_name is null or btrim(p_name) = '' then
    raise exception 'name is required' using errcode = '22023', detail = 'name';
  end if;
  if char_length(btrim(p_name)) > 200 then
    raise exception 'name must be at most 200 characters' using errcode = '22023', detail = 'name';
  end if;
  if p_description is not null and char_length(p_description) > 2000 then
    raise exception 'description must be at most 2000 characters'
      using errcode = '22023', detail = 'description';
  end if;
  if p_file_name is null or btrim(p_file_name) = '' then
    raise exception 'file_name is required' using errcode = '22023', detail = 'file_name';
  end if;
  -- The file name becomes the last segment of the storage path: no folders, no traversal.
  if p_file_name ~ '[/\\]' or p_file_name in ('.', '..') or p_file_name ~ '[[:cntrl:]]'
     or char_length(p_file_name) > 255 then
    raise exception 'file_name must be a plain file name of at most 255 characters, without folders'
      using errcode = '22023', detail = 'file_name';
  end if;
  if lower(p_file_name) !~ '\.(jsonl|json|txt)$' then
    raise exception 'file_name must end in .jsonl, .json or .txt'
      using errcode = '22023', detail = 'file_name';
  end if;
  if p_file_size is null or p_file_size <= 0 then
    raise exception 'file_size must be a positive number of bytes'
      using errcode = '22023', detail = 'file_size';
  end if;
  if p_file_size > 524288000 then
    raise exception 'file_size must be at most 524288000 bytes (500 MB)'
      using errcode = '22023', detail = 'file_size';
  end if;
  if p_sha256 is null or lower(p_sha256) !~ '^[0-9a-f]{64}$' then
    raise exception 'sha256 must be 64 hexadecimal characters'
      using errcode = '22023', detail = 'sha256';
  end if;

  insert into public.datasets (id, user_id, name, description, file_name, file_size, sha256,
                               storage_path)
  values (v_id, v_uid, btrim(p_name), p_description, p_file_name, p_file_size, lower(p_sha256),
          v_uid::text || '/' || v_id::text || '/' || p_file_name)
  returning * into v_row;
  return v_row;
end
$$;

create or replace function public.complete_dataset_upload(p_dataset_id uuid)
returns public.datasets
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_row public.datasets;
begin
  select * into v_row from public.datasets
   where id = p_dataset_id and user_id = v_uid and status <> 'deleted'
   for update;
  if not found then
    raise exception 'Dataset not found' using errcode = 'P0002';
  end if;
  if v_row.status <> 'uploading' then
    raise exception 'Dataset upload already completed (status: %)', v_row.status
      using errcode = '55000';
  end if;
  if not exists (select from storage.objects o
                  where o.bucket_id = 'lora-datasets' and o.name = v_row.storage_path) then
    raise exception 'The uploaded file was not found in storage: upload it, then complete'
      using errcode = '55000';
  end if;

  update public.datasets
     set status = 'validating', uploaded_at = now(), error_message = null
   where id = v_row.id
  returning * into v_row;
  return v_row;
end
$$;

create or replace function public.delete_dataset(p_dataset_id uuid)
returns public.datasets
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_row public.datasets;
begin
  select * into v_row from public.datasets
   where id = p_dataset_id and user_id = v_uid and status <> 'deleted'
   for update;
  if not found then
    raise exception 'Dataset not found' using errcode = 'P0002';
  end if;
  if exists (select from public.training_jobs j
              where j.dataset_id = v_row.id and j.status in ('queued', 'initializing', 'running')) then
    raise exception 'Dataset is used by an active training job: cancel the job first'
      using errcode = '55000';
  end if;

  -- Soft delete: jobs, artifacts and costs keep pointing at the row.
  update public.datasets
     set status = 'deleted', deleted_at = now(), training_ready = false
   where id = v_row.id
  returning * into v_row;
  return v_row;
end
$$;

-- training jobs -------------------------------------------------------------------------------

create or replace function public.create_training_job(
  p_dataset_id uuid,
  p_config jsonb default '{}'::jsonb,
  p_name text default null
) returns public.training_jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_dataset public.datasets;
  v_config jsonb;
  v_h jsonb;
  v_est record;
  v_row public.training_jobs;
begin
  if p_name is not null and char_length(p_name) > 200 then
    raise exception 'name must be at most 200 characters' using errcode = '22023', detail = 'name';
  end if;
  -- FOR SHARE: the dataset cannot be deleted or re-validated while the job is being created.
  select * into v_dataset from public.datasets
   where id = p_dataset_id and user_id = v_uid and status <> 'deleted'
   for share;
  if not found then
    raise exception 'Dataset not found' using errcode = 'P0002';
  end if;
  if v_dataset.status <> 'ready' or not v_dataset.training_ready then
    raise exception 'Dataset not ready for training' using errcode = '22023', detail = 'dataset_id';
  end if;

  v_config := private.normalize_job_config(p_config);
  v_h := v_config -> 'hyperparameters';
  select * into v_est
    from private.estimate_job_cost(v_config, v_dataset.total_training_pairs,
                                   v_dataset.total_tokens);

  insert into public.training_jobs (
    user_id, dataset_id, name, config, preset_id, base_model, learning_rate, batch_size, epochs,
    lora_rank, lora_alpha, lora_dropout, warmup_ratio, max_seq_length,
    gradient_accumulation_steps, validation_split, gpu_type, gpu_count, total_steps,
    steps_per_epoch, estimated_cost, estimated_duration_hours, hourly_rate)
  values (
    v_uid, v_dataset.id, coalesce(nullif(btrim(p_name), ''), v_dataset.name), v_config,
    v_config ->> 'preset_id', v_h ->> 'base_model', (v_h ->> 'learning_rate')::numeric,
    (v_h ->> 'batch_size')::integer, (v_h ->> 'epochs')::integer,
    (v_h ->> 'lora_rank')::integer, (v_h ->> 'lora_alpha')::integer,
    (v_h ->> 'lora_dropout')::numeric, (v_h ->> 'warmup_ratio')::numeric,
    (v_h ->> 'max_seq_length')::integer, (v_h ->> 'gradient_accumulation_steps')::integer,
    (v_h ->> 'validation_split')::numeric, v_config #>> '{gpu_config,type}',
    (v_config #>> '{gpu_config,count}')::integer, v_est.total_steps, v_est.steps_per_epoch,
    v_est.estimated_cost, v_est.estimated_duration_hours, v_est.hourly_rate)
  returning * into v_row;

  insert into public.notifications (user_id, type, priority, title, message, metadata)
  values (v_uid, 'job_queued', 'normal', 'Training job queued',
          format('%s is queued (estimated cost $%s)', v_row.name, v_row.estimated_cost),
          jsonb_build_object('job_id', v_row.id, 'dataset_id', v_dataset.id));
  return v_row;
end
$$;

create or replace function public.request_job_cancel(p_job_id uuid)
returns public.training_jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_row public.training_jobs;
begin
  select * into v_row from public.training_jobs
   where id = p_job_id and user_id = v_uid
   for update;
  if not found then
    raise exception 'Training job not found' using errcode = 'P0002';
  end if;
  if v_row.status in ('completed', 'failed', 'cancelled') then
    raise exception 'Training job already finished (status: %)', v_row.status
      using errcode = '55000';
  end if;

  if v_row.status = 'queued' and v_row.external_id is null
     and (v_row.lease_expires_at is null or v_row.lease_expires_at < now()) then
    -- Nothing runs on a GPU and no processor holds it: cancelled at once.
    update public.training_jobs
       set status = 'cancelled', cancel_requested_at = coalesce(cancel_requested_at, now()),
           completed_at = now(), claimed_by = null, lease_expires_at = null
     where id = v_row.id
    returning * into v_row;
    insert into public.notifications (user_id, type, priority, title, message, metadata)
    values (v_uid, 'job_cancelled', 'normal', 'Training job cancelled',
            format('%s was cancelled before it started', v_row.name),
            jsonb_build_object('job_id', v_row.id));
  else
    -- The processor stops the GPU side and confirms; asking twice is harmless.
    update public.training_jobs
       set cancel_requested_at = coalesce(cancel_requested_at, now())
     where id = v_row.id
    returning * into v_row;
  end if;
  return v_row;
end
$$;

-- notifications -------------------------------------------------------------------------------

create or replace function public.mark_notification_read(p_notification_id uuid)
returns public.notifications
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_row public.notifications;
begin
  update public.notifications
     set read = true, read_at = coalesce(read_at, now())
   where id = p_notification_id and user_id = v_uid
  returning * into v_row;
  if not found then
    raise exception 'Notification not found' using errcode = 'P0002';
  end if;
  return v_row;
end
$$;

create or replace function public.mark_all_notifications_read()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_count integer;
begin
  update public.notifications
     set read = true, read_at = now()
   where user_id = v_uid and not read;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- Background work (service role) ----------------------------------------------------------------

-- Claims up to p_limit jobs for one processor run: queued jobs due for an attempt and active
-- jobs to poll, skipping rows another run holds (FOR UPDATE SKIP LOCKED) and any live lease.
create or replace function public.claim_training_jobs(
  p_worker text,
  p_limit integer default 5,
  p_lease_seconds integer default 120
) returns setof public.training_jobs
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_worker is null or btrim(p_worker) = '' then
    raise exception 'worker is required' using errcode = '22023', detail = 'worker';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 100 then
    raise exception 'limit must be an integer between 1 and 100' using errcode = '22023',
      detail = 'limit';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 3600 then
    raise exception 'lease_seconds must be an integer between 10 and 3600' using errcode = '22023',
      detail = 'lease_seconds';
  end if;
  return query
  with picked as (
    select j.id from public.training_jobs j
     where (j.status = 'queued' and j.next_attempt_at <= now()
            or j.status in ('initializing', 'running'))
       and (j.lease_expires_at is null or j.lease_expires_at < now())
     order by j.next_attempt_at, j.created_at
     limit p_limit
       for update skip locked
  )
  update public.training_jobs t
     set claimed_by = p_worker, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
    from picked
   where t.id = picked.id
  returning t.*;
end
$$;

-- Claims datasets waiting for validation, the same way.
create or replace function public.claim_datasets_for_validation(
  p_worker text,
  p_limit integer default 2,
  p_lease_seconds integer default 300
) returns setof public.datasets
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_worker is null or btrim(p_worker) = '' then
    raise exception 'worker is required' using errcode = '22023', detail = 'worker';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 100 then
    raise exception 'limit must be an integer between 1 and 100' using errcode = '22023',
      detail = 'limit';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 3600 then
    raise exception 'lease_seconds must be an integer between 10 and 3600' using errcode = '22023',
      detail = 'lease_seconds';
  end if;
  return query
  with picked as (
    select d.id from public.datasets d
     where d.status = 'validating'
       and (d.validation_lease_expires_at is null or d.validation_lease_expires_at < now())
     order by d.updated_at
     limit p_limit
       for update skip locked
  )
  update public.datasets t
     set validation_claimed_by = p_worker,
         validation_lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         validation_attempts = t.validation_attempts + 1
    from picked
   where t.id = picked.id
  returning t.*;
end
$$;

-- Execute is granted deliberately: hosted Supabase grants it to everyone by default.
revoke all on function
  private.require_uid(),
  public.create_dataset(text, text, bigint, text, text),
  public.complete_dataset_upload(uuid),
  public.delete_dataset(uuid),
  public.create_training_job(uuid, jsonb, text),
  public.request_job_cancel(uuid),
  public.mark_notification_read(uuid),
  public.mark_all_notifications_read(),
  public.claim_training_jobs(text, integer, integer),
  public.claim_datasets_for_validation(text, integer, integer)
from public, anon, authenticated, service_role;

grant execute on function
  public.create_dataset(text, text, bigint, text, text),
  public.complete_dataset_upload(uuid),
  public.delete_dataset(uuid),
  public.create_training_job(uuid, jsonb, text),
  public.request_job_cancel(uuid),
  public.mark_notification_read(uuid),
  public.mark_all_notifications_read()
to authenticated;

grant execute on function
  public.claim_training_jobs(text, integer, integer),
  public.claim_datasets_for_validation(text, integer, integer)
to service_role;
