// What to tell a user whose token was refused or whose backend cannot be reached, per backend.
import type { AuthHint } from '../api/api-error.ts';

export const LOCAL_HINT: AuthHint = {
  reauthenticate:
    'The local stack did not accept its user token: restart it with "npx brightrun local up" (it writes a fresh .brightrun/local.json).',
  unreachable: 'Is the local stack running? Start it with "npx brightrun local up".',
};

export const SUPABASE_HINT: AuthHint = {
  reauthenticate: 'Your session has expired: sign in again with "BrightRun: Sign In".',
  unreachable: 'Check the setting brightrun.supabase.url and your network connection.',
};
