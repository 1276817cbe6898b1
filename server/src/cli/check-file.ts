import { Buffer } from 'node:buffer';
import { setFlagsFromString } from 'node:v8';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import {
  DatasetValidator,
  type DatasetReport,
} from '../../../common/engine/dataset/dataset-validator.ts';
import { Utf8LineReader, type ReaderLine } from '../../../common/engine/json/utf8-line-reader.ts';
import type { EngineOptions } from '../../../common/engine/options.ts';
import { closeInputFile, openInputFile, readChunks } from './file-chunks.ts';
import type { Output } from './output.ts';
import { nodeByteOps } from './node-byte-ops.ts';
import { Progress } from './progress.ts';
import { TokenBatcher } from './token-batcher.ts';
import type { TokenWorkers } from './token-workers.ts';

export interface CheckFileOptions {
  engine: EngineOptions;
  /** Receives every diagnostic as soon as the engine finds it. */
  onDiagnostic: (d: Diagnostic) => void;
  /**
   * Starts (or returns the running) token workers; called once the file is open, so a missing
   * file never pays for starting them. Required when `engine.tokens` is true.
   */
  tokenWorkers?: () => Promise<TokenWorkers>;
  output: Output;
}

export interface CheckFileResult {
  report: DatasetReport;
  bytes: number;
}

/**
 * V8 allocates straight into the old generation from allocation sites whose objects often
 * survived a young collection ("pretenuring"). With the CLI's small young generation some
 * per-line sites qualify, and from then on their garbage piles up in the old generation until a
 * major collection: the heap grew to ~20 MB on a million-line file. Nothing made per line
 * outlives the line, so pretenuring only costs memory here: without it peak RSS at 1M lines went
 * from 99 to 89 MB at the same CPU time. The flag is read at each collection, so setting it
 * once the process runs is enough.
 */
let pretenuringOff = false;
function turnOffPretenuring(): void {
  if (pretenuringOff) return;
  pretenuringOff = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * Streams one file through the engine: bytes → lines (Utf8LineReader) → DatasetValidator, with
 * the rendered samples sent to the token workers on the side. Only the current chunk, the
 * current line and the validator's bounded cross-line state are in memory at any time.
 * Throws FileError when the file cannot be read.
 */
export async function checkFile(path: string, options: CheckFileOptions): Promise<CheckFileResult> {
  const { engine } = options;
  turnOffPretenuring();
  const file = openInputFile(path);
  const progress = Progress.forFile(options.output, path, file.size);
  try {
    const workers =
      engine.tokens && options.tokenWorkers ? await options.tokenWorkers() : undefined;
    const validator = new DatasetValidator(engine, {
      onDiagnostic: options.onDiagnostic,
      tokenizer: workers?.tokenizer,
      byteOps: nodeByteOps,
    });
    const batcher = workers
      ? new TokenBatcher(
          workers,
          (line, sample, tokens) => validator.addSampleTokens(line, sample, tokens),
          workers.maxBatchesInFlight,
        )
      : undefined;
    let bomReported = false;
    let spanned = Buffer.allocUnsafeSlow(64 * 1024);
    const reader = new Utf8LineReader(
      (line: ReaderLine) => {
        if (!bomReported && reader.hadBom) {
          bomReported = true;
          validator.setBom();
        }
        const facts = validator.pushLine(line.text, line.invalidUtf8?.column);
        // Only lines the statistics count are tokenised (§4 counts tokens of valid lines).
        if (batcher && facts.valid) {
          const samples = facts.samples;
          for (let i = 0; i < samples.length; i++) batcher.add(line.index, i, samples[i].messages);
        }
      },
      (bytes, start, end) => {
        // A line that spanned two reads comes joined in a plain Uint8Array; the scanner sees
        // only Buffers, so its element accesses stay monomorphic (one map, no deoptimisation).
        if (!Buffer.isBuffer(bytes)) {
          const length = end - start;
          if (spanned.length < length) spanned = Buffer.allocUnsafeSlow(length * 2);
          spanned.set(bytes.subarray(start, end));
          bytes = spanned;
          end = length;
          start = 0;
        }
        if (!validator.pushLineBytes(bytes, start, end)) return false;
        const sample = batcher ? validator.fastLineSample() : undefined;
        if (sample) batcher?.add(sample.line, 0, sample.messages);
        return true;
      },
    );
    let reserved = false;
    const bytes = await readChunks(file, async (chunk, bytesRead) => {
      reader.push(chunk);
      if (!reserved && reader.lineCount > 0) {
        // Size the cross-line state once from the first chunk's mean line length: growing it
        // step by step leaves freed arrays the allocator may keep resident. The margin covers
        // files whose conversations are shorter than the engine assumes (more keys per line).
        reserved = true;
        validator.reserve(Math.ceil((file.size / bytesRead) * reader.lineCount * 1.1));
      }
      progress?.update(bytesRead);
      // Backpressure: stop reading while the token workers are behind.
      if (batcher?.congested) await batcher.relieve();
    });
    reader.end();
    if (batcher) await batcher.flush();
    return { report: validator.finish(), bytes };
  } finally {
    progress?.clear();
    closeInputFile(file);
  }
}
