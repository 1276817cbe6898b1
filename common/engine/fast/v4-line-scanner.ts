/**
 * The byte-level fast path for the common case: a brightrun_lora_v4 pair line with nothing to
 * report. One pass over the UTF-8 bytes checks the JSON syntax and every line-local rule the
 * full path (analyzeLine) applies to a v4 pair, and gathers the CompactV4Facts the cross-line
 * rules and statistics need, without building a syntax tree or a single string.
 *
 * It only ever answers "accepted" when the full path would find the line valid JSON, a v4 pair,
 * and report nothing at all on it; for anything else (a rule that would fire, any escape, a
 * non-ASCII byte outside a message content, a duplicate key, an unknown key, an exponent, a
 * number of more than 15 digits, ...) it declines and the caller runs the full path, which then
 * produces the real diagnostics.
 *
 * Message contents (system prompt, history turns, current input, target) may hold any UTF-8
 * text, as real datasets do (curly quotes, accents, emoji): they are hashed over the UTF-16
 * units they decode to, measured in those units, and on such a line the facts' columns are
 * converted from byte offsets to UTF-16 columns, so the facts are those of the decoded text. The rules are restated here as predicates: test/unit/engine-fast compares both
 * paths on every fixture and on thousands of generated and mutated lines.
 *
 * Contents (system prompt, history turns, current input, target) are fingerprinted for the
 * duplicate-sample key. A v4 file repeats them on the next lines of a conversation, so the last
 * few are kept with their fingerprints and recognised by comparing bytes four at a time, which
 * is several times cheaper than hashing them again (and, for strings of a few hundred bytes,
 * than a call into native memcmp, whose fixed cost is that of comparing ~100 bytes here).
 */
import { SampleKeyChain, keyFingerprint } from '../dataset/key-fingerprints.ts';
import {
  ContentFingerprintStream,
  contentFingerprintBytes,
  fingerprintBytes,
  lastContentUnits,
  lastFingerprint,
  utf8CodePoint,
  utf8Width,
} from '../hash/fingerprint.ts';
import { CANONICAL_METADATA_KEYS } from '../rules/conversation-metadata.ts';
import { SHORT_SYSTEM_PROMPT } from '../rules/v4-fields.ts';
import {
  CONVERSATION_PHASES,
  EMOTIONAL_ARC_KEYS,
  PERSONA_ARCHETYPES,
  VALENCES,
} from '../vocabulary.ts';
import type { ByteOps } from './byte-ops.ts';
import { portableByteOps } from './byte-ops.ts';
import type { ChatMessage } from '../shape.ts';
import type { CompactV4Facts } from './compact-facts.ts';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const SPACE = 32;

/** A failed step: positions are never negative, so -1 means "decline the line". */
const FAIL = -1;

function bytesOf(texts: readonly string[]): Uint8Array[] {
  return texts.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0)));
}

/** Each key's bytes as little-endian 32-bit words (the last one zero-padded), for `matches`. */
function wordsOf(keys: readonly Uint8Array[]): Uint32Array[] {
  return keys.map((key) => {
    const words = new Uint32Array(Math.ceil(key.length / 4));
    for (let j = 0; j < key.length; j++) words[j >> 2] |= key[j] << (8 * (j & 3));
    return words;
  });
}

// Key tables, one per object kind; a key's index is its bit in the object's "seen" mask.
const PAIR_KEYS = bytesOf([
  'id',
  'conversation_id',
  'turn_number',
  'conversation_metadata',
  'system_prompt',
  'conversation_history',
  'current_user_input',
  'emotional_context',
  'target_response',
  'training_metadata',
]);
const K_ID = 0;
const K_CONVERSATION_ID = 1;
const K_TURN_NUMBER = 2;
const K_METADATA = 3;
const K_SYSTEM_PROMPT = 4;
const K_HISTORY = 5;
const K_CURRENT_USER_INPUT = 6;
const K_EMOTIONAL_CONTEXT = 7;
const K_TARGET_RESPONSE = 8;
const K_TRAINING_METADATA = 9;
const REQUIRED_PAIR_KEYS =
  (1 << K_ID) |
  (1 << K_CONVERSATION_ID) |
  (1 << K_TURN_NUMBER) |
  (1 << K_SYSTEM_PROMPT) |
  (1 << K_HISTORY) |
  (1 << K_CURRENT_USER_INPUT) |
  (1 << K_TARGET_RESPONSE);

/** In CANONICAL_METADATA_KEYS order, so a key's index is its canonical slot. */
const METADATA_KEYS = bytesOf(CANONICAL_METADATA_KEYS);
const SLOT_CONVERSATION_PHASE = 2;
const SLOT_EMOTIONAL_ARC_KEY = 4;
const SLOT_PERSONA_ARCHETYPE = 6;
const KNOWN_PHASES = bytesOf(CONVERSATION_PHASES);
const KNOWN_ARC_KEYS = bytesOf(EMOTIONAL_ARC_KEYS);
const KNOWN_ARCHETYPES = bytesOf(PERSONA_ARCHETYPES);
const KNOWN_VALENCES = bytesOf(VALENCES);

const TURN_KEYS = bytesOf(['turn', 'role', 'content', 'emotional_state']);
const REQUIRED_TURN_KEYS = 7;
const ROLE_USER = bytesOf(['user'])[0];
const ROLE_ASSISTANT = bytesOf(['assistant'])[0];

const STATE_KEYS = bytesOf(['primary', 'secondary', 'intensity']);
const REQUIRED_STATE_KEYS = 1 | 4;

const CONTEXT_KEYS = bytesOf(['detected_emotions']);

