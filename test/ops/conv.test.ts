import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grad, randn, tensor, Tensor, ShapeError, ValueError } from '../../src/index.js';
import { conv1d, conv2d, fold, unfold } from '../../src/ops/conv.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/conv.js';

runOpSuite('conv', specs);

/** Asserts `fn` throws an instance of `cls` whose message matches `re`. */
function throwsMessage(fn: () => unknown, cls: typeof ShapeError | typeof ValueError, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected a ${cls.name}, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('conv errors name the op and the shapes', () => {
  test('conv2d channel mismatch', () => {
    throwsMessage(() => conv2d(randn([1, 2, 5, 5]), randn([4, 3, 3, 3])), ShapeError, /^conv2d: expected input with 3 channels .*got 2: \[1,2,5,5\] vs \[4,3,3,3\]$/);
  });
  test('conv1d channel mismatch with groups', () => {
    throwsMessage(() => conv1d(randn([1, 4, 8]), randn([4, 1, 3]), null, { groups: 2 }), ShapeError, /^conv1d: expected input with 2 channels .*groups 2\), got 4: \[1,4,8\] vs \[4,1,3\]$/);
  });
  test('out_channels not divisible by groups', () => {
    throwsMessage(() => conv2d(randn([1, 4, 5, 5]), randn([3, 2, 3, 3]), null, { groups: 2 }), ShapeError, /^conv2d: out_channels 3 .* groups 2: \[1,4,5,5\] vs \[3,2,3,3\]$/);
  });
  test('wrong input or weight rank', () => {
    throwsMessage(() => conv2d(randn([5, 5]), randn([4, 3, 3, 3])), ShapeError, /^conv2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input: \[5,5\] vs \[4,3,3,3\]$/);
    throwsMessage(() => conv1d(randn([1, 3, 8]), randn([4, 3, 3, 3])), ShapeError, /^conv1d: weight must be 3-D .*: \[1,3,8\] vs \[4,3,3,3\]$/);
  });
  test('kernel larger than the padded input', () => {
    throwsMessage(() => conv2d(randn([1, 1, 2, 2]), randn([1, 1, 3, 3])), ShapeError, /^conv2d: output size \[0,0\] is too small.*: \[1,1,2,2\] vs \[1,1,3,3\]$/);
  });
  test('bias of the wrong size', () => {
    throwsMessage(() => conv1d(randn([1, 3, 8]), randn([4, 3, 3]), randn([3])), ShapeError, /^conv1d: bias must have shape \[4\].*: \[3\] vs \[4,3,3\]$/);
  });
  test("padding='same' with a stride", () => {
    throwsMessage(() => conv2d(randn([1, 1, 5, 5]), randn([1, 1, 3, 3]), null, { stride: 2, padding: 'same' }), ValueError, /^conv2d: padding='same' is not supported for strided convolutions/);
  });
});

describe('unfold and fold', () => {
  test('padding reads padValue; fold is the gradient of unfold', () => {
    const g = { kernel: [2], stride: [1], padding: [1], dilation: [1] };
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const cols = unfold(x, g, -5);
    assert.deepEqual(cols.toArray(), [[-5, 1, 2, 3], [1, 2, 3, -5]]);
    cols.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [2, 2, 2]);
    assert.deepEqual(fold(tensor([[1, 1, 1, 1], [1, 1, 1, 1]]), g, [3]).toArray(), [2, 2, 2]);
  });
  test('fold rejects columns that do not match the geometry', () => {
    const g = { kernel: [2], stride: [1], padding: [0], dilation: [1] };
    throwsMessage(() => fold(randn([2, 5]), g, [3]), ShapeError, /^fold: trailing dims must be \[\*kernel, \*outSpatial\] = \[2,2\].*: \[2,5\] vs \[2,2\]$/);
  });
});

describe('conv double backward', () => {
  test('the input gradient of conv2d is differentiable in the weight (matches finite differences)', () => {
    const x = randn([1, 2, 5, 4], { dtype: 'float64' });
    const u = randn([1, 3, 3, 4], { dtype: 'float64' });
    const v = randn([1, 2, 5, 4], { dtype: 'float64' });
    const opts = { stride: [2, 1] as const, padding: 1, dilation: [1, 2] as const };
    // h(w) = <d/dx <conv2d(x, w), u>, v>
    const h = (w: Tensor, createGraph: boolean): Tensor => {
      const xr = x.detach().requiresGrad_();
      const [gx] = grad([conv2d(xr, w, null, opts).mul(u).sum()], [xr], { createGraph });
      return gx!.mul(v).sum();
    };
    const w0 = randn([3, 2, 2, 2], { dtype: 'float64' });
    const w = w0.detach().requiresGrad_();
    const [analytic] = grad([h(w, true)], [w]);
    const base = Array.from(w0.dataSync());
    const eps = 1e-6;
    const numeric = base.map((_, i) => {
      const at = (d: number): number => {
        const p = base.slice();
        p[i]! += d;
        return h(tensor(p, { dtype: 'float64', shape: w0.shape }), false).item();
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    Array.from(analytic!.dataSync()).forEach((a, i) => assert.ok(Math.abs(a - numeric[i]!) < 1e-5, `element ${i}: ${a} vs ${numeric[i]}`));
  });
});
