// Runs the trainer's Python unit tests (gpu-worker/trainer/tests) under the gpu tier, so a
// failing Python test fails `npm run test:gpu` like any other.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const workerDir = join(import.meta.dirname, '../../gpu-worker');

describe('trainer Python unit tests', function () {
  it('pass under /usr/bin/python3 -m unittest', async function () {
    const child = spawn(
      '/usr/bin/python3',
      ['-m', 'unittest', 'discover', '-s', 'trainer/tests', '-t', '.'],
      { cwd: workerDir, env: { ...process.env, PYTHONPATH: workerDir } },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    const ran = /Ran (\d+) tests?/.exec(output);
    assert.ok(ran !== null && Number(ran[1]) >= 20, `too few Python tests ran:\n${output}`);
  });
});