const EMOTION_KEYS = bytesOf([
  'primary',
  'secondary',
  'primary_confidence',
  'secondary_confidence',
  'intensity',
  'valence',
]);
const REQUIRED_EMOTION_KEYS = 1 | 4 | 16 | 32;

const TRAINING_KEYS = bytesOf([
  'difficulty_level',
  'key_learning_objective',
  'emotional_progression_target',
  'demonstrates_skills',
  'conversation_turn',
  'quality_score',
  'quality_criteria',
  'human_reviewed',
  'use_as_seed_example',
  'reviewer_notes',
  'generate_variations_count',
]);
const CRITERIA_KEYS = bytesOf([
  'empathy_score',
  'clarity_score',
  'appropriateness_score',
  'brand_voice_alignment',
]);

const PAIR_WORDS = wordsOf(PAIR_KEYS);
const METADATA_WORDS = wordsOf(METADATA_KEYS);
const TURN_WORDS = wordsOf(TURN_KEYS);
const STATE_WORDS = wordsOf(STATE_KEYS);
const CONTEXT_WORDS = wordsOf(CONTEXT_KEYS);
const EMOTION_WORDS = wordsOf(EMOTION_KEYS);
const TRAINING_WORDS = wordsOf(TRAINING_KEYS);
const CRITERIA_WORDS = wordsOf(CRITERIA_KEYS);

/** Below this `quality_score` the full path reports BRL042 (info). */
const LOW_QUALITY_SCORE = 2.5;
/** Turn numbers above this are left to the full path (the cross-line rules cap them too). */
const MAX_TURN = 0x3fffffff;

/** Exact powers of ten, as in parse-line.ts, so numbers get the very same double values. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Contents remembered with their fingerprints (a system prompt, a conversation's turns). */
const CACHE_SIZE = 16;
/** History turns tracked per line; a longer history is left to the full path. */
const MAX_HISTORY = 256;

/** Non-ASCII characters that String.prototype.trim removes (a content of only these is blank). */
const UNICODE_SPACES = new Set([
  0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
]);

/** ignoreBOM: a content may start with U+FEFF, which is part of it. */
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const U = 117; // 'u'
const A = 97; // 'a'
const S = 115; // 's'

export class V4LineScanner {
  /** The facts of the line accepted last (one object, reused). */
  readonly facts: CompactV4Facts;

  private readonly ops: ByteOps;
  private b: Uint8Array = new Uint8Array(0);
  /** `b` as 32-bit words (a DataView of its buffer, offset by `viewBase`). */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewBase = 0;
  /** End and start of the line being scanned in `b`; columns are offsets from `base`. */
  private e = 0;
  private base = 0;
  /** Value of the number scanned last. */
  private number = 0;

  // Content cache: bytes, length, fingerprint halves per entry; filled round robin.
  private readonly cacheBytes: Uint8Array[] = [];
  /** A DataView of each `cacheBytes` entry, for comparing and copying four bytes at a time. */
  private readonly cacheViews: DataView[] = [];
  private readonly cacheLength = new Int32Array(CACHE_SIZE).fill(-1);
  private readonly cacheHi = new Uint32Array(CACHE_SIZE);
  /** UTF-16 length of each cached content (its byte length when it is ASCII). */
  private readonly cacheUnits = new Int32Array(CACHE_SIZE);
  private readonly cacheLo = new Uint32Array(CACHE_SIZE);
  private cacheNext = 0;
  /** Fingerprint and UTF-16 length of the content scanned last. */
  private contentHi = 0;
  private contentLo = 0;
  private contentUnits = 0;
  /** Whether a content of the current line holds a multi-byte character; the system prompt's. */
  private nonAscii = false;
  private promptNonAscii = false;
  /** The facts' offsets being turned into columns, and their order (see `toColumns`). */
  private readonly columnOffsets = new Int32Array(8);
  private readonly columnOrder = new Int8Array(8);

  // Per-line state.
  private idStart = 0;
  private idEnd = 0;
  private conversationStart = 0;
  private conversationEnd = 0;
  private promptStart = 0;
  private promptEnd = 0;
  private promptHi = 0;
  private promptLo = 0;
  private inputStart = 0;
  private inputEnd = 0;
  private inputHi = 0;
  private inputLo = 0;
  private targetHi = 0;
  private targetLo = 0;
  /** `training_metadata.conversation_turn`, when the line has one. */
  private conversationTurn = 0;
  private hasConversationTurn = false;
  private metadataStart = -1;
  private metadataEnd = -1;
  /** Per canonical metadata slot: key start, and value start/end (-1 when absent). */
  private readonly slotKey = new Int32Array(10);
  private readonly slotValueStart = new Int32Array(10);
  private readonly slotValueEnd = new Int32Array(10);
  private historyLength = 0;
  private readonly historyRole = new Uint8Array(MAX_HISTORY);
  private readonly historyHi = new Uint32Array(MAX_HISTORY);
  private readonly historyLo = new Uint32Array(MAX_HISTORY);
  /** Offsets of each history content (without quotes). */
  private readonly historyStart = new Int32Array(MAX_HISTORY);
  private readonly historyEnd = new Int32Array(MAX_HISTORY);
  private targetStart = 0;
  private targetEnd = 0;
  private lastHistoryStart = 0;
  private lastHistoryEnd = 0;

  // The context of the previous accepted line (its metadata as raw bytes, its prompt as the
  // content's fingerprint) and its hash: a line of the same conversation reuses the hash.
  private lastMetadata = new Uint8Array(512);
  private lastMetadataView = new DataView(this.lastMetadata.buffer);
  private lastMetadataLength = -2;
  private lastPromptHi = 0;
  private lastPromptLo = 0;
  private lastPromptLength = -1;
  private lastContextHash = 0;

