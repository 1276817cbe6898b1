/**
 * The byte-level fast path (common/engine/fast) must never change a result: for every input,
 * validating with `pushLineBytes` first (falling back to `pushLine`) gives exactly the
 * diagnostics (code, range, message, severity, related, data, suggestion) and the report of
 * validating with `pushLine` alone. Inputs: every fixture, the example dataset, the bench
 * generator's output and thousands of generated and mutated lines. Each line the fast path
 * accepts is also checked against the full path's own analysis of that line.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import {
  DatasetValidator,
  validateText,
  type DatasetReport,
} from '../../../common/engine/dataset/dataset-validator.ts';
import {
  KeyKind,
  SampleKeys,
  keyFingerprint,
} from '../../../common/engine/dataset/key-fingerprints.ts';
import { V4LineScanner } from '../../../common/engine/fast/v4-line-scanner.ts';
import { portableByteOps, type ByteOps } from '../../../common/engine/fast/byte-ops.ts';
import {
  contentFingerprint,
  fingerprintHalves,
  lastFingerprint,
} from '../../../common/engine/hash/fingerprint.ts';
import { analyzeLine } from '../../../common/engine/line/analyze-line.ts';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from '../../../common/engine/options.ts';
import type { Sample } from '../../../common/engine/shape.ts';
import { Fuzzer } from '../json/fuzz-helpers.ts';
import { fullPair, minimalPair } from '../line/pair-fixtures.ts';
import { ensureDataset } from '../../../bench/generate.mjs';
import { nodeByteOps } from '../../../server/src/cli/node-byte-ops.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const encoder = new TextEncoder();

/** Node's native primitives, as the CLI uses them (the portable ones are tested too). */
const nodeOps: ByteOps = nodeByteOps;

interface Outcome {
  diagnostics: Diagnostic[];
  report: DatasetReport;
  accepted: number;
}

/** validateText, but each line goes through pushLineBytes first, inside a larger buffer. */
function validateWithBytes(
  text: string,
  options: Partial<EngineOptions>,
  ops: ByteOps,
  countTokens?: (sample: Sample) => number,
): Outcome {
  const diagnostics: Diagnostic[] = [];
  const engine: EngineOptions = {
    ...DEFAULT_ENGINE_OPTIONS,
    ...options,
    tokens: countTokens !== undefined,
  };
  const validator = new DatasetValidator(engine, {
    onDiagnostic: (d) => diagnostics.push(d),
    byteOps: ops,
    tokenizer: countTokens ? { model: engine.baseModel, name: 'test', exact: true } : undefined,
  });
  let body = text;
  if (body.charCodeAt(0) === 0xfeff) {
    body = body.slice(1);
    validator.setBom();
  }
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let accepted = 0;
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const bytes = encoder.encode(line);
    // A file's bytes decode to well-formed text: a line with a lone surrogate has no UTF-8 of
    // its own (TextEncoder would write U+FFFD), so no caller offers it as bytes.
    const offered = !/\p{Cs}/u.test(line);
    // Surround the line with bytes that would complete a broken line if read.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(encoder.encode('\n}]"1 \n'), 0);
    padded.set(bytes, 4);
    padded.set(encoder.encode('}"]1'), 4 + bytes.length);
    if (index > 0 && offered && validator.pushLineBytes(padded, 4, 4 + bytes.length)) {
      accepted++;
      const sample = countTokens ? validator.fastLineSample() : undefined;
      checkAgainstFullPath(line, ops);
      if (sample && countTokens) {
        assert.equal(sample.line, index);
        validator.addSampleTokens(
          index,
          0,
          countTokens({ messages: sample.messages, targets: [] }),
        );
      }
    } else {
      const facts = validator.pushLine(line);
      if (countTokens) {
        facts.samples.forEach((sample, i) =>
          validator.addSampleTokens(index, i, countTokens(sample)),
        );
      }
    }
  });
  return { diagnostics, report: validator.finish(), accepted };
}

