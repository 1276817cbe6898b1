// Debian packages the tests and the local stack need, with how to tell each is present.
// Each later tier (Postgres, Deno's needs, Chromium for code-server) adds its entry here.
import { spawnSync } from 'node:child_process';

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const systemPackages = [
  // git is used by the tests that check the repository stays clean of build output.
  { apt: 'git', present: () => commandExists('git') },
];