  /**
   * Per object kind, the key that followed each key last time (index + 1; 0 for the first),
   * the guess `key` tries first.
   */
  private readonly pairOrder = new Int8Array(PAIR_KEYS.length + 1).fill(-1);
  private readonly turnOrder = new Int8Array(TURN_KEYS.length + 1).fill(-1);
  private readonly stateOrder = new Int8Array(STATE_KEYS.length + 1).fill(-1);
  private readonly metadataOrder = new Int8Array(METADATA_KEYS.length + 1).fill(-1);
  private readonly contextOrder = new Int8Array(CONTEXT_KEYS.length + 1).fill(-1);
  private readonly emotionOrder = new Int8Array(EMOTION_KEYS.length + 1).fill(-1);
  private readonly trainingOrder = new Int8Array(TRAINING_KEYS.length + 1).fill(-1);
  private readonly criteriaOrder = new Int8Array(CRITERIA_KEYS.length + 1).fill(-1);

  private readonly stream = new ContentFingerprintStream();
  private readonly chain = new SampleKeyChain();

  constructor(ops: ByteOps = portableByteOps) {
    this.ops = ops;
    for (let i = 0; i < CACHE_SIZE; i++) {
      const store = new Uint8Array(256);
      this.cacheBytes.push(store);
      this.cacheViews.push(new DataView(store.buffer));
    }
    this.facts = {
      start: 0,
      end: 0,
      idHi: 0,
      idLo: 0,
      idStart: 0,
      idEnd: 0,
      conversationHi: 0,
      conversationLo: 0,
      turn: 0,
      turnStart: 0,
      turnEnd: 0,
      contextHash: 0,
      contextStart: 0,
      contextEnd: 0,
      sampleHi: 0,
      sampleLo: 0,
      turns: 0,
      idText: () => this.ascii(this.idStart + 1, this.idEnd - 1),
      messages: () => this.messages(),
      conversationIdText: () => this.ascii(this.conversationStart + 1, this.conversationEnd - 1),
    };
  }

  /**
   * Scans the line `bytes[start, end)` (no line terminator). True when it is a v4 pair line the
   * full path would accept without a diagnostic; `facts` then describes it. The bytes must stay
   * unchanged until the line's facts have been used (`idText` reads them).
   */
  scan(bytes: Uint8Array, start: number, end: number): boolean {
    // Offsets are absolute; every read that can reach the end of the line goes through `at`,
    // so no step runs into the next line.
    this.b = bytes;
    this.e = end;
    this.base = start;
    if (this.view.buffer !== bytes.buffer) this.view = new DataView(bytes.buffer);
    this.viewBase = bytes.byteOffset;
    this.nonAscii = false;
    let p = this.ws(start);
    if (this.at(p) !== OPEN_BRACE) return false;
    const objectStart = p;
    p = this.pairObject(p);
    if (p === FAIL) return false;
    const objectEnd = p;
    if (this.ws(p) !== this.e) return false;
    return this.finishPair(objectStart, objectEnd);
  }

  /** Decodes ASCII bytes of the current line. */
  private ascii(from: number, to: number): string {
    return this.ops.ascii(this.b, from, to);
  }

  /** Decodes a content of the current line (UTF-8 when the line has multi-byte characters). */
  private text(from: number, to: number): string {
    return this.nonAscii ? utf8Decoder.decode(this.b.subarray(from, to)) : this.ascii(from, to);
  }

  /** The rendered sample (render-pair.ts) of the line accepted last, as strings. */
  private messages(): ChatMessage[] {
    const n = this.historyLength;
    const out: ChatMessage[] = [
      { role: 'system', content: this.text(this.promptStart + 1, this.promptEnd - 1) },
    ];
    for (let i = 0; i < n; i++) {
      out.push({
        role: this.historyRole[i] === U ? 'user' : 'assistant',
        content: this.text(this.historyStart[i], this.historyEnd[i]),
      });
    }
    if (!(n > 0 && this.historyRole[n - 1] === U)) {
      out.push({ role: 'user', content: this.text(this.inputStart + 1, this.inputEnd - 1) });
    }
    out.push({ role: 'assistant', content: this.text(this.targetStart + 1, this.targetEnd - 1) });
    return out;
  }

  /** The byte at `p`, or -1 at or past the end of the line. */
  private at(p: number): number {
    return p < this.e ? this.b[p] : -1;
  }

  private ws(p: number): number {
    const b = this.b;
    const e = this.e;
    while (p < e) {
      const c = b[p];
      if (c === SPACE || c === 9 || c === 13 || c === 10) p++;
      else return p;
    }
    return p;
  }

  /**
   * Scans a string whose opening quote is at `p` that needs no fingerprint: returns the offset
   * of its closing quote, or FAIL for an escape, a control character, a non-ASCII byte or the
   * end of the line.
   */
  private shortString(p: number): number {
    const b = this.b;
    const e = this.e;
    const view = this.view;
    const base = this.viewBase;
    let i = p + 1;
    // Four bytes at a time up to the first that needs a look (see contentFingerprintBytes).
    for (; i + 4 <= e; i += 4) {
      const w = view.getUint32(base + i, true);
      const quote = w ^ 0x22222222;
      const backslash = w ^ 0x5c5c5c5c;
      if (
        ((w & 0x80808080) |
          ((w - 0x20202020) & ~w & 0x80808080) |
          ((quote - 0x01010101) & ~quote & 0x80808080) |
          ((backslash - 0x01010101) & ~backslash & 0x80808080)) !==
        0
      ) {
        break;
      }
    }
    for (; i < e; i++) {
      const c = b[i];
      if (c === QUOTE) return i;
      if (c < 32 || c === BACKSLASH || c > 127) return FAIL;
    }
    return FAIL;
  }

