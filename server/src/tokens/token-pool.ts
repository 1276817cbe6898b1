import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChatMessage } from '../../../common/engine/shape.ts';
import type { CountCacheLimits } from '../../../common/tokenizers/count-cache.ts';
import type { TokenizerInfo } from '../../../common/tokenizers/token-counter.ts';
import type { CountRequest, TokenWorkerData, TokenWorkerMessage } from './token-protocol.ts';

export interface TokenPoolOptions {
  /**
   * The worker script. By default `token-worker.js` beside this module, which is where esbuild
   * puts it next to the bundled CLI; when this module runs from source under tsx, the `.ts`
   * worker beside it, started through a bootstrap that registers tsx first.
   */
  workerUrl?: URL;
  /** Characters of message content per batch sent to a worker (a batch holds ≥ 1 sample). */
  batchChars?: number;
  /** Batches queued or in flight before `capacity()` makes the caller wait. */
  maxPendingBatches?: number;
  /** Bounds of each worker's content cache (token-worker.ts has the defaults). */
  cache?: CountCacheLimits;
}

/** One `count()` call: its result array is filled in order as its batches come back. */
interface Job {
  counts: number[];
  remaining: number;
  failed: boolean;
  resolve(counts: number[]): void;
  reject(err: Error): void;
}

interface Batch {
  id: number;
  job: Job;
  offset: number;
  samples: ChatMessage[][];
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Batch>;
}

/** Batches in flight per worker: two keep a worker busy while the next one is posted. */
const PER_WORKER = 2;

function defaultWorkerUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './token-worker.ts' : './token-worker.js', import.meta.url);
}

/**
 * A worker's heap: the tokenizer takes about 35 MB and its count cache a few more. Without a
 * limit V8 sizes a busy worker's heap generously (hundreds of megabytes for two workers on a
 * million-line file); a small young generation also keeps the garbage of tokenising in check.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 4 };

function startWorker(url: URL, workerData: TokenWorkerData): Worker {
  if (url.pathname.endsWith('.ts')) {
    // Running from source (tests under tsx): Node 20 workers do not inherit tsx's loader hooks,
    // so a tiny bootstrap registers them before importing the TypeScript worker.
    // createRequire rather than import.meta.resolve: mocha may load this module as CommonJS.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(code, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(url, { workerData, resourceLimits: WORKER_LIMITS });
}

/**
 * Counts sample tokens on worker threads. Results come back in the order of the samples given to
 * each `count()` call. Memory stays bounded when the caller awaits `capacity()` before reading
 * more input: at most `maxPendingBatches` batches are then queued or in flight.
 */
export class TokenPool {
  private readonly queue: Batch[] = [];
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;
  private pending = 0;
  private failure: Error | undefined;
  private closed = false;

  private info: TokenizerInfo | undefined;
  private readyCount = 0;
  private readonly started: Promise<void>;
  private startFailed: ((err: Error) => void) | undefined;
  private startDone: (() => void) | undefined;

