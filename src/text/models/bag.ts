/** The bag-of-embeddings baseline (fastText-style): the mean word vector, then a linear layer. */
import { Dropout, Embedding, Linear, Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { maskedMax, maskedMean, realTokens } from './masking.js';

/** Configuration of {@link BagOfEmbeddings}. */
export interface BagOfEmbeddingsConfig {
  vocabSize: number;
  numClasses: number;
  /** Default 64. */
  embedDim?: number;
  /** How token vectors are pooled. Default 'mean'. */
  pooling?: 'mean' | 'max';
  /** Dropout on the pooled vector. Default 0. */
  dropout?: number;
  /** The padding id (its embedding stays zero). Default 0, the [PAD] of tsorch's tokenizers. */
  paddingIdx?: number;
}

/**
 * Bag of embeddings: embed each token, pool over the real tokens, classify. Fast, and a strong
 * baseline for topic-like tasks. Padding never changes the output.
 *
 * Shapes: inputIds (N, L) int64, attentionMask (N, L) (1/true for real tokens; default
 * `inputIds != paddingIdx`) → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const model = new BagOfEmbeddings({ vocabSize: tok.vocabSize, numClasses: 2 });
 * const { inputIds, attentionMask } = tok.encodeBatch(texts);
 * model.forward(inputIds, attentionMask).shape; // [texts.length, 2]
 * ```
 */
export class BagOfEmbeddings extends Module {
  readonly kind = 'bow' as const;
  readonly config: Required<BagOfEmbeddingsConfig>;
  embedding: Embedding;
  dropout: Dropout;
  fc: Linear;

  constructor(config: BagOfEmbeddingsConfig) {
    super();
    this.config = { embedDim: 64, pooling: 'mean', dropout: 0, paddingIdx: 0, ...config };
    const c = this.config;
    this.embedding = new Embedding(c.vocabSize, c.embedDim, { paddingIdx: c.paddingIdx });
    this.dropout = new Dropout(c.dropout);
    this.fc = new Linear(c.embedDim, c.numClasses);
  }

  forward(inputIds: Tensor, attentionMask: Tensor | null = null): Tensor {
    const real = realTokens(inputIds, attentionMask, this.config.paddingIdx);
    const h = this.embedding.forward(inputIds);
    const pooled = this.config.pooling === 'mean' ? maskedMean(h, real) : maskedMax(h, real);
    return this.fc.forward(this.dropout.forward(pooled));
  }
}
