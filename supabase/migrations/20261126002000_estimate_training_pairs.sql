-- Steps are counted on the pairs the trainer trains on, after it holds out the validation split;
-- training.md §3 counted every pair, so the estimate showed more steps than the monitor then ran
-- (68 against 56 for the example dataset). Mirrors common/training/validation-split.ts, which
-- explains the model; time and money are unchanged. Re-runnable.

-- Pairs left for training once whole conversations (taken as equal in size) covering at least
-- round(pairs × split) pairs are held out, keeping one conversation to train on.
create or replace function private.expected_training_pairs(p_pairs bigint, p_conversations bigint,
                                                           p_split numeric)
returns bigint
language sql immutable
set search_path = ''
as $$
  with g as (
    select least(greatest(coalesce(p_conversations, p_pairs), 1), p_pairs) as groups,
           greatest(1, round(p_pairs * p_split)) as wanted
  )
  select case
           when p_split <= 0 or g.groups < 2 then p_pairs
           else p_pairs - round(least(g.groups - 1, ceil(g.wanted * g.groups / p_pairs::numeric))
                                * p_pairs / g.groups::numeric)::bigint
         end
    from g
$$;

drop function if exists private.estimate_job_cost(jsonb, bigint, bigint);
drop function if exists private.estimate_job_cost(jsonb, bigint, bigint, bigint);

-- The estimate of training.md §3 (money rounded once, at the end), steps as above.
create function private.estimate_job_cost(p_config jsonb, p_total_training_pairs bigint,
                                          p_total_tokens bigint, p_total_conversations bigint)
returns table (estimated_cost numeric, compute_cost numeric, estimated_duration_hours numeric,
               hourly_rate numeric, total_steps integer, steps_per_epoch integer,
               throughput_tokens_per_s numeric)
language sql stable
set search_path = ''
as $$
  with inputs as (
    select g.price_per_hour * (p_config #>> '{gpu_config,count}')::integer as rate,
           g.tokens_per_second * (p_config #>> '{gpu_config,count}')::integer as throughput,
           (p_config #>> '{hyperparameters,epochs}')::integer as epochs,
           (p_config #>> '{hyperparameters,batch_size}')::integer
             * (p_config #>> '{hyperparameters,gradient_accumulation_steps}')::integer as per_step
      from private.gpu_catalog() g
     where g.gpu_type = p_config #>> '{gpu_config,type}'
  ), totals as (
    -- Seconds × throughput, kept whole so the cost needs a single division: numeric division
    -- is exact whenever the result terminates, so a half-cent tie rounds the way decimal
    -- arithmetic says (the TypeScript side snaps to the same decimal before rounding).
    select i.*,
           p_total_tokens::numeric * i.epochs + (600 + i.epochs * 300 + 300) * i.throughput
             as token_seconds,
           ceil(private.expected_training_pairs(
                  p_total_training_pairs, p_total_conversations,
                  (p_config #>> '{hyperparameters,validation_split}')::numeric)
                / i.per_step::numeric)::integer as steps_per_epoch
      from inputs i
  )
  select round(t.rate * t.token_seconds / (t.throughput * 3600) + 0.50, 2),
         t.rate * t.token_seconds / (t.throughput * 3600),
         t.token_seconds / (t.throughput * 3600),
         t.rate,
         t.steps_per_epoch * t.epochs, t.steps_per_epoch, t.throughput
    from totals t
$$;

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
                                   v_dataset.total_tokens, v_dataset.total_conversations);

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

revoke all on function
  private.expected_training_pairs(bigint, bigint, numeric),
  private.estimate_job_cost(jsonb, bigint, bigint, bigint)
from public, anon, authenticated;
