/**
 * Token features for taggers (NER, semantic roles): each word of a pre-split sentence becomes a
 * word id (lower-cased, digits folded to 0, rare words → [UNK]), its characters' ids (case kept,
 * for a character CNN) and a casing/shape class (Title, UPPER, @mention, #hashtag, URL, …) that
 * gives back what lower-casing removed. Saved with a model as JSON (`toJSON`/`fromJSON`).
 */
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Vocabulary } from './vocab.js';

/** The casing/shape classes, in id order; id 0 is padding. */
export const CASING_CLASSES = [
  '[PAD]', 'lower', 'title', 'upper', 'mixed', 'numeric', 'has-digit', 'mention', 'hashtag', 'url', 'punct', 'other',
] as const;

/** One of {@link CASING_CLASSES}. */
export type CasingClass = (typeof CASING_CLASSES)[number];

/**
 * The casing/shape class of a word.
 *
 * @example
 * ```ts
 * casingOf('Paris');     // 'title'
 * casingOf('@paulwalk'); // 'mention'
 * casingOf('2017');      // 'numeric'
 * ```
 */
export function casingOf(word: string): CasingClass {
  if (/^(https?:\/\/|www\.)/i.test(word)) return 'url';
  if (word.length > 1 && word.startsWith('@')) return 'mention';
  if (word.length > 1 && word.startsWith('#')) return 'hashtag';
  if (/^[\p{N}.,:/-]+$/u.test(word) && /\p{N}/u.test(word)) return 'numeric';
  if (/\p{N}/u.test(word)) return 'has-digit';
  if (/^[\p{P}\p{S}]+$/u.test(word)) return 'punct';
  const letters = word.replace(/[^\p{L}]/gu, '');
  if (letters === '') return 'other';
  if (letters === letters.toLowerCase()) return 'lower';
  if (letters === letters.toUpperCase()) return letters.length > 1 ? 'upper' : 'title';
  const first = letters[0]!;
  const rest = letters.slice(1);
  if (first === first.toUpperCase() && rest === rest.toLowerCase()) return 'title';
  return 'mixed';
}

/**
 * The form of a word looked up in the word vocabulary: NFKC, lower case, every digit → 0.
 *
 * @example
 * ```ts
 * normalizeWord('iPhone15'); // 'iphone00'
 * ```
 */
export function normalizeWord(word: string): string {
  return word.normalize('NFKC').toLowerCase().replace(/\p{Nd}/gu, '0');
}

/** Options of {@link TokenFeaturizer.fit}. */
export interface TokenFeaturizerOptions {
  /** Words seen fewer times map to [UNK] (so [UNK]'s vector is trained). Default 2. */
  minFreq?: number;
  /** Largest word vocabulary, [PAD] and [UNK] included. Default 50,000. */
  maxWords?: number;
  /** Characters seen fewer times map to the unknown character. Default 2. */
  minCharFreq?: number;
  /** Longest word, in characters, seen by the character features (longer words are cut). Default 20. */
  maxWordChars?: number;
}

/** The features of one sentence, as id lists. */
export interface SentenceFeatures {
  words: number[];
  chars: number[][];
  casing: number[];
}

/** A batch of sentences as tensors; every sentence padded to the longest (L). */
export interface TaggerInputs {
  /** (N, L) int64 word ids, [PAD] = 0 after each sentence. */
  words: Tensor;
  /** (N, L, C) int64 character ids, 0 = padding; C the longest word in the batch (at most maxWordChars). */
  chars: Tensor;
  /** (N, L) int64 casing classes (0 = padding). */
  casing: Tensor;
  /** (N, L) int64 predicate indicator (1 at the predicate, 0 elsewhere), for semantic roles; null otherwise. */
  predicate: Tensor | null;
  /** (N, L) bool, true at real words. */
  mask: Tensor;
  /** Each sentence's length. */
  lengths: number[];
}

/** What `toJSON` writes. */
export interface TokenFeaturizerJSON {
  words: string[];
  chars: string[];
  maxWordChars: number;
}

const PAD = '[PAD]';
const UNK = '[UNK]';

/**
 * Word, character and casing features of pre-split sentences.
 *
 * @example
 * ```ts
 * const feats = TokenFeaturizer.fit([['Empire', 'State', 'Building'], ['the', 'Empire']], { minFreq: 1 });
 * const x = feats.batch([feats.encode(['the', 'Empire', 'State'])]);
 * x.words.shape; // [1, 3]
 * x.chars.shape; // [1, 3, 6]
 * ```
 */
export class TokenFeaturizer {
  private readonly charIds: Map<string, number>;

