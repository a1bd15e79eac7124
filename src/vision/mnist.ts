/**
 * MNIST and Fashion-MNIST (torchvision.datasets.MNIST / FashionMNIST), read from the four IDX
 * files in a folder: `{train,t10k}-{images-idx3,labels-idx1}-ubyte`, plain or `.gz`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../data/index.js';
import { IndexError, type Tensor } from '../index.js';
import { DataFileError } from './errors.js';
import type { RawImage } from './image.js';
import { readIdx, type IdxArray } from './idx.js';
import { toTensor } from './functional.js';
import type { Transform } from './transforms.js';

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DEFAULT_ROOT = '/usr/share/datasets/fashion-mnist';

const MNIST_CLASSES = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'] as const;
const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Options of the MNIST-style datasets. */
export interface MNISTOptions<T> {
  /** The folder holding the IDX files. FashionMNIST defaults to FASHION_MNIST_DEFAULT_ROOT. */
  root?: string;
  /** The 60,000-image training split (true, default) or the 10,000-image test split. */
  train?: boolean;
  /** Applied to each 28×28 grey RawImage. Default: `toTensor` (float32 (1, 28, 28) in [0, 1]). */
  transform?: Transform<RawImage, T>;
}

function findFile(root: string, stem: string): string | null {
  for (const name of [stem, `${stem}.gz`]) if (existsSync(join(root, name))) return join(root, name);
  return null;
}

/**
 * A split of an MNIST-format dataset. Item i is `[image, label]`: the transformed 28×28 grey
 * image (by default a float32 tensor (1, 28, 28) in [0, 1]) and its class index, a number that
 * `defaultCollate` batches into an int64 tensor. `data` holds every image's pixels (uint8,
 * (N, 28, 28)) and `targets` every label, for fast whole-set use.
 *
 * @example
 * ```ts
 * const train = new MNIST({ root: './mnist' });
 * const [x, y] = train.get(0); // x: (1, 28, 28), y: 5
 * ```
 */
export class MNIST<T = Tensor> extends Dataset<[T, number]> {
  /** Class names in label order. */
  get classes(): readonly string[] {
    return MNIST_CLASSES;
  }
  /** The images, uint8 (N, 28, 28) (or whatever size the files hold). */
  readonly data: IdxArray;
  /** The labels, one byte per image. */
  readonly targets: Uint8Array;
  readonly train: boolean;
  readonly root: string;
  private readonly transform: Transform<RawImage, T>;

  constructor(opts: MNISTOptions<T> = {}) {
    super();
    const name = new.target.name;
    this.root = opts.root ?? this.defaultRoot();
    this.train = opts.train ?? true;
    this.transform = opts.transform ?? (toTensor as Transform<RawImage, unknown> as Transform<RawImage, T>);
    const split = this.train ? 'train' : 't10k';
    const imagesPath = findFile(this.root, `${split}-images-idx3-ubyte`);
    const labelsPath = findFile(this.root, `${split}-labels-idx1-ubyte`);
    if (imagesPath === null || labelsPath === null) {
      const missing = [imagesPath === null ? `${split}-images-idx3-ubyte[.gz]` : null, labelsPath === null ? `${split}-labels-idx1-ubyte[.gz]` : null].filter((s) => s !== null);
      throw new DataFileError(name, this.root, `${existsSync(this.root) ? `missing ${missing.join(' and ')}` : 'no such folder'}; ${this.howToGet()}`);
    }
    this.data = readIdx(imagesPath, { expect: { dtype: 'uint8', rank: 3 } });
    const labels = readIdx(labelsPath, { expect: { dtype: 'uint8', rank: 1 } });
    this.targets = labels.data as Uint8Array;
    const n = this.data.shape[0]!;
    if (labels.shape[0] !== n) {
      throw new DataFileError(name, labelsPath, `${labels.shape[0]} labels for ${n} images in ${imagesPath}`);
    }
    const bad = this.targets.findIndex((v) => v >= this.classes.length);
    if (bad >= 0) throw new DataFileError(name, labelsPath, `label ${this.targets[bad]} at index ${bad} is not a class index 0–${this.classes.length - 1}`);
  }

  /** The folder used when none is given. */
  protected defaultRoot(): string {
    throw new DataFileError('MNIST', '(no root)', `pass the folder holding the MNIST files: new MNIST({ root: '/path/to/mnist' }) with ${this.fileList()}`);
  }

  /** How to obtain the files, for error messages. */
  protected howToGet(): string {
    return `pass { root } pointing at a folder with ${this.fileList()}`;
  }

  protected fileList(): string {
    return '{train,t10k}-{images-idx3,labels-idx1}-ubyte (or .gz)';
  }

  get length(): number {
    return this.data.shape[0]!;
  }

  /** The i-th image as an 8-bit grey RawImage (a view of `data`, not a copy), before transforms. */
  image(index: number): RawImage {
    const [n, h, w] = this.data.shape as [number, number, number];
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new IndexError(this.constructor.name, `index ${index} is out of range for ${n} images`);
    return { data: (this.data.data as Uint8Array).subarray(index * h * w, (index + 1) * h * w), height: h, width: w, channels: 1 };
  }

  get(index: number): [T, number] {
    const img = this.image(index);
    return [this.transform(img), this.targets[index]!];
  }
}

/**
 * Fashion-MNIST: 28×28 grey photos of clothing in 10 classes (60,000 train, 10,000 test), in
 * the MNIST file format. The files come from Debian's `dataset-fashion-mnist` package
 * (`apt-get install dataset-fashion-mnist`, into /usr/share/datasets/fashion-mnist, the default
 * root) or from any folder given as `root`.
 *
 * @example
 * ```ts
 * const test = new FashionMNIST({ train: false });
 * test.classes[test.get(0)[1]]; // 'Ankle boot'
 * ```
 */
export class FashionMNIST<T = Tensor> extends MNIST<T> {
  override get classes(): readonly string[] {
    return FASHION_MNIST_CLASSES;
  }

  protected override defaultRoot(): string {
    return FASHION_MNIST_DEFAULT_ROOT;
  }

  protected override howToGet(): string {
    return `install the data with \`apt-get install dataset-fashion-mnist\` (it fills ${FASHION_MNIST_DEFAULT_ROOT}), or pass { root } pointing at a folder with ${this.fileList()}`;
  }
}
