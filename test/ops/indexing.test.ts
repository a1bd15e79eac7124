import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/indexing.js';

runOpSuite('indexing', specs);

describe('indexing behaviour', () => {
  const idx = (v: number[] | number[][]): torch.Tensor => torch.tensor(v, { dtype: 'int64' });

  test('embedding gives the padding row no gradient but still returns its values', () => {
    const w = torch.tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64', requiresGrad: true });
    const out = torch.embedding(idx([[0, 1], [1, 2]]), w, 1);
    assert.deepEqual(out.shape, [2, 2, 2]);
    assert.deepEqual(out.toArray(), [[[1, 2], [3, 4]], [[3, 4], [5, 6]]]);
    out.sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[1, 1], [0, 0], [1, 1]]);
  });

  test('scatterAdd accumulates repeated indices and leaves its input unchanged', () => {
    const x = torch.zeros([3]);
    const r = x.scatterAdd(0, idx([2, 2, 0, 2]), torch.tensor([1, 10, 100, 1000]));
    assert.deepEqual(r.toArray(), [100, 0, 1011]);
    assert.deepEqual(x.toArray(), [0, 0, 0]);
  });

  test('gather with repeated indices sends each use its share of the gradient', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    x.gather(0, idx([2, 2, 2, 0])).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1, 0, 3]);
  });

  test('indexSelect takes a 0-d index and int32 indices', () => {
    const x = torch.tensor([[1, 2], [3, 4]]);
    assert.deepEqual(x.indexSelect(0, torch.tensor(1, { dtype: 'int64' })).toArray(), [[3, 4]]);
    assert.deepEqual(x.indexSelect(1, torch.tensor([1, 1], { dtype: 'int32' })).toArray(), [[2, 2], [4, 4]]);
  });

  test('maskedFill keeps the dtype and broadcasts the mask', () => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'int64' });
    const r = x.maskedFill(torch.tensor([true, false]), 9);
    assert.equal(r.dtype, 'int64');
    assert.deepEqual(r.toArray(), [[9, 2], [9, 4]]);
    assert.throws(() => torch.zeros([2]).maskedFill(torch.tensor([[true], [false]]), 1), torch.ShapeError);
  });
});
