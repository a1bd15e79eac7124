/**
 * Sliding windows and convolutions. `unfold` (im2col) and `fold` (col2im) are the differentiable
 * wrappers of the backend's window kernels, each the other's gradient; convolution is then
 * unfold + a grouped matmul, so its gradients (input, weight, bias, and higher orders) come from
 * the existing rules of reshape, matmul and add. Where the backend has a fused convolution
 * (Backend.fused.conv2d, groups = 1; conv1d runs as a 1×k conv2d), that runs instead, as one
 * autograd node whose backward is the fused backward, or, when the backward pass is itself
 * recorded (createGraph), the same gradients built from unfold/matmul/fold (convGrads).
 */
import type { UnfoldGeometry } from '../backend/types.js';
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, requireFloat, wrap } from './core.js';
import { matmul } from './matmul.js';
import { constantPadNd } from './shape.js';

/** A size for one spatial dimension: a number or a 1-tuple. */
export type Size1d = number | readonly [number];
/** A size for two spatial dimensions: one number for both, or (height, width). */
export type Size2d = number | readonly [number, number];

/** Options shared by `conv1d` and `conv2d` (PyTorch's keyword arguments). */
export interface ConvOptions<S> {
  /** Step between windows. Default 1. */
  stride?: S;
  /**
   * Implicit zero padding on both sides of each spatial dim, or `'valid'` (none) or `'same'`
   * (output size equals input size; stride must be 1; odd totals put the extra zero on the right,
   * as PyTorch). Default 0.
   */
  padding?: S | 'valid' | 'same';
  /** Spacing between kernel taps. Default 1. */
  dilation?: S;
  /** Channel groups: input and output channels split into `groups` independent convolutions. Default 1. */
  groups?: number;
}
export type Conv1dOptions = ConvOptions<Size1d>;
export type Conv2dOptions = ConvOptions<Size2d>;

/**
 * @internal Expands a size argument to one integer per spatial dim and checks it is >= `min`.
 */
export function expandSize(op: string, name: string, v: number | readonly number[], n: number, min: number): number[] {
  const out = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (out.length !== n) throw new ValueError(op, `${name} must be a number or a tuple of ${n}, got [${out.join(',')}]`);
  if (out.some((s) => !Number.isInteger(s) || s < min)) {
    throw new ValueError(op, `${name} must be ${min === 0 ? 'non-negative' : 'positive'} integers, got [${out.join(',')}]`);
  }
  return out;
}

