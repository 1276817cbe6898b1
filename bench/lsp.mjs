// `node bench/lsp.mjs` (also run by `npm run bench`): the language server's acceptance figures
// (issue 3), measured by speaking LSP over stdio to the real built server (dist/server/server.js)
// and, in the same run, to a naive server (bench/lsp-naive-server.ts: TextDocument.update and a
// full revalidation per change):
//
//   (1) a one-character edit on a 100,000-line document: server time until the diagnostics of
//       the new version are published, median and p95 (targets: <= 1 ms, <= 5 ms), and the
//       ratio to the naive server;
//   (2) opening and fully validating a 45,000-line (~50 MB) document: server time (<= 300 ms);
//   (3) peak RSS of the server with that document open (<= 4x the document size).
//
// "Server time" is reported by the server itself (BRIGHTRUN_LSP_TIMING=1 turns on the
// `brightrun/timing` notification): from the moment it starts decoding the message to the
// moment the publishDiagnostics of that version has been encoded and handed to the transport.
// Beside it: until the transport reported the bytes written (a 300 KB publish fills the pipe,
// so this includes waiting for the client to read), and the client's wall time (send → publish
// received and parsed), and the CPU time the server process used over the server time (the
// figure that does not depend on other load on the machine). Options: --edits N (default 300),
// --naive-edits N (default 8).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { ensureDataset } from './generate.mjs';
import serverNodeFlags from '../common/protocol/server-node-flags.json' with { type: 'json' };

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SERVER = here('../dist/server/server.js');
const DATA = here('./data/');
/** The node flags the extension starts the server with (client/src/language/language-server.ts). */
const SERVER_NODE_FLAGS = serverNodeFlags;
const NAIVE = `${DATA}lsp-naive-server.mjs`;
const RESULTS = here('./results/');

const argv = process.argv.slice(2);
const option = (name, fallback) =>
  argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback;
const EDITS = option('--edits', 300);
const NAIVE_EDITS = option('--naive-edits', 8);
const WARMUP = 20;

function log(text) {
  process.stderr.write(text);
}

