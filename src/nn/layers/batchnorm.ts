/** Batch normalisation layers (torch.nn.BatchNorm1d / BatchNorm2d) with running statistics. */
import { batchNorm } from '../../ops/norm.js';
import { ShapeError } from '../../errors.js';
import { noGrad } from '../../autograd/mode.js';
import { ones, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface BatchNormOptions {
  eps?: number;
  /** Running-average factor; null uses the cumulative average over all batches seen. Default 0.1. */
  momentum?: number | null;
  /** Learnable per-channel scale (weight) and shift (bias). Default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval mode. Default true. */
  trackRunningStats?: boolean;
}

abstract class BatchNormNd extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;

  protected constructor(private readonly op: string, private readonly ranks: readonly number[], readonly numFeatures: number, opts: BatchNormOptions) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    const track = opts.trackRunningStats ?? true;
    // Buffer names are PyTorch's, so state dicts load without renaming.
    this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int64' }) : null);
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) {
      throw new ShapeError(this.op, `expected a ${this.ranks.map((r) => `${r}-D`).join(' or ')} input`, [x.shape]);
    }
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(this.op, `expected ${this.numFeatures} channels in dimension 1`, [x.shape]);
    }
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked) {
      const tracked = this.num_batches_tracked;
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) momentum = 1 / tracked.item();
    }
    // With tracked statistics, eval mode uses them; without, batch statistics are always used.
    const useBatchStats = this.training || this.running_mean === null;
    return batchNorm(
      x,
      useBatchStats && !this.training ? null : this.running_mean,
      useBatchStats && !this.training ? null : this.running_var,
      this.weight, this.bias, useBatchStats, momentum, this.eps,
    );
  }
}

/**
 * input (N, C) or (N, C, L) → same shape.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(100);
 * bn.forward(torch.randn([20, 100])).shape; // [20, 100]
 * ```
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', [2, 3], numFeatures, opts);
  }
}

/**
 * input (N, C, H, W) → same shape. Buffers running_mean, running_var, num_batches_tracked.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm2d(16);
 * bn.forward(torch.randn([8, 16, 28, 28])).shape; // [8, 16, 28, 28]
 * ```
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', [4], numFeatures, opts);
  }
}
