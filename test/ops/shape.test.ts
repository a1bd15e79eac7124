import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/shape.js';

runOpSuite('shape', specs);

describe('shape op behaviour', () => {
  test('cat promotes mixed dtypes as torch.cat does', () => {
    const r = torch.cat([torch.tensor([1, 2], { dtype: 'int64' }), torch.tensor([0.5])]);
    assert.equal(r.dtype, 'float32');
    assert.deepEqual(r.toArray(), [1, 2, 0.5]);
  });

  test('cat sends each input the slice of the gradient it produced, and none to constants', () => {
    const a = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const c = torch.tensor([9], { dtype: 'float64' });
    torch.cat([a, c]).mul(torch.tensor([10, 20, 30], { dtype: 'float64' })).sum().backward();
    assert.deepEqual(a.grad!.toArray(), [10, 20]);
    assert.equal(c.grad, null);
  });

  test('stack adds a new dimension at the given position', () => {
    const xs = [torch.zeros([2, 3]), torch.ones([2, 3])];
    assert.deepEqual(torch.stack(xs, 0).shape, [2, 2, 3]);
    assert.deepEqual(torch.stack(xs, 1).shape, [2, 2, 3]);
    assert.deepEqual(torch.stack(xs, -1).shape, [2, 3, 2]);
    assert.deepEqual(torch.stack(xs, -1).select(-1, 1).toArray(), [[1, 1, 1], [1, 1, 1]]);
  });

  test('chunk gives fewer pieces than asked when the size does not divide, as torch.chunk', () => {
    assert.deepEqual(torch.zeros([6]).chunk(4).map((c) => c.numel()), [2, 2, 2]);
    assert.deepEqual(torch.zeros([7]).chunk(3).map((c) => c.numel()), [3, 3, 1]);
  });

  test('squeeze of a dimension that is not 1 returns the tensor unchanged', () => {
    const x = torch.zeros([2, 1]);
    assert.equal(x.squeeze(0), x);
    assert.deepEqual(x.squeeze(1).shape, [2]);
  });

  test('flatten of a 0-d tensor gives shape [1], and of a range merges only that range', () => {
    assert.deepEqual(torch.tensor(3).flatten().shape, [1]);
    assert.deepEqual(torch.zeros([2, 3, 4, 5]).flatten(1, 2).shape, [2, 12, 5]);
  });

  test('permute with a repeated dimension is a ValueError', () => {
    assert.throws(() => torch.zeros([2, 3]).permute(0, 0), torch.ValueError);
  });
});
