#!/usr/bin/env -S node --max-semi-space-size=1
// The `brightrun` command. A small young generation keeps peak memory low while streaming
// huge files (see bench/). Builds the bundle first when a checkout has not been built yet.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
if (!existsSync(bundle)) {
  const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('brightrun: the build failed; run `npm run build` to see why.');
    process.exit(2);
  }
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
