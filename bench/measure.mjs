// One baseline measurement, run in its own process so its peak RSS is its own:
//   node bench/measure.mjs scan|ajv FILE
// Prints one JSON line: {lines, valid, invalid, maxRssKb, cpuMs}.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const [mode, file] = process.argv.slice(2);
const BUFFER_BYTES = 256 * 1024;

/** (a) The floor: read the bytes and find the newlines, nothing else. */
function scan(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, BUFFER_BYTES, null);
    if (n === 0) break;
    let at = buffer.indexOf(10, 0);
    while (at !== -1 && at < n) {
      lines++;
      at = buffer.indexOf(10, at + 1);
    }
  }
  closeSync(fd);
  return { lines };
}

/** (b) What a careful script would do: JSON.parse each line and run an ajv-compiled schema. */
function ajv(path) {
  const schemaPath = fileURLToPath(
    new URL('../schemas/brightrun-lora-v4-pair.schema.json', import.meta.url),
  );
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  // strict: false because the schema carries annotation keywords (x-known-values) ajv does not know.
  const validate = new Ajv2020({ allErrors: false, strict: false }).compile(schema);
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  const decoder = new TextDecoder();
  let carry = '';
  let lines = 0;
  let valid = 0;
  let invalid = 0;
  const check = (line) => {
    lines++;
    if (line.trim() === '') return;
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      invalid++;
      return;
    }
    if (validate(value)) valid++;
    else invalid++;
  };
  for (;;) {
    const n = readSync(fd, buffer, 0, BUFFER_BYTES, null);
    if (n === 0) break;
    const text = carry + decoder.decode(buffer.subarray(0, n), { stream: true });
    let from = 0;
    let at = text.indexOf('\n');
    while (at !== -1) {
      check(text.slice(from, at));
      from = at + 1;
      at = text.indexOf('\n', from);
    }
    carry = text.slice(from);
  }
  carry += decoder.decode();
  if (carry !== '') check(carry);
  closeSync(fd);
  return { lines, valid, invalid };
}

const result = mode === 'scan' ? scan(file) : mode === 'ajv' ? ajv(file) : undefined;
if (!result) {
  console.error('usage: node bench/measure.mjs scan|ajv FILE');
  process.exit(2);
}
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    ...result,
    maxRssKb: usage.maxRSS,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  }),
);
