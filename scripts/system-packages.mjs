// Debian packages the tests and the local stack need, with how to tell each is present.
// Each later tier (Postgres, Deno's needs, Chromium for code-server) adds its entry here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Debian's server binaries live in /usr/lib/postgresql/<major>/bin, whatever the major. */
function postgresServerExists() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return false;
  return readdirSync(root).some((major) => existsSync(`${root}/${major}/bin/postgres`));
}

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const systemPackages = [
  // git is used by the tests that check the repository stays clean of build output.
  { apt: 'git', present: () => commandExists('git') },
  // The database tier and the local stack run a throwaway cluster with Debian's server binaries.
  { apt: 'postgresql', present: postgresServerExists },
  // The trainer (gpu-worker/trainer) runs on Debian's CPU torch under Debian's own Python.
  {
    apt: 'python3-torch',
    present: () =>
      spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  },
  // Debian's torch calls the reference BLAS unless OpenBLAS is installed: a 50-pair, 3-epoch
  // training run measured 8.8 s with it and 2.3 s with OpenBLAS on an idle 2-core machine.
  {
    apt: 'libopenblas0-pthread',
    present: () => existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'),
  },
  // code-server (scripts/ensure-code-server.mjs) builds its native modules against Kerberos
  // headers and takes its ripgrep from Debian; Chromium drives it in the extension and UI tests.
  { apt: 'libkrb5-dev', present: () => existsSync('/usr/include/krb5.h') },
  { apt: 'ripgrep', present: () => existsSync('/usr/bin/rg') },
  { apt: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  // The extension tier lists the packaged .vsix (a zip) to check what it ships.
  { apt: 'unzip', present: () => commandExists('unzip') },
  { apt: 'g++', present: () => commandExists('g++') },
  { apt: 'make', present: () => commandExists('make') },
];
