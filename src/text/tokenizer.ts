/**
 * The tokenizer base: everything after "text → content tokens" is shared by every tokenizer
 * (word-level, WordPiece, and any Hugging Face tokenizer.json): special tokens around the
 * content, truncation, padding, attention masks, word alignment, batching to int64 tensors,
 * decoding and saving.
 */
import { ValueError } from '../errors.js';
import { TokenizerFormatError } from './errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeAtomic } from '../io/atomic.js';

/** One encoded sequence; every array has one entry per token. */
export interface Encoding {
  /** Token ids, special tokens and padding included. */
  ids: number[];
  /** The token strings of `ids`. */
  tokens: string[];
  /** 1 for real tokens (special ones included), 0 for padding. */
  attentionMask: number[];
  /** 1 for special tokens ([CLS], [SEP], padding), 0 for content. */
  specialTokensMask: number[];
  /**
   * For each token, the index of the word it came from (a word of `encodeWords`' input, or of
   * the tokenizer's own word split for text), null for special tokens and padding. Use it to
   * align word-level labels to sub-word tokens (see `alignLabels`).
   */
  wordIds: (number | null)[];
}

/** How sequences are padded: not at all, to the longest of the batch, or to `maxLength`. */
export type Padding = false | 'longest' | 'maxLength';

/** Options of the encode methods. */
export interface EncodeOptions {
  /** Add the tokenizer's special tokens ([CLS] … [SEP]). Default true. */
  addSpecialTokens?: boolean;
  /** Longest sequence, special tokens included. Default: the tokenizer's `maxLength` (null: no limit). */
  maxLength?: number | null;
  /** Cut content tokens beyond `maxLength` (from the end; special tokens are kept). Default true. */
  truncation?: boolean;
  /** Default false for one sequence, 'longest' for a batch. Padding goes on the right. */
  padding?: Padding;
}

/** A padded batch, ready for a model. L is the padded length. */
export interface BatchEncoding {
  /** (N, L) int64 token ids. */
  inputIds: Tensor;
  /** (N, L) int64, 1 for real tokens and 0 for padding (Hugging Face's attention_mask). */
  attentionMask: Tensor;
  /** (N, L) bool, true at padding: the `srcKeyPaddingMask` / `paddingMask` convention of tsorch's layers. */
  paddingMask: Tensor;
  /** Tokens before padding, per sequence. */
  lengths: number[];
  /** The encodings the tensors were built from. */
  encodings: Encoding[];
}

/** Options of `decode`. */
export interface DecodeOptions {
  /** Leave special tokens and padding out. Default true. */
  skipSpecialTokens?: boolean;
}

/** A content token before special tokens and padding are added. */
export interface Piece {
  token: string;
  id: number;
  /** Index of the word it comes from, or null when unknown. */
  word: number | null;
}

/**
 * Base of every tokenizer. Subclasses turn text (or one word) into content pieces and say which
 * ids frame a sequence; this class does the rest.
 *
 * @example
 * ```ts
 * const tok = WordTokenizer.train(['The cat sat.', 'The dog ran!'], { minFreq: 1 });
 * const batch = tok.encodeBatch(['the cat', 'a dog ran'], { maxLength: 8 });
 * batch.inputIds.shape;    // [2, 5]: [CLS] [UNK] dog ran [SEP] is the longest ('a' was never seen)
 * batch.paddingMask;       // true where the first row is padded
 * tok.decode(batch.encodings[0]!.ids); // 'the cat'
 * ```
 */
export abstract class Tokenizer {
  /** Default `maxLength` of the encode methods (stored in tokenizer.json's truncation). */
  maxLength: number | null = null;

  /** Which implementation this is. */
  abstract readonly kind: 'word' | 'wordpiece' | 'huggingface';
  /** Number of ids (the embedding table size a model needs). */
  abstract get vocabSize(): number;
  /** The padding id, or null when the tokenizer has no padding token. */
  abstract get padId(): number | null;
  abstract tokenToId(token: string): number | undefined;
  abstract idToToken(id: number): string | undefined;
  /** True for ids of special tokens. */
  abstract isSpecialId(id: number): boolean;
  /** The tokenizer as a `tokenizer.json` object. */
  abstract toJSON(): object;
  /** Ids put before and after the content by `addSpecialTokens`. */
  protected abstract frame(): { prefix: number[]; suffix: number[] };
  /** The content pieces of a text. */
  protected abstract textPieces(text: string): Piece[];
  /** The content pieces of one pre-split word (its `word` field is ignored). */
  protected abstract wordPieces(word: string): Piece[];
  /** Turns content tokens back into text. */
  protected abstract joinTokens(tokens: string[]): string;

  /** The content tokens of a text, without special tokens. */
  tokenize(text: string): string[] {
    return this.textPieces(text).map((p) => p.token);
  }

  /** Encodes one text. */
  encode(text: string, opts: EncodeOptions = {}): Encoding {
    return this.finish(this.textPieces(text), opts, opts.padding ?? false);
  }

  /**
   * Encodes a sentence already split into words (for token classification): `wordIds` then say
   * which word each sub-word token belongs to.
   */
  encodeWords(words: readonly string[], opts: EncodeOptions = {}): Encoding {
    return this.finish(this.piecesOfWords(words), opts, opts.padding ?? false);
  }

  /** Encodes texts into padded (N, L) tensors. */
  encodeBatch(texts: readonly string[], opts: EncodeOptions = {}): BatchEncoding {
    return this.batch(texts.map((t) => this.textPieces(t)), opts);
  }

  /** Encodes sentences of pre-split words into padded (N, L) tensors. */
  encodeWordsBatch(sentences: readonly (readonly string[])[], opts: EncodeOptions = {}): BatchEncoding {
    return this.batch(sentences.map((w) => this.piecesOfWords(w)), opts);
  }

