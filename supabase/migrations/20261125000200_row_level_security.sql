-- Row level security on all seven tables: a user reads only their own rows, writes only
-- through the SECURITY DEFINER functions of the next migrations, and background work uses the
-- service role (BYPASSRLS). Hosted Supabase grants the API roles ALL on new tables by default,
-- so the table privileges are revoked and granted back deliberately.

do $$
declare
  t text;
begin
  foreach t in array array['datasets', 'training_jobs', 'metrics_points', 'model_artifacts',
                           'checkpoints', 'cost_records', 'notifications'] loop
    execute format('alter table public.%I enable row level security', t);

    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant select on table public.%I to anon, authenticated', t);
    execute format('grant select, insert, update, delete on table public.%I to service_role', t);

    execute format('drop policy if exists %I on public.%I', t || '_select_own', t);
    -- `(select auth.uid())` is evaluated once per query instead of once per row.
    execute format(
      'create policy %I on public.%I for select to authenticated '
      'using (user_id = (select auth.uid()))', t || '_select_own', t);
  end loop;
end
$$;

-- The identity column's sequence: only the service role inserts metric points.
revoke all on sequence public.metrics_points_id_seq from public, anon, authenticated;
grant usage, select on sequence public.metrics_points_id_seq to service_role;
