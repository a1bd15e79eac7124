/**
 * The wasm backend's fused GELU (Backend.fused.gelu / geluBackward) against the composite on the
 * reference backend (which has no fused kernels), forward and backward, both forms; a float64
 * gradient check of the fused path; createGraph double backward against the reference.
 * A spy on the fused table checks that the fused kernels really ran.
 *
 * Tolerances: float32 forward of the tanh form is bit-identical to the composite (the kernel
 * repeats its float32 operation sequence). The exact form's float32 vectors use a Chebyshev erfc
 * (~1.2e-7 relative): against the float64 reference it is within rtol 4e-7 (about 3 ulp) for
 * every x, while the float32 composite's 1 + erf(x/√2) cancels for negative x (absolute error up
 * to 3e-8·|x|); so against the composite: rtol 1e-6 with atol 5e-7 (|x| ≤ ~15 here). float32 gradients: the fused backward
 * evaluates PyTorch's closed form in float64 and rounds once, while the composite's autograd
 * chain rounds at every step; rtol 1e-5, atol 1e-6 on gradients of order 1; the tanh form's
 * float32 gradient gets atol 5e-6: for x below about −5 the composite's float32 tanh rounds to
 * exactly −1 and its gradient to 0 (PyTorch's float32 kernel does the same), while the float64
 * closed form gives the true derivative, of order 1e-6·g there. float64: rtol 1e-12
 * (the two forms of the derivative differ only by float64 rounding), atol 1e-14.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { setFusedPath } from '../../src/ops/fused-switch.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

type DT = 'float32' | 'float64';
const TOL: Record<DT, { fwd: Tolerance; grad: Tolerance }> = {
  float32: { fwd: { rtol: 1e-6, atol: 5e-7 }, grad: { rtol: 1e-5, atol: 1e-6 } },
  float64: { fwd: { rtol: 1e-12, atol: 1e-14 }, grad: { rtol: 1e-12, atol: 1e-14 } },
};
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

const calls = { forward: 0, backward: 0 };
const table = torch.getBackend('wasm').fused as FusedKernels;
const original = { forward: table.gelu, backward: table.geluBackward };
function spy(): void {
  calls.forward = 0;
  calls.backward = 0;
  table.gelu = (...a) => { calls.forward++; return original.forward!(...a); };
  table.geluBackward = (...a) => { calls.backward++; return original.backward!(...a); };
}
afterEach(() => {
  table.gelu = original.forward;
  table.geluBackward = original.backward;
  setFusedPath('gelu', true);
});

/** Inputs spanning GELU's regimes: the erf series (|x| < 1.5·√2), its continued fraction, saturation (|x| > 6√2). */
function inputs(shape: number[], dtype: DT): Tensor {
  return torch.randn(shape, { dtype }).mul(3).add(torch.rand(shape, { dtype }).lt(0.05).to(dtype).mul(12));
}

