import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';

test('tensor with a shape and requiresGrad gives a leaf that receives .grad', () => {
  const x = torch.tensor([1, 2, 3, 4], { shape: [2, 2], requiresGrad: true });
  assert.ok(x.isLeaf);
  x.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[1, 1], [1, 1]]);
});

test('tensor rejects a shape whose size differs from the number of values', () => {
  assert.throws(() => torch.tensor([1, 2, 3], { shape: [2, 2] }), /tensor: shape \[2,2\] needs 4 values, got 3/);
});

test('linspace with one step gives [start], as torch.linspace', () => {
  assert.deepEqual(torch.linspace(2, 5, 1).toArray(), [2]);
  assert.deepEqual(torch.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
});

test('console.log shows a tensor\'s values, shape and dtype rather than its internals', async () => {
  const { inspect } = await import('node:util');
  assert.equal(inspect(torch.tensor([[1, 2]])), 'tensor([[1,2]], shape=[1,2], dtype=float32)');
});
