// The functions' environment (the same names hosted and local; see the backend runtime contract).
// Read at call time, never at import: the local gateway sets SUPABASE_URL once it listens.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function optionalEnv(name: string): string | undefined {
  const value = Deno.env.get(name);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function requireEnv(name: string): string {
  const value = optionalEnv(name);
  if (value === undefined) throw new ConfigError(`${name} is not set`);
  return value;
}

/** A numeric setting within [min, max]; unset, empty or not a number → `fallback`. */
export function numberSetting(
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

/** The project's base URL without a trailing slash, e.g. http://127.0.0.1:54321. */
export function supabaseUrl(): string {
  return requireEnv('SUPABASE_URL').replace(/\/+$/, '');
}
