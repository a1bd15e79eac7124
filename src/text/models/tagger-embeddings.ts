/**
 * The input layer of token taggers: a word embedding, optionally concatenated with a character
 * CNN over each word (Ma & Hovy, 2016), a casing/shape embedding, and a predicate-indicator
 * embedding (for semantic roles). Padding never changes the vector of a real word.
 */
import { ValueError } from '../../errors.js';
import { Conv1d, Embedding, Module } from '../../nn/index.js';
import { cat } from '../../ops/index.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CASING_CLASSES, type TaggerInputs } from '../tagger-features.js';

/**
 * A character CNN: embed each character, convolve (window 3, padding 1), take each filter's
 * maximum over the word's own characters. Windows centred on padding characters are left out
 * of the maximum, so the vector of a word does not depend on how far the batch pads words.
 *
 * Shapes: chars (N, L, C) int64 with 0 = padding → (N, L, numFilters).
 *
 * @example
 * ```ts
 * const cnn = new CharCNN(80, { charDim: 16, numFilters: 32 });
 * cnn.forward(feats.batch([feats.encode(['Hi', 'there'])]).chars).shape; // [1, 2, 32]
 * ```
 */
export class CharCNN extends Module {
  embedding: Embedding;
  conv: Conv1d;

  constructor(readonly numChars: number, readonly opts: { charDim: number; numFilters: number }) {
    super();
    this.embedding = new Embedding(numChars, opts.charDim, { paddingIdx: 0 });
    this.conv = new Conv1d(opts.charDim, opts.numFilters, 3, { padding: 1 });
  }

  forward(chars: Tensor): Tensor {
    if (chars.ndim !== 3) throw new ValueError('CharCNN', `chars must be (N, L, C), got [${chars.shape.join(', ')}]`);
    const [N, L, C] = chars.shape as [number, number, number];
    const ids = chars.reshape([N * L, C]);
    // A position is outside the word when its character is padding; position 0 always counts, so
    // padding words (all zeros) still give a finite vector.
    const v = ids.dataSync();
    const outside = tensor(Uint8Array.from({ length: N * L * C }, (_, k) => (k % C !== 0 && v[k] === 0 ? 1 : 0)), { shape: [N * L, 1, C], dtype: 'bool' });
    const h = this.conv.forward(this.embedding.forward(ids).transpose(1, 2)); // (NL, F, C)
    return h.maskedFill(outside, -Infinity).amax(2).reshape([N, L, this.opts.numFilters]);
  }
}

/** Sizes of the tagger input features; a size of 0 leaves that feature out. */
export interface TaggerEmbeddingsConfig {
  numWords: number;
  /** Characters known to the featurizer (0 = padding, 1 = unknown). */
  numChars: number;
  /** Default 100. */
  wordDim?: number;
  /** Character embedding size. Default 16 (0: no character CNN). */
  charDim?: number;
  /** Character CNN filters. Default 32. */
  charFilters?: number;
  /** Casing/shape embedding size. Default 8 (0: none). */
  caseDim?: number;
  /** Predicate-indicator embedding size (semantic roles). Default 0: none. */
  predicateDim?: number;
}

/**
 * Concatenated token features. Shapes: a {@link TaggerInputs} batch (N, L) → (N, L, outputDim).
 * Parameter names: `word_embeddings.weight`, `char_cnn.embedding.weight`, `char_cnn.conv.weight`,
 * `case_embeddings.weight`, `predicate_embeddings.weight`.
 *
 * @example
 * ```ts
 * const emb = new TaggerEmbeddings({ numWords: feats.numWords, numChars: feats.numChars });
 * emb.forward(batch).shape; // [N, L, emb.outputDim]  (100 + 32 + 8 = 140)
 * ```
 */
export class TaggerEmbeddings extends Module {
  readonly config: Required<TaggerEmbeddingsConfig>;
  word_embeddings: Embedding;
  char_cnn: CharCNN | null;
  case_embeddings: Embedding | null;
  predicate_embeddings: Embedding | null;

  constructor(config: TaggerEmbeddingsConfig) {
    super();
    const { numWords, numChars, wordDim = 100, charDim = 16, charFilters = 32, caseDim = 8, predicateDim = 0 } = config;
    this.config = { numWords, numChars, wordDim, charDim, charFilters, caseDim, predicateDim };
    const c = this.config;
    for (const [k, v] of Object.entries(c)) {
      if (!(Number.isInteger(v) && v >= 0)) throw new ValueError('TaggerEmbeddings', `${k} must be a non-negative integer, got ${v}`);
    }
    if (c.numWords < 2 || c.wordDim === 0) throw new ValueError('TaggerEmbeddings', `need numWords ≥ 2 ([PAD], [UNK]) and wordDim > 0, got ${c.numWords} and ${c.wordDim}`);
    this.word_embeddings = new Embedding(c.numWords, c.wordDim, { paddingIdx: 0 });
    this.char_cnn = c.charDim > 0 && c.charFilters > 0 ? new CharCNN(c.numChars, { charDim: c.charDim, numFilters: c.charFilters }) : null;
    this.case_embeddings = c.caseDim > 0 ? new Embedding(CASING_CLASSES.length, c.caseDim, { paddingIdx: 0 }) : null;
    this.predicate_embeddings = c.predicateDim > 0 ? new Embedding(2, c.predicateDim) : null;
  }

  /** Size of the concatenated vector. */
  get outputDim(): number {
    const c = this.config;
    return c.wordDim + (this.char_cnn ? c.charFilters : 0) + (this.case_embeddings ? c.caseDim : 0) + (this.predicate_embeddings ? c.predicateDim : 0);
  }

  forward(x: TaggerInputs): Tensor {
    const parts = [this.word_embeddings.forward(x.words)];
    if (this.char_cnn) parts.push(this.char_cnn.forward(x.chars));
    if (this.case_embeddings) parts.push(this.case_embeddings.forward(x.casing));
    if (this.predicate_embeddings) {
      if (x.predicate === null) throw new ValueError('TaggerEmbeddings', 'this model reads a predicate indicator, but the batch has none (pass predicates to batch())');
      parts.push(this.predicate_embeddings.forward(x.predicate));
    }
    return parts.length === 1 ? parts[0]! : cat(parts, 2);
  }
}
