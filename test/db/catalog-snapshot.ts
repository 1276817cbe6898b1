// A text snapshot of everything the migrations define — columns, constraints, indexes,
// policies, functions (with their bodies, owners' settings and grants), triggers, table
// privileges, RLS flags and buckets — so two databases can be compared line by line.
import type { Sql } from 'postgres';

const SCHEMAS = ['public', 'private', 'auth', 'storage'];

export async function catalogSnapshot(sql: Sql): Promise<string[]> {
  const rows = await sql<{ line: string }[]>`
    select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' '
           || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
           || ' generated=' || coalesce(generation_expression, '') as line
      from information_schema.columns where table_schema = any(${SCHEMAS})
    union all
    select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where n.nspname = any(${SCHEMAS})
    union all
    select 'index ' || indexdef from pg_indexes where schemaname = any(${SCHEMAS})
    union all
    select 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || cmd || ' '
           || roles::text || ' using=' || coalesce(qual, '') || ' check=' || coalesce(with_check, '')
      from pg_policies where schemaname = any(${SCHEMAS})
    union all
    select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)
           || ') definer=' || p.prosecdef || ' config=' || coalesce(p.proconfig::text, '')
           || ' acl=' || coalesce(p.proacl::text, '') || ' body=' || md5(pg_get_functiondef(p.oid))
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = any(${SCHEMAS})
    union all
    select 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(t.oid)
      from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
     where not t.tgisinternal and n.nspname = any(${SCHEMAS})
    union all
    select 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text
           || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
           || ' acl=' || coalesce(c.relacl::text, '')
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'v', 'S', 'p')
    union all
    select 'schema ' || nspname || ' acl=' || coalesce(nspacl::text, '')
      from pg_namespace where nspname = any(${SCHEMAS})
    union all
    select 'bucket ' || id || ' public=' || coalesce(public::text, '') || ' limit='
           || coalesce(file_size_limit::text, '') || ' mime=' || coalesce(allowed_mime_types::text, '')
      from storage.buckets where id like 'lora-%'
    order by 1`;
  return rows.map((r) => r.line);
}
