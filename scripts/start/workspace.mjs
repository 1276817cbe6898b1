// The folder `npm start` opens in the editor: `<dir>/.brightrun/workspace/`, holding copies of
// the example datasets (a user's edits to them survive restarts: existing files are kept) and
// workspace settings that point the extension at the local stack in `<dir>/.brightrun/`.
// The stack itself stays in `<dir>/.brightrun/`, where `npm start -- --no-editor`,
// `npx brightrun local status|down` and `scripts/verify-integration.ts --local` find it too.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

function readJson(path) {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    // Missing, or JSON with comments a user added: ours are written over it below.
    return {};
  }
}

export function prepareWorkspace(root, dir) {
  const folder = join(dir, '.brightrun', 'workspace');
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  const examples = join(root, 'examples');
  for (const name of readdirSync(examples).filter((n) => n.endsWith('.jsonl'))) {
    const target = join(folder, name);
    if (!existsSync(target)) copyFileSync(join(examples, name), target);
  }
  const settingsFile = join(folder, '.vscode', 'settings.json');
  const settings = {
    ...readJson(settingsFile),
    // The stack's `.brightrun/local.json` lives above this folder, not inside it.
    'brightrun.backend': 'local',
    'brightrun.local.folder': dir,
  };
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  return folder;
}
