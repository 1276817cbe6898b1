-- The training configuration rules of training.md §1–§3 in SQL: the limits, presets, model and
-- GPU catalogs, normalisation and the cost estimate. They repeat common/training/*.ts because a
-- user may call create_training_job directly (PostgREST exposes RPC), so the database must not
-- trust a configuration or a price it did not check itself. test/db/config-limits.test.ts walks
-- the TypeScript tables against these functions so the two cannot drift.

create or replace function private.hyperparameter_limits()
returns table (name text, kind text, min_value numeric, max_value numeric, ord integer)
language sql immutable
set search_path = ''
as $$
  values
    ('learning_rate', 'number', 0.00001, 0.001, 1),
    ('batch_size', 'integer', 1, 64, 2),
    ('epochs', 'integer', 1, 20, 3),
    ('lora_rank', 'integer', 4, 128, 4),
    ('lora_alpha', 'integer', 1, 512, 5),
    ('lora_dropout', 'number', 0, 0.5, 6),
    ('warmup_ratio', 'number', 0, 0.5, 7),
    ('max_seq_length', 'integer', 128, 32768, 8),
    ('gradient_accumulation_steps', 'integer', 1, 64, 9),
    ('validation_split', 'number', 0, 0.5, 10)
$$;

create or replace function private.base_models() returns text[]
language sql immutable
set search_path = ''
as $$
  select array[
    'mistralai/Mistral-7B-v0.1',
    'mistralai/Mistral-7B-Instruct-v0.2',
    'meta-llama/Meta-Llama-3-8B',
    'meta-llama/Meta-Llama-3-8B-Instruct',
    'meta-llama/Llama-3.1-8B-Instruct',
    'builtin/tiny-gpt'
  ]
$$;

create or replace function private.gpu_catalog()
returns table (gpu_type text, price_per_hour numeric, tokens_per_second numeric, memory_gb integer)
language sql immutable
set search_path = ''
as $$
  values
    ('A100-80GB', 3.50, 1800, 80),
    ('A100-40GB', 2.80, 1500, 40),
    ('H100', 4.20, 2200, 80),
    ('V100-32GB', 2.10, 1200, 32)
$$;

-- Values a preset fixes; `custom` fixes none. Defaults for the rest are the balanced values.
create or replace function private.preset_values(p_preset text) returns jsonb
language sql immutable
set search_path = ''
as $$
  select case p_preset
    when 'conservative' then '{"learning_rate": 0.0001, "batch_size": 4, "epochs": 3,
      "lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.05}'::jsonb
    when 'balanced' then '{"learning_rate": 0.0002, "batch_size": 8, "epochs": 5,
      "lora_rank": 16, "lora_alpha": 32, "lora_dropout": 0.1}'::jsonb
    when 'aggressive' then '{"learning_rate": 0.0003, "batch_size": 16, "epochs": 10,
      "lora_rank": 32, "lora_alpha": 64, "lora_dropout": 0.1}'::jsonb
    else '{}'::jsonb
  end
$$;

create or replace function private.limit_message(p_name text, p_kind text, p_min numeric,
                                                 p_max numeric) returns text
language sql immutable
set search_path = ''
as $$
  select format('%s must be %s between %s and %s', p_name,
                case p_kind when 'integer' then 'an integer' else 'a number' end, p_min, p_max)
$$;

-- Raises the first problem (SQLSTATE 22023, the field in DETAIL) in the order the TypeScript
-- normaliser reports them; returns {preset_id, hyperparameters, gpu_config}.
create or replace function private.normalize_job_config(p_config jsonb) returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  cfg jsonb := coalesce(p_config, '{}'::jsonb);
  preset text := 'balanced';
  hyper_in jsonb;
  gpu_in jsonb;
  hyper jsonb := '{}'::jsonb;
  source jsonb := '{}'::jsonb;
  gpu jsonb := '{"type": "A100-80GB", "count": 1}'::jsonb;
  fixed jsonb;
  merged jsonb;
  k text;
  v jsonb;
  canonical text;
  lim record;
  num numeric;
  model text;
  changed boolean;
begin
  if jsonb_typeof(cfg) = 'null' then
    cfg := '{}'::jsonb;
  end if;
  if jsonb_typeof(cfg) <> 'object' then
    raise exception 'configuration must be an object' using errcode = '22023', detail = '';
  end if;
  for k in select jsonb_object_keys(cfg) loop
    if k not in ('preset_id', 'hyperparameters', 'gpu_config') then
      raise exception 'Unknown configuration key "%"', k using errcode = '22023', detail = k;
    end if;
  end loop;

  if coalesce(jsonb_typeof(cfg -> 'preset_id'), 'null') <> 'null' then
    if jsonb_typeof(cfg -> 'preset_id') <> 'string'
       or (cfg ->> 'preset_id') not in ('conservative', 'balanced', 'aggressive', 'custom') then
      raise exception 'preset_id must be one of conservative, balanced, aggressive, custom'
        using errcode = '22023', detail = 'preset_id';
    end if;
    preset := cfg ->> 'preset_id';
  end if;

  -- Hyperparameters: aliases, unknown keys, duplicates, then catalog and limits.
  hyper_in := cfg -> 'hyperparameters';
  if coalesce(jsonb_typeof(hyper_in), 'null') <> 'null' then
    if jsonb_typeof(hyper_in) <> 'object' then
      raise exception 'hyperparameters must be an object'
        using errcode = '22023', detail = 'hyperparameters';
    end if;
    for k, v in select * from jsonb_each(hyper_in) loop
      canonical := case k
        when 'num_epochs' then 'epochs'
        when 'rank' then 'lora_rank'
        when 'alpha' then 'lora_alpha'
        when 'dropout' then 'lora_dropout'
        else k
      end;
      if canonical <> 'base_model'
         and not exists (select from private.hyperparameter_limits() l where l.name = canonical) then
        raise exception 'Unknown hyperparameter "%"', k
          using errcode = '22023', detail = 'hyperparameters.' || k;
      end if;
      continue when jsonb_typeof(v) = 'null';
      if source ? canonical then
        raise exception '% given twice (as % and %)', canonical, source ->> canonical, k
          using errcode = '22023', detail = 'hyperparameters.' || canonical;
      end if;
      source := source || jsonb_build_object(canonical, k);
      hyper := hyper || jsonb_build_object(canonical, v);
    end loop;

    if hyper ? 'base_model' then
      select m into model from unnest(private.base_models()) m
       where jsonb_typeof(hyper -> 'base_model') = 'string'
         and lower(m) = lower(btrim(hyper ->> 'base_model'));
      if model is null then
        raise exception 'base_model must be one of %', array_to_string(private.base_models(), ', ')
          using errcode = '22023', detail = 'hyperparameters.base_model';
      end if;
      hyper := hyper || jsonb_build_object('base_model', model);
    end if;

    for lim in select * from private.hyperparameter_limits() order by ord loop
      continue when not hyper ? lim.name;
      num := case when jsonb_typeof(hyper -> lim.name) = 'number'
                  then (hyper ->> lim.name)::numeric end;
      if num is null or num < lim.min_value or num > lim.max_value
         or (lim.kind = 'integer' and num <> trunc(num)) then
        raise exception '%', private.limit_message(lim.name, lim.kind, lim.min_value, lim.max_value)
          using errcode = '22023', detail = 'hyperparameters.' || lim.name;
      end if;
      -- Store integers as integers (JSON 4.0 → 4).
      if lim.kind = 'integer' then
        hyper := hyper || jsonb_build_object(lim.name, num::integer);
      end if;
    end loop;
  end if;

  -- GPU configuration: aliases; client prices and memory sizes are dropped, never trusted.
  gpu_in := cfg -> 'gpu_config';
  if coalesce(jsonb_typeof(gpu_in), 'null') <> 'null' then
    if jsonb_typeof(gpu_in) <> 'object' then
      raise exception 'gpu_config must be an object' using errcode = '22023', detail = 'gpu_config';
    end if;
    source := '{}'::jsonb;
    for k, v in select * from jsonb_each(gpu_in) loop
      canonical := case k
        when 'type' then 'type' when 'gpu_type' then 'type'
        when 'count' then 'count' when 'num_gpus' then 'count'
      end;
      if canonical is null then
        continue when k ~* '(price|cost|rate|memory|vram)';
        raise exception 'Unknown gpu_config key "%"', k
          using errcode = '22023', detail = 'gpu_config.' || k;
      end if;
      continue when jsonb_typeof(v) = 'null';
      if source ? canonical then
        raise exception '% given twice (as % and %)', canonical, source ->> canonical, k
          using errcode = '22023', detail = 'gpu_config.' || canonical;
      end if;
      source := source || jsonb_build_object(canonical, k);
      if canonical = 'type' then
        if jsonb_typeof(v) <> 'string'
           or not exists (select from private.gpu_catalog() g where g.gpu_type = v #>> '{}') then
          raise exception 'gpu_config.type must be one of %',
            (select string_agg(g.gpu_type, ', ') from private.gpu_catalog() g)
            using errcode = '22023', detail = 'gpu_config.type';
        end if;
        gpu := gpu || jsonb_build_object('type', v);
      else
        num := case when jsonb_typeof(v) = 'number' then (v #>> '{}')::numeric end;
        if num is null or num < 1 or num > 8 or num <> trunc(num) then
          raise exception '%', private.limit_message('gpu_config.count', 'integer', 1, 8)
            using errcode = '22023', detail = 'gpu_config.count';
        end if;
        gpu := gpu || jsonb_build_object('count', num::integer);
      end if;
    end loop;
  end if;

  -- Defaults, then the preset, then the user's values; alpha defaults to 2 × rank.
  fixed := private.preset_values(preset);
  merged := jsonb_build_object(
      'base_model', 'mistralai/Mistral-7B-v0.1', 'warmup_ratio', 0.1, 'max_seq_length', 2048,
      'gradient_accumulation_steps', 1, 'validation_split', 0.1)
    || private.preset_values('balanced') || fixed || hyper;
  if not hyper ? 'lora_alpha' then
    merged := merged || jsonb_build_object('lora_alpha', 2 * (merged ->> 'lora_rank')::integer);
  end if;
  -- A preset the user changed is no longer that preset: record what actually runs.
  select coalesce(bool_or(hyper ? f.key and (hyper -> f.key) <> f.value), false) into changed
    from jsonb_each(fixed) f;

  return jsonb_build_object(
    'preset_id', case when changed then 'custom' else preset end,
    'hyperparameters', merged,
    'gpu_config', gpu);
end
$$;

-- The estimate of training.md §3 (money rounded once, at the end).
create or replace function private.estimate_job_cost(p_config jsonb, p_total_training_pairs bigint,
                                                     p_total_tokens bigint)
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
           ceil(p_total_training_pairs::numeric / i.per_step)::integer as steps_per_epoch
      from inputs i
  )
  select round(t.rate * t.token_seconds / (t.throughput * 3600) + 0.50, 2),
         t.rate * t.token_seconds / (t.throughput * 3600),
         t.token_seconds / (t.throughput * 3600),
         t.rate,
         t.steps_per_epoch * t.epochs, t.steps_per_epoch, t.throughput
    from totals t
$$;

revoke all on all functions in schema private from public, anon, authenticated;
