/** The seed's Transformer text classifier, with padding masks, positions and a choice of pooling. */
import { ValueError } from '../../errors.js';
import { Dropout, Embedding, Linear, Module, TransformerEncoder, TransformerEncoderLayer } from '../../nn/index.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { maskedMean, realTokens } from './masking.js';

/** Configuration of {@link TransformerClassifier}. */
export interface TransformerClassifierConfig {
  vocabSize: number;
  numClasses: number;
  /** Model width. Default 128. */
  dModel?: number;
  /** Attention heads (must divide dModel). Default 4. */
  nhead?: number;
  /** Encoder layers. Default 2. */
  numLayers?: number;
  /** Feed-forward hidden size. Default 4·dModel. */
  dimFeedforward?: number;
  /** Dropout in the encoder and before the classifier. Default 0.1. */
  dropout?: number;
  /** Longest input, in tokens. Default 512. */
  maxLength?: number;
  /**
   * Position information added to the token embeddings: fixed sinusoids ("Attention Is All You
   * Need"), a learned table, or none (the seed's model). Default 'sinusoidal'.
   */
  positional?: 'sinusoidal' | 'learned' | 'none';
  /** 'cls': the first token's vector (the tokenizer's [CLS]); 'mean': the mean over real tokens (the seed's). Default 'mean'. */
  pooling?: 'cls' | 'mean';
  /** Pre-norm encoder layers (often steadier to train). Default false. */
  normFirst?: boolean;
  /** Default 0. */
  paddingIdx?: number;
}

/** Fixed sinusoidal position vectors (maxLength, dModel): sin on even features, cos on odd. */
function sinusoids(maxLength: number, dModel: number): Tensor {
  const v = new Float32Array(maxLength * dModel);
  for (let p = 0; p < maxLength; p++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = p / Math.pow(10000, i / dModel);
      v[p * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) v[p * dModel + i + 1] = Math.cos(angle);
    }
  }
  return tensor(v, { shape: [maxLength, dModel] });
}

/**
 * The seed's classifier — Embedding → TransformerEncoder → pool → Linear — with what real text
 * needs: a key padding mask so padding is never attended to, positions, and [CLS] or masked mean
 * pooling. In eval mode padding never changes the output. With `positional: 'none'` and mean
 * pooling its state-dict keys are the seed's (`embedding.weight`, `encoder.layers.0.…`, `fc.weight`).
 *
 * Shapes: inputIds (N, L) int64 with L ≤ maxLength, attentionMask (N, L) or null → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const model = new TransformerClassifier({ vocabSize: tok.vocabSize, numClasses: 2, dModel: 64, nhead: 4 });
 * const { inputIds, attentionMask } = tok.encodeBatch(texts, { maxLength: 128 });
 * model.forward(inputIds, attentionMask).shape; // [N, 2]
 * ```
 */
export class TransformerClassifier extends Module {
  readonly kind = 'transformer' as const;
  readonly config: Required<TransformerClassifierConfig>;
  embedding: Embedding;
  position: Embedding | null;
  encoder: TransformerEncoder;
  dropout: Dropout;
  fc: Linear;
  declare sinusoids: Tensor | null;

  constructor(config: TransformerClassifierConfig) {
    super();
    const dModel = config.dModel ?? 128;
    this.config = {
      dModel, nhead: 4, numLayers: 2, dimFeedforward: 4 * dModel, dropout: 0.1, maxLength: 512,
      positional: 'sinusoidal', pooling: 'mean', normFirst: false, paddingIdx: 0, ...config,
    };
    const c = this.config;
    if (dModel % c.nhead !== 0) throw new ValueError('TransformerClassifier', `nhead ${c.nhead} must divide dModel ${dModel}`);
    this.embedding = new Embedding(c.vocabSize, dModel, { paddingIdx: c.paddingIdx });
    this.position = c.positional === 'learned' ? new Embedding(c.maxLength, dModel) : null;
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer({
      dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout, batchFirst: true, normFirst: c.normFirst,
    }), c.numLayers);
    this.dropout = new Dropout(c.dropout);
    this.fc = new Linear(dModel, c.numClasses);
    this.registerBuffer('sinusoids', c.positional === 'sinusoidal' ? sinusoids(c.maxLength, dModel) : null, false);
  }

  forward(inputIds: Tensor, attentionMask: Tensor | null = null): Tensor {
    const real = realTokens(inputIds, attentionMask, this.config.paddingIdx);
    const L = inputIds.shape[1]!;
    if (L > this.config.maxLength) throw new ValueError('TransformerClassifier', `input length ${L} exceeds maxLength ${this.config.maxLength}`);
    let x = this.embedding.forward(inputIds);
    if (this.position) x = x.add(this.position.weight.narrow(0, 0, L));
    if (this.sinusoids) x = x.add(this.sinusoids.narrow(0, 0, L));
    const h = this.encoder.forward(x, { srcKeyPaddingMask: real.logicalNot() });
    const pooled = this.config.pooling === 'cls' ? h.select(1, 0) : maskedMean(h, real);
    return this.fc.forward(this.dropout.forward(pooled));
  }
}
