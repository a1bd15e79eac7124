/**
 * F.linear and relu(F.linear) on the wasm backend, whose fused kernel (Backend.fused.linear) adds
 * the bias and applies the ReLU in the GEMM's epilogue, against (a) the same backend's composite
 * matmul(x, Wᵀ) + b → relu, which must agree bit for bit (the epilogue rounds the full sum once
 * per op, as the separate ops do), and (b) the reference backend's composite (float32: the
 * products' summation order differs: sums of up to 513 terms of size ~1 carry float32 errors of
 * ~3e-5, so atol 1e-4; float64: 1e-12). Gradients against the
 * reference; a float64 gradient check through the fused path; createGraph double backward; one
 * vs two threads bit-identical; a spy that the fused kernels ran; clear errors.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { linear, linearRelu } from '../../src/ops/linear.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

type DT = 'float32' | 'float64';
const TOL: Record<DT, Tolerance> = { float32: { rtol: 1e-5, atol: 1e-4 }, float64: { rtol: 1e-12, atol: 1e-12 } };
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

const table = torch.getBackend('wasm').fused as FusedKernels;
const original = { linear: table.linear, reluBackward: table.reluBackward };
const calls = { linear: 0, reluBackward: 0 };
function spy(): void {
  calls.linear = 0;
  calls.reluBackward = 0;
  table.linear = (...a) => { calls.linear++; return original.linear!(...a); };
  table.reluBackward = (...a) => { calls.reluBackward++; return original.reluBackward!(...a); };
}
afterEach(() => {
  table.linear = original.linear;
  table.reluBackward = original.reluBackward;
  torch.setNumThreads(2);
});

/** [rows, in, out]: whole and partial 4×8 tiles, depth past one 256 block (the bias must wait for the last). */
const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 3, 4], [37, 129, 9], [130, 300, 17], [64, 513, 40], [3, 0, 5]];

function run(dtype: DT, [R, K, N]: [number, number, number], bias: boolean, act: boolean) {
  const x = torch.randn([R, K], { dtype }).requiresGrad_();
  const w = torch.randn([N, K], { dtype }).requiresGrad_();
  const b = bias ? torch.randn([N], { dtype }).requiresGrad_() : null;
  const y = (act ? linearRelu : linear)(x, w, b);
  const composite = torch.noGrad(() => {
    const z = x.matmul(w.t());
    const zb = b ? z.add(b) : z;
    return act ? zb.relu() : zb;
  });
  y.mul(torch.randn([R, N], { dtype })).sum().backward();
  return { y: vals(y), composite: vals(composite), gx: vals(x.grad), gw: vals(w.grad), gb: vals(b?.grad) };
}