/** @internal Number of windows along each spatial dim (PyTorch's floor formula). */
export function windowCounts(spatial: readonly number[], g: UnfoldGeometry): number[] {
  return spatial.map((s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
}

/** @internal Throws unless every window count is positive, naming `op` and `shapes`. */
export function checkWindows(op: string, spatial: readonly number[], g: UnfoldGeometry, shapes: readonly (readonly number[])[]): number[] {
  const out = windowCounts(spatial, g);
  if (out.some((o) => o < 1)) {
    const padded = spatial.map((s, i) => s + 2 * g.padding[i]!);
    const span = g.kernel.map((k, i) => g.dilation[i]! * (k - 1) + 1);
    throw new ShapeError(op, `output size [${out.join(',')}] is too small: padded input size [${padded.join(',')}] is smaller than the dilated kernel size [${span.join(',')}]`, shapes);
  }
  return out;
}

function checkGeometry(op: string, g: UnfoldGeometry): UnfoldGeometry {
  const n = g.kernel.length;
  if (n === 0) throw new ValueError(op, 'geometry needs at least one spatial dimension');
  return {
    kernel: expandSize(op, 'kernel', g.kernel, n, 1),
    stride: expandSize(op, 'stride', g.stride, n, 1),
    padding: expandSize(op, 'padding', g.padding, n, 0),
    dilation: expandSize(op, 'dilation', g.dilation, n, 1),
  };
}

/**
 * Extracts sliding windows (im2col) over the trailing `k = geometry.kernel.length` dims.
 * Input `[...lead, *spatial]` → output `[...lead, *kernel, *outSpatial]`, where
 * `out = floor((size + 2·padding − dilation·(kernel−1) − 1) / stride) + 1` per dim. Positions in
 * the padding read `padValue` and get no gradient. Unlike `torch.nn.functional.unfold`, channel
 * and kernel dims stay separate; reshape to get PyTorch's `(N, C·∏kernel, L)` layout. The
 * gradient is `fold`.
 *
 * @example
 * ```ts
 * const x = torch.randn([1, 2, 4, 4]);
 * unfold(x, { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] }).shape; // [1, 2, 2, 2, 2, 2]
 * ```
 */
export function unfold(x: Tensor, geometry: UnfoldGeometry, padValue = 0): Tensor {
  const g = checkGeometry('unfold', geometry);
  const k = g.kernel.length;
  if (x.ndim < k) throw new ShapeError('unfold', `input needs at least ${k} dims for a ${k}-D kernel`, [x.shape, g.kernel]);
  const spatial = x.shape.slice(x.ndim - k);
  const out = checkWindows('unfold', spatial, g, [x.shape, g.kernel]);
  const lead = x.shape.slice(0, x.ndim - k);
  const res = wrap(x.backend.unfold(x, g, padValue), [...lead, ...g.kernel, ...out]);
  return record(res, 'unfold', [x], (grad) => [fold(grad, g, spatial)]);
}

/**
 * Sums windows back into an image (col2im), the adjoint of `unfold` with zero padding.
 * Input `[...lead, *kernel, *outSpatial]` → output `[...lead, *spatial]`; entries that fall in
 * the padding are dropped, overlapping windows add up. The gradient is `unfold`.
 *
 * @example
 * ```ts
 * const g = { kernel: [2], stride: [1], padding: [0], dilation: [1] };
 * fold(torch.ones([2, 3]), g, [4]).toArray(); // [1, 2, 2, 1]: how many windows cover each position
 * ```
 */
export function fold(cols: Tensor, geometry: UnfoldGeometry, spatial: readonly number[]): Tensor {
  const g = checkGeometry('fold', geometry);
  const k = g.kernel.length;
  const size = expandSize('fold', 'spatial size', spatial, k, 1);
  if (cols.ndim < 2 * k) throw new ShapeError('fold', `input needs at least ${2 * k} dims ([...lead, *kernel, *out]) for a ${k}-D kernel`, [cols.shape, g.kernel]);
  const out = checkWindows('fold', size, g, [size, g.kernel]);
  const expected = [...g.kernel, ...out];
  if (cols.shape.slice(cols.ndim - 2 * k).some((s, i) => s !== expected[i])) {
    throw new ShapeError('fold', `trailing dims must be [*kernel, *outSpatial] = [${expected.join(',')}] for spatial size [${size.join(',')}]`, [cols.shape, expected]);
  }
  const lead = cols.shape.slice(0, cols.ndim - 2 * k);
  const res = wrap(cols.backend.fold(cols, g, size), [...lead, ...size]);
  return record(res, 'fold', [cols], (grad) => [unfold(grad, g, 0)]);
}

/** Symmetric padding plus the extra right-side padding that an even 'same' kernel needs. */
function resolvePadding(op: string, padding: ConvOptions<number | readonly number[]>['padding'], g: Omit<UnfoldGeometry, 'padding'>, n: number): { padding: number[]; extra: number[] } {
  if (padding === 'valid') return { padding: new Array<number>(n).fill(0), extra: new Array<number>(n).fill(0) };
  if (padding === 'same') {
    if (g.stride.some((s) => s !== 1)) throw new ValueError(op, `padding='same' is not supported for strided convolutions (stride [${g.stride.join(',')}])`);
    const total = g.kernel.map((k, i) => g.dilation[i]! * (k - 1));
    const left = total.map((t) => Math.floor(t / 2));
    return { padding: left, extra: total.map((t, i) => t - 2 * left[i]!) };
  }
  return { padding: expandSize(op, 'padding', padding ?? 0, n, 0), extra: new Array<number>(n).fill(0) };
}

function convNd(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvOptions<number | readonly number[]>): Tensor {
  requireFloat(op, input);
  const shapes = [input.shape, weight.shape];
  if (weight.ndim !== nd + 2) throw new ShapeError(op, `weight must be ${nd + 2}-D (out_channels, in_channels/groups, ${nd === 1 ? 'kW' : 'kH, kW'})`, shapes);
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2) throw new ShapeError(op, `expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input`, shapes);
  for (const t of bias ? [weight, bias] : [weight]) {
    if (t.dtype !== input.dtype) throw new DTypeError(op, `input (${input.dtype}), weight and bias must have the same dtype, got ${t.dtype}`);
  }
  checkSameBackend(op, ...(bias ? [input, weight, bias] : [input, weight]));
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(op, `groups must be a positive integer, got ${groups}`);
  const batched = input.ndim === nd + 2;
  const x = batched ? input : input.unsqueeze(0);
  const C = x.shape[1]!;
  const [Co, Cg] = [weight.shape[0]!, weight.shape[1]!];
  if (Co % groups !== 0) throw new ShapeError(op, `out_channels ${Co} (weight dim 0) is not divisible by groups ${groups}`, shapes);
  if (C !== Cg * groups) {
    throw new ShapeError(op, `expected input with ${Cg * groups} channels (weight's ${Cg} in_channels per group × groups ${groups}), got ${C}`, shapes);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Co)) throw new ShapeError(op, `bias must have shape [${Co}] (weight's out_channels)`, [bias.shape, weight.shape]);
  const kernel = weight.shape.slice(2);
  const stride = expandSize(op, 'stride', opts.stride ?? 1, nd, 1);
  const dilation = expandSize(op, 'dilation', opts.dilation ?? 1, nd, 1);
  const { padding, extra } = resolvePadding(op, opts.padding, { kernel, stride, dilation }, nd);
  const xp = extra.some((e) => e > 0) ? constantPadNd(x, [0, 0, 0, 0, ...extra.flatMap((e) => [0, e])], 0) : x;
  const g: UnfoldGeometry = { kernel, stride, padding, dilation };
  const out = checkWindows(op, xp.shape.slice(2), g, shapes);
  const N = x.shape[0]!;
  const fusedY = groups === 1 ? fusedConv(xp, weight, g, nd) : null;
  if (fusedY !== null) {
    const y = bias ? fusedY.add(bias.reshape([Co, ...out.map(() => 1)])) : fusedY;
    return batched ? y : y.squeeze(0);
  }
  const K = kernel.reduce((a, b) => a * b, 1);
  const L = out.reduce((a, b) => a * b, 1);
  // [N, C, *k, *out] → [N, G, C/G·K, L]: channel-major, so each group's rows are contiguous.
  const cols = unfold(xp, g, 0).reshape([N, groups, Cg * K, L]);
  const w = weight.reshape([groups, Co / groups, Cg * K]);
  let y = matmul(w, cols).reshape([N, Co, ...out]);
  if (bias) y = y.add(bias.reshape([Co, ...out.map(() => 1)]));
  return batched ? y : y.squeeze(0);
}

