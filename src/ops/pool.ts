/**
 * Pooling as reductions over `unfold` windows: max pooling takes `maxDim` over the window axis
 * (so the gradient goes to the selected element), average pooling sums it and divides by a
 * constant per-position divisor. Adaptive average pooling averages PyTorch's variable windows
 * with narrow + mean, one spatial dim at a time (a mean over a rectangle is the mean of its
 * row means).
 */
import type { UnfoldGeometry } from '../backend/types.js';
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat, wrap } from './core.js';
import { expandSize, unfold, type Size1d, type Size2d } from './conv.js';
import { gather } from './indexing.js';
import { maxDim, mean } from './reduce.js';
import { cat, constantPadNd, narrow } from './shape.js';

/** Options of `maxPool1d`/`maxPool2d` (PyTorch's keyword arguments). */
export interface MaxPoolOptions<S> {
  /** Step between windows. Default: the kernel size. */
  stride?: S;
  /** Implicit -Infinity padding on both sides; at most half the kernel size. Default 0. */
  padding?: S;
  /** Spacing between window taps. Default 1. */
  dilation?: S;
  /** Round the output size up, keeping a last partial window if it starts inside the input or left padding. */
  ceilMode?: boolean;
  /** Also return the argmax positions, as indices into each channel's flattened input. */
  returnIndices?: boolean;
}
export type MaxPool1dOptions = MaxPoolOptions<Size1d>;
export type MaxPool2dOptions = MaxPoolOptions<Size2d>;

/** Options of `avgPool1d`/`avgPool2d` (PyTorch's keyword arguments). */
export interface AvgPoolOptions<S> {
  /** Step between windows. Default: the kernel size. */
  stride?: S;
  /** Implicit zero padding on both sides; at most half the kernel size. Default 0. */
  padding?: S;
  /** Round the output size up (see `MaxPoolOptions.ceilMode`). */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor. Default true. */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number;
}
export type AvgPool1dOptions = AvgPoolOptions<Size1d>;
export type AvgPool2dOptions = AvgPoolOptions<Size2d>;

/** Max-pooled values with their argmax positions (int64, into each channel's flattened input). */
export interface MaxPoolResult {
  values: Tensor;
  indices: Tensor;
}

interface Windows {
  /** The unfolded input, reshaped to [...lead, ∏kernel, *out]. */
  cols: Tensor;
  lead: number[];
  spatial: number[];
  out: number[];
  g: UnfoldGeometry;
  /** Extra right padding that ceil mode adds to reach the last window. */
  extra: number[];
}

type Sizes = number | readonly number[];

/** PyTorch's pooling output size: floor or ceil, minus a last window that starts in the right padding. */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

function checkRank(op: string, nd: number, input: Tensor): void {
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2) {
    throw new ShapeError(op, `expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input`, [input.shape]);
  }
}

/** Validates pooling arguments and unfolds `input` into windows, padding with `padValue`. */
function poolWindows(op: string, nd: number, input: Tensor, kernelSize: Sizes, o: { stride?: Sizes; padding?: Sizes; dilation?: Sizes; ceilMode?: boolean }, padValue: number): Windows {
  requireFloat(op, input);
  checkRank(op, nd, input);
  const kernel = expandSize(op, 'kernelSize', kernelSize, nd, 1);
  const stride = expandSize(op, 'stride', o.stride ?? kernel, nd, 1);
  const padding = expandSize(op, 'padding', o.padding ?? 0, nd, 0);
  const dilation = expandSize(op, 'dilation', o.dilation ?? 1, nd, 1);
  padding.forEach((p, i) => {
    if (p > Math.floor(kernel[i]! / 2)) throw new ValueError(op, `padding should be at most half of the kernel size, got padding ${p} and kernel size ${kernel[i]}`);
  });
  const spatial = input.shape.slice(input.ndim - nd);
  const g: UnfoldGeometry = { kernel, stride, padding, dilation };
  const out = spatial.map((s, i) => pooledSize(s, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, o.ceilMode ?? false));
  if (out.some((n) => n < 1)) {
    throw new ShapeError(op, `output size [${out.join(',')}] is too small for input size [${spatial.join(',')}] with kernel size [${kernel.join(',')}], padding [${padding.join(',')}] and dilation [${dilation.join(',')}]`, [input.shape, kernel]);
  }
  // The backend's window count is the floor formula; ceil mode's partial last window needs
  // this much more input on the right.
  const extra = out.map((n, i) => Math.max(0, (n - 1) * stride[i]! + dilation[i]! * (kernel[i]! - 1) + 1 - spatial[i]! - 2 * padding[i]!));
  const lead = input.shape.slice(0, input.ndim - nd);
  const xp = extra.some((e) => e > 0) ? constantPadNd(input, [...lead.flatMap(() => [0, 0]), ...extra.flatMap((e) => [0, e])], padValue) : input;
  const K = kernel.reduce((a, b) => a * b, 1);
  const cols = unfold(xp, g, padValue).reshape([...lead, K, ...out]);
  return { cols, lead, spatial, out, g, extra };
}

