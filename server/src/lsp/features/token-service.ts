import type { ChatMessage } from '../../../../common/engine/shape.ts';
import { TokenPool } from '../../tokens/token-pool.ts';
import type { DatasetDocument, DocumentLine } from '../document/dataset-document.ts';
import type { SampleTokens } from './hover.ts';

/** Token figures of one document version, for the summary notification. */
export interface TokenTotals {
  total: number;
  exact: boolean;
  tokenizer: string;
  /** Samples longer than the max sequence length (BRL040). */
  overMaxSeqLength: number;
}

export interface TokenServiceOptions {
  /** Quiet time after the last change before counting starts. */
  delayMs?: number;
  log?: (message: string) => void;
}

interface Job {
  document: DatasetDocument;
  baseModel: string;
  maxSeqLength: number;
  done: (version: number, totals: TokenTotals) => void;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** The model the lines' cached counts were made with. */
  countedWith: string | undefined;
  /** performance.now() of the last change: counting waits for a quiet moment. */
  changedAt: number;
}

/**
 * Characters of message content per batch sent to the worker. The samples of a batch are
 * rendered from the lines' text here and stay alive until the worker answers, long enough to
 * be promoted to the old generation: small batches keep that garbage (and the peak RSS while a
 * large file is counted) small. 16 KB is a few milliseconds of the worker's work.
 */
const BATCH_CHARS = 16 * 1024;
const BATCH_SAMPLES = 32;
/**
 * The worker's content cache, smaller than the CLI's: the server lives beside the editor, and
 * counting in the background need not be fast. Repeated system prompts still hit it.
 */
const WORKER_CACHE = { maxEntries: 5_000, maxChars: 500_000 };

/**
 * Token counting for the language server, off the diagnostics path and off its thread: the
 * tokenizer lives only in a worker (server/src/tokens), so the server holds no vocabulary. Whole
 * documents are counted in the background a batch at a time, after the edits pause; hover asks
 * for one line's samples. Counts are
 * kept on the document's line entries, which a change replaces, so after an edit only the
 * changed lines are counted again. When every valid sample of the current version has a count
 * the caller gets the totals (for `brightrun/datasetSummary` and BRL040).
 */
export class TokenService {
  private readonly pools = new Map<string, Promise<TokenPool>>();
  private readonly jobs = new Map<string, Job>();
  private readonly delayMs: number;
  private readonly log: (message: string) => void;
  private disposed = false;

