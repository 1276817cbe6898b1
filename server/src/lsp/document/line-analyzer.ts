import { Buffer } from 'node:buffer';
import { V4LineScanner } from '../../../../common/engine/fast/v4-line-scanner.ts';
import { analyzeLine } from '../../../../common/engine/line/analyze-line.ts';
import type { LineShape } from '../../../../common/engine/shape.ts';
import { nodeByteOps } from '../../cli/node-byte-ops.ts';
import { CrossLineIndex, sampleKeyOf } from '../../documents/cross-line-index.ts';
import { StoredFacts } from './stored-facts.ts';

/**
 * One scanner for the process: its caches (contents seen on recent lines) only ever save work,
 * and its code warms up once. Lines are encoded into one reused buffer for it.
 */
const scanner = new V4LineScanner(nodeByteOps);
let bytes = Buffer.allocUnsafeSlow(64 * 1024);
/** A UTF-16 unit that is half of no pair (the u flag reads paired ones as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Analyses lines for an open document: the byte-level fast path (V4LineScanner, what the CLI
 * runs) first, which accepts a clean brightrun_lora_v4 pair line several times faster than the
 * full analysis and allocates nothing but the line's stored facts; every line it declines (any
 * diagnostic, another shape, an escape, a non-ASCII character outside a message, ...) gets the
 * full analysis.
 * Both give the same facts and the same keys (test/unit/documents/fast-open.test.ts).
 */
export class LineAnalyzer {
  /** The BRL037 key of the line analysed last (-1: no samples). */
  sampleKey = -1;

  /** `fastPath` false: the full analysis for every line (the oracle the tests compare with). */
  constructor(
    private readonly index: CrossLineIndex,
    private readonly fastPath = true,
  ) {}

  analyze(text: string, expectedShape: LineShape | undefined): StoredFacts {
    const n = text.length;
    if (this.fastPath && n > 0 && text.charCodeAt(0) === 0x7b) {
      // The buffer holds the longest UTF-8 a line of n units can have, so nothing is cut off.
      if (bytes.length < 3 * n) bytes = Buffer.allocUnsafeSlow(6 * n);
      const written = bytes.write(text, 0, 'utf8');
      // A lone surrogate is written as U+FFFD, which is not the text: the full path takes it.
      const faithful = written === n || !LONE_SURROGATE.test(text);
      if (faithful && scanner.scan(bytes, 0, written)) {
        const c = scanner.facts;
        this.sampleKey = sampleKeyOf(c.sampleHi, c.sampleLo);
        return new StoredFacts(text, undefined, {
          facts: c,
          id: c.idText(),
          conversation: c.conversationIdText(),
        });
      }
    }
    const facts = analyzeLine(text, 0, { expectedShape });
    this.sampleKey = this.index.sampleKey(facts.samples);
    return new StoredFacts(text, facts);
  }
}

/**
 * A clean v4 pair line (two earlier turns, metadata, emotional context, training metadata)
 * whose contents change with `n`, so the scanner hashes them rather than finding them in its
 * cache; `broken` leaves out `target_response`, so the full analysis runs instead.
 */
export function warmUpLine(n: number, broken = false): string {
  const small = n % 100;
  return (
    `{"id":"warm_up_turn3_${n}","conversation_id":"warm-up-${n % 7}","turn_number":3,` +
    `"conversation_metadata":{"persona_archetype":"anxious_planner",` +
    `"emotional_arc_key":"overwhelm_to_empowerment","training_topic_key":"emergency_fund",` +
    `"conversation_phase":"practical_implementation"},"system_prompt":"You are a patient money ` +
    `coach (${n % 5}): acknowledge feelings first, then explain plainly and suggest one ` +
    `concrete action.","conversation_history":[{"turn":1,"role":"user","content":"I have ` +
    `$${n} saved and it feels like nothing."},{"turn":2,"role":"assistant","content":"Saving ` +
    `$${n} is a real start; let us look at what it covers."}],"current_user_input":"What ` +
    `should I do with the next ${small} dollars?","emotional_context":{"detected_emotions":` +
    `{"primary":"anxiety","primary_confidence":0.8,"intensity":0.6,"valence":"negative"}},` +
    (broken
      ? ''
      : `"target_response":"Put the next ${small} dollars in the same account, ` +
        `automatically, every payday.",`) +
    `"training_metadata":{"conversation_turn":3,"quality_score":4.5,"human_reviewed":true}}`
  );
}

/**
 * Analyses made-up lines, `count` of them (every 16th broken), so that the fast path and the
 * full analysis are compiled before the first large document arrives: a cold scanner is
 * several times slower on its first few thousand lines. The server runs this in small slices
 * while it is idle after `initialize`.
 */
const warmUpIndex = new CrossLineIndex();

export function warmUp(from: number, count: number): void {
  const analyzer = new LineAnalyzer(warmUpIndex);
  for (let n = from; n < from + count; n++) {
    analyzer.analyze(warmUpLine(n, n % 16 === 15), 'brightrun_lora_v4');
  }
}
