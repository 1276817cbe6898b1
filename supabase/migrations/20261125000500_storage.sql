-- Storage: two private buckets and the policies that confine each user to the top-level folder
-- named by their user id. Paths: lora-datasets/<uid>/<dataset_id>/<file>,
-- lora-models/<uid>/<artifact_id>/<file>. Signed URLs (made by the API) do not need these
-- policies; they govern what a user's own JWT can do against the Storage API.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('lora-datasets', 'lora-datasets', false, 524288000,
   array['application/jsonl', 'application/x-ndjson', 'application/json', 'text/plain',
         'application/octet-stream']),
  ('lora-models', 'lora-models', false, 5368709120, null)
on conflict (id) do update
  set public = false,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

-- Datasets: a user lists, reads, uploads, overwrites and deletes files in their own folder.
drop policy if exists "lora-datasets: read own folder" on storage.objects;
create policy "lora-datasets: read own folder" on storage.objects
  for select to authenticated
  using (bucket_id = 'lora-datasets'
         and (storage.foldername(name))[1] = (select auth.uid()::text));

drop policy if exists "lora-datasets: upload to own folder" on storage.objects;
create policy "lora-datasets: upload to own folder" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'lora-datasets'
              and (storage.foldername(name))[1] = (select auth.uid()::text));

drop policy if exists "lora-datasets: overwrite in own folder" on storage.objects;
create policy "lora-datasets: overwrite in own folder" on storage.objects
  for update to authenticated
  using (bucket_id = 'lora-datasets'
         and (storage.foldername(name))[1] = (select auth.uid()::text))
  with check (bucket_id = 'lora-datasets'
              and (storage.foldername(name))[1] = (select auth.uid()::text));

drop policy if exists "lora-datasets: delete in own folder" on storage.objects;
create policy "lora-datasets: delete in own folder" on storage.objects
  for delete to authenticated
  using (bucket_id = 'lora-datasets'
         and (storage.foldername(name))[1] = (select auth.uid()::text));

-- Models: written only by create-model-artifacts (service role), so a user can never replace
-- the adapter whose size and sha256 the artifact row records; users read and delete their own.
drop policy if exists "lora-models: read own folder" on storage.objects;
create policy "lora-models: read own folder" on storage.objects
  for select to authenticated
  using (bucket_id = 'lora-models'
         and (storage.foldername(name))[1] = (select auth.uid()::text));

drop policy if exists "lora-models: delete in own folder" on storage.objects;
create policy "lora-models: delete in own folder" on storage.objects
  for delete to authenticated
  using (bucket_id = 'lora-models'
         and (storage.foldername(name))[1] = (select auth.uid()::text));
