// Prints a signed Storage URL of the local file store, made by the functions' own token module
// (supabase/functions/_shared/storage/signed-url-token.ts), for tests and for trying the store
// by hand:
//   SUPABASE_URL=http://127.0.0.1:54321 BRIGHTRUN_JWT_SECRET=… \
//     deno run --allow-env supabase/local/sign-url.ts upload|download BUCKET PATH [SECONDS] [--upsert]
import { signedUrl, signStorageToken } from '../functions/_shared/storage/signed-url-token.ts';

const [kind, bucket, path, seconds = '600', flag] = Deno.args;
if ((kind !== 'upload' && kind !== 'download') || !bucket || !path) {
  console.error('usage: sign-url.ts upload|download BUCKET PATH [SECONDS] [--upsert]');
  Deno.exit(2);
}
const secret = Deno.env.get('BRIGHTRUN_JWT_SECRET') ?? '';
const base = Deno.env.get('SUPABASE_URL') ?? '';
const token = await signStorageToken(
  secret,
  bucket,
  path,
  Number(seconds),
  kind === 'upload' ? { upsert: flag === '--upsert' } : {},
);
console.log(signedUrl(base, kind, bucket, path, token));
