/**
 * The wasm backend's fused batch norm (Backend.fused.batchNorm / batchNormBackward) against the
 * composite on the reference backend (which has no fused kernels), forward, backward and the
 * running-statistics update, plus a float64 gradient check of the fused path itself.
 *
 * Every comparison also checks, with a spy on the fused table, that the fused kernels really ran
 * (a silent fallback to the composite would make the comparison vacuous).
 *
 * Tolerances: float64 within 1e-12 relative (the kernels sum in another order than the reduce
 * kernel, and backward uses the closed-form rule rather than autograd's chain). float32 forward
 * within rtol 2e-6 / atol 1e-6: y = ((x − mean)·rstd)·w + b is the composite's float32 operation
 * sequence, but mean and var are summed in another order, so they (and with them y) may differ
 * by an ulp or so. float32 gradients within rtol 1e-5 / atol 1e-6 on values of order 1 (a few
 * ulps): the closed form and the autograd chain round differently, and dx is a difference of
 * O(1) terms.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { batchNorm } from '../../src/ops/index.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

type DT = 'float32' | 'float64';
const F64: Tolerance = { rtol: 1e-12, atol: 1e-12 };
const F32_FWD: Tolerance = { rtol: 2e-6, atol: 1e-6 };
const F32_GRAD: Tolerance = { rtol: 1e-5, atol: 1e-6 };
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

/** Counts calls of the wasm backend's fused batch norm kernels while a test runs. */
const calls = { forward: 0, backward: 0 };
const table = torch.getBackend('wasm').fused as FusedKernels;
const original = { forward: table.batchNorm, backward: table.batchNormBackward };
function spy(): void {
  calls.forward = 0;
  calls.backward = 0;
  table.batchNorm = (...a) => { calls.forward++; return original.forward!(...a); };
  table.batchNormBackward = (...a) => { calls.backward++; return original.backward!(...a); };
}
afterEach(() => {
  table.batchNorm = original.forward;
  table.batchNormBackward = original.backward;
});

interface Case { shape: number[]; affine: boolean; stats: boolean; training: boolean }

/** One forward + backward of batchNorm; y, the gradients and the running buffers afterwards. */
function runCase(c: Case, dtype: DT): Record<string, number[]> {
  const C = c.shape[1]!;
  const x = torch.randn(c.shape, { dtype }).mul(2).add(0.5).requiresGrad_();
  const w = c.affine ? torch.randn([C], { dtype }).requiresGrad_() : null;
  const b = c.affine ? torch.randn([C], { dtype }).requiresGrad_() : null;
  const rm = c.stats || !c.training ? torch.randn([C], { dtype }) : null;
  const rv = c.stats || !c.training ? torch.rand([C], { dtype }).add(0.5) : null;
  const y = batchNorm(x, rm, rv, w, b, c.training, 0.3, 1e-5);
  y.mul(torch.randn(c.shape, { dtype })).sum().backward();
  return { y: vals(y), gx: vals(x.grad), gw: vals(w?.grad), gb: vals(b?.grad), rm: vals(rm), rv: vals(rv) };
}

