/**
 * The wasm backend's fused cross-entropy (Backend.fused.crossEntropy / crossEntropyBackward)
 * against the composite on the reference backend (no fused kernels): every combination of class
 * weights, ignoreIndex, label smoothing and reduction, over (N, C) rows with and without a
 * vector tail, (N, C, d1, d2) and an unbatched (C) input, float32 and float64, int64 and int32
 * targets; float64 gradchecks of the fused path; createGraph double backward; and a spy on the
 * fused table checking that the fused kernels really ran.
 *
 * Tolerances: float64 rtol 1e-12 / atol 1e-14 (the kernel sums exp in another order than
 * logSoftmax and uses the closed-form gradient, both exact to float64 rounding). float32 loss
 * rtol 2e-6 / atol 2e-6: the kernel keeps logsumexp and the loss in float64 and rounds once,
 * while the composite rounds log-probabilities to float32 (an absolute error of about one ulp of
 * the logsumexp, ~5e-7 for values of order 4) before the sum. float32 gradients rtol 1e-5 /
 * atol 1e-6 (softmax − one-hot of order 1, the composite's chain rounds at every step).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { crossEntropy, type CrossEntropyOptions } from '../../src/ops/loss.js';
import { setFusedPath } from '../../src/ops/fused-switch.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

type DT = 'float32' | 'float64';
const TOL: Record<DT, { loss: Tolerance; grad: Tolerance }> = {
  float32: { loss: { rtol: 2e-6, atol: 2e-6 }, grad: { rtol: 1e-5, atol: 1e-6 } },
  float64: { loss: { rtol: 1e-12, atol: 1e-14 }, grad: { rtol: 1e-12, atol: 1e-14 } },
};
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

const calls = { forward: 0, backward: 0 };
const table = torch.getBackend('wasm').fused as FusedKernels;
const original = { forward: table.crossEntropy, backward: table.crossEntropyBackward };
function spy(): void {
  calls.forward = 0;
  calls.backward = 0;
  table.crossEntropy = (...a) => { calls.forward++; return original.forward!(...a); };
  table.crossEntropyBackward = (...a) => { calls.backward++; return original.backward!(...a); };
}
afterEach(() => {
  table.crossEntropy = original.forward;
  table.crossEntropyBackward = original.backward;
  setFusedPath('crossEntropy', true);
});

/** Targets in [0, C) with about a quarter set to `ignore` (when given). */
function targets(shape: number[], C: number, ignore: number | null, dtype: 'int64' | 'int32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = vals(torch.rand([n])).map((u, i) => (ignore !== null && i % 4 === 1 ? ignore : Math.min(C - 1, Math.floor(u * C))));
  return torch.tensor(v, { dtype }).reshape(shape);
}

interface Case { x: number[]; dtype: DT; tdt: 'int64' | 'int32'; weight: boolean; ignore: 'none' | 'default' | 'inRange'; smoothing: number; reduction: 'mean' | 'sum' | 'none' }

function runCase(c: Case): { loss: number[]; gx: number[] } {
  const C = c.x.length === 1 ? c.x[0]! : c.x[1]!;
  const tShape = c.x.length === 1 ? [] : [c.x[0]!, ...c.x.slice(2)];
  const x = torch.randn(c.x, { dtype: c.dtype }).mul(3).requiresGrad_();
  const ignoreIndex = c.ignore === 'inRange' ? 1 : -100;
  const t = targets(tShape, C, c.ignore === 'none' ? null : ignoreIndex, c.tdt);
  const opts: CrossEntropyOptions = { reduction: c.reduction, labelSmoothing: c.smoothing };
  if (c.weight) opts.weight = torch.rand([C], { dtype: c.dtype }).add(0.5);
  if (c.ignore === 'inRange') opts.ignoreIndex = ignoreIndex;
  const loss = crossEntropy(x, t, opts);
  const up = c.reduction === 'none' ? torch.randn(loss.shape, { dtype: c.dtype }) : torch.tensor(1.7, { dtype: c.dtype });
  loss.mul(up).sum().backward();
  return { loss: vals(loss), gx: vals(x.grad) };
}