describe('fused linear (wasm) against the composite', () => {
  test('the wasm backend advertises fused linear and reluBackward; the reference has neither', () => {
    assert.equal(typeof original.linear, 'function');
    assert.equal(typeof original.reluBackward, 'function');
    assert.equal(torch.getBackend('cpu').fused?.linear, undefined);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    for (const act of [false, true]) {
      test(`${dtype} ${act ? 'relu(linear)' : 'linear'}: equals the wasm composite bit for bit and the reference within tolerance, gradients too`, () => {
        for (const shape of SHAPES) {
          for (const bias of [true, false]) {
            spy();
            const r = onBoth(() => run(dtype, shape, bias, act), shape[0] + shape[1]);
            const what = `${dtype} [${shape}] bias=${bias}`;
            assert.equal(calls.linear, 1, `${what}: fused forward ran`);
            assert.equal(calls.reluBackward, act ? 1 : 0, `${what}: fused relu backward ran iff relu`);
            assert.deepEqual(r.wasm.y, r.wasm.composite, `${what}: fused and composite outputs on wasm are identical`);
            assertClose(r.wasm.y, r.cpu.y, TOL[dtype], `${what} y`);
            assertClose(r.wasm.gx, r.cpu.gx, TOL[dtype], `${what} dx`);
            assertClose(r.wasm.gw, r.cpu.gw, TOL[dtype], `${what} dW`);
            assertClose(r.wasm.gb, r.cpu.gb, TOL[dtype], `${what} db`);
          }
        }
      });
    }
  }

  test('the ReLU epilogue keeps NaN and gives +0 for negative sums, as the relu kernel', () => {
    torch.withBackend('wasm', () => {
      const x = torch.tensor([[1, Number.NaN], [-1, 0], [-2, -3]]);
      const w = torch.tensor([[1, 1], [1, 0], [-1, 0], [0, 0], [2, 2], [0, 1], [1, 2], [3, 0], [1, -1]]);
      const y = linearRelu(x, w, torch.zeros([9]));
      assert.deepEqual(vals(y), vals(x.matmul(w.t()).relu()));
      assert.ok(Number.isNaN(y.dataSync()[0]!));
      assert.ok(vals(y).every((v) => Number.isNaN(v) || !Object.is(v, -0)));
    });
  });

  test('plain relu shares the fused backward (reluGrad): same gradient as the reference, one kernel call', () => {
    const r = onBoth(() => {
      const x = torch.tensor([[-1, 0, 2], [3, -0.5, Number.NaN]], { requiresGrad: true });
      torch.relu(x).mul(torch.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
      return vals(x.grad);
    });
    spy();
    torch.withBackend('wasm', () => torch.relu(torch.randn([4, 5], { requiresGrad: true })).sum().backward());
    assert.equal(calls.reluBackward, 1);
    assert.deepEqual(r.wasm, r.cpu);
    assert.deepEqual(r.cpu, [0, 0, 3, 4, 0, 0]);
  });

  test('float64 gradient check through the fused path (with and without ReLU, batched input)', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(3);
      for (const act of [false, true]) {
        const x = torch.randn([2, 3, 5], { dtype: 'float64' }).requiresGrad_();
        const w = torch.randn([4, 5], { dtype: 'float64' }).requiresGrad_();
        const b = torch.randn([4], { dtype: 'float64' }).requiresGrad_();
        spy();
        gradcheck(([a, c, d]) => (act ? linearRelu : linear)(a!, c!, d!), [x, w, b], [torch.randn([2, 3, 4], { dtype: 'float64' })]);
        assert.ok(calls.linear > 0);
      }
    });
  });

  test('createGraph: second derivatives through relu(linear) match the reference', () => {
    const r = onBoth(() => {
      const x = torch.randn([6, 4], { dtype: 'float64' }).requiresGrad_();
      const w = torch.randn([3, 4], { dtype: 'float64' }).requiresGrad_();
      const b = torch.randn([3], { dtype: 'float64' }).requiresGrad_();
      const y = linearRelu(x, w, b);
      const [gx] = grad([y.pow(2).sum()], [x], { createGraph: true });
      gx!.pow(2).sum().backward();
      return { gx: vals(gx), ggw: vals(w.grad), ggb: vals(b.grad) };
    }, 5);
    assertClose(r.wasm.gx, r.cpu.gx, TOL.float64, 'first derivative');
    assertClose(r.wasm.ggw, r.cpu.ggw, TOL.float64, 'second derivative w.r.t. W');
    assertClose(r.wasm.ggb, r.cpu.ggb, TOL.float64, 'second derivative w.r.t. b');
  });

  test('one and two threads give bit-identical results and gradients', () => {
    const once = (threads: number) => torch.withBackend('wasm', () => {
      torch.setNumThreads(threads);
      torch.manualSeed(11);
      return run('float32', [2048, 128, 512], true, true);
    });
    const one = once(1);
    const two = once(2);
    assert.deepEqual(two.y, one.y);
    assert.deepEqual(two.gx, one.gx);
    assert.deepEqual(two.gw, one.gw);
    assert.deepEqual(two.gb, one.gb);
  });

  test('nn.Linear and the Transformer layer use it (and addLayerNorm for the residual norms); int64 input falls back to a clear dtype error', () => {
    torch.withBackend('wasm', () => {
      spy();
      const fc = new nn.Linear(8, 3);
      fc.forward(torch.randn([2, 5, 8]));
      assert.equal(calls.linear, 1);
      const layer = new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true });
      spy();
      const addNorm = table.addLayerNorm!;
      let norms = 0;
      table.addLayerNorm = (...a) => { norms++; return addNorm(...a); };
      try {
        layer.forward(torch.randn([2, 3, 8]));
      } finally {
        table.addLayerNorm = addNorm;
      }
      // in-projection, out-projection, linear1 (+ReLU) and linear2; both residual sums fused into their norms
      assert.equal(calls.linear, 4);
      assert.equal(norms, 2);
      assert.throws(() => linear(torch.zeros([2, 3], { dtype: 'int64' }), torch.zeros([4, 3])), torch.DTypeError);
    });
  });

  test('shape errors name the op and both shapes', () => {
    for (const backend of ['cpu', 'wasm']) {
      torch.withBackend(backend, () => {
        assert.throws(() => linear(torch.zeros([2, 3]), torch.zeros([4, 5])), (e: Error) => e instanceof torch.ShapeError && /linear/.test(e.message) && /\[2, ?3\]/.test(e.message) && /\[4, ?5\]/.test(e.message));
        assert.throws(() => linear(torch.zeros([2, 3]), torch.zeros([4, 3]), torch.zeros([5])), torch.ShapeError);
        assert.throws(() => linear(torch.zeros([2, 3]), torch.zeros([3])), torch.ShapeError);
      });
    }
  });
});

describe('a leaf takes over a gradient it alone holds', () => {
  test('.grad of each leaf is its own storage: in-place changes of one reach no other, nor the caller\'s gradient', () => {
    for (const backend of ['cpu', 'wasm']) {
      torch.withBackend(backend, () => {
        const a = torch.ones([3], { requiresGrad: true });
        const b = torch.ones([3], { requiresGrad: true });
        // add hands one gradient tensor to both inputs
        a.add(b).sum().backward();
        a.grad!.zero_();
        assert.deepEqual(vals(b.grad), [1, 1, 1], `${backend}: b.grad kept`);
        const c = torch.ones([2], { requiresGrad: true });
        const g = torch.tensor([2, 3]);
        c.backward(g);
        c.grad!.mul_(10);
        assert.deepEqual(vals(g), [2, 3], `${backend}: the caller's gradient untouched`);
        const w = torch.randn([4, 3], { requiresGrad: true });
        linear(torch.randn([5, 3]), w).sum().backward();
        const before = vals(w.grad);
        linear(torch.randn([5, 3]), w).sum().backward();
        assert.notDeepEqual(vals(w.grad), before, `${backend}: a second backward accumulates`);
      });
    }
  });
});
