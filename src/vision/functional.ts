/**
 * Image functions (torchvision.transforms.functional): the deterministic operations behind the
 * transforms, on a RawImage (uint8, H × W × C) or a float tensor (…, H, W). Each returns the
 * same kind it was given, and never changes its input.
 */
import { tensor, Tensor, ValueError } from '../index.js';
import type { RawImage } from './image.js';
import { emptyLike, fillValues, fromPlanes, toPlanes, type ImageLike } from './planes.js';
import { resizedSize, resizeTo } from './resize.js';

export { resizeTo, resizedSize } from './resize.js';

/** Padding as torchvision takes it: all sides, [left/right, top/bottom], or [left, top, right, bottom]. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

/** An output size: a square side, or [height, width]. */
export type Size2 = number | readonly [number, number];

/**
 * An image's [height, width] (the last two dimensions of a tensor).
 *
 * @example
 * ```ts
 * imageSize(torch.zeros([8, 1, 28, 32])); // [28, 32]
 * ```
 */
export function imageSize(img: ImageLike): [number, number] {
  if (img instanceof Tensor) return [img.shape[img.ndim - 2] ?? 0, img.shape[img.ndim - 1] ?? 0];
  return [img.height, img.width];
}

/**
 * [left, top, right, bottom] from torchvision's padding forms.
 *
 * @example
 * ```ts
 * paddingLTRB([1, 2]); // [1, 2, 1, 2]
 * ```
 */
export function paddingLTRB(padding: Padding): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding, padding, padding, padding] : padding.length === 2 ? [padding[0], padding[1], padding[0], padding[1]] : [...padding];
  if (p.some((v) => !Number.isInteger(v) || v < 0)) throw new ValueError('pad', `padding must be non-negative integers, got [${p.join(',')}]`);
  return p as [number, number, number, number];
}

function squareOr(op: string, size: Size2): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) throw new ValueError(op, `size must be positive integers, got ${h}×${w}`);
  return [h, w];
}

/**
 * The `height` × `width` window whose top-left corner is at (`top`, `left`); positions outside
 * the image (negative offsets, or beyond the edge) are filled with `fill` (one value, or one per
 * channel; 0–255 for RawImages, tensor units for tensors).
 *
 * @example
 * ```ts
 * crop(img, 2, 3, 24, 24); // rows 2…25, columns 3…26
 * ```
 */
export function crop(img: RawImage, top: number, left: number, height: number, width: number, fill?: number | readonly number[]): RawImage;
export function crop(img: Tensor, top: number, left: number, height: number, width: number, fill?: number | readonly number[]): Tensor;
export function crop(img: ImageLike, top: number, left: number, height: number, width: number, fill?: number | readonly number[]): ImageLike;
export function crop(img: ImageLike, top: number, left: number, height: number, width: number, fill: number | readonly number[] = 0): ImageLike {
  squareOr('crop', [height, width]);
  const src = toPlanes('crop', img);
  const fills = fillValues('crop', fill, src.channels);
  const out = emptyLike(img, src.channels, height, width);
  for (let c = 0; c < src.channels; c++) {
    for (let y = 0; y < height; y++) {
      const sy = y + top;
      for (let x = 0; x < width; x++) {
        const sx = x + left;
        const inside = sy >= 0 && sy < src.height && sx >= 0 && sx < src.width;
        out.data[c * out.cs + y * out.ys + x * out.xs] = inside ? src.data[c * src.cs + sy * src.ys + sx * src.xs]! : fills[c]!;
      }
    }
  }
  return fromPlanes(img, out);
}

/**
 * Pads with a constant (torchvision's padding_mode 'constant').
 *
 * @example
 * ```ts
 * pad(img28, 4); // 36 × 36, a 4-pixel black border
 * ```
 */
export function pad<T extends ImageLike>(img: T, padding: Padding, fill: number | readonly number[] = 0): T {
  const [l, t, r, b] = paddingLTRB(padding);
  const [h, w] = imageSize(img);
  return crop(img as ImageLike, -t, -l, h + t + b, w + l + r, fill) as T;
}

/**
 * Mirrors the image left to right.
 *
 * @example
 * ```ts
 * hflip(torch.tensor([[[1, 2, 3]]])).toArray(); // [[[3, 2, 1]]]
 * ```
 */