/** A line the scanner accepts: the full path finds it valid, silent and with the same facts. */
function checkAgainstFullPath(line: string, ops: ByteOps): void {
  const scanner = new V4LineScanner(ops);
  const bytes = encoder.encode(line);
  assert.ok(scanner.scan(bytes, 0, bytes.length));
  const facts = analyzeLine(line, 7, { expectedShape: 'brightrun_lora_v4' });
  assert.deepEqual(facts.diagnostics, [], line);
  assert.equal(facts.kind, 'data');
  assert.equal(facts.shape, 'brightrun_lora_v4');
  assert.equal(facts.valid, true);
  const f = scanner.facts;
  assert.equal(f.start, facts.start);
  assert.equal(f.end, facts.end);
  assert.equal(f.idStart, facts.id!.start);
  assert.equal(f.idEnd, facts.id!.end);
  assert.equal(f.idText(), facts.id!.value);
  assert.equal(f.conversationIdText(), facts.conversationId!.value);
  fingerprintHalves(facts.id!.value);
  assert.deepEqual([f.idHi, f.idLo], [lastFingerprint.hi, lastFingerprint.lo]);
  fingerprintHalves(facts.conversationId!.value);
  assert.deepEqual([f.conversationHi, f.conversationLo], [lastFingerprint.hi, lastFingerprint.lo]);
  assert.deepEqual(
    [f.turn, f.turnStart, f.turnEnd],
    [facts.turnNumber!.value, facts.turnNumber!.start, facts.turnNumber!.end],
  );
  contentFingerprint(facts.conversationContext!.value);
  assert.equal(f.contextHash, lastFingerprint.lo);
  assert.equal(f.contextStart, facts.conversationContext!.start);
  assert.equal(f.contextEnd, facts.conversationContext!.end);
  new SampleKeys().key(facts.samples);
  assert.deepEqual([f.sampleHi, f.sampleLo], [keyFingerprint.hi, keyFingerprint.lo]);
  const turns = facts.samples[0].messages.filter((m) => m.role !== 'system').length;
  assert.equal(f.turns, turns);
  assert.deepEqual(f.messages(), facts.samples[0].messages);
  void KeyKind;
}

/** A stand-in tokenizer: deterministic, and long samples exceed a small max length. */
function countTokens(sample: Sample): number {
  let n = 1;
  for (const m of sample.messages) n += 2 + Math.ceil(m.content.length / 4);
  return n;
}

function compare(text: string, options: Partial<EngineOptions> = {}): number {
  const slow = validateText(text, options);
  const slowTokens = validateText(text, { ...options, maxSeqLength: 120 }, countTokens);
  let accepted = 0;
  for (const ops of [portableByteOps, nodeOps]) {
    const fast = validateWithBytes(text, options, ops);
    assert.deepEqual(fast.diagnostics, slow.diagnostics);
    assert.deepEqual(fast.report, slow.report);
    const fastTokens = validateWithBytes(text, { ...options, maxSeqLength: 120 }, ops, countTokens);
    assert.deepEqual(fastTokens.diagnostics, slowTokens.diagnostics);
    assert.deepEqual(fastTokens.report, slowTokens.report);
    accepted = fast.accepted;
  }
  return accepted;
}

function jsonlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsonlFiles(path));
    else if (name.endsWith('.jsonl')) out.push(path);
  }
  return out;
}

/** Three valid lines that open the fast path (it starts once the sample data is complete). */
function opening(): string[] {
  return [0, 1, 2].map((i) =>
    JSON.stringify({ ...minimalPair(), id: `open${i}`, conversation_id: `oc${i}` }),
  );
}

/** A family of valid pairs with varied optional parts, as JSON.stringify writes them. */
function validPairs(fuzz: Fuzzer, count: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const pair = fuzz.chance(0.5) ? fullPair() : minimalPair();
    const record = pair as unknown as Record<string, unknown>;
    record.id = `pair_${i}_${fuzz.int(1000)}`;
    record.conversation_id = `conv_${fuzz.int(Math.max(1, count / 3))}`;
    out.push(record);
  }
  return out;
}

/** Text that real datasets hold: accents, curly quotes, CJK, emoji, and Unicode spaces. */
const UNICODE_TEXTS = [
  'café',
  '“curly” and ‘single’',
  '日本語のテキスト',
  'emoji 😀 and 👍🏽 here',
  'naïve façade — résumé…',
  'line\u2028separator',
  '\u00a0non-breaking\u00a0',
  '\u3000',
  '\u00a0 \u2009',
  '\ufeffbom inside',
  '€',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
];

/**
 * Puts Unicode into some of a pair's message contents (system prompt, history, input,
 * target), at the start, the end or in the middle, so the fast path sees multi-byte text at
 * every alignment and the columns after it move.
 */
function unicodeContents(fuzz: Fuzzer, pair: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(pair)) as Record<string, unknown>;
  const decorate = (text: unknown): unknown => {
    if (typeof text !== 'string' || !fuzz.chance(0.6)) return text;
    const extra = fuzz.pick(UNICODE_TEXTS);
    const at = fuzz.int(text.length + 1);
    return fuzz.chance(0.1) ? extra : text.slice(0, at) + extra + text.slice(at);
  };
  for (const key of ['system_prompt', 'current_user_input', 'target_response']) {
    copy[key] = decorate(copy[key]);
  }
  const history = copy.conversation_history;
  if (Array.isArray(history)) {
    for (const turn of history as Record<string, unknown>[]) turn.content = decorate(turn.content);
  }
  return copy;
}

