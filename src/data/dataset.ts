/**
 * Map-style datasets (torch.utils.data.Dataset): anything with a length and random access by
 * index. `TensorDataset` slices tensors along their first dimension, `Subset` views a dataset
 * through a list of indices, `randomSplit` cuts one into random non-overlapping subsets.
 */
import { IndexError, ShapeError, ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { torchRandperm } from './sampler.js';

/**
 * What the DataLoader needs from a dataset: a size and random access. Plain objects work too;
 * subclassing `Dataset` is not required.
 */
export interface DatasetLike<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * Base class of map-style datasets: implement `length` and `get(i)` for 0 ≤ i < length.
 *
 * @example
 * ```ts
 * class Squares extends Dataset<{ x: number; y: number }> {
 *   readonly length = 100;
 *   get(i: number) { return { x: i, y: i * i }; }
 * }
 * ```
 */
export abstract class Dataset<T> implements DatasetLike<T> {
  abstract readonly length: number;
  abstract get(index: number): T;

  /** Every sample in order (handy for small datasets and tests). */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** Arrays work wherever a dataset does (PyTorch accepts any sequence). */
export function asDataset<T>(data: DatasetLike<T> | readonly T[]): DatasetLike<T> {
  if (!Array.isArray(data)) return data as DatasetLike<T>;
  const items = data as readonly T[];
  return { get length() { return items.length; }, get: (i: number) => items[normIndex('get', i, items.length)]! };
}

/** Python-style index check: -length ≤ i < length, negatives counting from the end. */
function normIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new IndexError(op, `index ${index} is out of range for a dataset of length ${length}`);
  }
  return index < 0 ? index + length : index;
}

/**
 * A dataset of tensors sharing their first dimension; sample i is the tuple of each tensor's
 * i-th slice (`t[i]`), as torch.utils.data.TensorDataset.
 *
 * @example
 * ```ts
 * const ds = new TensorDataset(randn([100, 4]), randint(0, 3, [100]));
 * const [x, y] = ds.get(0); // shapes [4] and []
 * ```
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;

  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset', 'expected at least one tensor');
    if (tensors.some((t) => t.ndim === 0 || t.shape[0] !== tensors[0]!.shape[0])) {
      throw new ShapeError('TensorDataset', 'every tensor needs the same size in its first dimension', tensors.map((t) => t.shape));
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  get(index: number): T {
    const i = normIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.select(0, i)) as T;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset).
 *
 * @example
 * ```ts
 * const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * ```
 */
export class Subset<T> extends Dataset<T> {
  readonly indices: readonly number[];

  readonly dataset: DatasetLike<T>;

  constructor(dataset: DatasetLike<T> | readonly T[], indices: readonly number[]) {
    super();
    this.dataset = asDataset(dataset);
    this.indices = [...indices];
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[normIndex('Subset.get', index, this.indices.length)]!);
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Generator for the permutation. Default: the global one (`manualSeed`). */
  generator?: Generator;
}

/**
 * Split sizes from `lengths`: integers that sum to the dataset length, or fractions summing to 1
 * (each floor(n·f), then the remainder handed out one by one from the first split, as PyTorch).
 */
function splitSizes(lengths: readonly number[], n: number): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  // math.isclose(total, 1) with Python's default rel_tol of 1e-9.
  if (Math.abs(total - 1) <= 1e-9 * Math.max(1, Math.abs(total)) && total <= 1) {
    const sizes = lengths.map((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new ValueError('randomSplit', `fraction at index ${i} is not between 0 and 1: ${f}`);
      return Math.floor(n * f);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    return sizes;
  }
  lengths.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new ValueError('randomSplit', `length at index ${i} must be a non-negative integer (or all lengths fractions summing to 1), got ${l}`);
  });
  if (total !== n) throw new ValueError('randomSplit', `the lengths [${lengths.join(', ')}] sum to ${total}, the dataset has ${n} samples`);
  return [...lengths];
}

/**
 * Randomly splits a dataset into non-overlapping subsets of the given lengths (or fractions).
 * Draws the same permutation as torch.utils.data.random_split under the same seed.
 *
 * @example
 * ```ts
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: new Generator(42) });
 * ```
 */
export function randomSplit<T>(data: DatasetLike<T> | readonly T[], lengths: readonly number[], opts: RandomSplitOptions = {}): Subset<T>[] {
  const dataset = asDataset(data);
  if (lengths.length === 0) throw new ValueError('randomSplit', 'expected at least one length');
  const sizes = splitSizes(lengths, dataset.length);
  const perm = torchRandperm(dataset.length, opts.generator ?? defaultGenerator);
  let offset = 0;
  return sizes.map((size) => {
    const s = new Subset(dataset, perm.slice(offset, offset + size));
    offset += size;
    return s;
  });
}