/**
 * Gradients of y = conv(x, weight) (groups = 1, no bias) for the output gradient gy, written with
 * differentiable ops so that a recorded backward (createGraph) can itself be differentiated:
 * dweight = Σ_n gy_n · cols_nᵀ, dx = fold(weightᵀ · gy_n).
 */
function convGrads(x: Tensor, weight: Tensor, g: UnfoldGeometry, gy: Tensor): [Tensor, Tensor] {
  const N = x.shape[0]!;
  const Co = weight.shape[0]!;
  const CK = weight.numel() / Co;
  const out = gy.shape.slice(2);
  const L = out.reduce((a, b) => a * b, 1);
  const gy2 = gy.reshape([N, Co, L]);
  const cols = unfold(x, g, 0).reshape([N, CK, L]);
  const dweight = matmul(gy2, cols.transpose(1, 2)).sum(0).reshape(weight.shape);
  const dcols = matmul(weight.reshape([Co, CK]).transpose(0, 1), gy2).reshape([N, x.shape[1]!, ...g.kernel, ...out]);
  return [fold(dcols, g, x.shape.slice(2)), dweight];
}

/**
 * The backend's fused convolution of x [N, C, *spatial] (already padded for 'same') with weight
 * [Co, C, *kernel], 1 or 2 spatial dims, no bias; null when the backend has none or declines.
 * One autograd node with inputs [x, weight].
 */
