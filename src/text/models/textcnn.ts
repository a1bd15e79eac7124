/** TextCNN (Kim, 2014): parallel 1-D convolutions over word vectors, max-pooled over time. */
import { Conv1d, Dropout, Embedding, Linear, Module, ModuleList, functional as F } from '../../nn/index.js';
import { cat } from '../../ops/index.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { lengthsOf, realTokens } from './masking.js';

/** Configuration of {@link TextCNN}. */
export interface TextCNNConfig {
  vocabSize: number;
  numClasses: number;
  /** Default 128. */
  embedDim?: number;
  /** Widths of the convolution windows, in tokens. Default [3, 4, 5]. */
  kernelSizes?: number[];
  /** Filters per width. Default 100. */
  numFilters?: number;
  /** Dropout before the classifier. Default 0.5. */
  dropout?: number;
  /** Default 0. */
  paddingIdx?: number;
}

/**
 * TextCNN: embed, convolve with several window widths (ReLU), take each filter's maximum over
 * the windows that lie inside the text, concatenate, dropout, classify.
 *
 * Padding never changes the output: embeddings of padding are zeroed, windows that reach into
 * padding are left out of the maximum (a text shorter than a window uses the one window at its
 * start, zero-filled), and inputs shorter than the widest window are zero-padded to it.
 *
 * Shapes: inputIds (N, L) int64, attentionMask (N, L) or null → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const model = new TextCNN({ vocabSize: 5000, numClasses: 4, kernelSizes: [2, 3] });
 * model.forward(batch.inputIds, batch.attentionMask).shape; // [N, 4]
 * ```
 */
export class TextCNN extends Module {
  readonly kind = 'textcnn' as const;
  readonly config: Required<TextCNNConfig>;
  embedding: Embedding;
  convs: ModuleList<Conv1d>;
  dropout: Dropout;
  fc: Linear;

  constructor(config: TextCNNConfig) {
    super();
    this.config = { embedDim: 128, kernelSizes: [3, 4, 5], numFilters: 100, dropout: 0.5, paddingIdx: 0, ...config };
    const c = this.config;
    this.embedding = new Embedding(c.vocabSize, c.embedDim, { paddingIdx: c.paddingIdx });
    this.convs = new ModuleList(c.kernelSizes.map((k) => new Conv1d(c.embedDim, c.numFilters, k)));
    this.dropout = new Dropout(c.dropout);
    this.fc = new Linear(c.numFilters * c.kernelSizes.length, c.numClasses);
  }

  forward(inputIds: Tensor, attentionMask: Tensor | null = null): Tensor {
    const real = realTokens(inputIds, attentionMask, this.config.paddingIdx);
    const lengths = lengthsOf(real);
    const N = inputIds.shape[0]!;
    let x = this.embedding.forward(inputIds).mul(real.to('float32').unsqueeze(2)).transpose(1, 2); // (N, E, L)
    const widest = Math.max(...this.config.kernelSizes);
    if (x.shape[2]! < widest) x = F.pad(x, [0, widest - x.shape[2]!]);
    const L = x.shape[2]!;
    const pooled = [...this.convs].map((conv, i) => {
      const k = this.config.kernelSizes[i]!;
      const windows = L - k + 1;
      // Window t covers tokens t … t+k-1; it is kept when it ends inside max(length, k).
      const outside = tensor(Int32Array.from({ length: N * windows }, (_, j) => {
        const n = Math.floor(j / windows);
        return (j % windows) + k > Math.max(lengths[n]!, k) ? 1 : 0;
      }), { shape: [N, 1, windows], dtype: 'bool' });
      // ReLU outputs are ≥ 0, so filling left-out windows with 0 leaves every maximum unchanged.
      return conv.forward(x).relu().maskedFill(outside, 0).amax(2);
    });
    return this.fc.forward(this.dropout.forward(cat(pooled, 1)));
  }
}
