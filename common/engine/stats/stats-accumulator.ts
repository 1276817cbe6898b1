import { fingerprintHalves, lastFingerprint } from '../hash/fingerprint.ts';
import { FingerprintMap } from '../hash/fingerprint-map.ts';
import type { LineFacts } from '../line-facts.ts';
import type { ChatMessage, LineShape, Sample } from '../shape.ts';
import { PagedUint32Array } from '../dataset/paged-uint32.ts';
import { CountHistogram } from './count-histogram.ts';
import type { DatasetStats } from './dataset-stats.ts';

export interface StatsAccumulatorOptions {
  maxSeqLength: number;
  /** Set when tokens are counted; without it the token figures stay undefined (`--no-tokens`). */
  tokenizer?: { model: string; name: string; exact: boolean };
}

const SAMPLE_DATA_LIMIT = 3;

/**
 * Builds the statistics of dataset-format.md §4 from a stream of LineFacts and per-sample token
 * counts, in memory that does not grow with line length and grows only by a few bytes per
 * conversation (a fingerprint and a uint32), so a million-line file is fine.
 *
 * Choices §4 leaves open, made here once for every host:
 * - Turns are user and assistant messages.
 * - `avg_turns_per_conversation`: a v4 line renders its whole conversation up to its turn, so
 *   for shapes with a `conversation_id` (v4, turns) a conversation has the most turns any of its
 *   lines renders; for chat shapes each conversation (sample) has its own turns.
 * - `avg_tokens_per_turn`: total tokens over the turns of every rendered sample (a v4 history
 *   turn repeated on a later line is counted again there, as are its tokens).
 * - Token percentiles interpolate like Postgres `percentile_cont` (see CountHistogram).
 * - Token counts arrive separately (`addSampleTokens`, e.g. from worker threads) and in any order.
 */
export class StatsAccumulator {
  private shape: LineShape | undefined;
  private pairs = 0;
  private samples = 0;
  /** Conversations without an id (chat shapes), each counted with its own turns. */
  private anonymousConversations = 0;
  private anonymousTurns = 0;
  /** conversation_id fingerprint → the most turns one of its lines renders. */
  private readonly maxTurnsById = new FingerprintMap(16);
  /**
   * The same by the caller's conversation record number (DatasetValidator passes the
   * CrossLineChecker's, which already tells conversations apart): 4 bytes per conversation
   * instead of a second hash table. Holds the most turns + 1; 0 for "not counted yet".
   */
  private readonly turnsByRecord = new PagedUint32Array();
  private recordConversations = 0;
  private idTurns = 0;
  private renderedTurns = 0;
  private readonly tokens = new CountHistogram();
  private readonly sampleData: ChatMessage[][] = [];

  constructor(private readonly opts: StatsAccumulatorOptions) {}

  /**
   * Takes one line's facts; only valid data lines count (§4). `conversationRecord`: the
   * caller's number for the line's conversation_id, when it keeps one (then for every line).
   */
  addLine(facts: LineFacts, conversationRecord = -1): void {
    if (facts.kind !== 'data' || !facts.valid) return;
    this.shape ??= facts.shape;
    this.pairs += facts.pairs;
    this.samples++;
    let lineTurns = 0;
    for (const sample of facts.samples) {
      const turns = countTurns(sample);
      lineTurns = Math.max(lineTurns, turns);
      this.renderedTurns += turns;
      if (this.sampleData.length < SAMPLE_DATA_LIMIT) {
        this.sampleData.push(sample.messages.map((m) => ({ role: m.role, content: m.content })));
      }
    }
    const id = facts.conversationId?.value;
    if (id !== undefined && (facts.shape === 'brightrun_lora_v4' || facts.shape === 'turns')) {
      if (conversationRecord >= 0) {
        this.noteRecordTurns(conversationRecord, lineTurns);
      } else {
        fingerprintHalves(id);
        this.noteConversationTurns(lastFingerprint.hi, lastFingerprint.lo, lineTurns);
      }
    } else {
      this.anonymousConversations += facts.conversations;
      for (const sample of facts.samples) this.anonymousTurns += countTurns(sample);
    }
  }

  /**
   * Takes a valid v4 pair line the byte-level fast path accepted: one pair, one sample of
   * `turns` turns, in the conversation numbered `conversationRecord` (as for `addLine`).
   * Its sample is never sample data: the fast path starts once that is full.
   */
  addCompactV4Line(turns: number, conversationRecord: number): void {
    this.shape ??= 'brightrun_lora_v4';
    this.pairs++;
    this.samples++;
    this.renderedTurns += turns;
    this.noteRecordTurns(conversationRecord, turns);
  }

  /** True once the first samples the statistics show are collected. */
  get sampleDataFull(): boolean {
    return this.sampleData.length >= SAMPLE_DATA_LIMIT;
  }

  private noteRecordTurns(record: number, lineTurns: number): void {
    const before = this.turnsByRecord.get(record);
    if (before === 0) {
      this.recordConversations++;
      this.idTurns += lineTurns;
      this.turnsByRecord.set(record, lineTurns + 1);
    } else if (lineTurns + 1 > before) {
      this.idTurns += lineTurns + 1 - before;
      this.turnsByRecord.set(record, lineTurns + 1);
    }
  }

  private noteConversationTurns(hi: number, lo: number, lineTurns: number): void {
    const before = this.maxTurnsById.getOrSet(hi, lo, lineTurns);
    if (before === undefined) {
      this.idTurns += lineTurns;
    } else if (lineTurns > before) {
      this.maxTurnsById.set(hi, lo, lineTurns);
      this.idTurns += lineTurns - before;
    }
  }

  /** Takes the token count of one rendered sample. */
  addSampleTokens(tokens: number): void {
    this.tokens.add(tokens);
  }

  result(): DatasetStats {
    const conversations =
      this.maxTurnsById.size + this.recordConversations + this.anonymousConversations;
    const turns = this.idTurns + this.anonymousTurns;
    const counted = this.opts.tokenizer !== undefined;
    const t = this.tokens;
    const [p5, median, p95] = t.percentiles([0.05, 0.5, 0.95]);
    return {
      shape: this.shape,
      total_training_pairs: this.pairs,
      total_samples: this.samples,
      total_conversations: conversations,
      total_tokens: counted ? t.sum : undefined,
      avg_turns_per_conversation: conversations === 0 ? 0 : turns / conversations,
      avg_tokens_per_turn: counted
        ? this.renderedTurns === 0
          ? 0
          : t.sum / this.renderedTurns
        : undefined,
      token_distribution: counted
        ? {
            min: t.min,
            p5,
            median,
            mean: t.count === 0 ? 0 : t.sum / t.count,
            p95,
            max: t.max,
            overMaxSeqLength: t.countAbove(this.opts.maxSeqLength),
          }
        : undefined,
      tokenizer: this.opts.tokenizer ? { ...this.opts.tokenizer } : undefined,
      sample_data: this.sampleData.map((s) => s.map((m) => ({ ...m }))),
    };
  }
}

function countTurns(sample: Sample): number {
  let turns = 0;
  for (const m of sample.messages) if (m.role === 'user' || m.role === 'assistant') turns++;
  return turns;
}
