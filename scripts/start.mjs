// `npm start`. With `--no-editor` it starts the local stack (`brightrun local up` in this
// checkout: Postgres, the functions gateway, the scheduler and the local GPU cluster) in the
// foreground until Ctrl-C; extra arguments go to `local up` (e.g. `npm start -- --no-editor
// --port 0`). Without it, for now, it shows the CLI on the example dataset; the editor
// (code-server with the extension) joins here with issue 8. It builds the bundles first when
// they are missing or older than the sources.
import { spawn, spawnSync } from 'node:child_process';
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
  return ['common', 'server', 'schemas', 'gpu-worker/cluster'].some(
    (d) => existsSync(join(root, d)) && newest(join(root, d)) > built,
  );
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

const args = process.argv.slice(2);
const noEditor = args.includes('--no-editor');

if (stale()) {
  console.error('Building…');
  if (run(['esbuild.mjs']) !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(1);
  }
}

if (noEditor) {
  // The stack runs in our process group: a terminal's Ctrl-C reaches it directly and it stops
  // everything it started; we only wait for it. A SIGTERM sent to us is passed on.
  const upArgs = args.filter((a) => a !== '--no-editor');
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=1', bin, 'local', 'up', ...upArgs],
    { cwd: process.cwd(), stdio: 'inherit' },
  );
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGHUP', () => child.kill('SIGHUP'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  demo();
}

function demo() {
  console.log('BrightRun — dataset validation for LoRA fine-tuning\n');
  console.log('(The local backend: `npm start -- --no-editor`; the editor joins with issue 8.)\n');

  console.log(`$ brightrun validate ${example}`);
  const validated = run(['--max-semi-space-size=1', bin, 'validate', example]);
  console.log(`\n$ brightrun stats ${example}`);
  const stats = run(['--max-semi-space-size=1', bin, 'stats', example]);
  console.log('\nTry it on your own data: npx brightrun validate path/to/dataset.jsonl');
  console.log('Every option: npx brightrun --help');
  process.exit(validated === 0 && stats === 0 ? 0 : 1);
}
