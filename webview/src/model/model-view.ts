/** The model panel's tables (pure). */
import type { ModelArtifact } from '../../../common/api/types.ts';

export interface FileRow {
  name: string;
  size: number;
  sha256: string | null;
}

/** Files in a stable order: the adapter first, then the rest by name. */
export function fileRows(model: Pick<ModelArtifact, 'files'>): FileRow[] {
  const rank = (n: string) =>
    n === 'adapter_model.safetensors' ? 0 : n === 'adapter_config.json' ? 1 : 2;
  return Object.entries(model.files)
    .map(([name, f]) => ({ name, size: f.size, sha256: f.sha256 ?? null }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** A configuration object flattened to `key: value` rows (`hyperparameters.learning_rate`). */
export function configRows(config: unknown, prefix = ''): { key: string; value: string }[] {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    return prefix ? [{ key: prefix, value: JSON.stringify(config) ?? '' }] : [];
  }
  const rows: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      rows.push(...configRows(value, path));
    } else {
      rows.push({ key: path, value: typeof value === 'string' ? value : JSON.stringify(value) });
    }
  }
  return rows;
}

/** `★★★★☆` with a text alternative for screen readers. */
export function scoreStars(score: number | null | undefined): { stars: string; label: string } {
  if (score === null || score === undefined || !Number.isFinite(score)) {
    return { stars: '—', label: 'No quality score' };
  }
  const s = Math.max(0, Math.min(5, Math.round(score)));
  return { stars: '★'.repeat(s) + '☆'.repeat(5 - s), label: `Quality score ${s} of 5` };
}
