/**
 * One run of dataset validation (architecture.md §2.3): streams the uploaded object through the
 * engine from `common/` in bounded memory, verifies its size and sha256 against what the upload
 * declared, and either finishes (statistics, up to 100 validation errors, training readiness) or,
 * when its time budget runs out, stops just after a newline and returns the cursor to save.
 * Knows nothing of HTTP or SQL: the function's handler claims rows and writes the outcome.
 */
import { DatasetValidator } from '../../../../common/engine/dataset/dataset-validator.ts';
import type { DatasetReport } from '../../../../common/engine/dataset/dataset-validator.ts';
import { Utf8LineReader } from '../../../../common/engine/json/utf8-line-reader.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../../../common/engine/options.ts';
import type { EngineOptions } from '../../../../common/engine/options.ts';
import { loadTokenCounter } from '../../../../common/tokenizers/load-token-counter.ts';
import type { TokenCounter } from '../../../../common/tokenizers/token-counter.ts';
import { tokenizerInfo } from '../../../../common/tokenizers/token-counter.ts';
import { restoreInto, saveSnapshot, SnapshotMismatchError } from './object-snapshot.ts';
import { Sha256 } from './sha256.ts';
import {
  CURSOR_VERSION,
  DiagnosticCollector,
  parseCursor,
  type StoredValidationError,
  type ValidationCursor,
} from './validation-state.ts';

export const DATASET_BUCKET = 'lora-datasets';

/** The part of the storage port (storage/port.ts) validation needs. */
export interface DatasetObjectSource {
  stat(bucket: string, path: string): Promise<{ size: number } | null>;
  read(bucket: string, path: string, offset?: number): Promise<ReadableStream<Uint8Array>>;
}

export interface DatasetToValidate {
  id: string;
  storage_path: string;
  file_size: number;
  sha256: string | null;
  validation_cursor: unknown;
}

export interface ValidationStats {
  detected_shape: string | null;
  total_training_pairs: number;
  total_samples: number;
  total_conversations: number;
  total_tokens: number | null;
  tokens_estimated: boolean;
  avg_turns_per_conversation: number;
  avg_tokens_per_turn: number | null;
  token_stats: Record<string, unknown> | null;
  sample_data: unknown[];
}

export type ValidationOutcome =
  | { kind: 'paused'; cursor: ValidationCursor; timings: Record<string, number> }
  | {
      kind: 'finished';
      trainingReady: boolean;
      /** Null when the dataset is ready; otherwise what to change. */
      errorMessage: string | null;
      validationErrors: StoredValidationError[];
      stats: ValidationStats | null;
      counts: DatasetReport['counts'] | null;
      bytes: number;
      lines: number;
      runs: number;
    };

export interface ValidateOptions {
  /** Stop (at a line end) once this time (ms since epoch) has passed. */
  deadline: number;
  engine?: EngineOptions;
  /** Bytes pushed to the engine between two looks at the clock. */
  sliceBytes?: number;
}

const LF = 10;

function fail(message: string, runs: number): ValidationOutcome {
  return {
    kind: 'finished',
    trainingReady: false,
    errorMessage: message,
    validationErrors: [],
    stats: null,
    counts: null,
    bytes: 0,
    lines: 0,
    runs,
  };
}

function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

const counters = new Map<string, Promise<TokenCounter>>();

/** One counter per model and isolate: the vocabularies take a moment to load. */
function tokenCounter(model: string): Promise<TokenCounter> {
  let counter = counters.get(model);
  if (counter === undefined) {
    counter = loadTokenCounter(model);
    counters.set(model, counter);
    counter.catch(() => counters.delete(model));
  }
  return counter;
}

interface RunState {
  validator: DatasetValidator;
  collector: DiagnosticCollector;
  hash: Sha256;
  offset: number;
  lines: number;
  runs: number;
}

function freshOrResumed(
  engine: EngineOptions,
  counter: TokenCounter | undefined,
  saved: ValidationCursor | undefined,
): RunState {
  const make = (collector: DiagnosticCollector) =>
    new DatasetValidator(engine, {
      onDiagnostic: (d) => collector.add(d),
      tokenizer: counter ? tokenizerInfo(counter) : undefined,
    });
  if (saved !== undefined) {
    const collector = new DiagnosticCollector(saved.diagnostics);
    const validator = make(collector);
    try {
      restoreInto(validator, saved.engine);
      return {
        validator,
        collector,
        hash: Sha256.restore(saved.sha256),
        offset: saved.offset,
        lines: saved.lines,
        runs: saved.runs + 1,
      };
    } catch (error) {
      // State from another engine version (or damaged): validate the file again from the start.
      if (!(error instanceof SnapshotMismatchError) && !(error instanceof SyntaxError)) throw error;
    }
  }
  const collector = new DiagnosticCollector();
  return {
    validator: make(collector),
    collector,
    hash: new Sha256(),
    offset: 0,
    lines: 0,
    runs: (saved?.runs ?? 0) + 1,
  };
}

