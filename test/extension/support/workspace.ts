// The folder the extension-host tests open: fixture datasets copied into a temporary workspace
// so tests may edit and save files freely.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Workspace path → fixture path (relative to test/fixtures). */
const FILES: Record<string, string> = {
  'datasets/valid.jsonl': 'valid/v4-plain.jsonl',
  'datasets/meta.jsonl': 'valid/v4-meta-repeated-user.jsonl',
  'datasets/chat.jsonl': 'valid/chat-messages.jsonl',
  'datasets/bad-json.jsonl': 'rules/BRL001/input.jsonl',
  'datasets/missing-field.jsonl': 'rules/BRL010/input.jsonl',
};

export function createTestWorkspace(settings: Record<string, unknown> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'brightrun-ext-ws-'));
  // The local stack's Postgres runs as the postgres user, which must reach .brightrun/ inside.
  chmodSync(root, 0o755);
  for (const [to, from] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(join(fixtures, from), join(root, to));
  }
  mkdirSync(join(root, '.vscode'), { recursive: true });
  writeFileSync(join(root, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return root;
}
