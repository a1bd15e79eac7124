import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { Generator, ValueError, type Tensor } from '../../src/index.js';
import { DataLoader, randomSplit, TensorDataset, torchRandperm } from '../../src/data/index.js';
import { repoRoot } from '../helpers/fixtures.js';

interface LoaderCase {
  name: string;
  seed: number;
  n: number;
  options: { batch_size: number; shuffle: boolean; drop_last?: boolean };
  generatorSeed: number | null;
  partial: boolean;
  epochs: number[][][];
  globalAfter: number[];
  generatorAfter?: number[];
}
interface SplitCase { name: string; n: number; lengths: number[]; generatorSeed: number | null; globalSeed: number | null; indices: number[][] }
const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'io', 'dataloader.json'), 'utf8')) as {
  loaders: LoaderCase[];
  splits: SplitCase[];
  randperm: { n: number; seed: number; perm: number[] }[];
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const batches = (loader: Iterable<Tensor>): number[][] => [...loader].map((b) => b.toArray() as number[]);

describe('shuffling and splitting match PyTorch 1.13 under the same seeds', () => {
  for (const c of fixture.randperm) {
    test(`randperm(${c.n}) with a generator seeded ${c.seed}`, () => {
      assert.deepEqual(torchRandperm(c.n, new Generator(c.seed)), c.perm);
      assert.deepEqual(torch.randperm(c.n, { generator: new Generator(c.seed) }).toArray(), c.perm);
    });
  }

  for (const c of fixture.loaders) {
    test(`DataLoader ${c.name}: every epoch's batches, then the generators' next numbers`, () => {
      torch.manualSeed(c.seed);
      const g = c.generatorSeed === null ? undefined : new Generator(c.generatorSeed);
      const loader = new DataLoader(range(c.n), { batchSize: c.options.batch_size, shuffle: c.options.shuffle, dropLast: c.options.drop_last ?? false, generator: g });
      const got: number[][][] = [];
      if (c.partial) {
        const first = loader[Symbol.iterator]().next();
        assert.ok(!first.done);
        got.push([first.value.toArray() as number[]]);
      }
      while (got.length < c.epochs.length) got.push(batches(loader));
      assert.deepEqual(got, c.epochs);
      assert.deepEqual(torch.rand([c.globalAfter.length]).toArray(), c.globalAfter.map(Math.fround), 'global generator state after the epochs');
      if (g) assert.deepEqual(torch.rand([3], { generator: g }).toArray(), c.generatorAfter!.map(Math.fround), 'loader generator state after the epochs');
    });
  }

  for (const c of fixture.splits) {
    test(`randomSplit ${c.name}`, () => {
      if (c.globalSeed !== null) torch.manualSeed(c.globalSeed);
      const opts = c.generatorSeed === null ? {} : { generator: new Generator(c.generatorSeed) };
      const parts = randomSplit(range(c.n), c.lengths, opts);
      assert.deepEqual(parts.map((p) => [...p.indices]), c.indices);
    });
  }
});

function dataset(n: number): TensorDataset<[Tensor, Tensor]> {
  return new TensorDataset(torch.arange(n * 2, undefined, 1, { dtype: 'float32' }).reshape(n, 2), torch.arange(n));
}

test('batches: shapes, a smaller last batch, dropLast, length', () => {
  const loader = new DataLoader(dataset(10), { batchSize: 4 });
  assert.equal(loader.length, 3);
  const shapes = [...loader].map(([x, y]) => [x.shape, y.shape]);
  assert.deepEqual(shapes, [[[4, 2], [4]], [[4, 2], [4]], [[2, 2], [2]]]);
  const dropped = new DataLoader(dataset(10), { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual([...dropped].map(([, y]) => y.toArray()), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(new DataLoader(dataset(8), { batchSize: 4, dropLast: true }).length, 2);
  assert.equal(new DataLoader(dataset(3), { batchSize: 4, dropLast: true }).length, 0);
  assert.equal(new DataLoader(dataset(3)).length, 3, 'batchSize defaults to 1');
  assert.throws(() => new DataLoader(dataset(3), { batchSize: 0 }), ValueError);
});

test('shuffle: each epoch covers every index exactly once, epochs differ, seeds reproduce', () => {
  const order = (seed: number, epochs: number): number[][] => {
    torch.manualSeed(seed);
    const loader = new DataLoader(dataset(50), { batchSize: 8, shuffle: true });
    return Array.from({ length: epochs }, () => [...loader].flatMap(([, y]) => y.toArray() as number[]));
  };
  const [e1, e2] = order(123, 2);
  assert.deepEqual([...e1!].sort((a, b) => a - b), range(50));
  assert.deepEqual([...e2!].sort((a, b) => a - b), range(50));
  assert.notDeepEqual(e1, e2, 'a new epoch reshuffles');
  assert.notDeepEqual(e1, range(50));
  assert.deepEqual(order(123, 2), [e1, e2], 'the same seed gives the same orders');
  assert.notDeepEqual(order(124, 1)[0], e1);
  const withGen = (): number[] => [...new DataLoader(dataset(50), { batchSize: 50, shuffle: true, generator: new Generator(9) })][0]![1].toArray() as number[];
  torch.manualSeed(1);
  const a = withGen();
  torch.manualSeed(2);
  assert.deepEqual(withGen(), a, 'an explicit generator does not depend on the global seed');
});

test('custom collate, and collate of object samples', () => {
  const items = range(5).map((i) => ({ x: torch.full([3], i), label: i % 2 }));
  const loader = new DataLoader(items, { batchSize: 2 });
  const first = [...loader][0]!;
  assert.deepEqual(first.x.shape, [2, 3]);
  assert.deepEqual(first.label.toArray(), [0, 1]);
  const sums = new DataLoader(items, { batchSize: 2, collate: (s) => s.reduce((acc, v) => acc + v.label, 0) });
  assert.deepEqual([...sums], [1, 1, 0]);
});

test('for await…of gives the same batches as for…of, and break ends the epoch', async () => {
  torch.manualSeed(5);
  const loader = new DataLoader(dataset(9), { batchSize: 2, shuffle: true });
  const sync = [...loader].map(([, y]) => y.toArray());
  torch.manualSeed(5);
  const got: unknown[] = [];
  for await (const [, y] of loader) got.push(y.toArray());
  assert.deepEqual(got, sync);
  let seen = 0;
  for await (const batch of loader) {
    assert.equal(batch.length, 2);
    if (++seen === 2) break;
  }
  assert.equal(seen, 2);
});
