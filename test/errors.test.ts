/** Errors say which op failed and with which shapes, indices or dtypes, in a typed error class. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../src/index.js';

type ErrorClass = new (...args: never[]) => torch.TsorchError;

/** Asserts that `fn` throws an instance of `cls` whose message is exactly `message` (or matches it). */
function throwsExactly(fn: () => unknown, cls: ErrorClass, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const idx = (v: number[] | number[][]): torch.Tensor => torch.tensor(v, { dtype: 'int64' });

describe('shape mismatches name the op and every shape', () => {
  test('add of unbroadcastable shapes names add and both shapes', () => {
    throwsExactly(() => torch.zeros([2, 3]).add(torch.zeros([4])), torch.ShapeError, 'add: shapes cannot be broadcast together: [2,3] vs [4]');
  });

  test('matmul with different inner dimensions shows both shapes joined by @', () => {
    throwsExactly(() => torch.zeros([2, 3]).matmul(torch.zeros([4, 5])), torch.ShapeError, 'matmul: inner dimensions differ: [2,3] @ [4,5]');
    throwsExactly(() => torch.zeros([3]).matmul(torch.zeros([4])), torch.ShapeError, 'matmul: inner dimensions differ: [3] @ [4]');
  });

  test('matmul with unbroadcastable batch dimensions shows the full operand shapes', () => {
    throwsExactly(() => torch.zeros([2, 3, 4]).matmul(torch.zeros([3, 4, 5])), torch.ShapeError, 'matmul: batch dimensions cannot be broadcast together: [2,3,4] @ [3,4,5]');
  });

  test('cat of tensors that differ outside the cat dimension names the dimension and both shapes', () => {
    throwsExactly(() => torch.cat([torch.zeros([2, 3]), torch.zeros([2, 4])], 0), torch.ShapeError, 'cat: tensors must match except in dimension 0: [2,3] vs [2,4]');
  });

  test('cat of a 0-d tensor says which input is 0-d', () => {
    throwsExactly(() => torch.cat([torch.zeros([1]), torch.tensor(2)]), torch.ShapeError, 'cat: zero-dimensional tensor (at position 1) cannot be concatenated; unsqueeze it or use stack');
  });

  test('stack of tensors of different shapes names both shapes', () => {
    throwsExactly(() => torch.stack([torch.zeros([2]), torch.zeros([3])]), torch.ShapeError, 'stack: all tensors must have the same shape: [2] vs [3]');
  });

  test('expand to an incompatible size names the dimension and both shapes', () => {
    throwsExactly(() => torch.zeros([2, 3]).expand(4, 3), torch.ShapeError, 'expand: size 2 at dimension 0 must match the target or be 1: [2,3] vs [4,3]');
  });
});

describe('out-of-range indices are IndexErrors that name the index', () => {
  test('gather reports the index, the dimension and its size', () => {
    throwsExactly(() => torch.zeros([2, 3]).gather(1, idx([[0, 3]])), torch.IndexError, 'gather: index 3 is out of bounds for dimension 1 with size 3');
  });

  test('gather refuses a negative index rather than wrapping it, as torch does', () => {
    throwsExactly(() => torch.zeros([3]).gather(0, idx([-1])), torch.IndexError, 'gather: index -1 is out of bounds for dimension 0 with size 3');
  });

  test('scatterAdd reports the index, the dimension and its size', () => {
    throwsExactly(() => torch.zeros([3]).scatterAdd(0, idx([5]), torch.ones([1])), torch.IndexError, 'scatterAdd: index 5 is out of bounds for dimension 0 with size 3');
  });

  test('indexSelect reports the index under its own name, negative ones included', () => {
    throwsExactly(() => torch.zeros([4, 2]).indexSelect(0, idx([1, 4])), torch.IndexError, 'indexSelect: index 4 is out of bounds for dimension 0 with size 4');
    throwsExactly(() => torch.zeros([4, 2]).indexSelect(1, idx([-1])), torch.IndexError, 'indexSelect: index -1 is out of bounds for dimension 1 with size 2');
  });

  test('embedding reports the index and the number of rows', () => {
    throwsExactly(() => torch.embedding(idx([0, 7]), torch.zeros([5, 2])), torch.IndexError, 'embedding: index 7 is out of range for an embedding with 5 rows');
  });

  test('select reports the index, the dimension and its size', () => {
    throwsExactly(() => torch.zeros([2, 3]).select(1, 3), torch.IndexError, 'select: index 3 is out of bounds for dimension 1 with size 3');
  });
});

describe('invalid dimensions are IndexErrors giving the valid range', () => {
  test('sum over a dimension past the rank gives the valid range', () => {
    throwsExactly(() => torch.zeros([2, 3]).sum(2), torch.IndexError, 'sum: dimension 2 out of range for a tensor of rank 2 (expected in [-2, 1])');
  });

  test('softmax, logSoftmax, transpose, cat and maxDim name themselves for a bad dimension', () => {
    throwsExactly(() => torch.zeros([2, 3]).softmax(-3), torch.IndexError, 'softmax: dimension -3 out of range for a tensor of rank 2 (expected in [-2, 1])');
    throwsExactly(() => torch.zeros([2, 3]).logSoftmax(2), torch.IndexError, /^logSoftmax: dimension 2 out of range/);
    throwsExactly(() => torch.zeros([2, 3]).transpose(0, 5), torch.IndexError, /^transpose: dimension 5 out of range for a tensor of rank 2/);
    throwsExactly(() => torch.cat([torch.zeros([2])], 1), torch.IndexError, /^cat: dimension 1 out of range/);
    throwsExactly(() => torch.zeros([2]).maxDim(1), torch.IndexError, /^max: dimension 1 out of range/);
  });

  test('a repeated dimension in a list is a ValueError', () => {
    throwsExactly(() => torch.zeros([2, 3]).sum([1, -1]), torch.ValueError, 'sum: dimension list [1,-1] repeats a dimension');
  });
});

describe('wrong dtypes are DTypeErrors', () => {
  test('a float index to gather is refused', () => {
    throwsExactly(() => torch.zeros([3]).gather(0, torch.tensor([0, 1])), torch.DTypeError, 'gather: index must be an int64 or int32 tensor, got float32');
  });

  test('a float index to indexSelect or embedding is refused', () => {
    throwsExactly(() => torch.zeros([3]).indexSelect(0, torch.tensor([0])), torch.DTypeError, /^indexSelect: index must be an int64 or int32 tensor, got float32$/);
    throwsExactly(() => torch.embedding(torch.tensor([0]), torch.zeros([2, 2])), torch.DTypeError, /^embedding: indices must be an int64 or int32 tensor/);
  });

  test('mean, var and softmax of an integer tensor are refused', () => {
    throwsExactly(() => idx([1, 2]).mean(), torch.DTypeError, /^mean: input must be floating point .* got int64/);
    throwsExactly(() => idx([1, 2]).var(), torch.DTypeError, /^var: input must be floating point, got int64$/);
    throwsExactly(() => idx([1, 2]).softmax(0), torch.DTypeError, /^softmax: expected a floating point tensor .* got int64$/);
  });

  test('matmul of different dtypes names both dtypes', () => {
    throwsExactly(() => torch.zeros([2, 2]).matmul(torch.zeros([2, 2], { dtype: 'float64' })), torch.DTypeError, 'matmul: expected both operands to have the same dtype, got float32 and float64');
  });

  test('a non-bool mask to maskedFill is refused', () => {
    throwsExactly(() => torch.zeros([2]).maskedFill(torch.ones([2]), 0), torch.DTypeError, 'maskedFill: mask must be a bool tensor, got float32');
  });
});

describe('autograd misuse is an AutogradError', () => {
  test('backward of a non-scalar without a gradient gives the output shape', () => {
    const x = torch.ones([2, 3], { requiresGrad: true });
    throwsExactly(() => x.mul(2).backward(), torch.AutogradError, /^backward: grad can be implicitly created only for scalar outputs, but the output has shape \[2,3\]/);
  });

  test('every error class is a TsorchError carrying the op name', () => {
    try {
      torch.zeros([2]).sum(3);
      assert.fail('expected a throw');
    } catch (e) {
      assert.ok(e instanceof torch.TsorchError);
      assert.ok(e instanceof Error);
      assert.equal(e.op, 'sum');
      assert.equal(e.name, 'IndexError');
    }
  });
});
