// The repository the running code belongs to. The local stack reads files that are not bundled
// (migrations, the Deno gateway and functions, the GPU worker), and it runs both from the
// sources (tsx) and from the built CLI (dist/server/cli.js), so it looks upwards from its own
// module for the folder that holds them instead of assuming a fixed depth.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'supabase', 'migrations')) && existsSync(join(dir, 'package.json'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `BrightRun's repository (supabase/migrations) was not found above ${fileURLToPath(import.meta.url)}`,
      );
    }
    dir = parent;
  }
}
