/**
 * Vocabularies: tokens ↔ ids, with the special tokens first, built from token counts with a
 * minimum frequency and a maximum size (torchtext's `build_vocab_from_iterator` rules).
 */
import { ValueError } from '../errors.js';

/** The special tokens a tokenizer knows, by role. */
export interface SpecialTokens {
  pad: string;
  unk: string;
  cls: string;
  sep: string;
  mask: string;
}

/**
 * BERT's special tokens. A new vocabulary numbers them 0–4 in this order, so [PAD] is id 0.
 *
 * @example
 * ```ts
 * DEFAULT_SPECIAL_TOKENS.pad; // '[PAD]'
 * ```
 */
export const DEFAULT_SPECIAL_TOKENS: Readonly<SpecialTokens> = Object.freeze({
  pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]',
});

/**
 * The special tokens with `given` overriding the defaults.
 *
 * @example
 * ```ts
 * specialTokens({ unk: '<unk>' }).unk; // '<unk>'
 * ```
 */
export function specialTokens(given: Partial<SpecialTokens> = {}): SpecialTokens {
  return { ...DEFAULT_SPECIAL_TOKENS, ...given };
}

/**
 * The special token strings in id order (pad, unk, cls, sep, mask), without duplicates.
 *
 * @example
 * ```ts
 * specialList(specialTokens()); // ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
 * ```
 */
export function specialList(s: SpecialTokens): string[] {
  return [...new Set([s.pad, s.unk, s.cls, s.sep, s.mask])];
}

/** Options of `Vocabulary.fromCounts`. */
export interface VocabularyOptions {
  /** Tokens seen fewer times are left out. Default 1. */
  minFreq?: number;
  /** Largest vocabulary, special tokens included. Default unlimited. */
  maxSize?: number;
  /** Tokens placed first, in this order (ids 0, 1, …). Default none. */
  specials?: readonly string[];
}

/**
 * An ordered list of distinct tokens; a token's id is its position.
 *
 * @example
 * ```ts
 * const counts = Vocabulary.count([['a', 'b', 'a'], ['c', 'a']]);
 * const vocab = Vocabulary.fromCounts(counts, { specials: ['[PAD]', '[UNK]'], minFreq: 1 });
 * vocab.tokens; // ['[PAD]', '[UNK]', 'a', 'b', 'c']
 * vocab.id('a'); // 2
 * ```
 */
export class Vocabulary {
  private readonly ids: Map<string, number>;

  constructor(readonly tokens: readonly string[]) {
    this.ids = new Map();
    tokens.forEach((t, i) => {
      if (this.ids.has(t)) throw new ValueError('Vocabulary', `token '${t}' appears twice (ids ${this.ids.get(t)} and ${i})`);
      this.ids.set(t, i);
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, or undefined. */
  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The token with id `id`, or undefined. */
  token(id: number): string | undefined {
    return this.tokens[id];
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Token → id as a plain object (the `vocab` field of tokenizer.json). */
  toObject(): Record<string, number> {
    return Object.fromEntries(this.ids);
  }

  /**
   * A vocabulary from a `{ token: id }` object; ids must be exactly 0 … n-1.
   * @throws ValueError naming the first missing or repeated id.
   */
  static fromObject(vocab: Record<string, number>, op = 'Vocabulary.fromObject'): Vocabulary {
    const tokens: string[] = [];
    for (const [t, id] of Object.entries(vocab)) {
      if (!Number.isInteger(id) || id < 0) throw new ValueError(op, `token '${t}' has an invalid id ${String(id)}`);
      if (tokens[id] !== undefined) throw new ValueError(op, `id ${id} is used by both '${tokens[id]}' and '${t}'`);
      tokens[id] = t;
    }
    for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) throw new ValueError(op, `no token has id ${i}`);
    return new Vocabulary(tokens);
  }

  /** Counts tokens over sequences of tokens. */
  static count(sequences: Iterable<Iterable<string>>, into: Map<string, number> = new Map()): Map<string, number> {
    for (const seq of sequences) for (const t of seq) into.set(t, (into.get(t) ?? 0) + 1);
    return into;
  }

  /**
   * Specials first, then tokens by decreasing count, ties in code-unit order of the token
   * (deterministic, as torchtext), keeping those seen at least `minFreq` times, up to `maxSize`.
   */
  static fromCounts(counts: ReadonlyMap<string, number>, opts: VocabularyOptions = {}): Vocabulary {
    const minFreq = opts.minFreq ?? 1;
    const specials = opts.specials ?? [];
    const maxSize = opts.maxSize ?? Infinity;
    if (!(minFreq >= 1)) throw new ValueError('Vocabulary.fromCounts', `minFreq must be ≥ 1, got ${minFreq}`);
    if (!(maxSize >= specials.length)) {
      throw new ValueError('Vocabulary.fromCounts', `maxSize ${maxSize} is smaller than the ${specials.length} special tokens`);
    }
    const taken = new Set(specials);
    const rest = [...counts].filter(([t, c]) => c >= minFreq && !taken.has(t))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize - specials.length)
      .map(([t]) => t);
    return new Vocabulary([...specials, ...rest]);
  }
}
