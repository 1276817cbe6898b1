/**
 * Seeded random inputs for the parser fuzz test: JSON values, their serialisations, mutations
 * of those and plain garbage. A fixed seed keeps every failure reproducible.
 */

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Fuzzer {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  int(limit: number): number {
    return Math.floor(this.random() * limit);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** Characters that make strings interesting: escapes, unicode, surrogates, controls. */
  private static readonly STRING_CHARS = [
    'a',
    'b',
    'Z',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    '\r',
    '\b',
    '\f',
    '\u0000',
    '\u001f',
    '\u007f',
    'é',
    'ß',
    '€',
    '\u2028',
    '\u2029',
    '\ufeff',
    '😀',
    '\ud800',
    '\udc00',
    '\udbff',
    '\udfff',
    '中',
    '__proto__',
    'constructor',
    '0',
    'a long run of plain ascii text '.repeat(4),
  ];

  string(): string {
    let out = '';
    const length = this.int(8);
    for (let i = 0; i < length; i++) out += this.pick(Fuzzer.STRING_CHARS);
    return out;
  }

  number(): number {
    switch (this.int(7)) {
      case 0:
        return this.int(10);
      case 1:
        return -this.int(1_000_000);
      case 2:
        return (this.random() - 0.5) * 10 ** this.int(40);
      case 3:
        return this.pick([0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53 + 1, 0.1]);
      case 4:
        return this.int(2 ** 31) * 2 ** 22;
      default:
        return this.random() * 1000;
    }
  }

  value(depth: number): unknown {
    const kind = this.int(depth <= 0 ? 4 : 7);
    switch (kind) {
      case 0:
        return this.string();
      case 1:
        return this.number();
      case 2:
        return this.pick([true, false, null]);
      case 3:
        return this.string();
      case 4: {
        const items: unknown[] = [];
        const length = this.int(5);
        for (let i = 0; i < length; i++) items.push(this.value(depth - 1));
        return items;
      }
      default: {
        // Build objects as text pieces so duplicate keys and __proto__ survive.
        const object: Record<string, unknown> = {};
        const length = this.int(5);
        for (let i = 0; i < length; i++) {
          Object.defineProperty(
            object,
            this.chance(0.3) ? this.pick(['a', 'b', '__proto__']) : this.string(),
            {
              value: this.value(depth - 1),
              enumerable: true,
              configurable: true,
              writable: true,
            },
          );
        }
        return object;
      }
    }
  }

  /** A JSON text for a random value, with random whitespace and sometimes duplicate keys. */
  json(): string {
    const text = JSON.stringify(
      this.value(4),
      null,
      this.chance(0.2) ? this.pick([1, '\t', ' \r\n']) : undefined,
    );
    let out = text;
    if (this.chance(0.2)) out = out.replace(/\{"/, '{"dup":1,"dup":2,"');
    if (this.chance(0.2))
      out = this.pick([' ', '\t', '\r', '\n ']) + out + this.pick([' ', '\r', '\t\t']);
    if (this.chance(0.1))
      out = out.replace(/[0-9]+/, (digits) =>
        this.pick(['-0', '0e5', '1E+2', '0.5e-3', '-12.25E0', digits]),
      );
    return out;
  }

  private static readonly MUTATION_CHARS = [
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '"',
    "'",
    '\\',
    '/',
    '0',
    '1',
    '9',
    '-',
    '+',
    '.',
    'e',
    'E',
    't',
    'r',
    'u',
    'f',
    'a',
    'l',
    's',
    'n',
    'x',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u001f',
    '\u00a0',
    'é',
    '\u2028',
    '\ufeff',
    '\ud800',
    '\udc00',
    '😀',
    'true',
    'null',
    '\\u',
    '\\ud83d',
    '\\ude00',
    '\\uD800',
    'ABCD',
  ];

  /** Inserts, deletes or replaces a few characters. */
  mutate(text: string): string {
    let out = text;
    const count = 1 + this.int(3);
    for (let k = 0; k < count; k++) {
      const at = this.int(out.length + 1);
      switch (this.int(3)) {
        case 0:
          out = out.slice(0, at) + this.pick(Fuzzer.MUTATION_CHARS) + out.slice(at);
          break;
        case 1:
          out = out.slice(0, at) + out.slice(at + 1 + this.int(2));
          break;
        default:
          out = out.slice(0, at) + this.pick(Fuzzer.MUTATION_CHARS) + out.slice(at + 1);
      }
    }
    return out;
  }

  garbage(): string {
    let out = '';
    const length = this.int(12);
    for (let i = 0; i < length; i++) out += this.pick(Fuzzer.MUTATION_CHARS);
    return out;
  }
}
