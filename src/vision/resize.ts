/**
 * Bilinear resizing, matching torchvision's two paths:
 *
 * - a float tensor follows `torch.nn.functional.interpolate(x, size, mode='bilinear',
 *   align_corners=False, antialias=…)`, which is what torchvision's `resize` does to tensors
 *   (antialias=True is torchvision's default from 0.17 on; false is plain half-pixel bilinear,
 *   which blurs less but aliases when shrinking);
 * - a RawImage follows PIL's `Image.resize(size, BILINEAR)`, which is what torchvision does to PIL
 *   images: the same triangle filter widened by the scale when shrinking (always antialiased),
 *   computed as PIL does in 22-bit fixed point, a horizontal pass rounded to 8 bits, then a
 *   vertical one; the results are PIL's, bit for bit.
 */
import { Tensor, ValueError } from '../index.js';
import { emptyLike, fromPlanes, toPlanes, type ImageLike, type Planes } from './planes.js';

/** For each output index, `size` input indices from `start[i]` with their weights. */
interface Taps {
  readonly size: number;
  readonly start: Int32Array;
  readonly weights: Float64Array;
}

/** Half-pixel bilinear (align_corners=False), PyTorch's upsample_bilinear2d: two taps. */
function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights = new Float64Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    const src = Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const lambda = i0 < inSize - 1 ? src - i0 : 0;
    start[i] = i0;
    weights[2 * i] = 1 - lambda;
    weights[2 * i + 1] = lambda;
  }
  return { size: 2, start, weights };
}

/**
 * PIL's precompute_coeffs for the bilinear (triangle) filter, also PyTorch's antialiased
 * bilinear: support 1 × max(scale, 1) around each output pixel's centre, weights normalised.
 */
function antialiasTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const weights = new Float64Array(outSize * size);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let k = 0; k < count; k++) {
      const x = Math.abs((k + xmin - center + 0.5) / filterScale);
      const w = x < 1 ? 1 - x : 0;
      weights[i * size + k] = w;
      total += w;
    }
    if (total !== 0) for (let k = 0; k < count; k++) weights[i * size + k]! /= total;
    start[i] = xmin;
  }
  return { size, start, weights };
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

/** PIL's normalize_coeffs_8bpc: weights to fixed point, rounded half away from zero. */
function toFixed(t: Taps): Taps {
  return { ...t, weights: t.weights.map((w) => (w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE))) };
}

/**
 * One resampling pass along x or y from `src` into `dst`. With `fixed`, weights are 22-bit
 * integers and each result is rounded and clipped to 0–255, as PIL's 8-bit passes.
 */
function pass(src: Planes, dst: Planes & { data: Float64Array | Uint8Array }, along: 'x' | 'y', taps: Taps, fixed: boolean): void {
  const { size, start, weights } = taps;
  const step = along === 'x' ? src.xs : src.ys;
  for (let c = 0; c < dst.channels; c++) {
    for (let y = 0; y < dst.height; y++) {
      for (let x = 0; x < dst.width; x++) {
        const o = along === 'x' ? x : y;
        const base = c * src.cs + (along === 'x' ? y * src.ys + start[o]! * src.xs : start[o]! * src.ys + x * src.xs);
        let sum = fixed ? ONE / 2 : 0;
        for (let k = 0; k < size; k++) {
          const w = weights[o * size + k]!;
          if (w !== 0) sum += w * src.data[base + k * step]!;
        }
        dst.data[c * dst.cs + y * dst.ys + x * dst.xs] = fixed ? Math.min(Math.max(Math.floor(sum / ONE), 0), 255) : sum;
      }
    }
  }
}

/**
 * Resizes an image to exactly `height` × `width` (see the module comment for what each kind
 * matches). `antialias` (default true) applies to tensors; RawImages are always antialiased, as
 * in PIL.
 *
 * @example
 * ```ts
 * resizeTo(torch.rand([3, 64, 48]), 32, 24).shape; // [3, 32, 24]
 * ```
 */
export function resizeTo<T extends ImageLike>(img: T, height: number, width: number, opts: { antialias?: boolean } = {}): T {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new ValueError('resize', `the output size must be positive integers, got ${height}×${width}`);
  }
  const src = toPlanes('resize', img);
  const fixed = !(img instanceof Tensor);
  const aa = fixed || (opts.antialias ?? true);
  const make = aa ? antialiasTaps : bilinearTaps;
  const tx = make(src.width, width);
  const ty = make(src.height, height);
  // Horizontal first, as PIL (for 8-bit images the intermediate is rounded to 8 bits there too).
  const mid = emptyLike(img, src.channels, src.height, width);
  pass(src, mid, 'x', fixed ? toFixed(tx) : tx, fixed);
  const out = emptyLike(img, src.channels, height, width);
  pass(mid, out, 'y', fixed ? toFixed(ty) : ty, fixed);
  return fromPlanes(img, out);
}

/**
 * The output size of torchvision's `resize(size)`: a number resizes the shorter edge to it,
 * keeping the aspect ratio (the longer edge truncated, and capped at `maxSize` if given); a pair
 * is (height, width).
 *
 * @example
 * ```ts
 * resizedSize(480, 640, 256); // [256, 341]
 * ```
 */
export function resizedSize(height: number, width: number, size: number | readonly [number, number], maxSize?: number): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  const [short, long] = width <= height ? [width, height] : [height, width];
  let newShort = size;
  let newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined) {
    if (maxSize <= size) throw new ValueError('resize', `maxSize (${maxSize}) must be greater than the requested size (${size})`);
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}