  // Listeners are attached at once, before any worker can report, so an early crash is never
  // an unhandled 'error' event and never goes unnoticed.
  private constructor(
    private readonly slots: Slot[],
    private readonly baseModel: string,
    private readonly batchChars: number,
    private readonly maxPendingBatches: number,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startDone = resolve;
      this.startFailed = reject;
    });
    for (const slot of slots) {
      slot.worker.on('message', (m: TokenWorkerMessage) => this.onMessage(slot, m));
      slot.worker.on('error', (err) => this.fail(slot, err.message));
      slot.worker.on('exit', (code) => {
        if (!this.closed) this.fail(slot, `exited with code ${code}`);
      });
    }
  }

  /** Starts `size` workers and waits until each has loaded the tokenizer of `baseModel`. */
  static async create(
    baseModel: string,
    size: number = availableParallelism(),
    options: TokenPoolOptions = {},
  ): Promise<TokenPool> {
    const url = options.workerUrl ?? defaultWorkerUrl();
    const workerData: TokenWorkerData = { baseModel, cache: options.cache };
    const slots = Array.from({ length: Math.max(1, size) }, () => ({
      worker: startWorker(url, workerData),
      inFlight: new Map<number, Batch>(),
    }));
    const batchChars = options.batchChars ?? 256 * 1024;
    const pool = new TokenPool(
      slots,
      baseModel,
      batchChars,
      options.maxPendingBatches ?? slots.length * 4,
    );
    try {
      await pool.started;
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** The tokenizer the workers loaded (known once `create` has resolved). */
  get tokenizer(): TokenizerInfo {
    if (this.info === undefined) throw new Error('TokenPool has not started');
    return this.info;
  }

  /** Token counts of `samples`, in the same order. */
  count(samples: ChatMessage[][]): Promise<number[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('TokenPool is closed'));
    if (samples.length === 0) return Promise.resolve([]);
    return new Promise<number[]>((resolve, reject) => {
      const job: Job = {
        counts: new Array<number>(samples.length),
        remaining: 0,
        failed: false,
        resolve,
        reject,
      };
      let start = 0;
      let chars = 0;
      for (let i = 0; i < samples.length; i++) {
        // Content is typed as a string, but a batch must not throw here for a malformed sample: the
        // worker reports that as a rejected count instead.
        for (const m of samples[i]) chars += typeof m.content === 'string' ? m.content.length : 0;
        if (chars >= this.batchChars || i === samples.length - 1) {
          this.queue.push({
            id: this.nextId++,
            job,
            offset: start,
            samples: samples.slice(start, i + 1),
          });
          job.remaining++;
          this.pending++;
          start = i + 1;
          chars = 0;
        }
      }
      this.dispatch();
    });
  }

  /** Batches queued or in flight. */
  get pendingBatches(): number {
    return this.pending;
  }

  /** Resolves once fewer than `maxPendingBatches` batches are queued or in flight. */
  capacity(): Promise<void> {
    if (this.pending < this.maxPendingBatches || this.failure || this.closed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops the workers; unfinished `count()` calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectAll(new Error('TokenPool closed before counting finished'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      while (slot.inFlight.size < PER_WORKER && this.queue.length > 0) {
        const batch = this.queue.shift()!;
        if (batch.job.failed) {
          this.settled();
          continue;
        }
        slot.inFlight.set(batch.id, batch);
        const request: CountRequest = { id: batch.id, samples: batch.samples };
        slot.worker.postMessage(request);
      }
    }
  }

  private onMessage(slot: Slot, message: TokenWorkerMessage): void {
    if (message.type === 'ready') {
      this.info ??= message.tokenizer;
      if (++this.readyCount === this.slots.length) this.startDone?.();
      return;
    }
    const batch = message.id === undefined ? undefined : slot.inFlight.get(message.id);
    if (batch === undefined) {
      if (message.type === 'error') this.fail(slot, message.message);
      return;
    }
    slot.inFlight.delete(batch.id);
    this.settled();
    const { job } = batch;
    if (message.type === 'error') {
      this.failJob(job, new Error(`token counting failed (${this.baseModel}): ${message.message}`));
    } else if (!job.failed) {
      const { counts } = message;
      for (let i = 0; i < counts.length; i++) job.counts[batch.offset + i] = counts[i];
      if (--job.remaining === 0) job.resolve(job.counts);
    }
    this.dispatch();
  }

  /** One batch left the pending count: wake a caller waiting in `capacity()`. */
  private settled(): void {
    this.pending--;
    if (this.pending < this.maxPendingBatches) this.waiters.splice(0).forEach((w) => w());
  }

  private failJob(job: Job, err: Error): void {
    if (job.failed) return;
    job.failed = true;
    job.reject(err);
  }

  /** A worker crashed: the pool cannot promise complete results any more. */
  private fail(slot: Slot, reason: string): void {
    if (this.failure || this.closed) return;
    const index = this.slots.indexOf(slot);
    this.failure =
      this.readyCount < this.slots.length
        ? new Error(`token worker for ${this.baseModel} failed to start: ${reason}`)
        : new Error(`token worker ${index} (${this.baseModel}) failed: ${reason}`);
    this.startFailed?.(this.failure);
    this.rejectAll(this.failure);
    void Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private rejectAll(err: Error): void {
    for (const slot of this.slots) {
      for (const batch of slot.inFlight.values()) this.failJob(batch.job, err);
      slot.inFlight.clear();
    }
    for (const batch of this.queue) this.failJob(batch.job, err);
    this.queue.length = 0;
    this.pending = 0;
    this.waiters.splice(0).forEach((w) => w());
  }
}