describe('fused GELU (wasm) against the composite (reference backend)', () => {
  test('the wasm backend advertises the fused GELU and its backward; the reference has neither', () => {
    assert.equal(typeof original.forward, 'function');
    assert.equal(typeof original.backward, 'function');
    assert.equal(torch.getBackend('cpu').fused?.gelu, undefined);
  });

  // 4096 (whole f32x4 vectors), 7 and 3·5·11 (a scalar tail after the vectors), a 0-d input.
  const shapes = [[64, 64], [7], [3, 5, 11], []];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const approximate of ['none', 'tanh'] as const) {
      test(`${dtype} ${approximate}: forward and gradient match the composite for shapes ${shapes.map((s) => `[${s}]`).join(' ')}`, () => {
        for (const shape of shapes) {
          spy();
          const r = onBoth(() => {
            const x = inputs(shape, dtype).requiresGrad_();
            const y = torch.gelu(x, approximate);
            y.mul(torch.randn(shape, { dtype })).sum().backward();
            return { y: vals(y), gx: vals(x.grad) };
          }, shape.length + 1);
          assert.equal(calls.forward, 1, 'fused forward ran once');
          assert.equal(calls.backward, 1, 'fused backward ran once');
          assertClose(r.wasm.y, r.cpu.y, TOL[dtype].fwd, `${dtype} ${approximate} [${shape}] y`);
          const gradTol = dtype === 'float32' && approximate === 'tanh' ? { ...TOL.float32.grad, atol: 5e-6 } : TOL[dtype].grad;
          assertClose(r.wasm.gx, r.cpu.gx, gradTol, `${dtype} ${approximate} [${shape}] dx`);
        }
      });
    }
  }

  test('float32 exact form is within 3 ulp-ish (rtol 4e-7) of the float64 reference, and accurate in the negative tail', () => {
    // Above −5.5 the float64 composite is exact to ~1e-8 relative (its 1 + erf cancels below).
    const x32 = torch.withBackend('cpu', () => torch.linspace(-5.5, 14, 4001, { dtype: 'float64' }).to('float32'));
    const exact = torch.withBackend('cpu', () => vals(torch.gelu(x32.to('float64'))));
    const fused = torch.withBackend('wasm', () => vals(torch.gelu(torch.tensor(vals(x32)))));
    assertClose(fused, exact, { rtol: 4e-7, atol: 1e-40 }, 'fused float32 vs float64 reference');
    // Tail: x·Φ(x) from the asymptotic series Φ(x) = φ(x)/|x|·(1 − 1/x² + 3/x⁴ − … + 10395/x¹²),
    // relative error below 135135/x¹⁴ (< 4e-8 at x = −8).
    const tail = [-8, -8.25, -9.5, -10, -11, -11.5, -12, -12.5]; // two 4-lane vectors; results stay normal float32
    const series = tail.map((x) => {
      const x2 = x * x;
      const phi = Math.exp(-x2 / 2) / Math.sqrt(2 * Math.PI);
      return x * (phi / -x) * (1 - 1 / x2 + 3 / x2 ** 2 - 15 / x2 ** 3 + 105 / x2 ** 4 - 945 / x2 ** 5 + 10395 / x2 ** 6);
    });
    const fusedTail = torch.withBackend('wasm', () => vals(torch.gelu(torch.tensor(tail))));
    assertClose(fusedTail, series, { rtol: 4e-7, atol: 1e-40 }, 'negative tail vs asymptotic series');
  });

  test('float32 tanh form is bit-identical to the composite on the same (wasm) backend', () => {
    torch.withBackend('wasm', () => {
      const x = inputs([1027], 'float32');
      for (const approximate of ['tanh'] as const) {
        const fusedY = vals(torch.gelu(x, approximate));
        const prev = setFusedPath('gelu', false);
        const compositeY = vals(torch.gelu(x, approximate));
        setFusedPath('gelu', prev);
        assert.deepEqual(fusedY, compositeY, `${approximate}: fused and composite differ`);
      }
    });
  });

  test('special values: gelu(0) = 0, ±∞ → ∞ / 0, NaN propagates, and the derivative at 0 is ½', () => {
    torch.withBackend('wasm', () => {
      for (const approximate of ['none', 'tanh'] as const) {
        const x = torch.tensor([0, Infinity, -Infinity, NaN], { requiresGrad: true });
        const y = torch.gelu(x, approximate);
        const v = vals(y);
        assert.equal(v[0], 0);
        assert.equal(v[1], Infinity);
        assert.ok(Object.is(v[2], -0) || v[2] === 0 || Number.isNaN(v[2]), `${approximate} gelu(-inf) = ${v[2]}`);
        assert.ok(Number.isNaN(v[3]!));
        y.sum().backward();
        assert.equal(vals(x.grad)[0], 0.5);
      }
    });
  });

  test('float64 gradcheck through the fused path (both forms)', () => {
    torch.withBackend('wasm', () => {
      for (const approximate of ['none', 'tanh'] as const) {
        spy();
        torch.manualSeed(3);
        const x = inputs([5, 9], 'float64').requiresGrad_();
        gradcheck(([xi]) => torch.gelu(xi!, approximate), [x], [torch.randn([5, 9], { dtype: 'float64' })], { tol: { rtol: 1e-6, atol: 1e-8 }, maxElements: 45 });
        assert.ok(calls.forward > 0 && calls.backward === 1, `${approximate}: fused kernels ran (forward ${calls.forward}, backward ${calls.backward})`);
      }
    });
  });

  test('createGraph: double backward through the fused GELU matches the reference', () => {
    for (const approximate of ['none', 'tanh'] as const) {
      spy();
      const r = onBoth(() => {
        const x = inputs([4, 6], 'float64').requiresGrad_();
        const y = torch.gelu(x, approximate).mul(torch.randn([4, 6], { dtype: 'float64' })).sum();
        const [gx] = grad([y], [x], { createGraph: true });
        gx!.pow(2).sum().backward();
        return { gx: vals(gx!), ggx: vals(x.grad) };
      }, 5);
      // The recorded first-order pass is built from differentiable ops, so the fused backward never runs.
      assert.equal(calls.forward, 1);
      assert.equal(calls.backward, 0);
      assertClose(r.wasm.gx, r.cpu.gx, { rtol: 1e-12, atol: 1e-14 }, `${approximate} gx`);
      assertClose(r.wasm.ggx, r.cpu.ggx, { rtol: 1e-10, atol: 1e-12 }, `${approximate} ggx`);
    }
  });

  test('a strided (transposed) input gives the composite result', () => {
    spy();
    const r = onBoth(() => {
      const x = inputs([6, 10], 'float32').transpose(0, 1).requiresGrad_();
      const y = torch.gelu(x);
      y.mul(torch.randn([10, 6])).sum().backward();
      return { y: vals(y), gx: vals(x.grad) };
    });
    assert.equal(calls.forward, 1);
    assertClose(r.wasm.y, r.cpu.y, TOL.float32.fwd, 'y');
    assertClose(r.wasm.gx, r.cpu.gx, TOL.float32.grad, 'dx');
  });
});
