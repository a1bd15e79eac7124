/** Convolution layers (torch.nn.Conv1d / Conv2d): weight and bias initialised as PyTorch. */
import { conv1d, conv2d, type Size1d, type Size2d } from '../../ops/conv.js';
import { ValueError } from '../../errors.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defaultLayerInit_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface ConvLayerOptions<S> {
  stride?: S;
  /** Zero padding per side, or 'valid' (none) / 'same' (output size = input size, stride 1). */
  padding?: S | 'valid' | 'same';
  dilation?: S;
  groups?: number;
  bias?: boolean;
}

abstract class ConvNd<S extends Size1d | Size2d> extends Module {
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(
    op: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: readonly number[],
    readonly options: ConvLayerOptions<S>,
  ) {
    super();
    const groups = options.groups ?? 1;
    if (inChannels % groups !== 0) throw new ValueError(op, `inChannels ${inChannels} must be divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new ValueError(op, `outChannels ${outChannels} must be divisible by groups ${groups}`);
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...kernelSize]));
    this.bias = options.bias ?? true ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** PyTorch's init: kaiming_uniform(a = √5) for the weight, U(±1/√fanIn) for the bias. */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

}

function kernelOf(k: number | readonly number[], n: number): number[] {
  return typeof k === 'number' ? new Array<number>(n).fill(k) : [...k];
}

/**
 * input (N, C_in, L) or (C_in, L) → (N, C_out, L_out).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv1d(128, 100, 3, { padding: 1 });
 * conv.forward(torch.randn([8, 128, 64])).shape; // [8, 100, 64]
 * ```
 */
export class Conv1d extends ConvNd<Size1d> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size1d, opts: ConvLayerOptions<Size1d> = {}) {
    super('Conv1d', inChannels, outChannels, kernelOf(kernelSize, 1), opts);
  }
  forward(x: Tensor): Tensor {
    const { bias: _b, ...o } = this.options;
    return conv1d(x, this.weight, this.bias, o);
  }
}

/**
 * input (N, C_in, H, W) or (C_in, H, W) → (N, C_out, H_out, W_out).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 32, 3, { padding: 1 });
 * conv.forward(torch.randn([64, 1, 28, 28])).shape; // [64, 32, 28, 28]
 * ```
 */
export class Conv2d extends ConvNd<Size2d> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, opts: ConvLayerOptions<Size2d> = {}) {
    super('Conv2d', inChannels, outChannels, kernelOf(kernelSize, 2), opts);
  }
  forward(x: Tensor): Tensor {
    const { bias: _b, ...o } = this.options;
    return conv2d(x, this.weight, this.bias, o);
  }
}
