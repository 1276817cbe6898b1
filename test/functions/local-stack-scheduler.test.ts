// The scheduler's promises, seen from the HTTP side: runs of one function never overlap, wakes
// during a run collapse into exactly one follow-up run, every call carries the service key and
// the scheduler's mark, and each run is one log line. The endpoint here is a plain HTTP server
// that holds each call open until the test releases it, so overlap would be observable.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogEntry } from '../../server/src/local/log-file.ts';
import { Scheduler, type RunRecord } from '../../server/src/local/scheduler.ts';

interface Call {
  name: string;
  headers: IncomingMessage['headers'];
  body: string;
  release: (status?: number) => void;
}

describe('local stack scheduler', () => {
  let server: Server;
  let url: string;
  const calls: Call[] = [];
  let inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const waiters: (() => void)[] = [];

  const nextCall = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (calls.length >= count ? resolve() : waiters.push(check));
      check();
    });

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const name = (req.url ?? '').replace('/functions/v1/', '');
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const now = (inFlight.get(name) ?? 0) + 1;
        inFlight.set(name, now);
        maxInFlight = Math.max(maxInFlight, now);
        calls.push({
          name,
          headers: req.headers,
          body,
          release: (status = 200) => {
            inFlight.set(name, (inFlight.get(name) ?? 1) - 1);
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ success: status === 200, data: { claimed: 0 } }));
          },
        });
        for (const waiter of waiters.splice(0)) waiter();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  beforeEach(() => {
    calls.length = 0;
    inFlight = new Map();
    maxInFlight = 0;
  });

  it('never overlaps runs of one function and folds wakes into one follow-up run', async () => {
    const logs: LogEntry[] = [];
    const runs: RunRecord[] = [];
    const scheduler = new Scheduler({
      gatewayUrl: url,
      serviceRoleKey: 'service-key',
      schedulerToken: 'mark',
      functions: ['validate-datasets'],
      // Only the first tick (at start) and wakes matter here.
      intervalMs: 3_600_000,
      log: (entry) => logs.push(entry),
    });
    scheduler.onRun((run) => runs.push(run));
    scheduler.start();
    await nextCall(1);
    assert.equal(calls[0].name, 'validate-datasets');
    assert.equal(calls[0].headers.authorization, 'Bearer service-key');
    assert.equal(calls[0].headers['x-brightrun-scheduler'], 'mark');
    assert.deepEqual(JSON.parse(calls[0].body), { source: 'scheduler', trigger: 'interval' });

    // Three wakes while the first run is still going: no second request yet.
    scheduler.wake('validate-datasets');
    scheduler.wake('validate-datasets');
    scheduler.wake('validate-datasets');
    scheduler.wake('not-a-background-function');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls.length, 1);

    calls[0].release();
    await nextCall(2);
    assert.equal((JSON.parse(calls[1].body) as { trigger: string }).trigger, 'wake');
    calls[1].release(500);
    const stopped = scheduler.stop();
    await stopped;

    assert.equal(calls.length, 2, 'the wakes ran more than once');
    assert.equal(maxInFlight, 1);
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.status, r.ok]),
      [
        ['interval', 200, true],
        ['wake', 500, false],
      ],
    );
    assert.equal(logs.length, 2);
    assert.equal(logs[0].function, 'validate-datasets');
    assert.equal(logs[0].outcome, 'ok');
    assert.deepEqual(logs[0].data, { claimed: 0 });
    assert.equal(typeof logs[0].duration_ms, 'number');
    assert.equal(logs[1].outcome, 'error');
  });

  it('runs each function independently of the others', async () => {
    const scheduler = new Scheduler({
      gatewayUrl: url,
      serviceRoleKey: 'k',
      schedulerToken: 'm',
      intervalMs: 3_600_000,
      log: () => {},
    });
    scheduler.start();
    // All three background functions start at once; one slow function holds up nobody.
    await nextCall(3);
    assert.deepEqual(calls.map((c) => c.name).sort(), [
      'create-model-artifacts',
      'process-training-jobs',
      'validate-datasets',
    ]);
    const validate = calls.find((c) => c.name === 'validate-datasets');
    for (const call of calls) if (call !== validate) call.release();
    scheduler.wake('process-training-jobs');
    await nextCall(4);
    assert.equal(calls[3].name, 'process-training-jobs');
    calls[3].release();
    validate?.release();
    await scheduler.stop();
    assert.equal(maxInFlight, 1);
  });
});
