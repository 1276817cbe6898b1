// `npm run package`: builds the bundles, then packages the extension from a staging folder that
// holds only what ships, so stale build output (old code-split chunks) never reaches the .vsix.
// The CLI's chunks are followed from dist/server/cli.js through their imports. `.vscodeignore`
// (an allowlist) applies on top. Prints the .vsix path and size.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(root, 'dist', 'brightrun.vsix');

/** dist/server/<entry> and every chunk it imports, transitively. */
function withChunks(entry) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(join(root, 'dist', 'server', name), 'utf8');
    for (const match of text.matchAll(/["']\.\/([\w.-]+\.js)["']/g)) {
      if (existsSync(join(root, 'dist', 'server', match[1]))) visit(match[1]);
    }
  };
  visit(entry);
  return [...seen].map((name) => `dist/server/${name}`);
}

execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });

const shipped = [
  'package.json',
  '.vscodeignore',
  'bin/brightrun.mjs',
  'client/media',
  'client/schemas',
  'client/marketplace/README.md',
  'examples/financial-coaching.jsonl',
  'dist/client/extension.cjs',
  'dist/webview',
  ...withChunks('server.js'),
  ...withChunks('token-worker.js'),
  'dist/server/llama3-bpe.bin',
  'dist/server/mistral-bpe.bin',
  ...withChunks('cli.js'),
];

const stage = mkdtempSync(join(tmpdir(), 'brightrun-vsix-'));
try {
  for (const path of new Set(shipped)) {
    const from = join(root, path);
    if (!existsSync(from)) throw new Error(`${path} is missing: the build did not produce it`);
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    cpSync(from, join(stage, path), { recursive: true });
  }
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(
    join(root, 'node_modules', '.bin', 'vsce'),
    [
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--readme-path',
      'client/marketplace/README.md',
      '--out',
      out,
    ],
    // A test runner's loader (NODE_OPTIONS=--import tsx) cannot resolve from the staging folder.
    {
      cwd: stage,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
console.log(`${out} (${(statSync(out).size / 1024 / 1024).toFixed(2)} MB)`);