describe('fused batch norm (wasm) against the composite (reference backend)', () => {
  // S = 1 (N, C), 7 (scalar tail after one f32x4), 30 and 16 (N, C, H, W): the SIMD body with and without a tail.
  test('the wasm backend advertises the fused batch norm and its backward; the reference has neither', () => {
    assert.equal(typeof original.forward, 'function');
    assert.equal(typeof original.backward, 'function');
    assert.equal(torch.getBackend('cpu').fused?.batchNorm, undefined);
  });

  const shapes = [[6, 5], [4, 3, 7], [3, 4, 5, 6], [2, 3, 4, 4]];
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: (N,C), (N,C,L), (N,C,H,W) in training and eval, with and without affine and running stats`, () => {
      for (const shape of shapes) {
        for (const training of [true, false]) {
          for (const affine of [true, false]) {
            for (const stats of training ? [true, false] : [true]) {
              const c: Case = { shape, affine, stats, training };
              spy();
              const r = onBoth(() => runCase(c, dtype), shape.length * 10 + (affine ? 1 : 0));
              assert.equal(calls.forward, 1, 'the fused forward ran');
              assert.equal(calls.backward, 1, 'the fused backward ran');
              const label = `${dtype} [${shape.join(',')}] ${training ? 'train' : 'eval'}${affine ? ' affine' : ''}${stats ? ' stats' : ''}`;
              for (const k of ['y', 'rm', 'rv'] as const) assertClose(r.wasm[k]!, r.cpu[k]!, dtype === 'float64' ? F64 : F32_FWD, `${label} ${k}`);
              for (const k of ['gx', 'gw', 'gb'] as const) assertClose(r.wasm[k]!, r.cpu[k]!, dtype === 'float64' ? F64 : F32_GRAD, `${label} ${k}`);
              assert.equal(r.wasm.gw!.length, affine ? shape[1] : 0);
            }
          }
        }
      }
    });
  }

  test('BatchNorm1d with momentum null keeps the cumulative average over three batches, as the composite', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      spy();
      const r = onBoth(() => {
        const m = new nn.BatchNorm1d(4, { momentum: null });
        if (dtype === 'float64') m.double();
        m.train();
        for (let s = 0; s < 3; s++) m.forward(torch.randn([8, 4, 5], { dtype }).mul(s + 1).add(s));
        const state = m.stateDict();
        return { rm: vals(state.get('running_mean')), rv: vals(state.get('running_var')), n: vals(state.get('num_batches_tracked')) };
      }, 3);
      assert.equal(calls.forward, 3);
      assert.deepEqual(r.wasm.n, [3]);
      for (const k of ['rm', 'rv'] as const) assertClose(r.wasm[k], r.cpu[k], dtype === 'float64' ? F64 : F32_FWD, `${dtype} ${k}`);
    }
  });

  test('float32 input with a large mean (1000 + randn): statistics and output stay within float32 rounding of the float64 truth', () => {
    spy();
    const x32 = torch.randn([16, 4, 9, 9]).add(1000);
    const rm = torch.zeros([4]);
    const rv = torch.ones([4]);
    const y = batchNorm(x32, rm, rv, null, null, true, 1);
    assert.equal(calls.forward, 1);
    // The truth: the same float32 values in float64 on the reference backend.
    const truth = torch.withBackend('cpu', () => {
      const x = torch.tensor(Array.from(x32.dataSync()), { dtype: 'float64', shape: x32.shape });
      const m = torch.zeros([4], { dtype: 'float64' });
      const v = torch.ones([4], { dtype: 'float64' });
      return { y: vals(batchNorm(x, m, v, null, null, true, 1)), rm: vals(m), rv: vals(v) };
    });
    // E[x²] − E[x]² in float32 would be off by ~ulp(1e6) = 0.06 in a variance of 1; two-pass is off
    // by ~1e-7 relative. The output's error is dominated by rounding the mean (~1000) to float32:
    // ulp(1000)/2 = 3e-5, times rstd ≈ 1.
    assertClose(vals(rv), truth.rv, { rtol: 1e-5, atol: 0 }, 'running (unbiased) variance');
    assertClose(vals(rm), truth.rm, { rtol: 1e-7, atol: 0 }, 'running mean');
    assertClose(vals(y), truth.y, { rtol: 0, atol: 1e-4 }, 'y');
  });

  test('float64 gradcheck of the fused path: input, weight and bias, in training and in eval', () => {
    for (const training of [true, false]) {
      spy();
      torch.manualSeed(7);
      const x = torch.randn([4, 3, 2, 5], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([3], { dtype: 'float64', requiresGrad: true });
      const b = torch.randn([3], { dtype: 'float64', requiresGrad: true });
      const rm = torch.randn([3], { dtype: 'float64' });
      const rv = torch.rand([3], { dtype: 'float64' }).add(0.5);
      const fn = ([xi, wi, bi]: Tensor[]): Tensor => batchNorm(xi!, training ? null : rm, training ? null : rv, wi, bi, training);
      gradcheck(fn, [x, w, b], [torch.randn([4, 3, 2, 5], { dtype: 'float64' })], { tol: { rtol: 1e-6, atol: 1e-8 }, maxElements: 120 });
      assert.ok(calls.forward > 0 && calls.backward === 1, `fused kernels ran (forward ${calls.forward}, backward ${calls.backward})`);
    }
  });

  test('second-order gradients (createGraph) through the fused batch norm match the reference', () => {
    for (const training of [true, false]) {
      spy();
      const r = onBoth(() => {
        const x = torch.randn([5, 3, 4], { dtype: 'float64', requiresGrad: true });
        const w = torch.randn([3], { dtype: 'float64', requiresGrad: true });
        const rm = torch.randn([3], { dtype: 'float64' });
        const rv = torch.rand([3], { dtype: 'float64' }).add(0.5);
        const y = batchNorm(x, rm, rv, w, null, training).pow(2).mul(torch.randn([5, 3, 4], { dtype: 'float64' })).sum();
        const [gx] = grad([y], [x], { createGraph: true });
        gx!.pow(2).sum().backward();
        return { gx: vals(gx!), ggx: vals(x.grad), ggw: vals(w.grad) };
      }, 4);
      // The first-order pass is recorded (createGraph) and so built from differentiable ops; the
      // second pass reaches the fused node again through pow's use of y, unrecorded: fused.
      assert.equal(calls.forward, 1);
      assert.equal(calls.backward, 1);
      for (const k of ['gx', 'ggx', 'ggw'] as const) assertClose(r.wasm[k], r.cpu[k], { rtol: 1e-9, atol: 1e-12 }, `${training ? 'train' : 'eval'} ${k}`);
    }
  });

  test('a strided (permuted) input and a weight-only gradient match the composite', () => {
    spy();
    const r = onBoth(() => {
      const x = torch.randn([6, 5, 3, 4]).permute([0, 3, 1, 2]).requiresGrad_(); // (6, 4, 5, 3), not contiguous
      const w = torch.randn([4], { requiresGrad: true });
      const b = torch.randn([4]);
      const y = batchNorm(x, null, null, w, b, true);
      y.mul(torch.randn([6, 4, 5, 3])).sum().backward();
      return { y: vals(y), gx: vals(x.grad), gw: vals(w.grad) };
    }, 9);
    assert.equal(calls.forward, 1);
    assertClose(r.wasm.y, r.cpu.y, F32_FWD, 'y');
    for (const k of ['gx', 'gw'] as const) assertClose(r.wasm[k], r.cpu[k], F32_GRAD, k);
  });

  test('when only the bias requires grad, the fused backward gives its gradient and none for the input or the weight', () => {
    spy();
    const r = onBoth(() => {
      const x = torch.randn([5, 3, 6]);
      const w = torch.randn([3]);
      const b = torch.randn([3], { requiresGrad: true });
      batchNorm(x, null, null, w, b, true).mul(torch.randn([5, 3, 6])).sum().backward();
      return { gb: vals(b.grad), gx: x.grad, gw: w.grad };
    }, 6);
    assert.equal(calls.backward, 1);
    assertClose(r.wasm.gb, r.cpu.gb, F32_GRAD, 'bias grad');
    assert.equal(r.wasm.gx, null);
    assert.equal(r.wasm.gw, null);
  });

  test('eval with running buffers of another dtype than the input falls back to the composite and matches it', () => {
    spy();
    const r = onBoth(() => {
      const x = torch.randn([4, 3, 5], { dtype: 'float64' });
      return vals(batchNorm(x, torch.randn([3]), torch.rand([3]).add(0.5), null, null, false));
    }, 5);
    assert.equal(calls.forward, 1);
    assertClose(r.wasm, r.cpu, F64, 'y');
  });

  test('eval backward uses the statistics of its forward even if the running buffers change in place before it', () => {
    spy();
    const x = torch.randn([4, 2, 3], { requiresGrad: true });
    const rm = torch.zeros([2]);
    const rv = torch.full([2], 4);
    const y = batchNorm(x, rm, rv, null, null, false, 0.1, 0);
    torch.noGrad(() => rv.fill_(100));
    y.sum().backward();
    // dx = g·rstd with rstd = 1/√4.
    assert.deepEqual(vals(x.grad), new Array<number>(24).fill(0.5));
    assert.equal(calls.backward, 1);
  });
});
