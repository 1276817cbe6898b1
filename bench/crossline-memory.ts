/**
 * Memory and speed of the cross-line state on a million lines: feeds synthetic line facts
 * (unique ids, about five turns per conversation, one rendered sample each, as a v4 file has)
 * straight into the CrossLineChecker and prints the growth of RSS and heap and the bytes the
 * typed arrays hold, per line.
 *
 *   node --max-semi-space-size=1 --expose-gc --import tsx bench/crossline-memory.ts \
 *     [lines=1000000] [turnsPerConversation=5] [reserve]
 */
import { CrossLineChecker } from '../common/engine/dataset/cross-line-checker.ts';
import type { LineFacts } from '../common/engine/line-facts.ts';
import type { Sample } from '../common/engine/shape.ts';

const lines = Number(process.argv[2] ?? 1_000_000);
const turnsPerConversation = Number(process.argv[3] ?? 5);
/** With "reserve", the state is sized for `lines` up front, as the CLI can from the file size. */
const reserve = process.argv[4] === 'reserve';

// Content sizes of a typical 1 KB v4 line: a 300-character prompt, a 150-character question
// and a 400-character answer.
const PROMPT =
  'You are a calm, precise financial planner who explains money in plain words. '.repeat(4);
const QUESTION =
  'I have not opened my bank statements in months and I am scared of what is there. '.repeat(2);
const ANSWER =
  'That takes courage to say. Let us open just one statement together and look at it. '.repeat(5);

const CONTEXT = flat(`{"system_prompt":${JSON.stringify(PROMPT)}}`);

/**
 * A flat copy of a string built by concatenation: the parser hands out flat strings, and
 * reading a concatenation tree character by character is several times slower.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The facts of line `i`; built fresh per line, as analyzeLine would. */
function factsFor(i: number): LineFacts {
  const conversation = Math.floor(i / turnsPerConversation);
  const turn = (i % turnsPerConversation) + 1;
  const id = flat(`fp_template_turn${turn}_${(i * 2654435761) >>> 0}`);
  const conversationId = flat(
    `6f1c2d3e-0000-4000-8000-${conversation.toString(16).padStart(12, '0')}`,
  );
  const sample: Sample = {
    messages: [
      { role: 'system', content: PROMPT },
      { role: 'user', content: flat(`${i} ${QUESTION}`) },
      { role: 'assistant', content: flat(`${ANSWER} ${i}`) },
    ],
    targets: [2],
  };
  return {
    kind: 'data',
    shape: 'brightrun_lora_v4',
    shapeDetected: true,
    diagnostics: [],
    valid: true,
    pairs: 1,
    samples: [sample],
    conversations: 1,
    id: { value: id, start: 7, end: 9 + id.length },
    conversationId: { value: conversationId, start: 40, end: 78 },
    turnNumber: { value: turn, start: 95, end: 96 },
    conversationContext: {
      value: CONTEXT,
      start: 120,
      end: 200,
    },
    start: 0,
    end: 1000,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

globalThis.gc?.();
const before = process.memoryUsage();
let diagnostics = 0;
const checker = new CrossLineChecker(() => diagnostics++);
if (reserve) checker.reserve(lines);
let peakRss = before.rss;
let checkTime = 0;
// Facts are built a batch at a time, outside the timed part, as the line analysis would.
const BATCH = 64;
const batch: LineFacts[] = [];
for (let base = 0; base < lines; base += BATCH) {
  batch.length = 0;
  for (let i = base; i < Math.min(lines, base + BATCH); i++) batch.push(factsFor(i));
  // CPU time rather than wall time: the benchmark machine is shared.
  const t0 = process.cpuUsage();
  for (let j = 0; j < batch.length; j++) checker.check(batch[j], base + j, '');
  checkTime += process.cpuUsage(t0).user / 1000;
  if ((base & 0xffff) < BATCH) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
checker.finish(lines);
globalThis.gc?.();
const after = process.memoryUsage();
peakRss = Math.max(peakRss, after.rss);

console.log(
  `lines: ${lines}, turns per conversation: ${turnsPerConversation}, ${reserve ? 'reserved up front' : 'grown line by line'}`,
);
console.log(`diagnostics: ${diagnostics} (expected 0)`);
console.log(
  `typed arrays: ${mb(checker.byteLength)} = ${(checker.byteLength / lines).toFixed(2)} B/line`,
);
console.log(
  `RSS growth: ${mb(after.rss - before.rss)} (${((after.rss - before.rss) / lines).toFixed(2)} B/line), peak RSS ${mb(peakRss)} (start ${mb(before.rss)})`,
);
console.log(
  `heap used growth: ${mb(after.heapUsed - before.heapUsed)}, heap committed growth: ${mb(after.heapTotal - before.heapTotal)}`,
);
console.log(`array buffers: ${mb(after.arrayBuffers - before.arrayBuffers)}`);
console.log(`CPU time in the checker: ${((checkTime * 1000) / lines).toFixed(2)} µs/line`);
