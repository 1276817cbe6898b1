// Micro-benchmark of the byte-level fast path on bench data, stage by stage, in one process:
//   node --import tsx bench/fast-path-micro.ts [FILE] [MB]
// Loads the first MB megabytes of FILE (default bench/data/v4-100k.jsonl, 60 MB) and reports
// ns per line and MB/s for: newline split only, JSON.parse per line, the scanner alone, and the
// DatasetValidator (fast path with the full path for declined lines).
import { closeSync, openSync, readSync } from 'node:fs';
import { DatasetValidator } from '../common/engine/dataset/dataset-validator.ts';
import { V4LineScanner } from '../common/engine/fast/v4-line-scanner.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../common/engine/options.ts';
import { nodeByteOps } from '../server/src/cli/node-byte-ops.ts';

const file = process.argv[2] ?? 'bench/data/v4-100k.jsonl';
const mb = Number(process.argv[3] ?? 60);
const buffer = Buffer.allocUnsafe(mb * 1e6);
const fd = openSync(file, 'r');
let size = readSync(fd, buffer, 0, buffer.length, 0);
closeSync(fd);
size = buffer.lastIndexOf(10, size - 1) + 1;
const bytes = buffer.subarray(0, size);
const starts: number[] = [];
const ends: number[] = [];
for (let at = 0; at < size; ) {
  const nl = bytes.indexOf(10, at);
  starts.push(at);
  ends.push(nl);
  at = nl + 1;
}
const lines = starts.length;

function time(name: string, run: () => number): void {
  let best = Infinity;
  let result = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = process.cpuUsage();
    result = run();
    const t = process.cpuUsage(t0);
    best = Math.min(best, (t.user + t.system) / 1000);
  }
  console.log(
    `${name.padEnd(28)} ${((best * 1e6) / lines).toFixed(0).padStart(6)} ns/line ${(size / 1e3 / best).toFixed(0).padStart(6)} MB/CPU-s  (${result})`,
  );
}

console.log(`${file}: ${lines} lines, ${(size / 1e6).toFixed(1)} MB`);
time('newline split', () => {
  let n = 0;
  for (let at = 0; at < size; ) {
    const nl = bytes.indexOf(10, at);
    n++;
    at = nl + 1;
  }
  return n;
});
const decoder = new TextDecoder();
time('decode + JSON.parse', () => {
  let n = 0;
  for (let i = 0; i < lines; i++) {
    try {
      JSON.parse(decoder.decode(bytes.subarray(starts[i], ends[i])));
      n++;
    } catch {
      // Invalid line.
    }
  }
  return n;
});
const scanner = new V4LineScanner(nodeByteOps);
time('scanner', () => {
  let n = 0;
  for (let i = 0; i < lines; i++) if (scanner.scan(bytes, starts[i], ends[i])) n++;
  return n;
});
time('validator (fast + full)', () => {
  const v = new DatasetValidator(
    { ...DEFAULT_ENGINE_OPTIONS, tokens: false },
    {
      onDiagnostic: () => {},
      byteOps: nodeByteOps,
    },
  );
  v.reserve(lines);
  let fast = 0;
  for (let i = 0; i < lines; i++) {
    if (i > 0 && v.pushLineBytes(bytes, starts[i], ends[i])) fast++;
    else v.pushLine(decoder.decode(bytes.subarray(starts[i], ends[i])));
  }
  v.finish();
  return fast;
});
