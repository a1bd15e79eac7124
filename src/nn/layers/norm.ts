/** Normalisation layers (torch.nn.LayerNorm), thin modules over the functional ops in ops/norm.ts. */
import { ValueError } from '../../errors.js';
import { layerNorm } from '../../ops/norm.js';
import { ones, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LayerNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a per-element `weight` (init 1) and `bias` (init 0) over `normalizedShape`. Default true. */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions, as torch.nn.LayerNorm:
 * y = (x - mean) / √(var + eps) · weight + bias, with the biased variance.
 *
 * Shapes: input (*, ...normalizedShape) → output of the same shape. Parameters `weight` and
 * `bias` have shape `normalizedShape` (null when `elementwiseAffine` is false, and then absent
 * from `stateDict()`, as in PyTorch). Initialisation draws no random numbers.
 *
 * @example
 * ```ts
 * const norm = new nn.LayerNorm(512);
 * norm.forward(torch.randn([10, 32, 512])).shape; // [10, 32, 512]
 * ```
 */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new ValueError('LayerNorm', `normalizedShape must be a non-empty list of positive integers, got [${shape.join(',')}]`);
    }
    this.normalizedShape = shape;
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(shape)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(shape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
