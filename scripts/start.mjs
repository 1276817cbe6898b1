// `npm start`, for now: shows the CLI on the example dataset. It builds the bundles when they are
// missing or older than the sources, then runs `brightrun validate` and `brightrun stats` the way
// a user would. (The local stack and VS Code join here as their issues land.)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'brightrun.mjs');
const bundle = join(root, 'dist', 'server', 'cli.js');
const example = 'examples/financial-coaching.jsonl';

/** Newest modification time under a folder (sources that feed the bundle). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale() {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  return ['common', 'server', 'schemas'].some(
    (d) => existsSync(join(root, d)) && newest(join(root, d)) > built,
  );
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

console.log('BrightRun — dataset validation for LoRA fine-tuning\n');
if (stale()) {
  console.log('Building…');
  if (run(['esbuild.mjs']) !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(1);
  }
}

console.log(`$ brightrun validate ${example}`);
const validated = run(['--max-semi-space-size=1', bin, 'validate', example]);
console.log(`\n$ brightrun stats ${example}`);
const stats = run(['--max-semi-space-size=1', bin, 'stats', example]);
console.log('\nTry it on your own data: npx brightrun validate path/to/dataset.jsonl');
console.log('Every option: npx brightrun --help');
process.exit(validated === 0 && stats === 0 ? 0 : 1);
