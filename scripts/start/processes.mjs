// Starting and stopping what `npm start` runs, each waited for by its own signal of readiness
// (a line it prints, an HTTP answer), never by sleeping.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** Resolves true when nothing listens on 127.0.0.1:port. */
export async function portFree(port) {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => Promise.reject(e)),
    ]);
  } catch (error) {
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES') return false;
    throw error;
  }
  server.close();
  await once(server, 'close');
  return true;
}

/** One GET; resolves with the status code. */
export function httpStatus(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // The group is already gone.
    return false;
  }
}

/** The child's exit, as a promise that resolves once (with the code, or the signal's name). */
export function exitOf(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** Resolves with the promise's value, or rejects with `message` after `ms`. */
export function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Spawns a process and resolves once a line of its output satisfies `isReady` (with the
 * line); rejects with everything it printed when it exits first or `timeoutMs` passes.
 * `onLine` sees every line (stdout and stderr) and returns true for those it printed.
 */
export function spawnUntilReady(command, args, options, { isReady, onLine, timeoutMs, what }) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const printed = [];
  const exited = exitOf(child);
  const ready = new Promise((resolve, reject) => {
    const handle = (line) => {
      // A line `onLine` already showed the user is not repeated in the error.
      if (onLine?.(line) !== true) printed.push(line);
      if (printed.length > 200) printed.shift();
      if (isReady(line)) resolve(line);
    };
    createInterface({ input: child.stdout }).on('line', handle);
    createInterface({ input: child.stderr }).on('line', handle);
    child.once('error', reject);
    void exited.then((how) =>
      reject(new Error([`${what} stopped (${how}) before it was ready`, ...printed].join('\n'))),
    );
  });
  return {
    child,
    exited,
    printed,
    ready: withTimeout(ready, timeoutMs, `${what} was not ready within ${timeoutMs / 1000} s`),
  };
}
