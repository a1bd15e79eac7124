/**
 * Labelled images for the classifier pipeline, whatever they come from: an MNIST-format folder
 * (Fashion-MNIST, MNIST) or an ImageFolder. Every image carries a description (its file path,
 * or the IDX file and index) so that preprocessing errors name the file.
 */
import { Dataset } from '../data/index.js';
import { ValueError, type Tensor } from '../index.js';
import { DataFileError } from './errors.js';
import { convertImage, readImage, type ImageMode, type RawImage } from './image.js';
import { ImageFolder } from './image-folder.js';
import { FashionMNIST, FASHION_MNIST_DEFAULT_ROOT, MNIST } from './mnist.js';
import * as F from './functional.js';
import * as T from './transforms.js';

/** Labelled images with names for error messages. */
export interface LabelledImages {
  readonly classes: readonly string[];
  readonly length: number;
  /** The i-th image, decoded, before any preprocessing. */
  image(index: number): RawImage;
  label(index: number): number;
  /** Where image i comes from, for error messages (a file path, or `file #index`). */
  describe(index: number): string;
  /** What the data is: 'fashion-mnist', 'mnist' or the folder. */
  readonly name: string;
}

/** Options of {@link openImageData}. */
export interface OpenImageDataOptions {
  /** For 'fashion-mnist' and 'mnist': the folder with the IDX files (Fashion-MNIST defaults to /usr/share/datasets/fashion-mnist). */
  root?: string;
  /** For 'fashion-mnist' and 'mnist': which split. Default 'train'. */
  split?: 'train' | 'test';
}

/**
 * Opens labelled images: `'fashion-mnist'` or `'mnist'` (the IDX files under `opts.root`), or
 * the path of an ImageFolder (one sub-folder per class). Errors name the folder or file.
 *
 * @example
 * ```ts
 * const test = openImageData('fashion-mnist', { split: 'test' });
 * test.classes[test.label(0)]; // 'Ankle boot'
 * ```
 */
export function openImageData(data: string, opts: OpenImageDataOptions = {}): LabelledImages {
  const train = (opts.split ?? 'train') === 'train';
  if (data === 'fashion-mnist' || data === 'mnist') {
    if (data === 'mnist' && opts.root === undefined) throw new ValueError('openImageData', `'mnist' needs the folder holding its IDX files (root / --root)`);
    const ds = data === 'fashion-mnist'
      ? new FashionMNIST<RawImage>({ root: opts.root ?? FASHION_MNIST_DEFAULT_ROOT, train, transform: (x) => x })
      : new MNIST<RawImage>({ root: opts.root!, train, transform: (x) => x });
    const file = `${ds.root}/${train ? 'train' : 't10k'}-images-idx3-ubyte`;
    return {
      name: data, classes: ds.classes, length: ds.length,
      image: (i) => ds.image(i), label: (i) => ds.targets[i]!, describe: (i) => `${file} image #${i}`,
    };
  }
  // ImageFolder finds the files and labels; images are read as decoded, converted by the preprocessor.
  const ds = new ImageFolder<RawImage>(data, { transform: (x) => x });
  return {
    name: data, classes: ds.classes, length: ds.length,
    image: (i) => readImage(ds.samples[i]![0]), label: (i) => ds.samples[i]![1], describe: (i) => ds.samples[i]![0],
  };
}

/** How raw images become model inputs: recorded in a saved model's manifest. */
export interface Preprocessing {
  /** Colour mode the image is converted to ('L': 1 channel, 'RGB': 3). */
  mode: 'L' | 'RGB';
  /** Resize the shorter side to this and center-crop a square of it; null: images must already be `size`. */
  resize: number | null;
  /** Height and width the model takes. */
  size: number;
  /** Per-channel mean and std of `normalize` (pixel values in [0, 1]). */
  mean: number[];
  std: number[];
}

/** Augmentation for training: random crops with `padding` pixels each side, horizontal flips. */
export interface Augmentation {
  padding: number;
  flip: boolean;
}

/**
 * The function from a raw image to a normalised (C, size, size) tensor, with optional training
 * augmentation. An image of the wrong size (without `resize`) fails with a ValueError naming
 * the image's source and both sizes.
 *
 * @example
 * ```ts
 * const pre = preprocessor({ mode: 'L', resize: null, size: 28, mean: [0.286], std: [0.353] });
 * pre(image, 'shirt.png').shape; // [1, 28, 28]
 * ```
 */
export function preprocessor(p: Preprocessing, augment: Augmentation | null = null): (img: RawImage, source: string) => Tensor {
  const crop = augment && augment.padding > 0 ? T.randomCrop(p.size, { padding: augment.padding }) : null;
  const flip = augment?.flip ? T.randomHorizontalFlip() : null;
  return (img, source) => {
    let x = convertImage(img, p.mode as ImageMode);
    if (p.resize !== null) x = F.centerCrop(F.resize(x, p.resize), p.size);
    if (x.height !== p.size || x.width !== p.size) {
      throw new ValueError('image', `${source}: the image is ${x.width}×${x.height} but the model takes ${p.size}×${p.size} images `
        + `(train with --image-size ${p.size} to resize every image, or resize this one)`);
    }
    if (crop) x = crop(x) as RawImage;
    if (flip) x = flip(x) as RawImage;
    return F.normalize(F.toTensor(x), p.mean, p.std);
  };
}

/**
 * Per-channel mean and std of pixel values in [0, 1] over up to `limit` images (evenly spaced),
 * after conversion to `mode` and the optional resize/crop: the statistics for `normalize`.
 *
 * @example
 * ```ts
 * const { mean, std } = channelStats(openImageData('photos'), { mode: 'RGB', resize: 32, size: 32 });
 * ```
 */
export function channelStats(data: LabelledImages, p: Pick<Preprocessing, 'mode' | 'resize' | 'size'>, limit = 2000): { mean: number[]; std: number[] } {
  const c = p.mode === 'L' ? 1 : 3;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  let count = 0;
  const n = Math.min(limit, data.length);
  for (let k = 0; k < n; k++) {
    const i = Math.floor((k * data.length) / n);
    let img = convertImage(data.image(i), p.mode);
    if (p.resize !== null) img = F.centerCrop(F.resize(img, p.resize), p.size);
    for (let j = 0; j < img.data.length; j++) {
      const v = img.data[j]! / 255;
      sum[j % c] += v;
      sq[j % c] += v * v;
    }
    count += img.height * img.width;
  }
  if (count === 0) throw new DataFileError('channelStats', data.name, 'no pixels to measure');
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sq, (s, i) => Math.sqrt(Math.max(s / count - mean[i]! ** 2, 1e-12)));
  return { mean, std };
}

/** A Dataset of `[tensor, label]` over some of a LabelledImages' indices, preprocessed on access. */
export class PreprocessedImages extends Dataset<[Tensor, number]> {
  constructor(
    readonly source: LabelledImages,
    readonly indices: readonly number[],
    private readonly pre: (img: RawImage, source: string) => Tensor,
  ) {
    super();
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): [Tensor, number] {
    const i = this.indices[index];
    if (i === undefined) throw new ValueError('PreprocessedImages', `index ${index} is out of range for ${this.indices.length} images`);
    return [this.pre(this.source.image(i), this.source.describe(i)), this.source.label(i)];
  }
}