/** An LSP client on a freshly spawned server with timing on. */
async function startServer(script) {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, script, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BRIGHTRUN_LSP_TIMING: '1' },
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const waiters = [];
  const timings = new Map();
  const summaries = [];
  const settle = (kind, params) => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].kind === kind && waiters[i].match(params))
        waiters.splice(i, 1)[0].resolve(params);
    }
  };
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    p.receivedAt = performance.now();
    settle('publish', p);
  });
  connection.onNotification('brightrun/timing', (p) => {
    timings.set(`${p.uri}@${p.version}`, p);
    settle('timing', p);
  });
  connection.onNotification('brightrun/datasetSummary', (p) => {
    summaries.push(p);
    settle('summary', p);
  });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  await connection.sendNotification('initialized', {});
  const wait = (kind, match, timeoutMs = 600_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${kind}`)), timeoutMs);
      waiters.push({
        kind,
        match,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
    });
  return {
    child,
    connection,
    /** Resolves with {publish, timing} for uri@version. */
    async versionDone(uri, version, send) {
      const published = wait('publish', (p) => p.uri === uri && p.version === version);
      const timed = timings.has(`${uri}@${version}`)
        ? Promise.resolve(timings.get(`${uri}@${version}`))
        : wait('timing', (p) => p.uri === uri && p.version === version);
      const sentAt = performance.now();
      await send();
      const [publish, timing] = await Promise.all([published, timed]);
      return { publish, timing, clientMs: publish.receivedAt - sentAt };
    },
    summary: (match, timeoutMs) => {
      const seen = summaries.find(match);
      return seen ? Promise.resolve(seen) : wait('summary', match, timeoutMs);
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        child.kill();
      }
      await exited;
      connection.dispose();
    },
  };
}

function open(server, uri, text) {
  return server.versionDone(uri, 1, () =>
    server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'jsonl', version: 1, text },
    }),
  );
}

/**
 * One-character edits inside `target_response` values of lines spread over the document: an
 * insertion, then its deletion, so the document (and its diagnostics) stays the same size.
 */
async function editRun(server, uri, lines, count, warmup) {
  const marker = '"target_response":"';
  const candidates = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].indexOf(marker);
    if (at >= 0) candidates.push([i, at + marker.length]);
  }
  const samples = [];
  let version = 1;
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  let pending;
  for (let k = 0; k < warmup + count; k++) {
    let range;
    let text;
    if (pending === undefined) {
      const [line, character] = candidates[Math.floor(random() * candidates.length)];
      pending = { line, character };
      range = { start: pending, end: pending };
      text = 'x';
    } else {
      range = { start: pending, end: { line: pending.line, character: pending.character + 1 } };
      text = '';
      pending = undefined;
    }
    version++;
    const result = await server.versionDone(uri, version, () =>
      server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range, text }],
      }),
    );
    if (k >= warmup) samples.push(result);
  }
  return samples;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const f = Math.floor(h);
  return (
    sorted[f] + (h - f) * ((sorted[Math.min(f + 1, sorted.length - 1)] ?? sorted[f]) - sorted[f])
  );
}

function stats(samples) {
  const server = samples.map((s) => s.timing.serverMs);
  const flushed = samples.map((s) => s.timing.flushedMs);
  const cpu = samples.map((s) => s.timing.cpuMs);
  const client = samples.map((s) => s.clientMs);
  return {
    edits: samples.length,
    serverMedianMs: percentile(server, 0.5),
    serverP95Ms: percentile(server, 0.95),
    cpuMedianMs: percentile(cpu, 0.5),
    cpuP95Ms: percentile(cpu, 0.95),
    flushedMedianMs: percentile(flushed, 0.5),
    flushedP95Ms: percentile(flushed, 0.95),
    clientMedianMs: percentile(client, 0.5),
    clientP95Ms: percentile(client, 0.95),
    diagnostics: samples[0]?.publish.diagnostics.length,
  };
}

async function main() {
  mkdirSync(DATA, { recursive: true });
  await esbuild.build({
    entryPoints: [here('./lsp-naive-server.ts')],
    outfile: NAIVE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __brCreateRequire } from 'node:module'; const require = __brCreateRequire(import.meta.url);",
    },
  });

  // (1) One-character edits on a 100,000-line document.
  const big = ensureDataset(`${DATA}v4-100k.jsonl`, 100_000);
  const bigText = readFileSync(big.path, 'utf8');
  const bigLines = bigText.split('\n');
  const uri = 'file:///bench/v4-100k.jsonl';
  const edit = {};
  for (const [name, script, count, warmup] of [
    ['server', SERVER, EDITS, WARMUP],
    ['naive', NAIVE, NAIVE_EDITS, 1],
  ]) {
    log(`lsp bench: ${name}: open 100k lines (${(big.bytes / 1e6).toFixed(0)} MB)… `);
    const server = await startServer(script);
    const opened = await open(server, uri, bigText);
    log(`${opened.timing.serverMs.toFixed(0)} ms; ${count} edits… `);
    edit[name] = stats(await editRun(server, uri, bigLines, count, warmup));
    edit[name].openMs = opened.timing.serverMs;
    log(`median ${edit[name].serverMedianMs.toFixed(3)} ms\n`);
    await server.stop();
  }

  // (2) and (3): open a 45,000-line document in a fresh server; its peak RSS.
  const mid = ensureDataset(`${DATA}v4-45k.jsonl`, 45_000);
  const midText = readFileSync(mid.path, 'utf8');
  const openRuns = {};
  for (const [name, script] of [
    ['server', SERVER],
    ['naive', NAIVE],
  ]) {
    log(`lsp bench: ${name}: open 45k lines (${(mid.bytes / 1e6).toFixed(0)} MB)… `);
    const server = await startServer(script);
    const midUri = 'file:///bench/v4-45k.jsonl';
    const opened = await open(server, midUri, midText);
    const run = {
      serverMs: opened.timing.serverMs,
      cpuMs: opened.timing.cpuMs,
      handlerMs: opened.timing.handlerMs,
      clientMs: opened.clientMs,
      peakRssMb: server.peakRssMb(),
    };
    if (name === 'server') {
      // Background token statistics finish later; the peak with them counted is reported too.
      const counted = await server.summary(
        (p) => p.uri === midUri && p.tokens !== undefined,
        600_000,
      );
      run.tokens = counted.tokens;
      run.peakRssWithTokensMb = server.peakRssMb();
    }
    openRuns[name] = run;
    log(`${run.serverMs.toFixed(0)} ms, peak RSS ${run.peakRssMb.toFixed(0)} MB\n`);
    await server.stop();
  }

  const docMb = mid.bytes / 1e6;
  const s = edit.server;
  const n = edit.naive;
  const rows = [
    [
      'one-char edit, 100k lines: median server time',
      `${s.serverMedianMs.toFixed(3)} ms`,
      `${n.serverMedianMs.toFixed(1)} ms`,
      '<= 1 ms',
      `${(n.serverMedianMs / s.serverMedianMs).toFixed(0)}x faster`,
    ],
    [
      'one-char edit, 100k lines: p95 server time',
      `${s.serverP95Ms.toFixed(3)} ms`,
      `${n.serverP95Ms.toFixed(1)} ms`,
      '<= 5 ms',
      `${(n.serverP95Ms / s.serverP95Ms).toFixed(0)}x faster`,
    ],
    [
      '  … server CPU time (median / p95)',
      `${s.cpuMedianMs.toFixed(3)} / ${s.cpuP95Ms.toFixed(3)} ms`,
      `${n.cpuMedianMs.toFixed(1)} / ${n.cpuP95Ms.toFixed(1)} ms`,
      '',
      '',
    ],
    [
      '  … until the client has read the bytes (median / p95)',
      `${s.flushedMedianMs.toFixed(3)} / ${s.flushedP95Ms.toFixed(3)} ms`,
      `${n.flushedMedianMs.toFixed(1)} / ${n.flushedP95Ms.toFixed(1)} ms`,
      '',
      '',
    ],
    [
      'one-char edit, 100k lines: median client round trip',
      `${s.clientMedianMs.toFixed(3)} ms`,
      `${n.clientMedianMs.toFixed(1)} ms`,
      '',
      '',
    ],
    [
      `open + validate 45k lines (${docMb.toFixed(0)} MB): server time`,
      `${openRuns.server.serverMs.toFixed(0)} ms`,
      `${openRuns.naive.serverMs.toFixed(0)} ms`,
      '<= 300 ms',
      '',
    ],
    [
      '  … server CPU time',
      `${openRuns.server.cpuMs.toFixed(0)} ms`,
      `${openRuns.naive.cpuMs.toFixed(0)} ms`,
      '',
      '',
    ],
    [
      '  of which in the open handler',
      `${openRuns.server.handlerMs.toFixed(0)} ms`,
      `${openRuns.naive.handlerMs.toFixed(0)} ms`,
      '',
      '',
    ],
    [
      `peak RSS with the 45k document open`,
      `${openRuns.server.peakRssMb.toFixed(0)} MB (${(openRuns.server.peakRssMb / docMb).toFixed(2)}x)`,
      `${openRuns.naive.peakRssMb.toFixed(0)} MB (${(openRuns.naive.peakRssMb / docMb).toFixed(2)}x)`,
      `<= ${(4 * docMb).toFixed(0)} MB (4x)`,
      '',
    ],
    [
      `  after background token counting`,
      `${openRuns.server.peakRssWithTokensMb.toFixed(0)} MB (${(openRuns.server.peakRssWithTokensMb / docMb).toFixed(2)}x)`,
      '',
      '',
      '',
    ],
  ];
  const header = ['measure', 'server', 'naive', 'target', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(
    `\n${s.edits} edits (after ${WARMUP} warm-up edits) on the server, ${n.edits} on the naive server; ` +
      `${s.diagnostics} diagnostics published per version (capped at 1000).`,
  );
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    `${RESULTS}lsp.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        edit,
        open: openRuns,
        documentMb: docMb,
      },
      null,
      2,
    ) + '\n',
  );
  console.log('written: bench/results/lsp.json');
}

await main();
