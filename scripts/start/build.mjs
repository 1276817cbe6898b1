// Builds what `npm start` runs, only when the sources are newer than the build: the bundles
// (dist/) for the CLI and the local stack, and the packaged extension (dist/brightrun.vsix)
// for the editor.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Sources of the CLI and local stack bundle. */
const BUNDLE_SOURCES = ['common', 'server', 'schemas', 'gpu-worker/cluster'];
/** Sources of the extension package (the bundles, the webviews, the manifest, what ships). */
const VSIX_SOURCES = [
  ...BUNDLE_SOURCES,
  'client',
  'webview',
  'examples',
  'package.json',
  '.vscodeignore',
  'esbuild.mjs',
  'scripts/package-extension.mjs',
];

/** Newest modification time of a file or of anything under a folder. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__pycache__') continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

function stale(root, output, sources) {
  const target = join(root, output);
  if (!existsSync(target)) return true;
  const built = statSync(target).mtimeMs;
  return sources.some((source) => newest(join(root, source)) > built);
}

/** Runs a build step quietly; on failure prints what it said and throws. */
function step(root, args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${what} failed; see the messages above`);
  }
}

/** `dist/server/cli.js` and friends, rebuilt when a source changed. */
export function ensureBundles(root, log) {
  if (!stale(root, 'dist/server/cli.js', BUNDLE_SOURCES)) return;
  log('building');
  step(root, ['esbuild.mjs'], 'the build');
}

/**
 * `dist/brightrun.vsix`, packaged again when a source changed (which also rebuilds the bundles).
 * It is written under another name and renamed, so a reader never sees half a file.
 */
export function ensureVsix(root, log) {
  const vsix = join(root, 'dist', 'brightrun.vsix');
  if (!stale(root, 'dist/brightrun.vsix', VSIX_SOURCES)) {
    ensureBundles(root, log);
    return vsix;
  }
  log('building and packaging the extension (dist/brightrun.vsix)');
  const partial = join(root, 'dist', `.brightrun-${process.pid}.vsix`);
  try {
    step(root, [join('scripts', 'package-extension.mjs'), partial], 'packaging the extension');
    renameSync(partial, vsix);
  } finally {
    rmSync(partial, { force: true });
  }
  return vsix;
}