  constructor(readonly words: Vocabulary, readonly chars: readonly string[], readonly maxWordChars: number) {
    if (words.id(PAD) !== 0 || words.id(UNK) !== 1) throw new ValueError('TokenFeaturizer', `the word vocabulary must start with ${PAD}, ${UNK}`);
    if (chars[0] !== PAD || chars[1] !== UNK) throw new ValueError('TokenFeaturizer', `the character list must start with ${PAD}, ${UNK}`);
    if (!(Number.isInteger(maxWordChars) && maxWordChars > 0)) throw new ValueError('TokenFeaturizer', `maxWordChars must be a positive integer, got ${maxWordChars}`);
    this.charIds = new Map(chars.map((c, i) => [c, i]));
  }

  /** Builds the vocabularies from training sentences. */
  static fit(sentences: Iterable<readonly string[]>, opts: TokenFeaturizerOptions = {}): TokenFeaturizer {
    const wordCounts = new Map<string, number>();
    const charCounts = new Map<string, number>();
    for (const s of sentences) {
      for (const w of s) {
        const n = normalizeWord(w);
        wordCounts.set(n, (wordCounts.get(n) ?? 0) + 1);
        for (const c of w) charCounts.set(c, (charCounts.get(c) ?? 0) + 1);
      }
    }
    const words = Vocabulary.fromCounts(wordCounts, { minFreq: opts.minFreq ?? 2, maxSize: opts.maxWords ?? 50_000, specials: [PAD, UNK] });
    const chars = Vocabulary.fromCounts(charCounts, { minFreq: opts.minCharFreq ?? 2, specials: [PAD, UNK] });
    return new TokenFeaturizer(words, chars.tokens, opts.maxWordChars ?? 20);
  }

  get numWords(): number {
    return this.words.size;
  }

  get numChars(): number {
    return this.chars.length;
  }

  /** The id of a word ([UNK] = 1 when unknown). */
  wordId(word: string): number {
    return this.words.id(normalizeWord(word)) ?? 1;
  }

  /** The features of one sentence. */
  encode(sentence: readonly string[]): SentenceFeatures {
    return {
      words: sentence.map((w) => this.wordId(w)),
      chars: sentence.map((w) => [...w].slice(0, this.maxWordChars).map((c) => this.charIds.get(c) ?? 1)),
      casing: sentence.map((w) => CASING_CLASSES.indexOf(casingOf(w))),
    };
  }

  /**
   * Pads encoded sentences into a batch. `predicates` (one 0/1 list per sentence) adds the
   * predicate-indicator feature.
   */
  batch(items: readonly SentenceFeatures[], predicates: readonly (readonly number[])[] | null = null): TaggerInputs {
    if (items.length === 0) throw new ValueError('TokenFeaturizer.batch', 'no sentences given');
    const lengths = items.map((s, i) => {
      if (s.words.length === 0) throw new ValueError('TokenFeaturizer.batch', `sentence ${i} is empty`);
      return s.words.length;
    });
    const N = items.length;
    const L = Math.max(...lengths);
    const C = Math.max(1, ...items.flatMap((s) => s.chars.map((c) => c.length)));
    const words = new Int32Array(N * L);
    const casing = new Int32Array(N * L);
    const chars = new Int32Array(N * L * C);
    const mask = new Uint8Array(N * L);
    const pred = predicates === null ? null : new Int32Array(N * L);
    if (predicates !== null && predicates.length !== N) throw new ValueError('TokenFeaturizer.batch', `${N} sentences but ${predicates.length} predicate lists`);
    items.forEach((s, n) => {
      for (let t = 0; t < s.words.length; t++) {
        words[n * L + t] = s.words[t]!;
        casing[n * L + t] = s.casing[t]!;
        mask[n * L + t] = 1;
        s.chars[t]!.forEach((c, k) => { chars[(n * L + t) * C + k] = c; });
      }
      if (pred !== null) {
        const p = predicates![n]!;
        if (p.length !== s.words.length) throw new ValueError('TokenFeaturizer.batch', `sentence ${n} has ${s.words.length} words but ${p.length} predicate flags`);
        p.forEach((v, t) => { pred[n * L + t] = v ? 1 : 0; });
      }
    });
    return {
      words: tensor(words, { shape: [N, L], dtype: 'int64' }),
      chars: tensor(chars, { shape: [N, L, C], dtype: 'int64' }),
      casing: tensor(casing, { shape: [N, L], dtype: 'int64' }),
      predicate: pred === null ? null : tensor(pred, { shape: [N, L], dtype: 'int64' }),
      mask: tensor(mask, { shape: [N, L], dtype: 'bool' }),
      lengths,
    };
  }

  toJSON(): TokenFeaturizerJSON {
    return { words: [...this.words.tokens], chars: [...this.chars], maxWordChars: this.maxWordChars };
  }

  static fromJSON(json: TokenFeaturizerJSON, source = 'TokenFeaturizer.fromJSON'): TokenFeaturizer {
    if (!Array.isArray(json.words) || !Array.isArray(json.chars) || typeof json.maxWordChars !== 'number') {
      throw new ValueError(source, 'expected { words: string[], chars: string[], maxWordChars: number }');
    }
    return new TokenFeaturizer(new Vocabulary(json.words), json.chars, json.maxWordChars);
  }
}
