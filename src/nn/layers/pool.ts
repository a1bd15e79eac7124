/** Pooling layers (torch.nn.MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d). */
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AvgPool1dOptions, type AvgPool2dOptions, type MaxPool1dOptions, type MaxPool2dOptions,
} from '../../ops/pool.js';
import type { Size1d, Size2d } from '../../ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

type NoIndices<O> = Omit<O, 'returnIndices'>;

/** input (N, C, L) → (N, C, L_out); stride defaults to the kernel size. */
export class MaxPool1d extends Module {
  constructor(readonly kernelSize: Size1d, readonly options: NoIndices<MaxPool1dOptions> = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool1d(x, this.kernelSize, { ...this.options, returnIndices: false }); }
}

/**
 * input (N, C, H, W) → (N, C, H_out, W_out); stride defaults to the kernel size.
 *
 * @example
 * ```ts
 * new nn.MaxPool2d(2).forward(torch.randn([1, 3, 28, 28])).shape; // [1, 3, 14, 14]
 * ```
 */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2d, readonly options: NoIndices<MaxPool2dOptions> = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, { ...this.options, returnIndices: false }); }
}

export class AvgPool1d extends Module {
  constructor(readonly kernelSize: Size1d, readonly options: AvgPool1dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool1d(x, this.kernelSize, this.options); }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size2d, readonly options: AvgPool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }
}

/** Averages into a fixed output length, whatever the input length. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: Size1d) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool1d(x, this.outputSize); }
}

/** Averages into a fixed (H_out, W_out) grid (null keeps that input size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
}
