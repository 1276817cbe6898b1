/**
 * Synthetic brightrun_lora_v4 conversations for benchmarks: long system prompts shared by many
 * conversations, 3–6 turns each, and each turn's line repeating every earlier turn in its history
 * (as real v4 files do). Text is pseudo-English over ~8,000 Zipf-distributed invented words plus
 * numbers, punctuation and the odd emoji, so word caches see a realistic spread of hits.
 */
import type { ChatMessage } from '../common/engine/shape.ts';

export interface V4Line {
  /** The JSONL line as a v4 file would hold it. */
  json: string;
  /** The sample rendered as chat messages (dataset-format.md §2). */
  messages: ChatMessage[];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const SYLLABLES =
  'ba be bi bo bu ca co cu da de di do fa fe fi fo ga ge go ha he hi ho ja jo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi ya yo za ze zi zo an en in on un ar er ir or ur st th ch sh'.split(
    ' ',
  );

export function v4LikeLines(conversations: number, seed = 1): V4Line[] {
  const rnd = lcg(seed);
  const words: string[] = [
    'the',
    'and',
    'to',
    'of',
    'a',
    'I',
    'you',
    'it',
    'is',
    'that',
    'in',
    'my',
    'for',
    'we',
    'your',
    'with',
    'this',
    'can',
    'about',
    'money',
  ];
  while (words.length < 8000) {
    let w = '';
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    words.push(w);
  }
  // Zipf-like: index ~ exp(u·ln N), so low indexes are much more frequent.
  const word = (): string => words[Math.floor(Math.exp(rnd() * Math.log(words.length))) - 1];
  const sentence = (): string => {
    const n = 6 + Math.floor(rnd() * 18);
    let s = '';
    for (let i = 0; i < n; i++) {
      let w = word();
      if (i === 0) w = w[0].toUpperCase() + w.slice(1);
      if (rnd() < 0.03) w = String(Math.floor(rnd() * 5000));
      if (rnd() < 0.06) w += ',';
      s += (i ? ' ' : '') + w;
    }
    return s + (rnd() < 0.8 ? '.' : rnd() < 0.5 ? '?' : '! 🙂');
  };
  const paragraph = (sentences: number): string => {
    let p = '';
    for (let i = 0; i < sentences; i++) p += (i ? (rnd() < 0.15 ? '\n\n' : ' ') : '') + sentence();
    return p;
  };
  const systemPrompts = Array.from({ length: 8 }, () => paragraph(14));
  const lines: V4Line[] = [];
  for (let c = 0; c < conversations; c++) {
    const conversationId = `conv-${c}`;
    const system = systemPrompts[c % systemPrompts.length];
    const history: { turn: number; role: 'user' | 'assistant'; content: string }[] = [];
    const turns = 3 + Math.floor(rnd() * 4);
    for (let t = 1; t <= turns; t++) {
      const user = paragraph(1 + Math.floor(rnd() * 4));
      const target = paragraph(3 + Math.floor(rnd() * 6));
      const json = JSON.stringify({
        id: `template_turn${t}_${(c * 16 + t).toString(16).padStart(8, '0')}`,
        conversation_id: conversationId,
        turn_number: t,
        system_prompt: system,
        conversation_history: history,
        current_user_input: user,
        target_response: target,
      });
      const messages: ChatMessage[] = [
        { role: 'system', content: system },
        ...history.map((h) => ({ role: h.role, content: h.content })),
        { role: 'user', content: user },
        { role: 'assistant', content: target },
      ];
      lines.push({ json, messages });
      history.push({ turn: 2 * t - 1, role: 'user', content: user });
      history.push({ turn: 2 * t, role: 'assistant', content: target });
    }
  }
  return lines;
}
