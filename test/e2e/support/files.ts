// Waiting for a file on disk to reach a state, on file-system events (no polling).
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { withTimeout } from '../../extension/support/code-server.ts';

/** Resolves with the file's text once `accept` returns true for it. */
export function waitForFileText(
  path: string,
  accept: (text: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  let close = (): void => {};
  const done = new Promise<string>((resolve) => {
    const check = (): void => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return; // Not there yet, or being replaced.
      }
      if (accept(text)) resolve(text);
    };
    // Watch the folder: an editor may save by writing a temporary file and renaming it.
    const watcher = watch(dirname(path), (_event, name) => {
      if (name === null || name === basename(path)) check();
    });
    close = () => watcher.close();
    check();
  });
  return withTimeout(done, timeoutMs, `${path} did not reach the expected content`).finally(() =>
    close(),
  );
}
