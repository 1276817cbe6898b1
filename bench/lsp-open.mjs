// `node bench/lsp-open.mjs [--runs N] [--naive] [--node-flag FLAG]...`: only the open figures of
// bench/lsp.mjs (open and fully validate the 45,000-line document in a fresh server; its peak
// RSS), for quick measurements while working on the open path. Each run spawns a fresh server;
// the figures of every run are printed, then the median. `--node-flag` passes a flag to the
// server's node (e.g. --cpu-prof); `--naive` measures bench/lsp-naive-server.ts in the same run;
// `--tokens` also waits for the background token statistics and reports the peak RSS with them,
// counted for `--base-model ID` when given.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { ensureDataset } from './generate.mjs';
import serverNodeFlags from '../common/protocol/server-node-flags.json' with { type: 'json' };

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SERVER = here('../dist/server/server.js');
const NAIVE = here('./data/lsp-naive-server.mjs');

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 3;
// By default the flags the extension starts the server with (client/src/language/language-server.ts).
const givenFlags = argv.flatMap((a, i) => (a === '--node-flag' ? [argv[i + 1]] : []));
const nodeFlags = givenFlags.length > 0 ? givenFlags : serverNodeFlags;
const withTokens = argv.includes('--tokens');
// `--base-model ID`: the brightrun.validation.baseModel the client answers (default: the server's).
const baseModel = argv.includes('--base-model')
  ? argv[argv.indexOf('--base-model') + 1]
  : undefined;

async function openOnce(script, text, uri) {
  const child = spawn(process.execPath, [...nodeFlags, script, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BRIGHTRUN_LSP_TIMING: '1' },
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let resolveTiming;
  const timed = new Promise((resolve) => (resolveTiming = resolve));
  let published;
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri === uri) published = p;
  });
  let resolveTokens;
  const tokensCounted = new Promise((resolve) => (resolveTokens = resolve));
  connection.onNotification('brightrun/datasetSummary', (p) => {
    if (p.uri === uri && p.tokens !== undefined) resolveTokens(p.tokens);
  });
  connection.onNotification('brightrun/timing', (p) => {
    if (p.uri === uri && p.version === 1) resolveTiming(p);
  });
  connection.onRequest('workspace/configuration', (params) =>
    params.items.map(() => (baseModel === undefined ? {} : { validation: { baseModel } })),
  );
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true } },
  });
  await connection.sendNotification('initialized', {});
  const sent = performance.now();
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'jsonl', version: 1, text },
  });
  const timing = await timed;
  const clientMs = performance.now() - sent;
  const memory = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return {
      peak: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024,
      now: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024,
    };
  };
  const { peak: peakRssMb, now: rssMb } = memory();
  const countTokens = withTokens && script === SERVER;
  const peakWithTokensMb = countTokens ? (await tokensCounted, memory().peak) : 0;
  const tokensMs = countTokens ? performance.now() - sent : 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  await exited;
  connection.dispose();
  return {
    serverMs: timing.serverMs,
    cpuMs: timing.cpuMs,
    handlerMs: timing.handlerMs,
    clientMs,
    peakRssMb,
    rssMb,
    peakWithTokensMb,
    tokensMs,
    diagnostics: timing.diagnostics,
    published: published?.diagnostics.length,
  };
}

const mid = ensureDataset(here('./data/v4-45k.jsonl'), 45_000);
const text = readFileSync(mid.path, 'utf8');
const docMb = mid.bytes / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const targets = [['server', SERVER]];
if (argv.includes('--naive')) targets.push(['naive', NAIVE]);
for (const [name, script] of targets) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await openOnce(script, text, 'file:///bench/v4-45k.jsonl');
    results.push(r);
    console.log(
      `${name} run ${i + 1}: server ${r.serverMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms, ` +
        `handler ${r.handlerMs.toFixed(0)} ms, client ${r.clientMs.toFixed(0)} ms, ` +
        `peak RSS ${r.peakRssMb.toFixed(0)} MB (${(r.peakRssMb / docMb).toFixed(2)}x), ` +
        `RSS after ${r.rssMb.toFixed(0)} MB, ${r.diagnostics} diagnostics` +
        (r.peakWithTokensMb
          ? `, peak RSS with tokens ${r.peakWithTokensMb.toFixed(0)} MB (${(r.peakWithTokensMb / docMb).toFixed(2)}x), token statistics ${(r.tokensMs / 1000).toFixed(1)} s after didOpen`
          : ''),
    );
  }
  const pick = (k) => median(results.map((r) => r[k]));
  console.log(
    `${name} median of ${runs}: server ${pick('serverMs').toFixed(0)} ms, cpu ${pick('cpuMs').toFixed(0)} ms, ` +
      `peak RSS ${pick('peakRssMb').toFixed(0)} MB (${(pick('peakRssMb') / docMb).toFixed(2)}x of ${docMb.toFixed(1)} MB)`,
  );
}