  constructor(options: TokenServiceOptions = {}) {
    this.delayMs = options.delayMs ?? 200;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * The token counts of line `index`'s samples (hover): those the background count left on the
   * line when it counted them with `baseModel`, else counted now on the worker. Undefined for a
   * line without samples, or when the tokenizer cannot be loaded.
   */
  async countLine(
    document: DatasetDocument,
    index: number,
    baseModel: string,
  ): Promise<SampleTokens | undefined> {
    if (index >= document.lineCount) return undefined;
    const line = document.lines()[index];
    const facts = line.facts;
    if (facts.kind !== 'data' || facts.sampleCount === 0) return undefined;
    try {
      const pool = await this.pool(baseModel);
      const job = this.jobs.get(document.uri);
      const counts =
        line.tokens !== undefined && job?.countedWith === baseModel
          ? line.tokens
          : await pool.count(facts.renderSamples().map((sample) => sample.messages));
      return { counts, tokenizer: pool.tokenizer };
    } catch (err) {
      this.log(`hover token count failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Counts the document's uncounted samples once edits pause; `done` gets the totals. */
  schedule(
    document: DatasetDocument,
    baseModel: string,
    maxSeqLength: number,
    done: (version: number, totals: TokenTotals) => void,
  ): void {
    if (this.disposed) return;
    let job = this.jobs.get(document.uri);
    if (job === undefined) {
      job = {
        document,
        baseModel,
        maxSeqLength,
        done,
        timer: undefined,
        running: false,
        countedWith: undefined,
        changedAt: 0,
      };
      this.jobs.set(document.uri, job);
    }
    Object.assign(job, { document, baseModel, maxSeqLength, done });
    job.changedAt = performance.now();
    if (job.running) return; // The running pass notices the new version.
    if (job.timer !== undefined) clearTimeout(job.timer);
    const current = job;
    job.timer = setTimeout(() => {
      current.timer = undefined;
      void this.run(current);
    }, this.delayMs);
  }

  forget(uri: string): void {
    const job = this.jobs.get(uri);
    if (job?.timer !== undefined) clearTimeout(job.timer);
    this.jobs.delete(uri);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const uri of [...this.jobs.keys()]) this.forget(uri);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.then((pool) => pool.close()).catch(() => undefined)));
  }

  private pool(baseModel: string): Promise<TokenPool> {
    let pool = this.pools.get(baseModel);
    if (pool === undefined) {
      // One worker: the server shares the machine with the editor, and counting is not urgent.
      pool = TokenPool.create(baseModel, 1, { cache: WORKER_CACHE });
      this.pools.set(baseModel, pool);
      pool.catch(() => this.pools.delete(baseModel));
    }
    return pool;
  }

  private async run(job: Job): Promise<void> {
    job.running = true;
    try {
      const pool = await this.pool(job.baseModel);
      let version = -1;
      let cursor = 0;
      for (;;) {
        if (this.disposed || this.jobs.get(job.document.uri) !== job) return;
        const document = job.document;
        if (job.countedWith !== job.baseModel) {
          for (const line of document.lines()) line.tokens = undefined;
          document.longLines.clear();
          job.countedWith = job.baseModel;
          version = -1;
        }
        if (document.version !== version) {
          version = document.version;
          cursor = 0;
        }
        // Counting yields to typing: while changes keep coming, wait for them to pause.
        const quiet = job.changedAt + this.delayMs - performance.now();
        if (quiet > 0) {
          await new Promise((resolve) => setTimeout(resolve, quiet));
          continue;
        }
        const lines = document.lines();
        const batch = gather(lines, cursor);
        cursor = batch.next;
        if (batch.entries.length === 0) {
          job.done(version, totals(document, pool, job.maxSeqLength));
          return;
        }
        const counts = await pool.count(batch.samples);
        let k = 0;
        for (const entry of batch.entries) {
          const n = entry.facts.sampleCount;
          const tokens = counts.slice(k, k + n);
          entry.tokens = tokens;
          k += n;
          if (tokens.some((t) => t > job.maxSeqLength)) document.longLines.add(entry);
        }
      }
    } catch (err) {
      this.log(`token counting stopped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      job.running = false;
    }
  }
}

/** The next lines from `from` whose samples have no counts yet, up to one batch. */
function gather(
  lines: readonly DocumentLine[],
  from: number,
): { entries: DocumentLine[]; samples: ChatMessage[][]; next: number } {
  const entries: DocumentLine[] = [];
  const samples: ChatMessage[][] = [];
  let chars = 0;
  let i = from;
  for (; i < lines.length; i++) {
    const entry = lines[i];
    const facts = entry.facts;
    if (entry.tokens !== undefined || !facts.valid || facts.sampleCount === 0) continue;
    entries.push(entry);
    for (const sample of facts.renderSamples()) {
      samples.push(sample.messages);
      for (const m of sample.messages) chars += m.content.length;
    }
    if (chars >= BATCH_CHARS || samples.length >= BATCH_SAMPLES) {
      i++;
      break;
    }
  }
  return { entries, samples, next: i };
}

/** The totals over the counted lines; rebuilds the document's list of lines too long. */
function totals(document: DatasetDocument, pool: TokenPool, maxSeqLength: number): TokenTotals {
  let total = 0;
  let over = 0;
  document.longLines.clear();
  for (const entry of document.lines()) {
    if (entry.tokens === undefined || !entry.facts.valid) continue;
    for (const t of entry.tokens) {
      total += t;
      if (t > maxSeqLength) {
        over++;
        document.longLines.add(entry);
      }
    }
  }
  const info = pool.tokenizer;
  return { total, exact: info.exact, tokenizer: info.name, overMaxSeqLength: over };
}
