// Builds every bundle: the CLI, the language server and the token worker (node), the extension
// and its in-host tests (node, CommonJS for VS Code), and one browser bundle per webview panel.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');

/**
 * An ESM bundle for Node in dist/server/, named after its entry. What it imports dynamically
 * (the subcommands' heavy parts, each tokenizer's vocabulary) is split into chunks beside it,
 * `<name>-chunk-*.js`, loaded only when used: a Mistral token worker does not hold Llama 3's
 * 3 MB vocabulary (12 MB less resident), and `validate` starts 14 MB smaller than one file would.
 * The chunks stay beside the entry, so relative URLs (token-worker.js) still resolve.
 */
function nodeBundle(name, entry) {
  return {
    entryPoints: { [name]: entry },
    outdir: 'dist/server',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: true,
    splitting: true,
    chunkNames: `${name}-chunk-[name]-[hash]`,
    sourcemap: true,
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __brCreateRequire } from 'node:module'; const require = __brCreateRequire(import.meta.url);",
    },
  };
}

/**
 * CommonJS for VS Code's extension host, which provides `vscode`. `mocha` stays external so the
 * in-host test runner loads the project's own copy; `ws`'s optional native helpers are absent.
 */
function extensionHostBundle(entryPoints, outdir) {
  return {
    entryPoints,
    outdir,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    bundle: true,
    sourcemap: true,
    outExtension: { '.js': '.cjs' },
    external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'],
  };
}

/** The extension-host test runner and each in-host test file, bundled one per file. */
function extensionTestEntries() {
  const dir = 'test/extension/suite';
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f.replace(/\.ts$/, ''), `${dir}/${f}`]),
  );
}

/**
 * One browser bundle per webview panel (webview/src/<panel>/main.ts): dist/webview/<panel>.js
 * and the stylesheets it imports as dist/webview/<panel>.css, loaded by the panel hosts.
 */
function webviewBundle(panel) {
  return {
    entryPoints: { [panel]: `webview/src/${panel}/main.ts` },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    bundle: true,
    minify: true,
    sourcemap: true,
  };
}

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  ...['configure', 'monitor', 'model', 'cost'].map(webviewBundle),
  // The extension (package.json "main").
  extensionHostBundle({ extension: 'client/src/extension.ts' }, 'dist/client'),
  extensionHostBundle(extensionTestEntries(), 'dist/test/extension'),
  nodeBundle('cli', 'server/src/cli/main.ts'),
  // The language server alone, for the extension to start over IPC.
  nodeBundle('server', 'server/src/lsp/entry.ts'),
  // Token-counting worker thread; TokenPool loads it from beside the bundled CLI.
  nodeBundle('token-worker', 'server/src/tokens/token-worker.ts'),
].filter((b) => {
  const entries = Object.values(b.entryPoints);
  return entries.length > 0 && entries.every((p) => existsSync(p));
});

if (watch) {
  for (const b of bundles) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(
    bundles.map((b) => esbuild.build({ ...b, logLevel: 'warning', metafile: true })),
  );
  removeStaleChunks(results);
  writeTokenizerData();
}

/**
 * dist/server/{llama3,mistral}-bpe.bin, the compact vocabularies and merges the token workers
 * load (scripts/tokenizer-data.ts), written again when a package or the format is newer.
 */
function writeTokenizerData() {
  const outs = ['dist/server/llama3-bpe.bin', 'dist/server/mistral-bpe.bin'];
  const inputs = [
    'node_modules/llama3-tokenizer-js/package.json',
    'node_modules/mistral-tokenizer-js/package.json',
    'common/tokenizers/bpe/byte-level-bpe.ts',
    'common/tokenizers/bpe/sentencepiece-bpe.ts',
    'common/tokenizers/bpe/compact-data.ts',
    'scripts/tokenizer-data.ts',
  ];
  const newest = Math.max(...inputs.map((path) => statSync(path).mtimeMs));
  if (outs.every((out) => existsSync(out) && statSync(out).mtimeMs >= newest)) return;
  const args = ['--import', 'tsx', 'scripts/tokenizer-data.ts', 'dist/server'];
  const made = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (made.status !== 0) throw new Error('scripts/tokenizer-data.ts failed');
}

/**
 * Chunk names carry a content hash, so every change leaves the previous chunks behind; delete
 * those this build did not write, or dist/server grows by a megabyte per build.
 */
function removeStaleChunks(results) {
  const written = new Set(results.flatMap((r) => Object.keys(r.metafile.outputs)));
  // Chunks of earlier builds, and the CLI's older names (cli-chunk-chunk-*), alike.
  for (const name of readdirSync('dist/server')) {
    const path = join('dist/server', name);
    if (/^[\w-]+-chunk-/.test(name) && !written.has(path)) rmSync(path);
  }
}
