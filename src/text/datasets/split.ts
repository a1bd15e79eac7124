/** Seeded stratified train/test splitting of labelled examples. */
import { ValueError } from '../../errors.js';
import { Generator } from '../../tensor/random.js';

/** Indices of the training and test examples. */
export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Splits example indices so that each class keeps its share in both parts: within every class
 * the examples are shuffled with a generator seeded by `seed`, and round(testFraction · count)
 * of them go to the test part. Each part is then shuffled once more (seeded), so batches drawn
 * in order mix the classes.
 *
 * @example
 * ```ts
 * const { train, test } = stratifiedSplit([0, 0, 0, 0, 1, 1], 0.5, 0);
 * test.length; // 3: two of class 0, one of class 1
 * ```
 */
export function stratifiedSplit(labels: readonly number[], testFraction: number, seed = 0): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) throw new ValueError('stratifiedSplit', `testFraction must be in (0, 1), got ${testFraction}`);
  const g = new Generator(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    if (!byClass.has(y)) byClass.set(y, []);
    byClass.get(y)!.push(i);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(cls)!;
    const order = g.permutation(idx.length).map((k) => idx[k]!);
    const nTest = Math.round(testFraction * idx.length);
    test.push(...order.slice(0, nTest));
    train.push(...order.slice(nTest));
  }
  const mix = (xs: number[]): number[] => g.permutation(xs.length).map((k) => xs[k]!);
  return { train: mix(train), test: mix(test) };
}
