import { minimatch } from 'minimatch';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import type { BrightRunSettings } from '../../../../common/protocol/lsp.ts';

/** Whether a document is one the server should validate, judged by language and path. */
export function isCandidate(uri: string, languageId: string, settings: BrightRunSettings): boolean {
  const path = uriPath(uri);
  if (settings.datasets.exclude.some((glob) => matches(path, glob))) return false;
  if (languageId === 'jsonl') return true;
  return settings.datasets.include.some((glob) => matches(path, glob));
}

/** How many JSON object lines to look at before deciding a file is not a dataset. */
const SNIFF_OBJECTS = 50;

/**
 * A JSONL file is treated as a dataset unless its first object lines are all valid JSON objects
 * of no dataset shape (a log file, say): then it gets no diagnostics at all. A file being typed
 * (empty, or with broken lines) is a dataset, so authors see problems from the first keystroke.
 */
export function looksLikeDataset(lines: readonly { facts: LineFacts }[]): boolean {
  let objects = 0;
  for (const { facts: f } of lines) {
    if (f.kind === 'meta' || f.shapeDetected) return true;
    if (f.kind === 'data' && ++objects >= SNIFF_OBJECTS) break;
  }
  return objects === 0;
}

function matches(path: string, glob: string): boolean {
  return minimatch(path, glob, { dot: true, matchBase: !glob.includes('/') });
}

function uriPath(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}