export async function validateDataset(
  source: DatasetObjectSource,
  dataset: DatasetToValidate,
  options: ValidateOptions,
): Promise<ValidationOutcome> {
  const engine = options.engine ?? DEFAULT_ENGINE_OPTIONS;
  const sliceBytes = options.sliceBytes ?? 64 * 1024;
  const saved = parseCursor(dataset.validation_cursor);

  const object = await source.stat(DATASET_BUCKET, dataset.storage_path);
  if (object === null) {
    return fail('The uploaded file was not found in storage: upload it again', 1);
  }
  if (object.size !== dataset.file_size) {
    return fail(
      `The uploaded file is ${formatBytes(object.size)} but the upload declared ${formatBytes(dataset.file_size)}: the upload was cut short or replaced; upload the file again`,
      (saved?.runs ?? 0) + 1,
    );
  }

  const counter = engine.tokens ? await tokenCounter(engine.baseModel) : undefined;
  const t0 = performance.now();
  const state = freshOrResumed(engine, counter, saved);
  const t1 = performance.now();
  const { validator, hash } = state;
  const startOffset = state.offset;

  const reader = new Utf8LineReader((line) => {
    if (line.index === 0 && startOffset === 0 && reader.hadBom) validator.setBom();
    const index = state.lines + line.index;
    const facts = validator.pushLine(line.text, line.invalidUtf8?.column);
    if (counter !== undefined && facts.valid) {
      const samples = facts.samples;
      for (let i = 0; i < samples.length; i++) {
        validator.addSampleTokens(index, i, counter.countSample(samples[i].messages));
      }
    }
  });

  let position = startOffset;
  let linesThisRun = 0;
  const stream = await source.read(DATASET_BUCKET, dataset.storage_path, startOffset);
  const chunks = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await chunks.read();
      if (done) break;
      for (let start = 0; start < value.length; start += sliceBytes) {
        const slice = value.subarray(start, Math.min(value.length, start + sliceBytes));
        const overBudget = Date.now() >= options.deadline && linesThisRun > 0;
        const lastNewline = overBudget ? slice.lastIndexOf(LF) : -1;
        // Pausing at the very end would only cost another run: finish instead.
        if (overBudget && lastNewline >= 0 && position + lastNewline + 1 < dataset.file_size) {
          // Stop right after a newline, so the next run starts on a line of its own.
          const head = slice.subarray(0, lastNewline + 1);
          reader.push(head);
          hash.update(head);
          position += head.length;
          const t2 = performance.now();
          const cursor: ValidationCursor = {
            v: CURSOR_VERSION,
            offset: position,
            lines: state.lines + reader.lineCount,
            runs: state.runs,
            sha256: hash.save(),
            diagnostics: { errors: state.collector.errors, others: state.collector.others },
            engine: saveSnapshot(validator),
          };
          const timings = {
            restore_ms: Math.round(t1 - t0),
            validate_ms: Math.round(t2 - t1),
            snapshot_ms: Math.round(performance.now() - t2),
          };
          return { kind: 'paused', cursor, timings };
        }
        const before = reader.lineCount;
        reader.push(slice);
        hash.update(slice);
        position += slice.length;
        linesThisRun += reader.lineCount - before;
      }
    }
  } finally {
    await chunks.cancel().catch(() => {});
  }
  reader.end();

  if (position !== dataset.file_size) {
    return fail(
      `The uploaded file changed while it was validated (read ${formatBytes(position)} of ${formatBytes(dataset.file_size)}): upload it again`,
      state.runs,
    );
  }
  const digest = hash.hex();
  if (dataset.sha256 !== null && digest !== dataset.sha256.toLowerCase()) {
    return fail(
      `The uploaded file's sha256 is ${digest} but the upload declared ${dataset.sha256}: the file was damaged or changed in transit; upload it again`,
      state.runs,
    );
  }

  const report = validator.finish();
  const stats = report.stats;
  const validationErrors = state.collector.stored();
  let errorMessage: string | null = null;
  if (report.counts.error > 0) {
    const first = state.collector.errors.reduce<StoredValidationError | undefined>(
      (a, b) => (a === undefined || b.line < a.line ? b : a),
      undefined,
    );
    const n = report.counts.error;
    errorMessage = `${n} ${n === 1 ? 'error' : 'errors'} found${first ? `; the first on line ${first.line}: ${first.message}` : ''}. Fix the file and upload it again.`;
  } else if (stats.total_training_pairs < 1) {
    errorMessage =
      'The dataset has no training pairs: add at least one assistant response to train on.';
  }
  return {
    kind: 'finished',
    trainingReady: report.trainingReady,
    errorMessage: report.trainingReady
      ? null
      : (errorMessage ?? 'The dataset is not ready for training.'),
    validationErrors,
    counts: report.counts,
    stats: {
      detected_shape: report.shape ?? null,
      total_training_pairs: stats.total_training_pairs,
      total_samples: stats.total_samples,
      total_conversations: stats.total_conversations,
      total_tokens: stats.total_tokens ?? null,
      tokens_estimated: stats.tokenizer !== undefined && !stats.tokenizer.exact,
      avg_turns_per_conversation: stats.avg_turns_per_conversation,
      avg_tokens_per_turn: stats.avg_tokens_per_turn ?? null,
      token_stats:
        stats.token_distribution !== undefined
          ? { ...stats.token_distribution, tokenizer: stats.tokenizer ?? null }
          : null,
      sample_data: stats.sample_data,
    },
    bytes: position,
    lines: report.lines,
    runs: state.runs,
  };
}
