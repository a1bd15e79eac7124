/** Embedding: a lookup table of vectors. */
import { ValueError } from '../../errors.js';
import { embedding } from '../../ops/indexing.js';
import { noGrad } from '../../autograd/mode.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface EmbeddingOptions {
  /** Row that stays zero-initialised and receives no gradient (e.g. the [PAD] token). */
  paddingIdx?: number | null;
}

/**
 * input: int64/int32 indices of any shape (*) → output: (*, embeddingDim).
 * `weight` (numEmbeddings, embeddingDim) is initialised N(0, 1), the padding row zeroed.
 *
 * @example
 * ```ts
 * const emb = new nn.Embedding(10000, 128, { paddingIdx: 0 });
 * emb.forward(torch.tensor([[1, 2, 0]], { dtype: 'int64' })).shape; // [1, 3, 128]
 * ```
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    const p = opts.paddingIdx ?? null;
    if (p !== null && (p >= numEmbeddings || p < -numEmbeddings)) {
      throw new ValueError('Embedding', `paddingIdx ${p} must be within [-${numEmbeddings}, ${numEmbeddings})`);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const idx = this.paddingIdx;
      noGrad(() => this.weight.select(0, idx).zero_());
    }
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }
}
