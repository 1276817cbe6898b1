// Builds every bundle: the CLI, the language server and the token worker (node) now; the
// extension (node, CommonJS for VS Code) and each webview (browser) join as their issues land.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');

/** An ESM bundle for Node in dist/server/, named after its entry. */
function nodeBundle(name, entry) {
  return {
    entryPoints: { [name]: entry },
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
  };
}

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  nodeBundle('cli', 'server/src/cli/main.ts'),
  // The language server alone, for the extension to start over IPC.
  nodeBundle('server', 'server/src/lsp/entry.ts'),
  // Token-counting worker thread; TokenPool loads it from beside the bundled CLI.
  nodeBundle('token-worker', 'server/src/tokens/token-worker.ts'),
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

if (watch) {
  for (const b of bundles) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(bundles.map((b) => esbuild.build({ ...b, logLevel: 'warning' })));
}
