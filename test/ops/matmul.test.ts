import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/matmul.js';

runOpSuite('matmul', specs);

describe('matmul behaviour', () => {
  test('result shapes follow torch.matmul for every rank combination', () => {
    const shape = (a: number[], b: number[]): number[] => [...torch.matmul(torch.zeros(a), torch.zeros(b)).shape];
    assert.deepEqual(shape([3], [3]), []);
    assert.deepEqual(shape([3], [3, 4]), [4]);
    assert.deepEqual(shape([2, 3], [3]), [2]);
    assert.deepEqual(shape([5, 2, 3], [3, 4]), [5, 2, 4]);
    assert.deepEqual(shape([2, 1, 2, 3], [4, 3, 5]), [2, 4, 2, 5]);
    assert.deepEqual(shape([3], [6, 3, 2]), [6, 2]);
  });

  test('integer matrices multiply exactly and keep their dtype', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: 'int64' });
    const r = a.matmul(a);
    assert.equal(r.dtype, 'int64');
    assert.deepEqual(r.toArray(), [[7, 10], [15, 22]]);
  });

  test('a 0-d operand is a ShapeError', () => {
    assert.throws(() => torch.matmul(torch.tensor(2), torch.zeros([2])), torch.ShapeError);
  });

  test('the gradient of a broadcast operand sums over the batch', () => {
    const a = torch.ones([3, 2, 2], { dtype: 'float64' });
    const b = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    a.matmul(b).sum().backward();
    assert.deepEqual(b.grad!.toArray(), [[6, 6], [6, 6]]);
  });
});
