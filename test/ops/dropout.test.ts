import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DTypeError, Generator, manualSeed, ones, randn, tensor, ValueError } from '../../src/index.js';
import { dropout } from '../../src/ops/index.js';

const values = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());

describe('dropout', () => {
  test('the same seed gives the same mask; different seeds give different masks', () => {
    manualSeed(1);
    const a = values(dropout(ones([1000]), 0.3));
    manualSeed(1);
    const b = values(dropout(ones([1000]), 0.3));
    manualSeed(2);
    const c = values(dropout(ones([1000]), 0.3));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('an explicit generator is used instead of the global one', () => {
    const a = values(dropout(ones([500]), 0.5, true, { generator: new Generator(7) }));
    manualSeed(123);
    const b = values(dropout(ones([500]), 0.5, true, { generator: new Generator(7) }));
    assert.deepEqual(a, b);
  });

  test('about 1 - p of the elements are kept, each scaled by 1 / (1 - p)', () => {
    const n = 100_000;
    for (const p of [0.1, 0.5, 0.8]) {
      manualSeed(42);
      const out = values(dropout(ones([n], { dtype: 'float64' }), p));
      const kept = out.filter((v) => v !== 0);
      assert.ok(kept.every((v) => v === 1 / (1 - p)), `p=${p}: kept values must all be 1/(1-p)`);
      // Kept count ~ Binomial(n, 1-p): allow 5 standard deviations, sqrt(p(1-p)/n) each.
      const sigma = Math.sqrt((p * (1 - p)) / n);
      const frac = kept.length / n;
      assert.ok(Math.abs(frac - (1 - p)) < 5 * sigma, `p=${p}: kept fraction ${frac}, expected ${1 - p} ± ${5 * sigma}`);
    }
  });

  test('float32 inputs keep their dtype and scale by the rounded 1 / (1 - p)', () => {
    manualSeed(0);
    const out = dropout(ones([200]), 0.3);
    assert.equal(out.dtype, 'float32');
    assert.ok(values(out).every((v) => v === 0 || v === Math.fround(1 / 0.7)));
  });

  test('eval mode and p = 0 return the input unchanged', () => {
    const x = randn([3, 4]);
    assert.equal(dropout(x, 0.5, false), x);
    assert.equal(dropout(x, 0), x);
  });

  test('p = 1 gives zeros and a zero gradient', () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const y = dropout(x, 1);
    assert.ok(values(y).every((v) => v === 0));
    y.sum().backward();
    assert.ok(values(x.grad!).every((v) => v === 0));
  });

  test('the gradient is the forward mask times 1 / (1 - p)', () => {
    const p = 0.4;
    const x = randn([6, 7], { dtype: 'float64', requiresGrad: true });
    const w = randn([6, 7], { dtype: 'float64' });
    manualSeed(9);
    const y = dropout(x, p);
    y.mul(w).sum().backward();
    const xs = values(x);
    const ys = values(y);
    const ws = values(w);
    const g = values(x.grad!);
    let kept = 0;
    ys.forEach((v, i) => {
      const scale = v === 0 ? 0 : v / xs[i]!;
      if (v !== 0) {
        kept++;
        assert.ok(Math.abs(scale - 1 / (1 - p)) < 1e-12, `element ${i}: forward scale ${scale}`);
      }
      assert.ok(Math.abs(g[i]! - ws[i]! * scale) < 1e-12, `element ${i}: gradient ${g[i]} vs upstream ${ws[i]} × mask ${scale}`);
    });
    assert.ok(kept > 0 && kept < ys.length, 'the mask should keep some but not all of 42 elements');
  });

  test('p outside [0, 1] throws a ValueError naming p', () => {
    for (const p of [-0.1, 1.5, NaN]) {
      assert.throws(() => dropout(ones([2]), p), (e: unknown) => e instanceof ValueError && /^dropout: .*between 0 and 1, but got/.test(e.message) && e.message.includes(String(p)));
    }
  });

  test('integer inputs are refused', () => {
    assert.throws(() => dropout(tensor([1, 2], { dtype: 'int64' }), 0.5), DTypeError);
  });
});
