import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim, TsorchError, ValueError, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { f64, fixture } from './fixture.js';

const TOL = { rtol: 1e-12, atol: 1e-15 };

/** Leaf parameters whose gradients are the case's gradients. */
function withGrads(grads: { shape: number[]; data: number[] }[]): Tensor[] {
  return grads.map((g) => {
    const p = torch.zeros(g.shape, { dtype: 'float64', requiresGrad: true });
    p.grad = f64(g);
    return p;
  });
}

describe('gradient clipping matches torch.nn.utils (float64)', () => {
  for (const c of fixture.clip) {
    const what = c.fn === 'norm' ? `clipGradNorm_ with maxNorm ${c.maxNorm} and normType ${c.normType}` : `clipGradValue_ with clipValue ${c.clipValue}`;
    test(`${c.name}: ${what} gives torch's ${c.fn === 'norm' ? 'total norm and ' : ''}clipped gradients`, () => {
      const params = withGrads(c.grads);
      if (c.fn === 'norm') {
        const total = optim.clipGradNorm_(params, c.maxNorm!, c.normType === 'inf' ? Infinity : c.normType!);
        assertClose([total], [c.totalNorm!], TOL, `${c.name} total norm`);
      } else {
        optim.clipGradValue_(params, c.clipValue!);
      }
      params.forEach((p, i) => assertClose(Array.from(p.grad!.dataSync()), c.clipped[i]!, TOL, `${c.name} gradient ${i}`));
    });
  }
});

describe('gradient clipping edge cases', () => {
  test('parameters without gradients are skipped, and with none at all the norm is 0', () => {
    const a = torch.zeros([2], { requiresGrad: true });
    assert.equal(optim.clipGradNorm_([a], 1), 0);
    const b = torch.zeros([2], { dtype: 'float64', requiresGrad: true });
    b.grad = torch.tensor([3, 4], { dtype: 'float64' });
    assert.equal(optim.clipGradNorm_([a, b], 1), 5);
    assert.equal(a.grad, null);
    assertClose(Array.from(b.grad.dataSync()), [3 / (5 + 1e-6), 4 / (5 + 1e-6)], TOL, 'scaled');
  });

  test('a single tensor is accepted in place of a list', () => {
    const p = torch.zeros([2], { dtype: 'float64', requiresGrad: true });
    p.grad = torch.tensor([-2, 0.5], { dtype: 'float64' });
    assert.equal(optim.clipGradNorm_(p, 10, Infinity), 2);
    optim.clipGradValue_(p, 1);
    assert.deepEqual(p.grad.toArray(), [-1, 0.5]);
  });

  test('a non-finite total norm throws with errorIfNonfinite and scales by it otherwise', () => {
    const p = torch.zeros([2], { dtype: 'float64', requiresGrad: true });
    p.grad = torch.tensor([Infinity, 1], { dtype: 'float64' });
    assert.throws(() => optim.clipGradNorm_(p, 1, 2, { errorIfNonfinite: true }), (e: unknown) => e instanceof TsorchError && /clipGradNorm_: the total norm of order 2 of the gradients is Infinity/.test(e.message));
    assert.deepEqual(p.grad.toArray(), [Infinity, 1], 'nothing was scaled before the error');
    assert.equal(optim.clipGradNorm_(p, 1), Infinity);
    assert.deepEqual(p.grad.toArray(), [NaN, 0], 'as torch: inf·0 and 1·0');
  });

  test('float32 gradients stay float32', () => {
    const p = torch.zeros([3], { requiresGrad: true });
    p.grad = torch.tensor([1, 2, 2]);
    assert.ok(Math.abs(optim.clipGradNorm_(p, 1) - 3) < 1e-6);
    assert.equal(p.grad.dtype, 'float32');
  });

  test('invalid arguments are rejected with the function name', () => {
    const p = torch.zeros([1], { requiresGrad: true });
    assert.throws(() => optim.clipGradNorm_(p, 1, 0), (e: unknown) => e instanceof ValueError && /^clipGradNorm_: normType must be positive or Infinity, got 0$/.test(e.message));
    assert.throws(() => optim.clipGradNorm_(p, -1), (e: unknown) => e instanceof ValueError && /^clipGradNorm_: maxNorm must be non-negative, got -1$/.test(e.message));
    assert.throws(() => optim.clipGradValue_(p, -1), (e: unknown) => e instanceof ValueError && /^clipGradValue_: clipValue must be non-negative, got -1$/.test(e.message));
  });
});
