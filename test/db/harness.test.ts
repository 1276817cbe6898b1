// The Postgres harness itself: a run that was killed must not break the next one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPostgresBinDir } from '../support/postgres/index.ts';
import { removeStaleClusters } from '../support/postgres/cluster.ts';

const clusterModule = fileURLToPath(new URL('../support/postgres/cluster.ts', import.meta.url));

/** Running, and not a zombie waiting for a parent (a container's PID 1) to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('postgres harness', () => {
  it('removes the cluster of a run that was killed, and stops its server', async function () {
    this.timeout(60_000);
    // A child starts a cluster and is then killed with SIGKILL: no exit handler runs.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startCluster } = await import(${JSON.stringify(clusterModule)});
         const c = await startCluster();
         console.log(c.dir);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const dir = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const serverPid = Number(
      readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    assert.ok(alive(serverPid));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.ok(existsSync(dir), 'the killed run left its cluster behind');

    const binDir = findPostgresBinDir();
    assert.ok(binDir);
    const removed = removeStaleClusters(binDir);
    assert.ok(removed.includes(dir));
    assert.equal(existsSync(dir), false);
    assert.equal(alive(serverPid), false, 'the stale server still runs');
  });
});
