import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { Generator, IndexError, ShapeError, ValueError, type Tensor } from '../../src/index.js';
import { Dataset, defaultCollate, randomSplit, Subset, TensorDataset } from '../../src/data/index.js';

test('TensorDataset: sample i is the tuple of i-th slices', () => {
  const x = torch.arange(12, undefined, 1, { dtype: 'float32' }).reshape(4, 3);
  const y = torch.tensor([0, 1, 2, 3], { dtype: 'int64' });
  const ds = new TensorDataset(x, y);
  assert.equal(ds.length, 4);
  const [xi, yi] = ds.get(2);
  assert.deepEqual(xi.shape, [3]);
  assert.deepEqual(xi.toArray(), [6, 7, 8]);
  assert.deepEqual(yi.shape, []);
  assert.equal(yi.item(), 2);
  assert.equal(yi.dtype, 'int64');
  assert.deepEqual(ds.get(-1)[1].item(), 3, 'negative indices count from the end, as Python');
  assert.throws(() => ds.get(4), IndexError);
  assert.throws(() => ds.get(1.5), IndexError);
  assert.equal([...ds].length, 4);
});

test('TensorDataset: first dimensions must agree, and the error lists every shape', () => {
  assert.throws(() => new TensorDataset(torch.zeros([4, 3]), torch.zeros([5])), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.match(e.message, /^TensorDataset: .*first dimension.*\[4,3\] vs \[5\]$/);
    return true;
  });
  assert.throws(() => new TensorDataset(torch.zeros([4]), torch.tensor(1)), ShapeError, 'a 0-d tensor has no first dimension');
  assert.throws(() => new TensorDataset(), ValueError);
});

test('Dataset subclasses and Subset', () => {
  class Squares extends Dataset<{ x: number; y: number }> {
    readonly length = 6;
    get(i: number): { x: number; y: number } { return { x: i, y: i * i }; }
  }
  const sub = new Subset(new Squares(), [5, 0, 3]);
  assert.equal(sub.length, 3);
  assert.deepEqual([...sub], [{ x: 5, y: 25 }, { x: 0, y: 0 }, { x: 3, y: 9 }]);
  assert.throws(() => sub.get(3), IndexError);
});

test('defaultCollate: tensors stack, numbers become int64 or float64, strings stay a list', () => {
  const b = defaultCollate([
    { x: torch.tensor([1, 2]), y: 0, w: 0.5, name: 'a', flag: true },
    { x: torch.tensor([3, 4]), y: 1, w: 2, name: 'b', flag: false },
  ]);
  assert.deepEqual(b.x.shape, [2, 2]);
  assert.deepEqual(b.x.toArray(), [[1, 2], [3, 4]]);
  assert.equal(b.y.dtype, 'int64');
  assert.deepEqual(b.y.toArray(), [0, 1]);
  assert.equal(b.w.dtype, 'float64', 'a batch with a non-integer is float64, as Python floats');
  assert.deepEqual(b.w.toArray(), [0.5, 2]);
  assert.deepEqual(b.name, ['a', 'b']);
  assert.equal(b.flag.dtype, 'bool');
});

test('defaultCollate: tuples collate position by position and nest', () => {
  const samples: [Tensor, { ids: number[] }][] = [
    [torch.zeros([2, 3]), { ids: [1, 2] }],
    [torch.ones([2, 3]), { ids: [3, 4] }],
    [torch.ones([2, 3]), { ids: [5, 6] }],
  ];
  const [x, { ids }] = defaultCollate(samples);
  assert.deepEqual(x.shape, [3, 2, 3]);
  assert.equal(ids.length, 2);
  assert.deepEqual(ids[0]!.toArray(), [1, 3, 5]);
  assert.deepEqual(ids[1]!.toArray(), [2, 4, 6]);
});

test('defaultCollate: mismatches name the sample and the place', () => {
  assert.throws(() => defaultCollate([{ a: 1 }, { b: 2 }] as { a?: number; b?: number }[]), /sample 1 has no key 'a'/);
  assert.throws(() => defaultCollate([[1, 2], [1]]), /same length: sample 0 has 2 items, sample 1 has 1/);
  assert.throws(() => defaultCollate([{ a: 1 }, { a: 'x' }] as { a: number | string }[]), /sample 1 has a string at \.a where sample 0 has a number/);
  assert.throws(() => defaultCollate([torch.zeros([2]), torch.zeros([3])]), ShapeError);
  assert.throws(() => defaultCollate([]), ValueError);
  assert.throws(() => defaultCollate([new Map()]), /plain objects; got an object/);
});

test('randomSplit: sizes, fractions with remainders, disjoint cover, validation', () => {
  const data = Array.from({ length: 10 }, (_, i) => i);
  const ds = { length: data.length, get: (i: number) => data[i]! };
  const parts = randomSplit(ds, [3, 7], { generator: new Generator(42) });
  assert.deepEqual(parts.map((p) => p.length), [3, 7]);
  const all = parts.flatMap((p) => [...p]);
  assert.deepEqual([...all].sort((a, b) => a - b), data, 'the subsets are disjoint and cover every sample');
  assert.deepEqual(randomSplit(ds, [0.5, 0.25, 0.25]).map((p) => p.length), [6, 2, 2], 'floors 5, 2, 2; the remainder goes to the first split (as torch)');
  assert.throws(() => randomSplit(ds, [3, 6]), /sum to 9, the dataset has 10 samples/);
  assert.throws(() => randomSplit(ds, [2.5, 7.5]), /length at index 0 must be a non-negative integer/);
  assert.throws(() => randomSplit(ds, [1.5, -0.5]), /fraction at index 0 is not between 0 and 1/);
});
