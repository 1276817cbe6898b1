import { contentFingerprint, fingerprintHalves, lastFingerprint } from '../hash/fingerprint.ts';
import type { Fingerprint } from '../hash/fingerprint.ts';
import type { Sample } from '../shape.ts';

/**
 * The kinds of key the cross-line rules remember. They share one FirstLineTable, so each kind
 * is mixed into the fingerprint: an `id` and a `conversation_id` with the same text must never
 * look like the same key.
 */
export const KeyKind = {
  Id: 1,
  Sample: 2,
  Conversation: 3,
  ConversationTurn: 4,
} as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

/** Written by the functions below; read it right after the call (no allocation per line). */
export const keyFingerprint: Fingerprint = { hi: 0, lo: 0 };

/** The fingerprint of a string key of `kind`, into `keyFingerprint`. */
export function stringKey(kind: KeyKind, text: string): void {
  fingerprintHalves(text);
  mixKind(kind, lastFingerprint.hi, lastFingerprint.lo);
}

/**
 * The fingerprint of a (conversation, turn) key, into `keyFingerprint`. `turn` is an integer in
 * [0, 2^32); the conversation fingerprint is `conversation` as returned for KeyKind.Conversation.
 */
export function conversationTurnKey(conversation: Fingerprint, turn: number): void {
  const hi = fmix32(conversation.hi ^ Math.imul(turn, 0x9e3779b1));
  mixKind(KeyKind.ConversationTurn, hi, conversation.lo ^ turn);
}

/**
 * Fingerprints of a line's rendered samples (roles and contents of every message, sample by
 * sample). Each content is fingerprinted on its own and the 64-bit results are folded into two
 * chains, so no canonical string has to be built; message and sample boundaries are part of
 * the input, so moving text between messages changes the key.
 *
 * Hashing the contents is most of the cross-line cost of a line (about 2 ns a character), and
 * in a v4 file most of them were on the line before: the system prompt, and the history that
 * repeats the previous turns. The fingerprints of the last few contents are kept and reused when
 * the same text comes again; comparing two equal strings is far cheaper than hashing one.
 */
export class SampleKeys {
  private readonly texts: string[] = new Array<string>(CACHE_SIZE).fill('');
  /** Fingerprints of `texts`, and one more slot for a short text that is not cached. */
  private readonly his = new Uint32Array(CACHE_SIZE + 1);
  private readonly los = new Uint32Array(CACHE_SIZE + 1);
  private next = 0;

  /** The key of `samples`, into `keyFingerprint`. */
  key(samples: readonly Sample[]): void {
    const chain = sampleChain;
    chain.begin();
    for (const sample of samples) {
      chain.sample();
      for (const message of sample.messages) {
        const slot = this.contentSlot(message.content);
        chain.message(message.role.charCodeAt(0), this.his[slot], this.los[slot]);
      }
    }
    chain.end();
  }

  /** The cache slot holding the fingerprint of `text`, hashing it when it is not there. */
  private contentSlot(text: string): number {
    const texts = this.texts;
    const n = text.length;
    if (n >= MIN_CACHED_LENGTH) {
      const last = text.charCodeAt(n - 1);
      const middle = text.charCodeAt(n >>> 1);
      for (let i = 0; i < CACHE_SIZE; i++) {
        const t = texts[i];
        // Cheap probes first: texts of equal length often share a long prefix, and a full
        // comparison of each would cost more than hashing.
        if (
          t.length === n &&
          t.charCodeAt(n - 1) === last &&
          t.charCodeAt(n >>> 1) === middle &&
          t === text
        ) {
          return i;
        }
      }
    }
    contentFingerprint(text);
    if (n < MIN_CACHED_LENGTH) {
      this.his[SCRATCH] = lastFingerprint.hi;
      this.los[SCRATCH] = lastFingerprint.lo;
      return SCRATCH;
    }
    const slot = this.next;
    this.next = (slot + 1) % CACHE_SIZE;
    texts[slot] = text;
    this.his[slot] = lastFingerprint.hi;
    this.los[slot] = lastFingerprint.lo;
    return slot;
  }
}

/** Contents remembered: a system prompt and the turns of a long conversation. */
const CACHE_SIZE = 16;
const SCRATCH = CACHE_SIZE;
/** Shorter contents are hashed at once: the lookup would cost about as much. */
const MIN_CACHED_LENGTH = 32;
const SAMPLE_MARK = 0x5a17e5;

/**
 * The chains SampleKeys folds message fingerprints into, step by step, so the byte-level fast
 * path (common/engine/fast) computes the same key from fingerprints it hashed from bytes.
 */
export class SampleKeyChain {
  private a = 0;
  private b = 0;

  begin(): void {
    this.a = 0x243f6a88;
    this.b = 0x85a308d3;
  }

  sample(): void {
    this.a = fmix32(Math.imul(this.a ^ SAMPLE_MARK, 0xcc9e2d51));
    this.b = fmix32(Math.imul(this.b ^ SAMPLE_MARK, 0x1b873593));
  }

  /** One message: the first letter of its role and the fingerprint of its content. */
  message(roleInitial: number, hi: number, lo: number): void {
    // 's', 'u', 'a', 't': the first letter tells the four roles apart.
    const role = roleInitial * 0x10001;
    this.a = fmix32(Math.imul(this.a ^ hi, 0xcc9e2d51) ^ role);
    this.b = fmix32(Math.imul(this.b ^ lo, 0x1b873593) ^ role);
  }

  /** The key, into `keyFingerprint`. */
  end(): void {
    mixKind(KeyKind.Sample, this.a, fmix32(this.b ^ Math.imul(this.a, 0x2545f491)));
  }
}

const sampleChain = new SampleKeyChain();

/** The key of kind `kind` of a string whose `fingerprintHalves` is (hi, lo), into `keyFingerprint`. */
export function stringKeyOf(kind: KeyKind, hi: number, lo: number): void {
  mixKind(kind, hi, lo);
}

/** Per-kind constants; any distinct odd-looking values do. */
const KIND_SALT_HI = [0, 0x7f4a7c15, 0x3c6ef372, 0xa54ff53a, 0x510e527f];
const KIND_SALT_LO = [0, 0x1f83d9ab, 0x5be0cd19, 0x9b05688c, 0xcbbb9d5d];

/**
 * A bijection of the 64-bit (hi, lo) for each kind: hi is remixed with a kind salt, and lo with
 * another salt and the new hi. Within a kind no two keys merge; across kinds the same text ends
 * up at unrelated fingerprints.
 */
function mixKind(kind: KeyKind, hi: number, lo: number): void {
  const h = fmix32(hi ^ KIND_SALT_HI[kind]);
  keyFingerprint.hi = h;
  keyFingerprint.lo = fmix32(lo ^ KIND_SALT_LO[kind] ^ Math.imul(h, 0x61c88647));
}

/** Murmur3's finaliser: a bijection of 32-bit words in which every bit affects every bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