  /** Ids (a number array or a 1-D tensor) back to text. */
  decode(ids: readonly number[] | Tensor, opts: DecodeOptions = {}): string {
    const list = Array.isArray(ids) ? ids as readonly number[] : Array.from((ids as Tensor).dataSync());
    const skip = opts.skipSpecialTokens ?? true;
    const tokens: string[] = [];
    for (const id of list) {
      if (skip && (this.isSpecialId(id) || id === this.padId)) continue;
      const t = this.idToToken(id);
      if (t === undefined) throw new ValueError('Tokenizer.decode', `id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      tokens.push(t);
    }
    return this.joinTokens(tokens);
  }

  /** Each row of a (N, L) tensor or list of id lists back to text. */
  decodeBatch(ids: readonly (readonly number[])[] | Tensor, opts: DecodeOptions = {}): string[] {
    if (Array.isArray(ids)) return (ids as readonly (readonly number[])[]).map((row) => this.decode(row, opts));
    const t = ids as Tensor;
    if (t.ndim !== 2) throw new ValueError('Tokenizer.decodeBatch', `expected a (N, L) tensor, got shape [${t.shape.join(',')}]`);
    return Array.from({ length: t.shape[0]! }, (_, i) => this.decode(t.select(0, i), opts));
  }

  /** Writes the tokenizer as `tokenizer.json` (atomically). Read it back with `loadTokenizer`. */
  async save(path: string): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(this.toJSON(), null, 2)}\n`);
    await writeAtomic(path, async (write) => write(bytes), (problem, cause) => new TokenizerFormatError('Tokenizer.save', path, problem, { cause }));
  }

  private piecesOfWords(words: readonly string[]): Piece[] {
    return words.flatMap((w, i) => this.wordPieces(w).map((p) => ({ ...p, word: i })));
  }

  private batch(all: Piece[][], opts: EncodeOptions): BatchEncoding {
    const padding = opts.padding ?? 'longest';
    const encodings = all.map((pieces) => this.finish(pieces, opts, false));
    const target = padding === false ? null
      : padding === 'maxLength' ? Math.max(this.limit(opts) ?? 0, ...encodings.map((e) => e.ids.length))
        : Math.max(0, ...encodings.map((e) => e.ids.length));
    const lengths = encodings.map((e) => e.ids.length);
    const L = target ?? lengths[0] ?? 0;
    if (target === null && lengths.some((l) => l !== L)) {
      throw new ValueError('Tokenizer.encodeBatch', `sequences have different lengths (${[...new Set(lengths)].join(', ')}) and padding is false`);
    }
    const padded = encodings.map((e) => this.pad(e, L));
    const N = padded.length;
    const ids = new Int32Array(N * L);
    const mask = new Int32Array(N * L);
    padded.forEach((e, i) => {
      ids.set(e.ids, i * L);
      mask.set(e.attentionMask, i * L);
    });
    const attentionMask = tensor(mask, { shape: [N, L], dtype: 'int64' });
    return {
      inputIds: tensor(ids, { shape: [N, L], dtype: 'int64' }),
      attentionMask,
      paddingMask: attentionMask.eq(0),
      lengths,
      encodings: padded,
    };
  }

  private limit(opts: EncodeOptions): number | null {
    const m = opts.maxLength === undefined ? this.maxLength : opts.maxLength;
    if (m !== null && !(Number.isInteger(m) && m > 0)) throw new ValueError('Tokenizer.encode', `maxLength must be a positive integer, got ${m}`);
    return m;
  }

  private finish(content: Piece[], opts: EncodeOptions, padding: Padding): Encoding {
    const { prefix, suffix } = (opts.addSpecialTokens ?? true) ? this.frame() : { prefix: [], suffix: [] };
    const max = this.limit(opts);
    let pieces = content;
    if (max !== null && (opts.truncation ?? true)) {
      const room = max - prefix.length - suffix.length;
      if (room < 0) throw new ValueError('Tokenizer.encode', `maxLength ${max} leaves no room for the ${prefix.length + suffix.length} special tokens`);
      if (pieces.length > room) pieces = pieces.slice(0, room);
    }
    const special = (id: number): Piece => ({ token: this.idToToken(id) ?? '', id, word: null });
    const all = [...prefix.map(special), ...pieces, ...suffix.map(special)];
    const enc: Encoding = {
      ids: all.map((p) => p.id),
      tokens: all.map((p) => p.token),
      attentionMask: all.map(() => 1),
      specialTokensMask: all.map((p, i) => (i < prefix.length || i >= prefix.length + pieces.length || this.isSpecialId(p.id) ? 1 : 0)),
      wordIds: all.map((p) => p.word),
    };
    if (padding === 'maxLength' && max !== null) return this.pad(enc, max);
    if (padding === 'maxLength') throw new ValueError('Tokenizer.encode', "padding 'maxLength' needs a maxLength");
    return enc;
  }

  private pad(e: Encoding, length: number): Encoding {
    const n = length - e.ids.length;
    if (n <= 0) return e;
    const pad = this.padId;
    if (pad === null) throw new ValueError('Tokenizer.encode', 'padding was asked for but this tokenizer has no padding token (give one with the padToken option)');
    const token = this.idToToken(pad) ?? '';
    return {
      ids: [...e.ids, ...new Array<number>(n).fill(pad)],
      tokens: [...e.tokens, ...new Array<string>(n).fill(token)],
      attentionMask: [...e.attentionMask, ...new Array<number>(n).fill(0)],
      specialTokensMask: [...e.specialTokensMask, ...new Array<number>(n).fill(1)],
      wordIds: [...e.wordIds, ...new Array<null>(n).fill(null)],
    };
  }
}