  /** Index of the key `b[from, to)` in `keys`, or -1. */
  private keyIndex(from: number, to: number, keys: readonly Uint8Array[]): number {
    const b = this.b;
    const length = to - from;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== length) continue;
      let j = 0;
      while (j < length && b[from + j] === key[j]) j++;
      if (j === length) return k;
    }
    return -1;
  }

  /** True when `b[from, to)` is `word`. */
  private same(from: number, to: number, word: Uint8Array): boolean {
    const b = this.b;
    if (to - from !== word.length) return false;
    for (let j = 0; j < word.length; j++) if (b[from + j] !== word[j]) return false;
    return true;
  }

  /** True when `b[from, to)` is one of `values`. */
  private oneOf(from: number, to: number, values: readonly Uint8Array[]): boolean {
    return this.keyIndex(from, to, values) >= 0;
  }

  /**
   * Reads `"key" :` at `p` (after whitespace); returns the key's index in `keys` and leaves
   * the key's end in `keyEnd` and the value's start in `valueAt`, or returns -1.
   */
  private keyEnd = 0;
  private valueAt = 0;
  private key(
    p: number,
    keys: readonly Uint8Array[],
    words: readonly Uint32Array[],
    guess: number,
  ): number {
    if (this.at(p) !== QUOTE) return -1;
    let index = -1;
    let close: number;
    // Files write their keys in one order: try the key that followed the previous one last
    // time. A known key is plain ASCII, so matching it bytewise (and its closing quote) is
    // the whole check.
    const guessed = guess >= 0 && guess < keys.length ? keys[guess] : undefined;
    if (guessed !== undefined && this.matches(p + 1, guessed, words[guess])) {
      index = guess;
      close = p + 1 + guessed.length;
    } else {
      close = this.shortString(p);
      if (close === FAIL) return -1;
      index = this.keyIndex(p + 1, close, keys);
      if (index < 0) return -1;
    }
    let q = close + 1;
    if (this.at(q) !== COLON) {
      q = this.ws(q);
      if (this.at(q) !== COLON) return -1;
    }
    q++;
    const c = this.at(q);
    if (c === SPACE || c === 9 || c === 13) q = this.ws(q);
    this.keyEnd = close + 1;
    this.valueAt = q;
    return index;
  }

  /** True when `word` (whose 32-bit words are `words`) followed by a quote is at `from`. */
  private matches(from: number, word: Uint8Array, words: Uint32Array): boolean {
    const b = this.b;
    const n = word.length;
    if (from + n >= this.e || b[from + n] !== QUOTE) return false;
    const view = this.view;
    const at = this.viewBase + from;
    const whole = n & ~3;
    for (let j = 0; j < whole; j += 4)
      if (view.getUint32(at + j, true) !== words[j >> 2]) return false;
    for (let j = whole; j < n; j++) if (b[from + j] !== word[j]) return false;
    return true;
  }

  /**
   * After a member value ending at `p`: returns the offset of the next key (after a comma),
   * or -(offset after the closing brace) - 2 when the object closed, or FAIL.
   */
  private afterMember(p: number, close: number): number {
    let c = this.at(p);
    if (c === SPACE || c === 9 || c === 13) {
      p = this.ws(p);
      c = this.at(p);
    }
    if (c === COMMA) {
      p = this.ws(p + 1);
      return this.at(p) === QUOTE ? p : FAIL;
    }
    if (c === close) return -(p + 1) - 2;
    return FAIL;
  }

  /** A string value that is not blank (only spaces, in an ASCII string without escapes). */
  private nonBlankString(p: number): number {
    if (this.at(p) !== QUOTE) return FAIL;
    const close = this.shortString(p);
    if (close === FAIL || !this.notBlank(p + 1, close)) return FAIL;
    return close + 1;
  }

  private anyString(p: number): number {
    if (this.at(p) !== QUOTE) return FAIL;
    const close = this.shortString(p);
    return close === FAIL ? FAIL : close + 1;
  }

  private notBlank(from: number, to: number): boolean {
    const b = this.b;
    for (let i = from; i < to; i++) if (b[i] !== SPACE) return true;
    return false;
  }

  /** `notBlank` for well-formed UTF-8 bytes: true when a character is not a space trim() removes. */
  private notBlankUtf8(from: number, to: number): boolean {
    const b = this.b;
    for (let i = from; i < to; ) {
      const c = b[i];
      if (c < 128) {
        if (c !== SPACE) return true;
        i++;
        continue;
      }
      const point = utf8CodePoint(b, i, to);
      if (point < 0 || !UNICODE_SPACES.has(point)) return true;
      i += utf8Width(point);
    }
    return false;
  }

  /**
   * A content string at `p`: fingerprinted into contentHi/contentLo; returns the offset after
   * its closing quote, or FAIL (also when it is blank).
   */
  private content(p: number): number {
    const b = this.b;
    if (this.at(p) !== QUOTE) return FAIL;
    const from = p + 1;
    const e = this.e;
    const lengths = this.cacheLength;
    for (let i = 0; i < CACHE_SIZE; i++) {
      // Only clean contents (no quote, backslash, control or non-ASCII byte: checked below)
      // enter the cache. When one is here followed by a quote, that quote closes the string.
      const length = lengths[i];
      const close = from + length;
      if (length <= 0 || close >= e || b[close] !== QUOTE) continue;
      const cached = this.cacheBytes[i];
      // First and last bytes first: they settle most mismatches without a call.
      if (
        cached[0] === b[from] &&
        cached[length - 1] === b[close - 1] &&
        this.equalsLine(this.cacheViews[i], cached, from, length)
      ) {
        this.contentHi = this.cacheHi[i];
        this.contentLo = this.cacheLo[i];
        this.contentUnits = this.cacheUnits[i];
        if (this.contentUnits !== length) this.nonAscii = true;
        return close + 1;
      }
    }
    // One pass finds the closing quote, checks the bytes and fingerprints them.
    const close = contentFingerprintBytes(b, from, e);
    if (close < 0) return FAIL;
    const length = close - from;
    const units = lastContentUnits;
    if (length === 0) return FAIL;
    if (units !== length) {
      // Multi-byte characters: blank only if every character is a space trim() removes.
      if ((b[from] < 33 || b[from] > 126) && !this.notBlankUtf8(from, close)) return FAIL;
      this.nonAscii = true;
    } else if (b[from] === SPACE && !this.notBlank(from, close)) {
      return FAIL;
    }
    this.contentHi = lastFingerprint.hi;
    this.contentLo = lastFingerprint.lo;
    this.contentUnits = units;
    const slot = this.cacheNext;
    this.cacheNext = slot + 1 === CACHE_SIZE ? 0 : slot + 1;
    let store = this.cacheBytes[slot];
    if (store.length < length) {
      store = new Uint8Array(Math.max(length, store.length * 2));
      this.cacheBytes[slot] = store;
      this.cacheViews[slot] = new DataView(store.buffer);
    }
    this.copyFromLine(this.cacheViews[slot], store, from, length);
    lengths[slot] = length;
    this.cacheUnits[slot] = units;
    this.cacheHi[slot] = this.contentHi;
    this.cacheLo[slot] = this.contentLo;
    return close + 1;
  }

  /**
   * True when `stored[0, length)` (whose DataView is `view`) equals the line's bytes
   * `b[from, from + length)`. Four bytes per step in JavaScript: for the few hundred bytes of a
   * message this beats a call into native code, whose fixed cost is that of ~100 bytes here.
   */
  private equalsLine(
    view: DataView,
    stored: Uint8Array,
    from: number,
    length: number,
    storedAt = 0,
  ): boolean {
    const line = this.view;
    const at = this.viewBase + from - storedAt;
    const whole = storedAt + (length & ~3);
    for (let j = storedAt; j < whole; j += 4) {
      if (view.getInt32(j, true) !== line.getInt32(at + j, true)) return false;
    }
    const b = this.b;
    const end = storedAt + length;
    for (let j = whole; j < end; j++) if (stored[j] !== b[from - storedAt + j]) return false;
    return true;
  }

  /** Copies the line's bytes `b[from, from + length)` to `stored` (DataView `view`) at 0. */
  private copyFromLine(
    view: DataView,
    stored: Uint8Array,
    from: number,
    length: number,
    storedAt = 0,
  ): void {
    const line = this.view;
    const at = this.viewBase + from - storedAt;
    const whole = storedAt + (length & ~3);
    for (let j = storedAt; j < whole; j += 4) view.setInt32(j, line.getInt32(at + j, true), true);
    const b = this.b;
    const end = storedAt + length;
    for (let j = whole; j < end; j++) stored[j] = b[from - storedAt + j];
  }

  /**
   * A JSON number at `p` without an exponent and with at most 15 digits; its value (the same
   * double parse-line computes) goes to `number`. Returns the offset after it, or FAIL.
   */
  private numberAt(p: number): number {
    let i = p;
    let c = this.at(i);
    const negative = c === 45;
    if (negative) c = this.at(++i);
    let mantissa = 0;
    let digits = 0;
    if (c === 48) {
      c = this.at(++i);
      digits = 1;
      if (c >= 48 && c <= 57) return FAIL;
    } else if (c >= 49 && c <= 57) {
      do {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        c = this.at(++i);
      } while (c >= 48 && c <= 57);
    } else {
      return FAIL;
    }
    let fraction = 0;
    if (c === 46) {
      c = this.at(++i);
      if (!(c >= 48 && c <= 57)) return FAIL;
      do {
        mantissa = mantissa * 10 + (c - 48);
        fraction++;
        c = this.at(++i);
      } while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69 || digits + fraction > 15) return FAIL;
    const magnitude = fraction === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fraction];
    this.number = negative ? -magnitude : magnitude;
    return i;
  }

  /** A number in [min, max]. */
  private numberIn(p: number, min: number, max: number): number {
    const q = this.numberAt(p);
    if (q === FAIL || this.number < min || this.number > max) return FAIL;
    return q;
  }

  /** An integer ≥ min (Number.isInteger, as the full path: 2.0 is an integer). */
  private integerAt(p: number, min: number): number {
    const q = this.numberAt(p);
    if (q === FAIL || !Number.isInteger(this.number) || this.number < min) return FAIL;
    return q;
  }

  private literal(p: number, word: readonly number[]): number {
    const b = this.b;
    if (p + word.length > this.e) return FAIL;
    for (let j = 0; j < word.length; j++) if (b[p + j] !== word[j]) return FAIL;
    return p + word.length;
  }

  private boolean(p: number): number {
    const c = this.at(p);
    if (c === 116) return this.literal(p, TRUE);
    if (c === 102) return this.literal(p, FALSE);
    return FAIL;
  }

  /** The top-level object at `p` (its `{`); returns the offset after its `}`. */
  private pairObject(p: number): number {
    let seen = 0;
    const order = this.pairOrder;
    let previous = -1;
    this.hasConversationTurn = false;
    this.metadataStart = -1;
    this.historyLength = 0;
    const facts = this.facts;
    p = this.ws(p + 1);
    if (this.at(p) === CLOSE_BRACE) return FAIL;
    for (;;) {
      const k = this.key(p, PAIR_KEYS, PAIR_WORDS, order[previous + 1]);
      if (k < 0 || (seen & (1 << k)) !== 0) return FAIL;
      order[previous + 1] = k;
      previous = k;
      seen |= 1 << k;
      const v = this.valueAt;
      let q: number;
      switch (k) {
        case K_ID:
          q = this.nonBlankString(v);
          this.idStart = v;
          this.idEnd = q;
          break;
        case K_CONVERSATION_ID:
          q = this.nonBlankString(v);
          this.conversationStart = v;
          this.conversationEnd = q;
          break;
        case K_TURN_NUMBER:
          q = this.integerAt(v, 1);
          if (q === FAIL || this.number > MAX_TURN) return FAIL;
          facts.turn = this.number;
          facts.turnStart = v - this.base;
          facts.turnEnd = q - this.base;
          break;
        case K_SYSTEM_PROMPT:
          q = this.content(v);
          // BRL027 counts UTF-16 units, as String.length does.
          if (q === FAIL || this.contentUnits < SHORT_SYSTEM_PROMPT) return FAIL;
          this.promptNonAscii = this.contentUnits !== q - v - 2;
          this.promptStart = v;
          this.promptEnd = q;
          this.promptHi = this.contentHi;
          this.promptLo = this.contentLo;
          break;
        case K_HISTORY:
          q = this.history(v);
          break;
        case K_CURRENT_USER_INPUT:
          q = this.content(v);
          this.inputStart = v;
          this.inputEnd = q;
          this.inputHi = this.contentHi;
          this.inputLo = this.contentLo;
          break;
        case K_TARGET_RESPONSE:
          q = this.content(v);
          this.targetStart = v;
          this.targetEnd = q;
          this.targetHi = this.contentHi;
          this.targetLo = this.contentLo;
          break;
        case K_METADATA:
          q = this.metadata(v);
          break;
        case K_EMOTIONAL_CONTEXT:
          q = this.emotionalContext(v);
          break;
        case K_TRAINING_METADATA:
          q = this.trainingMetadata(v);
          break;
        default:
          return FAIL;
      }
      if (q === FAIL) return FAIL;
      const next = this.afterMember(q, CLOSE_BRACE);
      if (next === FAIL) return FAIL;
      if (next < 0) {
        if ((seen & REQUIRED_PAIR_KEYS) !== REQUIRED_PAIR_KEYS) return FAIL;
        return -(next + 2);
      }
      p = next;
    }
  }

  /** `conversation_history`: turns numbered 1..n, roles alternating from user. */
  private history(p: number): number {
    if (this.at(p) !== OPEN_BRACKET) return FAIL;
    p = this.ws(p + 1);
    if (this.at(p) === CLOSE_BRACKET) return p + 1;
    let n = 0;
    for (;;) {
      if (n === MAX_HISTORY) return FAIL;
      p = this.turn(p, n);
      if (p === FAIL) return FAIL;
      n++;
      p = this.ws(p);
      const c = this.at(p);
      if (c === CLOSE_BRACKET) {
        this.historyLength = n;
        return p + 1;
      }
      if (c !== COMMA) return FAIL;
      p = this.ws(p + 1);
    }
  }

  /** History turn `i` at `p`. */
  private turn(p: number, i: number): number {
    if (this.at(p) !== OPEN_BRACE) return FAIL;
    p = this.ws(p + 1);
    let seen = 0;
    const order = this.turnOrder;
    let previous = -1;
    for (;;) {
      const k = this.key(p, TURN_KEYS, TURN_WORDS, order[previous + 1]);
      if (k < 0 || (seen & (1 << k)) !== 0) return FAIL;
      order[previous + 1] = k;
      previous = k;
      seen |= 1 << k;
      const v = this.valueAt;
      let q: number;
      if (k === 0) {
        q = this.integerAt(v, 1);
        if (q !== FAIL && this.number !== i + 1) return FAIL;
      } else if (k === 1) {
        if (this.at(v) !== QUOTE) return FAIL;
        const close = this.shortString(v);
        if (close === FAIL) return FAIL;
        // user first, then alternating.
        const expected =
          i === 0 ? ROLE_USER : this.historyRole[i - 1] === U ? ROLE_ASSISTANT : ROLE_USER;
        if (!this.same(v + 1, close, expected)) return FAIL;
        this.historyRole[i] = expected[0];
        q = close + 1;
      } else if (k === 2) {
        q = this.content(v);
        this.historyHi[i] = this.contentHi;
        this.historyLo[i] = this.contentLo;
        this.historyStart[i] = v + 1;
        this.historyEnd[i] = q - 1;
        this.lastHistoryStart = v;
        this.lastHistoryEnd = q;
      } else {
        q = this.emotionalState(v);
      }
      if (q === FAIL) return FAIL;
      const next = this.afterMember(q, CLOSE_BRACE);
      if (next === FAIL) return FAIL;
      if (next < 0) return (seen & REQUIRED_TURN_KEYS) === REQUIRED_TURN_KEYS ? -(next + 2) : FAIL;
      p = next;
    }
  }

  /** Generic loop over an object of known keys; `member` checks one value. */
  private object(
    p: number,
    keys: readonly Uint8Array[],
    words: readonly Uint32Array[],
    order: Int8Array,
    required: number,
    member: (k: number, v: number) => number,
  ): number {
    if (this.at(p) !== OPEN_BRACE) return FAIL;
    p = this.ws(p + 1);
    if (this.at(p) === CLOSE_BRACE) return required === 0 ? p + 1 : FAIL;
    let seen = 0;
    let previous = -1;
    for (;;) {
      const k = this.key(p, keys, words, order[previous + 1]);
      if (k < 0 || (seen & (1 << k)) !== 0) return FAIL;
      order[previous + 1] = k;
      previous = k;
      seen |= 1 << k;
      const q = member(k, this.valueAt);
      if (q === FAIL) return FAIL;
      const next = this.afterMember(q, CLOSE_BRACE);
      if (next === FAIL) return FAIL;
      if (next < 0) return (seen & required) === required ? -(next + 2) : FAIL;
      p = next;
    }
  }

  private readonly stateMember = (k: number, v: number): number => {
    if (k === 0) return this.nonBlankString(v);
    if (k === 1) return this.anyString(v);
    return this.numberIn(v, 0, 1);
  };

  private emotionalState(p: number): number {
    return this.object(
      p,
      STATE_KEYS,
      STATE_WORDS,
      this.stateOrder,
      REQUIRED_STATE_KEYS,
      this.stateMember,
    );
  }

  private readonly metadataMember = (k: number, v: number): number => {
    if (this.at(v) !== QUOTE) return FAIL;
    const close = this.shortString(v);
    if (close === FAIL) return FAIL;
    const known =
      k === SLOT_CONVERSATION_PHASE
        ? KNOWN_PHASES
        : k === SLOT_EMOTIONAL_ARC_KEY
          ? KNOWN_ARC_KEYS
          : k === SLOT_PERSONA_ARCHETYPE
            ? KNOWN_ARCHETYPES
            : undefined;
    if (known !== undefined && !this.oneOf(v + 1, close, known)) return FAIL;
    // The key's quotes: keyEnd is after its closing quote, and the key has no escapes.
    this.slotKey[k] = this.keyEnd - METADATA_KEYS[k].length - 2;
    this.slotValueStart[k] = v;
    this.slotValueEnd[k] = close + 1;
    return close + 1;
  };

  private metadata(p: number): number {
    this.slotValueStart.fill(-1);
    const q = this.object(
      p,
      METADATA_KEYS,
      METADATA_WORDS,
      this.metadataOrder,
      0,
      this.metadataMember,
    );
    if (q === FAIL) return FAIL;
    this.metadataStart = p;
    this.metadataEnd = q;
    return q;
  }

  private readonly emotionMember = (k: number, v: number): number => {
    switch (k) {
      case 0:
        return this.nonBlankString(v);
      case 1:
        return this.anyString(v);
      case 5: {
        if (this.at(v) !== QUOTE) return FAIL;
        const close = this.shortString(v);
        if (close === FAIL || !this.oneOf(v + 1, close, KNOWN_VALENCES)) return FAIL;
        return close + 1;
      }
      default:
        return this.numberIn(v, 0, 1);
    }
  };

  private readonly contextMember = (_k: number, v: number): number =>
    this.object(
      v,
      EMOTION_KEYS,
      EMOTION_WORDS,
      this.emotionOrder,
      REQUIRED_EMOTION_KEYS,
      this.emotionMember,
    );

  private emotionalContext(p: number): number {
    return this.object(p, CONTEXT_KEYS, CONTEXT_WORDS, this.contextOrder, 1, this.contextMember);
  }

  private readonly criteriaMember = (_k: number, v: number): number => this.numberIn(v, 1, 5);

  private readonly trainingMember = (k: number, v: number): number => {
    switch (k) {
      case 0:
      case 1:
      case 2:
        return this.anyString(v);
      case 3:
        return this.stringArray(v);
      case 4: {
        const q = this.integerAt(v, -Infinity);
        if (q !== FAIL) {
          this.conversationTurn = this.number;
          this.hasConversationTurn = true;
        }
        return q;
      }
      case 5: {
        const q = this.numberIn(v, 1, 5);
        return q !== FAIL && this.number < LOW_QUALITY_SCORE ? FAIL : q;
      }
      case 6:
        return this.object(
          v,
          CRITERIA_KEYS,
          CRITERIA_WORDS,
          this.criteriaOrder,
          0,
          this.criteriaMember,
        );
      case 7:
      case 8:
        return this.boolean(v);
      case 9:
        return this.at(v) === 110 ? this.literal(v, NULL) : this.anyString(v);
      default:
        return this.integerAt(v, 0);
    }
  };

  private trainingMetadata(p: number): number {
    return this.object(
      p,
      TRAINING_KEYS,
      TRAINING_WORDS,
      this.trainingOrder,
      0,
      this.trainingMember,
    );
  }

  private stringArray(p: number): number {
    if (this.at(p) !== OPEN_BRACKET) return FAIL;
    p = this.ws(p + 1);
    if (this.at(p) === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = this.anyString(p);
      if (p === FAIL) return FAIL;
      p = this.ws(p);
      const c = this.at(p);
      if (c === CLOSE_BRACKET) return p + 1;
      if (c !== COMMA) return FAIL;
      p = this.ws(p + 1);
    }
  }

  /** The rules between fields, then the keys and the sample of an accepted line. */
  private finishPair(objectStart: number, objectEnd: number): boolean {
    const facts = this.facts;
    const n = this.historyLength;
    // BRL032: the history holds every earlier turn.
    if (n !== facts.turn - 1) return false;
    // BRL038.
    if (this.hasConversationTurn && this.conversationTurn !== facts.turn) return false;
    // BRL034: a history ending with a user turn repeats current_user_input.
    const endsWithUser = n > 0 && this.historyRole[n - 1] === U;
    if (endsWithUser) {
      const length = this.inputEnd - this.inputStart;
      if (
        this.lastHistoryEnd - this.lastHistoryStart !== length ||
        !this.ops.equal(this.b, this.lastHistoryStart, this.b, this.inputStart, length)
      ) {
        return false;
      }
    }
    const base = this.base;
    facts.start = objectStart - base;
    facts.end = objectEnd - base;
    facts.idStart = this.idStart - base;
    facts.idEnd = this.idEnd - base;
    facts.contextStart = this.promptStart - base;
    facts.contextEnd = this.promptEnd - base;
    if (this.nonAscii) this.toColumns();
    fingerprintBytes(this.b, this.idStart + 1, this.idEnd - 1);
    facts.idHi = lastFingerprint.hi;
    facts.idLo = lastFingerprint.lo;
    fingerprintBytes(this.b, this.conversationStart + 1, this.conversationEnd - 1);
    facts.conversationHi = lastFingerprint.hi;
    facts.conversationLo = lastFingerprint.lo;
    facts.contextHash = this.contextHash();

    // The rendered sample (render-pair.ts): system, history, the input unless the history
    // already ends with it, the target.
    const chain = this.chain;
    chain.begin();
    chain.sample();
    chain.message(S, this.promptHi, this.promptLo);
    for (let i = 0; i < n; i++)
      chain.message(this.historyRole[i], this.historyHi[i], this.historyLo[i]);
    if (!endsWithUser) chain.message(U, this.inputHi, this.inputLo);
    chain.message(A, this.targetHi, this.targetLo);
    chain.end();
    facts.sampleHi = keyFingerprint.hi;
    facts.sampleLo = keyFingerprint.lo;
    facts.turns = n + (endsWithUser ? 0 : 1) + 1;
    return true;
  }

  /**
   * Turns the facts' byte offsets into UTF-16 columns, for a line whose contents hold
   * multi-byte characters: every continuation byte is one unit fewer than its byte, and a
   * four-byte sequence (two units) one more. One walk over the line, in order of offset, that
   * skips four ASCII bytes at a time.
   */
  private toColumns(): void {
    const f = this.facts;
    const offsets = this.columnOffsets;
    offsets[0] = f.start;
    offsets[1] = f.end;
    offsets[2] = f.idStart;
    offsets[3] = f.idEnd;
    offsets[4] = f.turnStart;
    offsets[5] = f.turnEnd;
    offsets[6] = f.contextStart;
    offsets[7] = f.contextEnd;
    const order = this.columnOrder;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j > 0 && offsets[order[j - 1]] > offsets[i]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    const b = this.b;
    const view = this.view;
    const at = this.viewBase + this.base;
    const base = this.base;
    let p = 0;
    let fewer = 0;
    for (let k = 0; k < 8; k++) {
      const target = offsets[order[k]];
      while (p < target) {
        if (p + 4 <= target && (view.getUint32(at + p, true) & 0x80808080) === 0) {
          p += 4;
          continue;
        }
        const c = b[base + p];
        if (c >= 0x80) fewer += (c & 0xc0) === 0x80 ? 1 : c >= 0xf0 ? -1 : 0;
        p++;
      }
      offsets[order[k]] = target - fewer;
    }
    f.start = offsets[0];
    f.end = offsets[1];
    f.idStart = offsets[2];
    f.idEnd = offsets[3];
    f.turnStart = offsets[4];
    f.turnEnd = offsets[5];
    f.contextStart = offsets[6];
    f.contextEnd = offsets[7];
  }

  /**
   * The low half of the `contentFingerprint` of the canonical `{conversation_metadata,
   * system_prompt}` text (conversation-context.ts), the hash BRL035 compares (the CLI's checker
   * and the language server compute the same from the text). A line of the same conversation
   * repeats it: it is reused while the metadata's bytes and the prompt's fingerprint (hashed
   * already as a content) equal the previous line's.
   */
  private contextHash(): number {
    const b = this.b;
    const metadataLength = this.metadataStart < 0 ? -1 : this.metadataEnd - this.metadataStart;
    if (
      metadataLength === this.lastMetadataLength &&
      this.promptHi === this.lastPromptHi &&
      this.promptLo === this.lastPromptLo &&
      this.promptEnd - this.promptStart === this.lastPromptLength &&
      (metadataLength < 0 ||
        this.equalsLine(
          this.lastMetadataView,
          this.lastMetadata,
          this.metadataStart,
          metadataLength,
        ))
    ) {
      return this.lastContextHash;
    }
    const stream = this.stream;
    stream.reset();
    if (this.metadataStart >= 0) {
      stream.text('{"conversation_metadata":{');
      let first = true;
      for (let k = 0; k < METADATA_KEYS.length; k++) {
        const valueStart = this.slotValueStart[k];
        if (valueStart < 0) continue;
        if (!first) stream.text(',');
        first = false;
        const keyStart = this.slotKey[k];
        stream.bytes(b, keyStart, keyStart + METADATA_KEYS[k].length + 2);
        stream.text(':');
        stream.bytes(b, valueStart, this.slotValueEnd[k]);
      }
      stream.text('},"system_prompt":');
    } else {
      stream.text('{"system_prompt":');
    }
    if (this.promptNonAscii) stream.utf8(b, this.promptStart, this.promptEnd);
    else stream.bytes(b, this.promptStart, this.promptEnd);
    stream.text('}');
    stream.finish();
    if (metadataLength > 0) {
      if (this.lastMetadata.length < metadataLength) {
        this.lastMetadata = new Uint8Array(metadataLength * 2);
        this.lastMetadataView = new DataView(this.lastMetadata.buffer);
      }
      this.copyFromLine(
        this.lastMetadataView,
        this.lastMetadata,
        this.metadataStart,
        metadataLength,
      );
    }
    this.lastMetadataLength = metadataLength;
    this.lastPromptHi = this.promptHi;
    this.lastPromptLo = this.promptLo;
    this.lastPromptLength = this.promptEnd - this.promptStart;
    this.lastContextHash = lastFingerprint.lo;
    return this.lastContextHash;
  }
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];
