// The folder the journey opens: copies of the example dataset and of a fixture with a known
// problem (a role typo the language server offers to fix), so the test may edit them freely.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export const EXAMPLE_FILE = 'financial-coaching.jsonl';
export const TYPO_FILE = 'role-typo.jsonl';

export function createJourneyWorkspace(): string {
  const folder = mkdtempSync(join(tmpdir(), 'brightrun-e2e-ws-'));
  // The local stack's Postgres runs as the postgres user, which must reach .brightrun/ inside.
  chmodSync(folder, 0o755);
  mkdirSync(join(folder, 'datasets'));
  copyFileSync(join(root, 'examples', EXAMPLE_FILE), join(folder, 'datasets', EXAMPLE_FILE));
  copyFileSync(
    join(root, 'test', 'fixtures', 'lsp', 'role-typo', 'dataset.jsonl'),
    join(folder, 'datasets', TYPO_FILE),
  );
  mkdirSync(join(folder, '.vscode'));
  writeFileSync(join(folder, '.vscode', 'settings.json'), '{}\n');
  return folder;
}
