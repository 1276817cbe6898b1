/**
 * Micro-benchmark of the JSON line parser and the UTF-8 line reader on realistic
 * brightrun_lora_v4 lines (about 1 KB each, mostly long ASCII strings).
 *
 *   node --import tsx bench/json-parse.ts [megabytes]
 *
 * Prints MB/s for JSON.parse and parseLine over the same lines in the same process, then the
 * reader's throughput with 64 KB chunks (on the same bytes and on an all-ASCII copy), the
 * bare TextDecoder for comparison, and the reader feeding parseLine. Results vary with machine load: compare runs made
 * back to back.
 */
import { parseLine } from '../common/engine/json/parse-line.ts';
import { Utf8LineReader } from '../common/engine/json/utf8-line-reader.ts';

const targetMegabytes = Number(process.argv[2] ?? 20);

/** A small seeded PRNG so every run parses the same data. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = createRandom(42);
const WORDS = (
  'the client feels anxious about money and wants a clear plan for saving retirement budget ' +
  'debt partner conversation values priorities we can explore what matters most to you today ' +
  'it sounds like there is a lot on your mind let us take this one step at a time together'
).split(' ');
const EXTRAS = ['café', 'naïve', '—', '“quoted”', '😀', '\n', '\t', '"', '\\'];

function sentence(length: number): string {
  let out = '';
  while (out.length < length) {
    out += WORDS[Math.floor(random() * WORDS.length)] + ' ';
    if (random() < 0.02) out += EXTRAS[Math.floor(random() * EXTRAS.length)] + ' ';
  }
  return out.slice(0, length);
}

function hex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

function makeLine(n: number): string {
  const turn = 1 + (n % 3);
  const history = [];
  for (let t = 1; t < turn; t++) {
    history.push({ turn: t, role: t % 2 ? 'user' : 'assistant', content: sentence(80) });
  }
  return JSON.stringify({
    id: `template_turn${turn}_${hex(8)}`,
    conversation_id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    turn_number: turn,
    conversation_metadata: {
      client_persona: 'Marcus Chen',
      persona_archetype: 'anxious_planner',
      emotional_arc_key: 'fear_to_confidence',
      conversation_phase: 'exploring_deeper_concern',
    },
    system_prompt: sentence(300),
    conversation_history: history,
    current_user_input: sentence(120),
    emotional_context: {
      detected_emotions: { primary: 'anxiety', primary_confidence: 0.82, intensity: 0.6 },
    },
    target_response: sentence(400),
    training_metadata: {
      difficulty_level: 'intermediate',
      quality_score: 4.5,
      human_reviewed: random() < 0.5,
      reviewer_notes: null,
      demonstrates_skills: ['validation', 'reframing'],
    },
  });
}

const lines: string[] = [];
let totalChars = 0;
while (totalChars < targetMegabytes * 1e6) {
  const line = makeLine(lines.length);
  lines.push(line);
  totalChars += line.length;
}
const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
const megabytes = bytes.length / 1e6;
console.log(
  `${lines.length} lines, ${megabytes.toFixed(1)} MB, ${Math.round(bytes.length / lines.length)} bytes/line`,
);

/** Runs `body` a few times after a warm-up and returns the best MB/s. */
function measure(name: string, body: () => void): number {
  body();
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    body();
    best = Math.min(best, performance.now() - started);
  }
  const rate = megabytes / (best / 1000);
  console.log(`${name.padEnd(28)} ${rate.toFixed(0).padStart(6)} MB/s  (${best.toFixed(1)} ms)`);
  return rate;
}

let sink = 0;
measure('JSON.parse', () => {
  for (const line of lines) sink += (JSON.parse(line) as { turn_number: number }).turn_number;
});
measure('parseLine', () => {
  for (const line of lines) sink += parseLine(line).warnings.length;
});

const CHUNK = 64 * 1024;

function readAll(data: Uint8Array): void {
  const reader = new Utf8LineReader((line) => {
    sink += line.byteLength;
  });
  for (let at = 0; at < data.length; at += CHUNK) reader.push(data.subarray(at, at + CHUNK));
  reader.end();
}

// The same lines with every non-ASCII character replaced, to show the all-ASCII fast path.
const asciiBytes = new TextEncoder().encode(
  lines.join('\n').replace(/[\u0080-\uffff]/g, '?') + '\n',
);
measure('Utf8LineReader (64 KB)', () => readAll(bytes));
measure('Utf8LineReader, ASCII only', () => readAll(asciiBytes));
measure('TextDecoder only (64 KB)', () => {
  const decoder = new TextDecoder();
  for (let at = 0; at < bytes.length; at += CHUNK) {
    sink += decoder.decode(bytes.subarray(at, at + CHUNK), { stream: true }).length;
  }
});
measure('reader + parseLine', () => {
  const reader = new Utf8LineReader((line) => {
    sink += parseLine(line.text).warnings.length;
  });
  for (let at = 0; at < bytes.length; at += CHUNK) reader.push(bytes.subarray(at, at + CHUNK));
  reader.end();
});
if (sink === 42) console.log('');
