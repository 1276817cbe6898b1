import { Buffer } from 'node:buffer';
import { V4LineScanner } from '../../../../common/engine/fast/v4-line-scanner.ts';
import { analyzeLine } from '../../../../common/engine/line/analyze-line.ts';
import type { LineShape } from '../../../../common/engine/shape.ts';
import { nodeByteOps } from '../../cli/node-byte-ops.ts';
import type { CrossLineIndex } from '../../documents/cross-line-index.ts';
import { sampleKeyOf } from '../../documents/cross-line-index.ts';
import { StoredFacts } from './stored-facts.ts';

/**
 * One scanner for the process: its caches (contents seen on recent lines) only ever save work,
 * and its code warms up once. Lines are encoded into one reused buffer for it.
 */
const scanner = new V4LineScanner(nodeByteOps);
let bytes = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Analyses lines for an open document: the byte-level fast path (V4LineScanner, what the CLI
 * runs) first, which accepts a clean brightrun_lora_v4 pair line several times faster than the
 * full analysis and allocates nothing but the line's stored facts; every line it declines (any
 * diagnostic, another shape, an escape, a non-ASCII character, ...) gets the full analysis.
 * Both give the same facts and the same keys (test/unit/documents/fast-open.test.ts).
 */
export class LineAnalyzer {
  /** The BRL037 key of the line analysed last (-1: no samples). */
  sampleKey = -1;

  constructor(private readonly index: CrossLineIndex) {}

  analyze(text: string, expectedShape: LineShape | undefined): StoredFacts {
    const n = text.length;
    // The scanner accepts ASCII lines only: a line whose UTF-8 is longer than its UTF-16 is not
    // (the buffer holds the longest UTF-8 a line of n units can have, so nothing is cut off).
    if (n > 0 && text.charCodeAt(0) === 0x7b) {
      if (bytes.length < 3 * n) bytes = Buffer.allocUnsafeSlow(6 * n);
      if (bytes.write(text, 0, 'utf8') === n && scanner.scan(bytes, 0, n)) {
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