/** Structural mutations that keep the JSON valid but may break a rule. */
function mutateStructure(fuzz: Fuzzer, pair: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(pair)) as Record<string, unknown>;
  const keys = Object.keys(copy);
  const replacements: unknown[] = [
    '',
    '   ',
    'x',
    0,
    -1,
    1,
    2,
    2.5,
    1.0000001,
    5.5,
    1e21,
    true,
    null,
    [],
    {},
    ['a'],
    [1],
    'user',
    'assistant',
    'coach',
    'negative',
    'neutral',
    'anxious_planner',
    'unknown_value',
    'a'.repeat(99),
    'a'.repeat(100),
    'é',
    '😀',
    '\u00a0',
    'line\nbreak',
    'quote"inside',
  ];
  const target = (object: Record<string, unknown>): void => {
    const ks = Object.keys(object);
    if (ks.length === 0) return;
    const key = fuzz.pick(ks);
    const value = object[key];
    switch (fuzz.int(5)) {
      case 0:
        delete object[key];
        break;
      case 1:
        object[key] = fuzz.pick(replacements);
        break;
      case 2:
        object[fuzz.pick(['extra', 'turns', 'messages', '_meta', 'Role', key + 'x'])] = 1;
        break;
      case 3:
        if (value !== null && typeof value === 'object') {
          const inner: unknown = Array.isArray(value) ? value[fuzz.int(value.length)] : value;
          if (inner !== null && typeof inner === 'object') target(inner as Record<string, unknown>);
        }
        break;
      default:
        object[key] = fuzz.pick(replacements);
    }
  };
  if (keys.length > 0) target(copy);
  return copy;
}

