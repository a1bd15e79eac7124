/**
 * ImageFolder (torchvision.datasets.ImageFolder): images in one sub-folder per class,
 * `root/<class>/[sub-folders/]<image>.png|jpg|jpeg`, classes in sorted order, decoded on access.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../data/index.js';
import { IndexError, type Tensor } from '../index.js';
import { DataFileError } from './errors.js';
import { readImage, type ImageMode, type RawImage } from './image.js';
import { toTensor } from './functional.js';
import type { Transform } from './transforms.js';

/** Options of ImageFolder. */
export interface ImageFolderOptions<T> {
  /** Applied to each decoded RawImage. Default: `toTensor` (float32 (C, H, W) in [0, 1]). */
  transform?: Transform<RawImage, T>;
  /** Colour mode every image is converted to. Default 'RGB', as torchvision's loader; 'L' for grey. */
  mode?: ImageMode;
  /** File name endings accepted (case-insensitive). Default ['.png', '.jpg', '.jpeg']. */
  extensions?: readonly string[];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every file under `dir`, as torchvision's sorted(os.walk(dir)): folders by path, files by name. */
function walkFiles(dir: string): string[] {
  const folders: [string, string[]][] = [];
  const visit = (d: string): void => {
    const names = readdirSync(d).sort();
    folders.push([d, names.filter((n) => !isDir(join(d, n)))]);
    for (const n of names) if (isDir(join(d, n))) visit(join(d, n));
  };
  visit(dir);
  folders.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return folders.flatMap(([d, files]) => files.map((f) => join(d, f)));
}

/**
 * A dataset of image files sorted into class folders. Class names are the sub-folder names,
 * sorted (so labels are the same as torchvision's); item i is `[image, label]` with the image
 * decoded (PNG or JPEG), converted to `mode` and transformed (by default a float32 (C, H, W)
 * tensor in [0, 1]). Decoding happens in `get`, so a corrupt file fails there, with its path.
 *
 * @example
 * ```ts
 * const ds = new ImageFolder('photos', { mode: 'RGB', transform: T.compose(T.resize(32), T.centerCrop(32), T.toTensor()) });
 * ds.classes; // ['cat', 'dog']
 * ```
 */
export class ImageFolder<T = Tensor> extends Dataset<[T, number]> {
  /** Class names in label order (the sorted sub-folder names). */
  readonly classes: readonly string[];
  /** Label of each class name. */
  readonly classToIdx: ReadonlyMap<string, number>;
  /** Every sample's file path and label, in order. */
  readonly samples: readonly (readonly [string, number])[];
  readonly mode: ImageMode;
  private readonly transform: Transform<RawImage, T>;

  constructor(readonly root: string, opts: ImageFolderOptions<T> = {}) {
    super();
    this.mode = opts.mode ?? 'RGB';
    this.transform = opts.transform ?? (toTensor as Transform<RawImage, unknown> as Transform<RawImage, T>);
    const extensions = (opts.extensions ?? ['.png', '.jpg', '.jpeg']).map((e) => e.toLowerCase());
    if (!isDir(root)) throw new DataFileError('ImageFolder', root, 'no such folder (expected root/<class>/<image files>)');
    this.classes = readdirSync(root).filter((n) => isDir(join(root, n))).sort();
    if (this.classes.length === 0) throw new DataFileError('ImageFolder', root, 'no class folders inside (expected root/<class>/<image files>)');
    this.classToIdx = new Map(this.classes.map((c, i) => [c, i]));
    const samples: [string, number][] = [];
    const empty: string[] = [];
    this.classes.forEach((c, label) => {
      const files = walkFiles(join(root, c)).filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)));
      if (files.length === 0) empty.push(join(root, c));
      for (const f of files) samples.push([f, label]);
    });
    if (empty.length > 0) {
      throw new DataFileError('ImageFolder', empty[0]!, `no image files (${extensions.join(', ')}) in ${empty.length === 1 ? 'this class folder' : `these class folders: ${empty.join(', ')}`}`);
    }
    this.samples = samples;
  }

  get length(): number {
    return this.samples.length;
  }

  /** Every sample's label, in order. */
  get targets(): number[] {
    return this.samples.map(([, label]) => label);
  }

  get(index: number): [T, number] {
    const sample = this.samples[index];
    if (!Number.isInteger(index) || sample === undefined) throw new IndexError('ImageFolder', `index ${index} is out of range for ${this.samples.length} images in ${this.root}`);
    const [path, label] = sample;
    return [this.transform(readImage(path, { mode: this.mode })), label];
  }
}
