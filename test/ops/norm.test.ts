import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ones, randn, ShapeError, tensor, ValueError, zeros } from '../../src/index.js';
import { batchNorm, layerNorm } from '../../src/ops/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/norm.js';

runOpSuite('norm', specs);

describe('norm errors and buffers', () => {
  test('layerNorm names both shapes when normalizedShape does not match the trailing dims', () => {
    assert.throws(() => layerNorm(randn([2, 3, 4]), [3]), (e: unknown) => e instanceof ShapeError && /layerNorm/.test(e.message) && /\[2,3,4\] vs \[3\]/.test(e.message));
    assert.throws(() => layerNorm(randn([2, 4]), [4], ones([3])), (e: unknown) => e instanceof ShapeError && /weight/.test(e.message) && /\[3\] vs \[4\]/.test(e.message));
  });

  test('batchNorm rejects running stats of the wrong size, naming both counts', () => {
    assert.throws(() => batchNorm(randn([4, 3]), zeros([4]), ones([3])), (e: unknown) =>
      e instanceof ShapeError && /batchNorm: runningMean should contain 3 elements/.test(e.message) && /not 4/.test(e.message) && /\[4\] vs \[4,3\]/.test(e.message));
  });

  test('batchNorm in training needs more than one value per channel', () => {
    assert.throws(() => batchNorm(randn([1, 3]), zeros([3]), ones([3]), null, null, true), (e: unknown) =>
      e instanceof ValueError && /Expected more than 1 value per channel when training, got input size \[1,3\]/.test(e.message));
    assert.throws(() => batchNorm(randn([1, 3, 1]), null, null, null, null, true), ValueError);
  });

  test('batchNorm in eval mode requires running stats; training works without them', () => {
    assert.throws(() => batchNorm(randn([4, 3]), null, null), ValueError);
    const y = batchNorm(tensor([[1, 2], [3, 6]]), null, null, null, null, true);
    assert.deepEqual(Array.from(y.dataSync(), (v) => Math.round(v * 1e3) / 1e3), [-1, -1, 1, 1]);
  });

  test('training updates the buffers in place and eval leaves them alone', () => {
    const m = zeros([2]);
    const v = ones([2]);
    const x = tensor([[1, 2], [3, 6]]);
    batchNorm(x, m, v, null, null, true, 0.5);
    // mean [2, 4]; unbiased var [2, 8].
    assert.deepEqual(m.toArray(), [1, 2]);
    assert.deepEqual(v.toArray(), [1.5, 4.5]);
    batchNorm(x, m, v);
    assert.deepEqual(m.toArray(), [1, 2]);
    assert.deepEqual(v.toArray(), [1.5, 4.5]);
  });

  test('the buffer update is outside the graph', () => {
    const m = zeros([2]);
    const v = ones([2]);
    const x = tensor([[1, 2], [3, 6]], { requiresGrad: true });
    const y = batchNorm(x, m, v, null, null, true);
    assert.equal(m.requiresGrad, false);
    assert.equal(v.requiresGrad, false);
    y.sum().backward();
    assert.ok(x.grad);
  });
});
