/**
 * One view of the two image kinds the transforms accept, so each geometric kernel is written
 * once: a RawImage (uint8, height × width × channels) or a float tensor (…, H, W), whose leading
 * dimensions all count as channels. Element (c, y, x) sits at `c·cs + y·ys + x·xs`.
 */
import { ShapeError, tensor, Tensor, ValueError } from '../index.js';
import type { RawImage } from './image.js';

/** What the geometric transforms take: an 8-bit RawImage or a float tensor (…, H, W). */
export type ImageLike = RawImage | Tensor;

/** An image's values as planes, with its layout. */
export interface Planes {
  readonly data: ArrayLike<number>;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly cs: number;
  readonly ys: number;
  readonly xs: number;
}

/** Reads an image as planes; tensors must be floating point with at least 2 dimensions. */
export function toPlanes(op: string, img: ImageLike): Planes {
  if (img instanceof Tensor) {
    if (img.ndim < 2) throw new ShapeError(op, 'expected an image tensor of shape (…, H, W)', [img.shape]);
    if (img.dtype !== 'float32' && img.dtype !== 'float64') throw new ValueError(op, `expected a float32 or float64 image tensor, got ${img.dtype}`);
    const height = img.shape[img.ndim - 2]!;
    const width = img.shape[img.ndim - 1]!;
    const channels = img.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    return { data: img.contiguous().dataSync(), channels, height, width, cs: height * width, ys: width, xs: 1 };
  }
  const { data, height, width, channels } = img;
  if (data.length !== height * width * channels) {
    throw new ValueError(op, `a ${height}×${width}×${channels} image needs ${height * width * channels} values, got ${data.length}`);
  }
  return { data, channels, height, width, cs: 1, ys: width * channels, xs: channels };
}

/** Fresh planes of `height` × `width` in the layout of `like`, to be filled. */
export function emptyLike(like: ImageLike, channels: number, height: number, width: number): Planes & { data: Float64Array | Uint8Array } {
  if (like instanceof Tensor) return { data: new Float64Array(channels * height * width), channels, height, width, cs: height * width, ys: width, xs: 1 };
  return { data: new Uint8Array(channels * height * width), channels, height, width, cs: 1, ys: width * channels, xs: channels };
}

/** Wraps planes made by `emptyLike(like, …)` back into the kind of `like`. */
export function fromPlanes<T extends ImageLike>(like: T, p: Planes & { data: Float64Array | Uint8Array }): T {
  if (like instanceof Tensor) {
    const shape = [...like.shape.slice(0, -2), p.height, p.width];
    const values = like.dtype === 'float32' ? Float32Array.from(p.data) : Float64Array.from(p.data);
    return tensor(values, { shape, dtype: like.dtype }) as T;
  }
  return { data: p.data as Uint8Array, height: p.height, width: p.width, channels: p.channels } as T;
}

/**
 * The fill value of each plane: one number for all, or one per channel (repeated over the planes
 * of a batched tensor (N, C, H, W), whose plane n·C + c is channel c).
 */
export function fillValues(op: string, fill: number | readonly number[], channels: number): number[] {
  const values = typeof fill === 'number' ? [fill] : fill;
  if (values.length === 0 || channels % values.length !== 0) {
    throw new ValueError(op, `fill has ${values.length} values for an image with ${channels} channels (give one, or one per channel)`);
  }
  return Array.from({ length: channels }, (_, c) => values[c % values.length]!);
}