function fusedConv(x: Tensor, weight: Tensor, g: UnfoldGeometry, nd: number): Tensor | null {
  const kern = x.backend.fused;
  if (kern?.conv2d === undefined || (nd !== 1 && nd !== 2)) return null;
  // conv1d is a conv2d over a height of 1.
  const to2d = (t: Tensor): Tensor => (nd === 1 ? t.unsqueeze(2) : t);
  const g2: UnfoldGeometry = nd === 2 ? g : {
    kernel: [1, g.kernel[0]!], stride: [1, g.stride[0]!], padding: [0, g.padding[0]!], dilation: [1, g.dilation[0]!],
  };
  const xd = to2d(x.detach());
  const wd = to2d(weight.detach());
  const r = kern.conv2d(xd, wd, g2);
  if (r === null) return null;
  const out = windowCounts(x.shape.slice(2), g);
  const N = x.shape[0]!;
  const Co = weight.shape[0]!;
  return record(wrap(r, [N, Co, ...out]), nd === 1 ? 'conv1d' : 'conv2d', [x, weight], (gy) => {
    if (!isGradEnabled() && kern.conv2dBackward !== undefined && gy.dtype === x.dtype) {
      const gy2 = nd === 1 ? gy.unsqueeze(2) : gy;
      const b = kern.conv2dBackward(xd, wd, gy2, g2, x.requiresGrad, weight.requiresGrad);
      if (b !== null) return [b.dx ? wrap(b.dx, x.shape) : null, b.dweight ? wrap(b.dweight, weight.shape) : null];
    }
    return convGrads(x, weight, g, gy);
  });
}

/**
 * 1-D convolution (cross-correlation, as `torch.nn.functional.conv1d`).
 * input `(N, C_in, L)` or unbatched `(C_in, L)`; weight `(C_out, C_in/groups, kW)`; bias `(C_out)`
 * → `(N, C_out, L_out)` (or `(C_out, L_out)`), with
 * `L_out = floor((L + 2·padding − dilation·(kW−1) − 1) / stride) + 1`.
 *
 * @example
 * ```ts
 * const y = conv1d(torch.randn([8, 3, 32]), torch.randn([16, 3, 5]), null, { padding: 'same' });
 * y.shape; // [8, 16, 32]
 * ```
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  return convNd('conv1d', 1, input, weight, bias, opts);
}

/**
 * 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`).
 * input `(N, C_in, H, W)` or unbatched `(C_in, H, W)`; weight `(C_out, C_in/groups, kH, kW)`;
 * bias `(C_out)` → `(N, C_out, H_out, W_out)` (or `(C_out, H_out, W_out)`), each output size as in
 * `conv1d`. Depthwise convolution is `groups = C_in` with weight `(C_in·m, 1, kH, kW)`.
 *
 * @example
 * ```ts
 * const x = torch.randn([2, 3, 28, 28]);
 * conv2d(x, torch.randn([8, 3, 3, 3]), torch.zeros([8]), { stride: 2, padding: 1 }).shape; // [2, 8, 14, 14]
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  return convNd('conv2d', 2, input, weight, bias, opts);
}
