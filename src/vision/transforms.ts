/**
 * Composable image transforms (torchvision.transforms): each factory returns a plain function,
 * and `compose` chains them. Geometric transforms take a RawImage (uint8, H × W × C) or a float
 * tensor (…, H, W) and return the same kind; `toTensor` turns a RawImage into a float (C, H, W)
 * tensor; `normalize` works on tensors.
 *
 * Random transforms draw from the global generator (seed it with `manualSeed`) or from
 * `opts.generator`, exactly as torchvision draws from torch's: randomCrop takes
 * `torch.randint(0, H − h + 1)` then `torch.randint(0, W − w + 1)` (nothing when the image is
 * already the crop size), randomHorizontalFlip one `torch.rand(1)` per call; so under the same
 * seed the crops and flips are torchvision's.
 *
 * @example
 * ```ts
 * import { transforms as T } from 'tsorch/vision';
 * const train = T.compose(T.randomCrop(28, { padding: 4 }), T.randomHorizontalFlip(), T.toTensor(), T.normalize([0.286], [0.353]));
 * const x = train(image); // float32 (1, 28, 28)
 * ```
 */
import { defaultGenerator, ValueError, type Generator, type Tensor } from '../index.js';
import * as F from './functional.js';
import type { ImageLike } from './planes.js';

export * as functional from './functional.js';
export type { ImageLike } from './planes.js';

/** A transform: a function from one value to another. */
export type Transform<I, O = I> = (input: I) => O;

/**
 * Chains transforms left to right: compose(f, g)(x) = g(f(x)) (torchvision's Compose). Each
 * step's output type must fit the next step's input, checked by the compiler.
 *
 * @example
 * ```ts
 * const t = compose(centerCrop(24), toTensor(), normalize([0.5], [0.5]));
 * t(image28).shape; // [1, 24, 24]
 * ```
 */
export function compose<A, B>(t1: Transform<A, B>): Transform<A, B>;
export function compose<A, B, C>(t1: Transform<A, B>, t2: Transform<B, C>): Transform<A, C>;
export function compose<A, B, C, D>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>): Transform<A, D>;
export function compose<A, B, C, D, E>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>): Transform<A, E>;
export function compose<A, B, C, D, E, G>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>, t5: Transform<E, G>): Transform<A, G>;
export function compose<A, B, C, D, E, G, H>(
  t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>, t5: Transform<E, G>, t6: Transform<G, H>,
): Transform<A, H>;
export function compose<A, B, C, D, E, G, H, I>(
  t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>, t5: Transform<E, G>, t6: Transform<G, H>, t7: Transform<H, I>,
): Transform<A, I>;
export function compose(...transforms: Transform<unknown, unknown>[]): Transform<unknown, unknown>;
export function compose(...transforms: Transform<unknown, unknown>[]): Transform<unknown, unknown> {
  return (input: unknown) => transforms.reduce((x, t) => t(x), input);
}

/** Options of the random transforms. */
export interface RandomOptions {
  /** Generator to draw from. Default: the global one (`manualSeed`). */
  generator?: Generator;
}

/** Options of `randomCrop`, as torchvision's RandomCrop (padding mode 'constant'). */
export interface RandomCropOptions extends RandomOptions {
  /** Padding added before cropping: all sides, [left/right, top/bottom] or [l, t, r, b]. Default none. */
  padding?: F.Padding;
  /** Pad an image smaller than the crop (by the difference, on both sides of that edge). Default false. */
  padIfNeeded?: boolean;
  /** The padding value: one, or one per channel. Default 0. */
  fill?: number | readonly number[];
}

/**
 * A random `size` crop, after optional padding (torchvision's RandomCrop): the classic
 * augmentation for 28×28 and 32×32 images is `randomCrop(28, { padding: 4 })`.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * randomCrop(28, { padding: 4 })(image).height; // 28, shifted by up to 4 pixels each way
 * ```
 */
export function randomCrop(size: F.Size2, opts: RandomCropOptions = {}): Transform<ImageLike> {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  const [l, t, r, b] = F.paddingLTRB(opts.padding ?? 0);
  return (img) => {
    const g = opts.generator ?? defaultGenerator;
    const [h0, w0] = F.imageSize(img);
    let [left, top, height, width] = [l, t, h0 + t + b, w0 + l + r];
    // pad_if_needed pads by the whole difference on each side of the short edge, as torchvision.
    if (opts.padIfNeeded && width < tw) [left, width] = [left + (tw - width), width + 2 * (tw - width)];
    if (opts.padIfNeeded && height < th) [top, height] = [top + (th - height), height + 2 * (th - height)];
    if (height < th || width < tw) {
      throw new ValueError('randomCrop', `required crop size ${th}×${tw} is larger than the (padded) input image size ${height}×${width}`);
    }
    if (height === th && width === tw) return F.crop(img, -top, -left, th, tw, opts.fill ?? 0);
    const i = g.nextInt(0, height - th + 1);
    const j = g.nextInt(0, width - tw + 1);
    return F.crop(img, i - top, j - left, th, tw, opts.fill ?? 0);
  };
}

/**
 * Mirrors left to right with probability `p` (default 0.5), drawing one uniform per call.
 *
 * @example
 * ```ts
 * const flip = randomHorizontalFlip(0.5, { generator: new Generator(1) });
 * ```
 */
export function randomHorizontalFlip(p = 0.5, opts: RandomOptions = {}): Transform<ImageLike> {
  if (!(p >= 0 && p <= 1)) throw new ValueError('randomHorizontalFlip', `p must be between 0 and 1, got ${p}`);
  return (img) => ((opts.generator ?? defaultGenerator).nextFloat32() < p ? F.hflip(img) : img);
}

/**
 * Bilinear resize (torchvision's Resize): a number resizes the shorter edge keeping the aspect
 * ratio, a pair gives [height, width]. RawImages match PIL's resize, tensors
 * F.interpolate(bilinear, align_corners=False, antialias) — see `functional.resizeTo`.
 *
 * @example
 * ```ts
 * resize(32)(image28).height; // 32
 * ```
 */
export function resize(size: F.Size2, opts: { antialias?: boolean; maxSize?: number } = {}): Transform<ImageLike> {
  return (img) => F.resize(img, size, opts);
}

/**
 * The central `size` crop (zero-padded when the image is smaller), as torchvision's CenterCrop.
 *
 * @example
 * ```ts
 * centerCrop(24)(image28).width; // 24
 * ```
 */
export function centerCrop(size: F.Size2): Transform<ImageLike> {
  return (img) => F.centerCrop(img, size);
}

/**
 * RawImage (uint8, H × W × C) → float32 tensor (C, H, W) in [0, 1]; tensors pass through.
 *
 * @example
 * ```ts
 * toTensor()(image28).shape; // [1, 28, 28]
 * ```
 */
export function toTensor(): Transform<ImageLike, Tensor> {
  return F.toTensor;
}

/**
 * Per-channel (x − mean) / std on float tensors (…, C, H, W).
 *
 * @example
 * ```ts
 * normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(x); // [0, 1] → [−1, 1]
 * ```
 */
export function normalize(mean: readonly number[], std: readonly number[]): Transform<Tensor> {
  return (x) => F.normalize(x, mean, std);
}
