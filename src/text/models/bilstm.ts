/** A bidirectional LSTM text classifier. */
import { Dropout, Embedding, LSTM, Linear, Module } from '../../nn/index.js';
import { cat } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { lengthsOf, maskedMax, maskedMean, realTokens } from './masking.js';

/** Configuration of {@link BiLSTMClassifier}. */
export interface BiLSTMClassifierConfig {
  vocabSize: number;
  numClasses: number;
  /** Default 128. */
  embedDim?: number;
  /** Hidden size per direction. Default 128. */
  hiddenSize?: number;
  /** Default 1. */
  numLayers?: number;
  /** Dropout between LSTM layers and before the classifier. Default 0.3. */
  dropout?: number;
  /** 'last': final forward and backward states; 'max'/'mean' over the outputs at real tokens. Default 'max'. */
  pooling?: 'last' | 'max' | 'mean';
  /** Default 0. */
  paddingIdx?: number;
}

/**
 * BiLSTM classifier: embed, run a bidirectional LSTM over each text's real tokens (lengths from
 * the mask, so padding is never read), pool, dropout, classify. Padding never changes the output.
 *
 * Shapes: inputIds (N, L) int64, attentionMask (N, L) or null → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const model = new BiLSTMClassifier({ vocabSize: 5000, numClasses: 2, hiddenSize: 64 });
 * model.forward(batch.inputIds, batch.attentionMask).shape; // [N, 2]
 * ```
 */
export class BiLSTMClassifier extends Module {
  readonly kind = 'bilstm' as const;
  readonly config: Required<BiLSTMClassifierConfig>;
  embedding: Embedding;
  lstm: LSTM;
  dropout: Dropout;
  fc: Linear;

  constructor(config: BiLSTMClassifierConfig) {
    super();
    this.config = { embedDim: 128, hiddenSize: 128, numLayers: 1, dropout: 0.3, pooling: 'max', paddingIdx: 0, ...config };
    const c = this.config;
    this.embedding = new Embedding(c.vocabSize, c.embedDim, { paddingIdx: c.paddingIdx });
    this.lstm = new LSTM(c.embedDim, c.hiddenSize, { numLayers: c.numLayers, bidirectional: true, batchFirst: true, dropout: c.numLayers > 1 ? c.dropout : 0 });
    this.dropout = new Dropout(c.dropout);
    this.fc = new Linear(2 * c.hiddenSize, c.numClasses);
  }

  forward(inputIds: Tensor, attentionMask: Tensor | null = null): Tensor {
    const real = realTokens(inputIds, attentionMask, this.config.paddingIdx);
    const { output, h } = this.lstm.forward(this.embedding.forward(inputIds), null, { lengths: lengthsOf(real) });
    let pooled: Tensor;
    switch (this.config.pooling) {
      case 'last': {
        const layers = h.shape[0]!;
        pooled = cat([h.select(0, layers - 2), h.select(0, layers - 1)], 1);
        break;
      }
      case 'max': pooled = maskedMax(output, real); break;
      case 'mean': pooled = maskedMean(output, real); break;
    }
    return this.fc.forward(this.dropout.forward(pooled));
  }
}
