import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/reduce.js';

runOpSuite('reduce', specs);

describe('reduction behaviour', () => {
  const f64 = (v: number[] | number[][], requiresGrad = false): torch.Tensor => torch.tensor(v, { dtype: 'float64', requiresGrad });

  test('keepdim keeps reduced dimensions as size 1, in every listed position', () => {
    const x = torch.zeros([2, 3, 4, 5]);
    assert.deepEqual(x.sum([1, -1], true).shape, [2, 1, 4, 1]);
    assert.deepEqual(x.sum([1, -1]).shape, [2, 4]);
    assert.deepEqual(x.mean().shape, []);
  });

  test('amax gives tied maxima equal shares of the gradient', () => {
    const x = f64([[3, 1, 3, 3], [0, 2, 2, -1]], true);
    x.amax(1).sum().backward();
    const third = 1 / 3;
    assert.deepEqual(x.grad!.toArray(), [[third, 0, third, third], [0, 0.5, 0.5, 0]]);
  });

  test('maxDim returns the first index of a tie, as int64, and routes the gradient there only', () => {
    const x = f64([[3, 1, 3], [0, 2, 2]], true);
    const { values, indices } = x.maxDim(1);
    assert.equal(indices.dtype, 'int64');
    assert.deepEqual(indices.toArray(), [0, 1]);
    assert.deepEqual(values.toArray(), [3, 2]);
    values.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[1, 0, 0], [0, 1, 0]]);
  });

  test('prod with one zero gives the zero element the product of the others; with two, all zeros', () => {
    const one = f64([2, 0, 3], true);
    one.prod().backward();
    assert.deepEqual(one.grad!.toArray(), [0, 6, 0]);
    const two = f64([2, 0, 0], true);
    two.prod().backward();
    assert.deepEqual(two.grad!.toArray(), [0, 0, 0]);
  });

  test('var uses Bessel\'s correction by default; correction 0 and unbiased false divide by N', () => {
    const x = f64([1, 2, 3, 4]);
    assert.equal(x.var().item(), 5 / 3);
    assert.equal(x.var(null, { correction: 0 }).item(), 1.25);
    assert.equal(x.var(null, { unbiased: false }).item(), 1.25);
    assert.equal(x.std(0, { correction: 0 }).item(), Math.sqrt(1.25));
  });

  test('logsumexp is stable at ±1000 and gives -inf for a row of -inf', () => {
    const x = f64([[1000, 1000], [-1000, -1000]]);
    assert.deepEqual(Array.from(x.logsumexp(1).dataSync()), [1000 + Math.LN2, -1000 + Math.LN2]);
    assert.equal(f64([-Infinity, -Infinity]).logsumexp(0).item(), -Infinity);
    assert.equal(torch.tensor([1000, 1000.5]).logsumexp(0).dtype, 'float32');
  });

  test('reducing a 0-d tensor over dim 0 or -1 returns its value, as torch does', () => {
    const s = torch.tensor(3, { dtype: 'float64', requiresGrad: true });
    assert.equal(s.sum(0).item(), 3);
    assert.deepEqual(s.sum(-1, true).shape, []);
    assert.equal(s.mean(0).item(), 3);
    assert.equal(s.prod(0).item(), 3);
    assert.equal(s.amax(0).item(), 3);
    assert.equal(s.logsumexp(0).item(), 3);
    assert.equal(s.softmax(0).item(), 1);
    assert.equal(s.argmax(0).item(), 0);
    assert.equal(s.maxDim(0).values.item(), 3);
    s.prod(0).mul(s.sum(0)).backward();
    assert.equal(s.grad!.item(), 6);
  });
});
