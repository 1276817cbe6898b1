import type { TrainerEvent } from '../../common/gpu-cluster/contract.ts';

const TYPES = new Set(['stage', 'progress', 'metric', 'checkpoint', 'artifact', 'error']);

/**
 * One stdout line of the trainer as an event, or undefined for anything else (a stray print
 * from a library must not break the job).
 */
export function parseTrainerEvent(line: string): TrainerEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && TYPES.has(type) ? (value as TrainerEvent) : undefined;
}

/** Splits a byte stream into lines, keeping a partial last line until its newline arrives. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    return parts.filter((part) => part.trim() !== '');
  }

  flush(): string[] {
    const rest = this.pending.trim();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}
