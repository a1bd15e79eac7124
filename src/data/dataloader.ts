/**
 * The DataLoader (torch.utils.data.DataLoader, single process): batches of samples from a
 * map-style dataset, optionally shuffled, merged by a collate function.
 *
 * Random draws follow PyTorch 1.13 step for step, so under the same seed the batches are the same
 * and the generator is left in the same state:
 * - creating an iterator (each `for…of`) draws a 64-bit "base seed" from the loader's generator
 *   (the global one by default), even without shuffling, as PyTorch's iterator does;
 * - with shuffling and no generator, the first batch draws another 64-bit seed from the global
 *   generator and permutes with a fresh generator seeded by it; with a generator, the permutation
 *   is drawn from it directly, and once the epoch's indices run out a second, unused permutation
 *   is drawn (PyTorch's RandomSampler does this to handle num_samples > n).
 */
import { ValueError } from '../errors.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { defaultCollate, type Collated } from './collate.js';
import { asDataset, type DatasetLike } from './dataset.js';
import { drawSeed64Low, torchRandperm } from './sampler.js';

/** Options of a DataLoader. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch. Default 1. */
  batchSize?: number;
  /** Reshuffle the order at the start of every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /** Merges a list of samples into a batch. Default `defaultCollate`. */
  collate?: (samples: T[]) => B;
  /** Generator for shuffling (and the per-epoch base seed). Default: the global one. */
  generator?: Generator;
}

/**
 * Iterates a dataset in batches. Each `for…of` (or `for await…of`) is one epoch; with `shuffle`
 * every epoch has a new order, reproducible under `manualSeed` (the same order as PyTorch's
 * DataLoader under `torch.manual_seed` with the same seed, dataset size and options). Like
 * PyTorch's, every epoch consumes two 32-bit draws from the generator even without shuffling,
 * so later random ops (dropout, init) also stay in step with a PyTorch script.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * for (const [xb, yb] of loader) {
 *   opt.zeroGrad();
 *   nn.functional.crossEntropy(model.forward(xb), yb).backward();
 *   opt.step();
 * }
 * ```
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  private readonly collate: (samples: T[]) => B;

  constructor(dataset: DatasetLike<T> | readonly T[], opts: DataLoaderOptions<T, B> = {}) {
    this.dataset = asDataset(dataset);
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new ValueError('DataLoader', `batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    this.collate = opts.collate ?? ((samples: T[]) => defaultCollate(samples) as B);
  }

  /** The number of batches in an epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches. */
  [Symbol.iterator](): Iterator<B> {
    // PyTorch's _BaseDataLoaderIter draws its base seed when the iterator is created.
    drawSeed64Low(this.generator ?? defaultGenerator);
    return this.batches();
  }

  /** One epoch of batches, for `for await…of`. */
  [Symbol.asyncIterator](): AsyncIterator<B> {
    const it = this[Symbol.iterator]();
    return {
      next: async () => it.next(),
      return: async (value?: unknown) => it.return?.(value as B) ?? { done: true, value: value as B },
    };
  }

  /** The epoch's sample indices; the body runs lazily, from the first batch on, as PyTorch's sampler. */
  private *indices(): Generator_<number> {
    const n = this.dataset.length;
    if (!this.shuffle) {
      for (let i = 0; i < n; i++) yield i;
      return;
    }
    if (this.generator === undefined) {
      const g = new Generator(drawSeed64Low(defaultGenerator));
      yield* torchRandperm(n, g);
      return;
    }
    yield* torchRandperm(n, this.generator);
    // RandomSampler's trailing `randperm(n)[:num_samples % n]`: drawn, then sliced to nothing.
    torchRandperm(n, this.generator);
  }

  private *batches(): Generator_<B> {
    let batch: T[] = [];
    // A full batch is yielded as soon as it fills, and the end of the indices is only found on
    // the following pull, as in PyTorch's BatchSampler: the trailing draw happens at the same time.
    for (const i of this.indices()) {
      batch.push(this.dataset.get(i));
      if (batch.length === this.batchSize) {
        yield this.collate(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collate(batch);
  }
}

/** The built-in generator type (the name `Generator` is taken by tsorch's random generator). */
type Generator_<T> = globalThis.Generator<T, void, undefined>;