export function hflip<T extends ImageLike>(img: T): T {
  const src = toPlanes('hflip', img);
  const out = emptyLike(img, src.channels, src.height, src.width);
  for (let c = 0; c < src.channels; c++) {
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) out.data[c * out.cs + y * out.ys + x * out.xs] = src.data[c * src.cs + y * src.ys + (src.width - 1 - x) * src.xs]!;
    }
  }
  return fromPlanes(img, out);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * The central `size` window, as torchvision's center_crop: the top-left corner at
 * round((H − h) / 2), round((W − w) / 2) (Python's rounding), and zero padding around an image
 * smaller than the window.
 *
 * @example
 * ```ts
 * centerCrop(torch.rand([1, 28, 28]), 24).shape; // [1, 24, 24]
 * ```
 */
export function centerCrop<T extends ImageLike>(img: T, size: Size2): T {
  const [ch, cw] = squareOr('centerCrop', size);
  const [h, w] = imageSize(img);
  // torchvision pads by (c − s) // 2 before and the rest after, then crops at round((padded − c) / 2).
  const padT = ch > h ? Math.floor((ch - h) / 2) : 0;
  const padL = cw > w ? Math.floor((cw - w) / 2) : 0;
  const top = roundHalfEven((Math.max(h, ch) - ch) / 2) - padT;
  const left = roundHalfEven((Math.max(w, cw) - cw) / 2) - padL;
  return crop(img as ImageLike, top, left, ch, cw) as T;
}

/**
 * Resizes with bilinear interpolation. `size` as torchvision: a number resizes the shorter edge
 * (keeping the aspect ratio), a pair is [height, width]. See `resizeTo` for what each image
 * kind matches (PIL for RawImages, F.interpolate for tensors).
 *
 * @example
 * ```ts
 * resize(torch.rand([3, 480, 640]), 240).shape; // [3, 240, 320]
 * ```
 */
export function resize<T extends ImageLike>(img: T, size: Size2, opts: { antialias?: boolean; maxSize?: number } = {}): T {
  const [h, w] = imageSize(img);
  const [oh, ow] = resizedSize(h, w, size, opts.maxSize);
  if (oh === h && ow === w) return img;
  return resizeTo(img, oh, ow, opts);
}

/** v / 255 in float32 for each byte value, as torch's `uint8_tensor.float().div(255)`. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * An 8-bit image (H × W × C) as a float32 tensor (C, H, W) in [0, 1], as torchvision's
 * to_tensor. A tensor passes through unchanged, so `toTensor` may follow tensor transforms.
 *
 * @example
 * ```ts
 * toTensor({ data: Uint8Array.of(0, 255), height: 1, width: 2, channels: 1 }).toArray(); // [[[0, 1]]]
 * ```
 */
export function toTensor(img: ImageLike): Tensor {
  if (img instanceof Tensor) return img;
  const src = toPlanes('toTensor', img);
  const out = new Float32Array(src.data.length);
  const plane = src.height * src.width;
  for (let c = 0; c < src.channels; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = BYTE_TO_UNIT[src.data[i * src.channels + c]!]!;
  }
  return tensor(out, { shape: [src.channels, src.height, src.width] });
}

/**
 * (x − mean[c]) / std[c] for each channel c of a float tensor (C, H, W) or (N, C, H, W), in the
 * tensor's dtype, as torchvision's normalize.
 *
 * @example
 * ```ts
 * normalize(x, [0.2860], [0.3530]); // Fashion-MNIST's training-set mean and std
 * ```
 */
export function normalize(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  if (x.ndim < 3) throw new ValueError('normalize', `expected a tensor image (…, C, H, W), got shape [${x.shape.join(',')}]`);
  const c = x.shape[x.ndim - 3]!;
  const fit = (v: readonly number[], what: string): number[] => {
    if (v.length !== 1 && v.length !== c) throw new ValueError('normalize', `${what} has ${v.length} values for ${c} channels`);
    return v.length === 1 ? new Array<number>(c).fill(v[0]!) : [...v];
  };
  const m = fit(mean, 'mean');
  const s = fit(std, 'std');
  if (s.some((v) => v === 0)) throw new ValueError('normalize', `std evaluated to zero, leading to division by zero: [${s.join(', ')}]`);
  const shape = [c, 1, 1];
  return x.sub(tensor(m, { shape, dtype: x.dtype })).div(tensor(s, { shape, dtype: x.dtype }));
}
