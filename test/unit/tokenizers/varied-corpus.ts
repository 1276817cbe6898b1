/**
 * A deterministic corpus of awkward strings for tokenizer equality tests: words, numbers, code,
 * whitespace runs, newlines, accents, CJK, RTL scripts, emoji (with ZWJ and skin tones), combining
 * marks, literal '▁', lone surrogates, and long runs without spaces (the merger's heap path).
 */
const PIECES = [
  'the',
  'quick',
  'brown',
  'fox',
  'I',
  "I'm",
  'feeling',
  'overwhelmed',
  'about',
  'budget',
  'retirement',
  'savings',
  'mortgage',
  'anxiety',
  'grabbed',
  'Hello',
  'world',
  'naïve',
  'café',
  'résumé',
  'Straße',
  'œuvre',
  'ÅÄÖ',
  'добрый',
  'день',
  'Привет',
  'مرحبا',
  'שלום',
  'नमस्ते',
  '日本語',
  '中文字符',
  '镇',
  '한국어',
  'ไทย',
  'Ꙋ',
  '🦙',
  '🙂',
  '👍🏽',
  '👨‍👩‍👧',
  '🇫🇷',
  'e\u0301',
  '\u2581',
  '\u2581\u2581',
  '0',
  '42',
  '3.14159',
  '$1,250.00',
  '2024-05-01',
  '100%',
  '1e-9',
  '0x1F',
  '#',
  '####',
  '--',
  '...',
  '?!',
  '“quoted”',
  '«guillemets»',
  '—',
  '–',
  '•',
  '(',
  ')',
  '{',
  '}',
  '[INST]',
  '[/INST]',
  '<s>',
  '</s>',
  '<0x0A>',
  '<|eot_id|>',
  'http://example.com/a?b=c',
  'function f(x) { return x * 2; }',
  'const a = [1, 2, 3];',
  'if (a && b) {',
  '\tindented',
  'snake_case_name',
  'camelCaseName',
  'SCREAMING',
  'https://brightrun.ai',
  'user@example.org',
  '\u00a0',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'x\ud83d',
];
const SEPARATORS = [
  ' ',
  ' ',
  ' ',
  ' ',
  '  ',
  '   ',
  '\n',
  '\n\n',
  '\r\n',
  '\t',
  ' \n ',
  '',
  '    ',
];

/** A small linear congruential generator: the same corpus on every run and every platform. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function variedCorpus(count: number, seed = 7): string[] {
  const rnd = lcg(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const mode = i % 10;
    let s = '';
    if (mode === 0) {
      // Long runs without spaces take the heap path of the merger.
      const unit = pick(PIECES);
      s = unit.repeat(10 + Math.floor(rnd() * 40));
    } else if (mode === 1) {
      s = pick(SEPARATORS) + pick(PIECES) + pick(SEPARATORS);
    } else if (mode === 2) {
      for (let j = 0; j < 60; j++) s += String.fromCharCode(32 + Math.floor(rnd() * 95));
    } else if (mode === 3) {
      for (let j = 0; j < 40; j++) s += String.fromCodePoint(0xa0 + Math.floor(rnd() * 0x3000));
    } else {
      const words = 3 + Math.floor(rnd() * 60);
      for (let j = 0; j < words; j++) s += pick(PIECES) + pick(SEPARATORS);
    }
    out.push(s);
  }
  return out;
}

/**
 * Unspaced runs of one script (CJK, kana, Hangul, Cyrillic, Arabic, Devanagari, emoji): long
 * pieces of multi-byte characters, where byte fallback and merge order matter most.
 */
export function scriptRuns(count: number, seed = 3): string[] {
  const rnd = lcg(seed);
  const ranges: [number, number][] = [
    [0x4e00, 0x9fff],
    [0x3040, 0x30ff],
    [0xac00, 0xd7a3],
    [0x0400, 0x04ff],
    [0x0600, 0x06ff],
    [0x0900, 0x097f],
    [0x1f300, 0x1f64f],
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const [lo, hi] = ranges[i % ranges.length];
    let s = '';
    const n = 2 + Math.floor(rnd() * 40);
    for (let j = 0; j < n; j++) s += String.fromCodePoint(lo + Math.floor(rnd() * (hi - lo)));
    out.push(s);
  }
  return out;
}