describe('the byte-level fast path gives the full path results', function () {
  this.timeout(120_000);

  it('on every fixture and the example dataset', function () {
    const files = [
      ...jsonlFiles(join(root, 'test/fixtures')),
      join(root, 'examples/financial-coaching.jsonl'),
    ];
    assert.ok(files.length > 40);
    let accepted = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      try {
        accepted += compare(text);
        accepted += compare(text, { severityOverrides: { BRL030: 'off', BRL037: 'error' } });
      } catch (err) {
        throw new Error(`${file}: ${(err as Error).message}`);
      }
    }
    assert.ok(accepted > 10, `the fast path accepted ${accepted} fixture lines`);
  });

  it("on the bench generator's output", function () {
    const dir = mkdtempSync(join(tmpdir(), 'brightrun-fast-'));
    try {
      const { path } = ensureDataset(join(dir, 'v4.jsonl'), 3000);
      const text = readFileSync(path, 'utf8');
      const accepted = compare(text);
      assert.ok(accepted > 2500, `accepted ${accepted}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on thousands of valid, structurally mutated and byte-mutated lines', function () {
    const fuzz = new Fuzzer(20261126);
    let accepted = 0;
    for (let round = 0; round < 60; round++) {
      const pairs = validPairs(fuzz, 40);
      const lines = opening();
      for (const pair of pairs) {
        const roll = fuzz.int(10);
        const text = JSON.stringify(pair);
        if (roll < 4) lines.push(text);
        else if (roll < 7) lines.push(JSON.stringify(mutateStructure(fuzz, pair)));
        else if (roll < 9) lines.push(fuzz.mutate(text));
        else lines.push(lines[fuzz.int(lines.length)]);
        if (fuzz.chance(0.05)) lines.push(fuzz.pick(['', '  ', fuzz.json(), fuzz.garbage()]));
      }
      const crlf = fuzz.chance(0.2);
      accepted += compare(lines.join(crlf ? '\r\n' : '\n') + (fuzz.chance(0.5) ? '\n' : ''));
    }
    assert.ok(accepted > 500, `accepted ${accepted}`);
  });

  it('on lines whose contents hold multi-byte UTF-8, mutated and repeated across both paths', function () {
    const fuzz = new Fuzzer(20261127);
    let accepted = 0;
    for (let round = 0; round < 40; round++) {
      const pairs = validPairs(fuzz, 40).map((pair) => unicodeContents(fuzz, pair));
      const lines = opening();
      for (const pair of pairs) {
        const roll = fuzz.int(10);
        const text = JSON.stringify(pair);
        if (roll < 5) lines.push(text);
        else if (roll < 7) lines.push(JSON.stringify(mutateStructure(fuzz, pair)));
        else if (roll < 8) lines.push(fuzz.mutate(text));
        // The same contents on a line the full path takes (an unknown key): duplicates and
        // conversation contexts must match across the two paths.
        else if (roll < 9)
          lines.push(JSON.stringify({ ...pair, id: `${String(pair.id)}b`, extra: 1 }));
        else lines.push(lines[fuzz.int(lines.length)]);
      }
      accepted += compare(lines.join('\n') + '\n');
    }
    assert.ok(accepted > 500, `accepted ${accepted}`);
  });

  it('on system prompts near the BRL027 length, counted in UTF-16 units not bytes', function () {
    const lines = opening();
    for (let units = 96; units <= 102; units++) {
      for (const wide of ['é', '日', '😀']) {
        // `wide` is 1 or 2 units and 2 to 4 bytes: the byte length passes 100 before the units do.
        const head = wide.repeat(10);
        const prompt = head + 'p'.repeat(Math.max(0, units - head.length));
        lines.push(
          JSON.stringify({
            ...minimalPair(),
            id: `len${units}_${wide.length}_${prompt.length}`,
            conversation_id: `len${units}_${wide.codePointAt(0)}`,
            system_prompt: prompt,
          }),
        );
      }
    }
    const accepted = compare(lines.join('\n'));
    // Those of 100 units and more (three lengths, three widths) have nothing to report.
    assert.equal(accepted, 9);
  });

  it('on contents and contexts that differ from the remembered ones in one byte', function () {
    // The scanner recognises a content it hashed recently, and the context (metadata and
    // system prompt) of the line before, by comparing bytes four at a time: a difference in
    // any word or in the last one to three bytes must count, at every length and alignment.
    const lines = opening();
    const base = minimalPair();
    for (let length = 4; length < 24; length++) {
      for (const at of [0, 1, Math.floor(length / 2), length - 2, length - 1]) {
        const content = 'abcdefghijklmnopqrstuvwxyz'.slice(0, length);
        const near = content.slice(0, at) + '_' + content.slice(at + 1);
        const conversation = `near${length}_${at}`;
        const first = {
          ...base,
          id: `${conversation}_1`,
          conversation_id: conversation,
          current_user_input: content,
          target_response: near,
        };
        // Turn 3 repeats turn 1 in its history (from the cache) with one byte changed, and a
        // system prompt one byte away from the line before (BRL035 must tell).
        const prompt = base.system_prompt.slice(0, -1) + (at % 2 === 0 ? '!' : '.');
        const second = {
          ...base,
          id: `${conversation}_2`,
          conversation_id: conversation,
          turn_number: 3,
          system_prompt: prompt,
          conversation_history: [
            { turn: 1, role: 'user', content: near },
            { turn: 2, role: 'assistant', content },
          ],
          current_user_input: near,
          target_response: content,
        };
        lines.push(JSON.stringify(first), JSON.stringify(second), JSON.stringify(second));
      }
    }
    const accepted = compare(lines.join('\n'));
    assert.ok(accepted > 250, `accepted ${accepted}`);
  });

  it('on whitespace, escapes, numbers and key orders JSON.stringify never writes', function () {
    const base = JSON.stringify(fullPair());
    const variants = [
      base.replace(/":/g, '" : ').replace(/,"/g, ' , "'),
      ' \t' + base + ' \r',
      base.replace('"turn_number":2', '"turn_number":2.0'),
      base.replace('"turn_number":2', '"turn_number":2e0'),
      base.replace('"turn_number":2', '"turn_number":02'),
      base.replace('"turn_number":2', '"turn_number":-0'),
      base.replace('"quality_score":4.5', '"quality_score":2.4999999999999999'),
      base.replace('"quality_score":4.5', '"quality_score":2.5'),
      base.replace('"quality_score":4.5', '"quality_score":5.000000000000001'),
      base.replace('"conversation_turn":2', '"conversation_turn":-1'),
      base.replace('Hi', 'H\\u0069'),
      base.replace('courage', 'cour\\"age'),
      base.replace('"id":"', '"id":"\\u0041'),
      base.replace('"id":"', '"id":" '),
      base.replace('"id":"fp_marcus_turn2_1a2b3c4d"', '"id":"   "'),
      base.replace('{"id"', '{"id":"dup","id"'),
      base.replace('"primary":"shame"', '"primary":"shame","primary":"x"'),
      base.replace('"role":"user"', '"role":"assistant"'),
      base.replace('"turn":1', '"turn":2'),
      base.replace(/"conversation_metadata":\{[^}]*\}/, '"conversation_metadata":{}'),
      base.replace(/"emotional_context":\{[^}]*\}\}/, '"emotional_context":{}'),
      base.replace('"reviewer_notes":null', '"reviewer_notes":"fine"'),
      base.replace('"reviewer_notes":null', '"reviewer_notes":nul'),
      base.replace('"human_reviewed":true', '"human_reviewed":tru'),
      base.slice(0, -1),
      base + '}',
      base + ',',
    ];
    const lines = [...opening(), ...variants.map((v, i) => v.replace('1a2b3c4d', `v${i}`))];
    compare(lines.join('\n'));
    // The same variants as lines of one conversation, so cross-line rules fire on them.
    compare([...opening(), ...variants].join('\n'));
  });
});
