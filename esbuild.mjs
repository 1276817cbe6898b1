// Builds every bundle: the language server + CLI (node) now; the extension (node, CommonJS for
// VS Code) and each webview (browser) join as their issues land.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  {
    entryPoints: { cli: 'server/src/cli/main.ts' },
    outdir: 'dist/server',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: true,
    sourcemap: true,
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __brCreateRequire } from 'node:module'; const require = __brCreateRequire(import.meta.url);",
    },
  },
  {
    // The language server alone, for the extension to start over IPC.
    entryPoints: { server: 'server/src/lsp/entry.ts' },
    outdir: 'dist/server',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: true,
    sourcemap: true,
    banner: {
      js: "import { createRequire as __brCreateRequire } from 'node:module'; const require = __brCreateRequire(import.meta.url);",
    },
  },
  {
    // Token-counting worker thread; TokenPool loads it from beside the bundled CLI.
    entryPoints: { 'token-worker': 'server/src/tokens/token-worker.ts' },
    outdir: 'dist/server',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: true,
    sourcemap: true,
    banner: {
      js: "import { createRequire as __brCreateRequire } from 'node:module'; const require = __brCreateRequire(import.meta.url);",
    },
  },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

if (watch) {
  for (const b of bundles) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(bundles.map((b) => esbuild.build({ ...b, logLevel: 'warning' })));
}