/** For each window tap, its flat index into the (unpadded) spatial input, -1 in padding. */
function inputPositions(w: Windows, like: Tensor): Tensor {
  const padded = w.spatial.map((s, i) => s + w.extra[i]!);
  const n = padded.reduce((a, b) => a * b, 1);
  const pos = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = i;
    let flat = 0;
    let scale = 1;
    for (let d = padded.length - 1; d >= 0 && flat >= 0; d--) {
      const c = r % padded[d]!;
      r = Math.floor(r / padded[d]!);
      flat = c < w.spatial[d]! ? flat + c * scale : -1;
      scale *= w.spatial[d]!;
    }
    pos[i] = flat;
  }
  const grid = wrap(like.backend.fromArray('int64', pos), padded);
  const K = w.g.kernel.reduce((a, b) => a * b, 1);
  return unfold(grid, w.g, -1).reshape([K, ...w.out]);
}

function maxPoolNd(op: string, nd: number, input: Tensor, kernelSize: Sizes, opts: MaxPoolOptions<Sizes>): Tensor | MaxPoolResult {
  const w = poolWindows(op, nd, input, kernelSize, opts, -Infinity);
  const axis = w.lead.length;
  const { values, indices } = maxDim(w.cols, axis, true);
  if (!opts.returnIndices) return values.squeeze(axis);
  const taps = inputPositions(w, input);
  const positions = taps.expand([...w.lead, ...taps.shape]);
  return { values: values.squeeze(axis), indices: gather(positions, axis, indices).squeeze(axis) };
}

/**
 * 1-D max pooling (as `torch.nn.functional.max_pool1d`). input `(N, C, L)` or `(C, L)` →
 * `(N, C, L_out)` (or `(C, L_out)`); with `returnIndices`, `{ values, indices }` where indices
 * (int64) point into each channel's input row. The gradient goes to the maximum of each window.
 *
 * @example
 * ```ts
 * maxPool1d(torch.tensor([[[1, 3, 2, 5]]]), 2).toArray(); // [[[3, 5]]]
 * ```
 */
export function maxPool1d(input: Tensor, kernelSize: Size1d, opts: MaxPool1dOptions & { returnIndices: true }): MaxPoolResult;
export function maxPool1d(input: Tensor, kernelSize: Size1d, opts?: MaxPool1dOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, kernelSize: Size1d, opts?: MaxPool1dOptions): Tensor | MaxPoolResult;
export function maxPool1d(input: Tensor, kernelSize: Size1d, opts: MaxPool1dOptions = {}): Tensor | MaxPoolResult {
  return maxPoolNd('maxPool1d', 1, input, kernelSize, opts);
}

/**
 * 2-D max pooling (as `torch.nn.functional.max_pool2d`). input `(N, C, H, W)` or `(C, H, W)` →
 * `(N, C, H_out, W_out)` (or unbatched), with
 * `H_out = floor((H + 2·padding − dilation·(kH−1) − 1) / stride) + 1` (ceil with `ceilMode`).
 * With `returnIndices`, `{ values, indices }`: indices (int64) are `h·W + w` into each channel.
 *
 * @example
 * ```ts
 * const { values, indices } = maxPool2d(torch.randn([1, 3, 8, 8]), 2, { returnIndices: true });
 * values.shape; // [1, 3, 4, 4]
 * ```
 */
export function maxPool2d(input: Tensor, kernelSize: Size2d, opts: MaxPool2dOptions & { returnIndices: true }): MaxPoolResult;
export function maxPool2d(input: Tensor, kernelSize: Size2d, opts?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Size2d, opts?: MaxPool2dOptions): Tensor | MaxPoolResult;
export function maxPool2d(input: Tensor, kernelSize: Size2d, opts: MaxPool2dOptions = {}): Tensor | MaxPoolResult {
  return maxPoolNd('maxPool2d', 2, input, kernelSize, opts);
}

/**
 * PyTorch's divisor per output position: the window clipped to the padded input (countIncludePad)
 * or to the real input; ceil mode's extra right region never counts.
 */
function avgDivisors(w: Windows, countIncludePad: boolean): number[] {
  const perDim = w.out.map((n, d) => Array.from({ length: n }, (_, o) => {
    const [k, s, p, L] = [w.g.kernel[d]!, w.g.stride[d]!, w.g.padding[d]!, w.spatial[d]!];
    const start = o * s - p;
    const end = Math.min(start + k, L + p);
    return countIncludePad ? end - start : Math.min(end, L) - Math.max(start, 0);
  }));
  let divisors = [1];
  for (const counts of perDim) divisors = divisors.flatMap((v) => counts.map((c) => v * c));
  return divisors;
}

