// Numeric knobs of the background functions from the environment (tests shorten them).
import { optionalEnv } from '../env.ts';

/** The variable as a number within [min, max]; unset, empty or not a number → `fallback`. */
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