describe('fused cross-entropy (wasm) against the composite (reference backend)', () => {
  test('the wasm backend advertises the fused cross-entropy and its backward; the reference has neither', () => {
    assert.equal(typeof original.forward, 'function');
    assert.equal(typeof original.backward, 'function');
    assert.equal(torch.getBackend('cpu').fused?.crossEntropy, undefined);
  });

  // (6, 7): one f32x4 and a tail of 3; (4, 37): several vectors; (3, 4, 2, 5): strided classes; (9): unbatched.
  const shapes = [[6, 7], [4, 37], [3, 4, 2, 5], [9]];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      test(`${dtype} reduction '${reduction}': every weight / ignoreIndex / labelSmoothing combination matches the composite`, () => {
        let k = 0;
        for (const x of shapes) {
          for (const weight of [false, true]) {
            for (const ignore of ['none', 'default', 'inRange'] as const) {
              for (const smoothing of [0, 0.2]) {
                const c: Case = { x, dtype, tdt: k % 2 === 0 ? 'int64' : 'int32', weight, ignore, smoothing, reduction };
                spy();
                const r = onBoth(() => runCase(c), k++);
                const what = JSON.stringify(c);
                assert.equal(calls.forward, 1, `fused forward ran: ${what}`);
                assert.equal(calls.backward, 1, `fused backward ran: ${what}`);
                assertClose(r.wasm.loss, r.cpu.loss, TOL[dtype].loss, `loss ${what}`);
                assertClose(r.wasm.gx, r.cpu.gx, TOL[dtype].grad, `dx ${what}`);
              }
            }
          }
        }
      });
    }
  }

  test('a batch whose targets are all ignored gives NaN for mean (as PyTorch), 0 for sum, and zero gradients', () => {
    for (const reduction of ['mean', 'sum'] as const) {
      spy();
      const r = onBoth(() => {
        const x = torch.randn([3, 5], { requiresGrad: true });
        const loss = crossEntropy(x, torch.tensor([-100, -100, -100], { dtype: 'int64' }), { reduction, labelSmoothing: 0.1 });
        loss.backward();
        return { loss: vals(loss), gx: vals(x.grad) };
      });
      assert.equal(calls.forward, 1);
      if (reduction === 'mean') assert.ok(Number.isNaN(r.wasm.loss[0]!), `mean over no target is NaN, got ${r.wasm.loss[0]}`);
      else assert.equal(r.wasm.loss[0], 0);
      assertClose(r.wasm.loss, r.cpu.loss, TOL.float32.loss, `${reduction} loss`);
      assert.deepEqual(r.wasm.gx, new Array<number>(15).fill(0));
      assert.deepEqual(r.cpu.gx, r.wasm.gx);
    }
  });

  test('float64 gradcheck through the fused path, with weights, ignoreIndex and smoothing', () => {
    torch.withBackend('wasm', () => {
      for (const [shape, reduction] of [[[5, 6], 'mean'], [[3, 4, 5], 'none'], [[4, 5], 'sum']] as const) {
        spy();
        torch.manualSeed(7);
        const C = shape[1];
        const x = torch.randn([...shape], { dtype: 'float64', requiresGrad: true });
        const t = targets([shape[0], ...shape.slice(2)], C, -100, 'int64');
        const weight = torch.rand([C], { dtype: 'float64' }).add(0.5);
        const out = crossEntropy(x, t, { weight, reduction, labelSmoothing: 0.15 });
        gradcheck(([xi]) => crossEntropy(xi!, t, { weight, reduction, labelSmoothing: 0.15 }), [x], [torch.randn(out.shape, { dtype: 'float64' })],
          { tol: { rtol: 1e-6, atol: 1e-8 }, maxElements: 60 });
        assert.ok(calls.forward > 0 && calls.backward === 1, `${reduction}: fused kernels ran (forward ${calls.forward}, backward ${calls.backward})`);
      }
    });
  });

  test('createGraph: double backward through the fused cross-entropy matches the reference', () => {
    for (const reduction of ['mean', 'none'] as const) {
      spy();
      const r = onBoth(() => {
        const x = torch.randn([4, 5], { dtype: 'float64', requiresGrad: true });
        const t = torch.tensor([1, -100, 4, 0], { dtype: 'int64' });
        const weight = torch.rand([5], { dtype: 'float64' }).add(0.5);
        const loss = crossEntropy(x, t, { weight, reduction, labelSmoothing: 0.1 }).mul(torch.randn(reduction === 'none' ? [4] : [], { dtype: 'float64' })).sum();
        const [gx] = grad([loss], [x], { createGraph: true });
        gx!.pow(2).mul(torch.randn([4, 5], { dtype: 'float64' })).sum().backward();
        return { gx: vals(gx!), ggx: vals(x.grad) };
      }, 11);
      assert.equal(calls.forward, 1);
      assert.equal(calls.backward, 0, 'a recorded backward builds the gradient from differentiable ops');
      assertClose(r.wasm.gx, r.cpu.gx, { rtol: 1e-12, atol: 1e-14 }, `${reduction} gx`);
      assertClose(r.wasm.ggx, r.cpu.ggx, { rtol: 1e-10, atol: 1e-12 }, `${reduction} ggx`);
    }
  });

  test('the fused path gives the composite answer on the same (wasm) backend, and probability targets keep the composite', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(2);
      const x = torch.randn([8, 10], { dtype: 'float64' });
      const t = targets([8], 10, -100, 'int64');
      const fusedLoss = vals(crossEntropy(x, t, { labelSmoothing: 0.3 }));
      const prev = setFusedPath('crossEntropy', false);
      const compositeLoss = vals(crossEntropy(x, t, { labelSmoothing: 0.3 }));
      setFusedPath('crossEntropy', prev);
      assertClose(fusedLoss, compositeLoss, TOL.float64.loss, 'fused vs composite on wasm');
      spy();
      crossEntropy(x, torch.softmax(torch.randn([8, 10], { dtype: 'float64' }), 1));
      assert.equal(calls.forward, 0, 'probability targets do not use the class-index kernel');
    });
  });

  test('bad targets still raise the composite\'s errors before any kernel runs', () => {
    torch.withBackend('wasm', () => {
      spy();
      const x = torch.randn([2, 3]);
      assert.throws(() => crossEntropy(x, torch.tensor([0, 3], { dtype: 'int64' })), /target 3 is out of bounds for 3 classes/);
      assert.throws(() => crossEntropy(x, torch.tensor([0, 1, 2], { dtype: 'int64' })), /batch shapes differ/);
      assert.equal(calls.forward, 0);
    });
  });
});