function avgPoolNd(op: string, nd: number, input: Tensor, kernelSize: Sizes, opts: AvgPoolOptions<Sizes>): Tensor {
  const override = opts.divisorOverride;
  if (override !== undefined && (!Number.isFinite(override) || override === 0)) throw new ValueError(op, `divisorOverride must be a non-zero number, got ${override}`);
  const w = poolWindows(op, nd, input, kernelSize, opts, 0);
  const sums = w.cols.sum(w.lead.length);
  if (override !== undefined) return sums.div(override);
  const divisor = wrap(input.backend.fromArray(input.dtype, avgDivisors(w, opts.countIncludePad ?? true)), w.out);
  return sums.div(divisor);
}

/**
 * 1-D average pooling (as `torch.nn.functional.avg_pool1d`, plus `divisorOverride` as in the
 * 2-D op). input `(N, C, L)` or `(C, L)` → `(N, C, L_out)` (or `(C, L_out)`).
 *
 * @example
 * ```ts
 * avgPool1d(torch.tensor([[[1, 3, 2, 6]]]), 2).toArray(); // [[[2, 4]]]
 * ```
 */
export function avgPool1d(input: Tensor, kernelSize: Size1d, opts: AvgPool1dOptions = {}): Tensor {
  return avgPoolNd('avgPool1d', 1, input, kernelSize, opts);
}

/**
 * 2-D average pooling (as `torch.nn.functional.avg_pool2d`). input `(N, C, H, W)` or
 * `(C, H, W)` → `(N, C, H_out, W_out)` (or unbatched), output sizes as in `maxPool2d` (no dilation).
 *
 * @example
 * ```ts
 * avgPool2d(torch.randn([1, 3, 7, 7]), 3, { stride: 2, padding: 1, countIncludePad: false }).shape; // [1, 3, 4, 4]
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: Size2d, opts: AvgPool2dOptions = {}): Tensor {
  return avgPoolNd('avgPool2d', 2, input, kernelSize, opts);
}

/** Averages PyTorch's adaptive windows [floor(i·L/n), ceil((i+1)·L/n)) along one dim. */
function adaptiveAlong(x: Tensor, dim: number, n: number): Tensor {
  const L = x.shape[dim]!;
  const parts = Array.from({ length: n }, (_, i) => {
    const start = Math.floor((i * L) / n);
    const end = Math.ceil(((i + 1) * L) / n);
    return mean(narrow(x, dim, start, end - start), dim, true);
  });
  return cat(parts, dim);
}

function adaptiveAvgPoolNd(op: string, nd: number, input: Tensor, outputSize: readonly (number | null)[]): Tensor {
  requireFloat(op, input);
  checkRank(op, nd, input);
  const spatial = input.shape.slice(input.ndim - nd);
  if (spatial.some((s) => s === 0)) throw new ShapeError(op, 'expected input to have non-zero size for non-batch dimensions', [input.shape]);
  const out = outputSize.map((o, i) => o ?? spatial[i]!);
  if (out.length !== nd || out.some((o) => !Number.isInteger(o) || o < 1)) {
    throw new ValueError(op, `outputSize must be ${nd} positive integer(s) (or null to keep a size), got [${outputSize.join(',')}]`);
  }
  let y = input;
  out.forEach((n, i) => { y = adaptiveAlong(y, input.ndim - nd + i, n); });
  return y;
}

/**
 * Adaptive 1-D average pooling (as `torch.nn.functional.adaptive_avg_pool1d`): output length
 * `outputSize` whatever the input length; window i covers `[floor(i·L/n), ceil((i+1)·L/n))`.
 * input `(N, C, L)` or `(C, L)` → `(N, C, outputSize)` (or `(C, outputSize)`).
 *
 * @example
 * ```ts
 * adaptiveAvgPool1d(torch.tensor([[[1, 2, 3, 4, 5]]]), 2).toArray(); // [[[2, 4]]]
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: Size1d): Tensor {
  return adaptiveAvgPoolNd('adaptiveAvgPool1d', 1, input, typeof outputSize === 'number' ? [outputSize] : outputSize);
}

/**
 * Adaptive 2-D average pooling (as `torch.nn.functional.adaptive_avg_pool2d`). input
 * `(N, C, H, W)` or `(C, H, W)` → `(N, C, outH, outW)` (or unbatched); `null` keeps that size.
 *
 * @example
 * ```ts
 * adaptiveAvgPool2d(torch.randn([2, 64, 7, 5]), 1).shape; // [2, 64, 1, 1] (global average pooling)
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  return adaptiveAvgPoolNd('adaptiveAvgPool2d', 2, input, typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize);
}
