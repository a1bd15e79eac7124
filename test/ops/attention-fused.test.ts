/**
 * The fused self-attention op (ops/attention.ts) on the wasm backend against its composite on the
 * reference backend (which has no fused kernels), plus float64 gradchecks of the fused path.
 *
 * Tolerances: the fused kernel sums the q·k and p·v products in another order than the matmul
 * kernel and uses a float32 exp polynomial (~1 ulp), so float32 agrees within rtol 1e-5 /
 * atol 2e-6 (values are O(1): a few ulps of the largest terms); float64 uses Math.exp and
 * agrees within 1e-12 relative. Dropout draws the composite's words in the composite's order,
 * so the same weights are dropped and the generator ends in the same state (checked exactly).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, ShapeError, type Tensor } from '../../src/index.js';
import { selfAttention } from '../../src/ops/attention.js';
import { Generator } from '../../src/tensor/random.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

const F32: Tolerance = { rtol: 1e-5, atol: 2e-6 };
const F64: Tolerance = { rtol: 1e-12, atol: 1e-13 };
const tolOf = (d: 'float32' | 'float64'): Tolerance => (d === 'float32' ? F32 : F64);
const vals = (t: Tensor | null): number[] => {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
};

interface Case { N: number; L: number; H: number; hd: number }
// L = 7: no full 4- or 16-wide block; L = 20: one 16-wide block plus a tail; hd = 16: the kernel's 16-wide path.
const CASES: Case[] = [{ N: 2, L: 7, H: 2, hd: 4 }, { N: 3, L: 20, H: 2, hd: 16 }, { N: 1, L: 5, H: 3, hd: 8 }];

describe('fused self-attention', () => {
  test('the wasm backend has the fused kernels and the reference none', () => {
    const f = torch.getBackend('wasm').fused;
    assert.ok(f?.attention && f.attentionBackward);
    assert.equal(torch.getBackend('cpu').fused?.attention, undefined);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    for (const batchFirst of [true, false]) {
      test(`${dtype}, batchFirst ${batchFirst}: output, qkv gradient and generator state match the composite, with and without dropout`, () => {
        for (const c of CASES) {
          for (const p of [0, 0.3]) {
            const E = c.H * c.hd;
            const r = onBoth(() => {
              const [A, B] = batchFirst ? [c.N, c.L] : [c.L, c.N];
              const qkv = torch.randn([A, B, 3 * E], { dtype, requiresGrad: true });
              const w = torch.randn([A, B, E], { dtype });
              const out = selfAttention(qkv, c.H, { batchFirst, dropout: p, training: true });
              out.mul(w).sum().backward();
              return { out: vals(out), g: vals(qkv.grad), next: vals(torch.rand([3])), shape: out.shape };
            }, 17 + c.L);
            const what = `${dtype} ${JSON.stringify(c)} p=${p}`;
            assert.deepEqual(r.wasm.shape, batchFirst ? [c.N, c.L, E] : [c.L, c.N, E]);
            assertClose(r.wasm.out, r.cpu.out, tolOf(dtype), `${what} output`);
            assertClose(r.wasm.g, r.cpu.g, tolOf(dtype), `${what} gradient`);
            assert.deepEqual(r.wasm.next, r.cpu.next, `${what}: the generator must end in the same state`);
          }
        }
      });
    }
  }

  test('dropout drops exactly the composite\'s weights (float64, v = identity so the output is the weight matrix)', () => {
    const r = onBoth(() => {
      const L = 9;
      const qk = torch.randn([1, L, 2 * L], { dtype: 'float64' });
      const qkv = torch.cat([qk, torch.eye(L, L, { dtype: 'float64' }).reshape([1, L, L])], 2);
      return vals(selfAttention(qkv, 1, { batchFirst: true, dropout: 0.5 }));
    }, 3);
    assert.ok(r.cpu.some((v) => v === 0) && r.cpu.some((v) => v !== 0));
    assert.deepEqual(r.wasm.map((v) => v === 0), r.cpu.map((v) => v === 0));
    assertClose(r.wasm, r.cpu, F64, 'dropped weights');
  });

  test('eval mode (training false) and p = 0 draw nothing from the generator', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(1);
      const qkv = torch.randn([2, 4, 12]);
      const before = torch.defaultGenerator.getState();
      selfAttention(qkv, 2, { batchFirst: true, dropout: 0.4, training: false });
      selfAttention(qkv, 2, { batchFirst: true, dropout: 0 });
      assert.deepEqual(torch.defaultGenerator.getState(), before);
    });
  });

  for (const p of [0, 0.25]) {
    test(`float64 gradcheck of the fused path (wasm), dropout ${p}`, () => {
      torch.withBackend('wasm', () => {
        torch.manualSeed(2);
        const qkv = torch.randn([2, 5, 24], { dtype: 'float64', requiresGrad: true });
        const w = torch.randn([2, 5, 8], { dtype: 'float64' });
        // A fresh generator with a fixed seed per call: every probe sees the same dropout mask.
        const fn = ([x]: Tensor[]): Tensor => selfAttention(x!, 2, { batchFirst: true, dropout: p, generator: new Generator(9) });
        gradcheck(fn, [qkv], [w], { maxElements: 240, tol: { rtol: 1e-6, atol: 1e-8 } });
      });
    });
  }

  test('createGraph: the gradient is differentiable (double backward matches the composite)', () => {
    const r = onBoth(() => {
      const qkv = torch.randn([5, 2, 12], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([5, 2, 4], { dtype: 'float64' });
      const out = selfAttention(qkv, 2, { dropout: 0.3 });
      const [g] = grad([out.mul(w).sum()], [qkv], { createGraph: true });
      g!.mul(g!).sum().backward();
      return { g: vals(g!), gg: vals(qkv.grad) };
    }, 4);
    assertClose(r.wasm.g, r.cpu.g, F64, 'first-order gradient');
    assertClose(r.wasm.gg, r.cpu.gg, { rtol: 1e-10, atol: 1e-12 }, 'second-order gradient');
  });

  test('retainGraph: a second backward through the fused op gives the same gradient; without it, a clear error', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(6);
      const qkv = torch.randn([2, 6, 24], { requiresGrad: true });
      const loss = selfAttention(qkv, 2, { batchFirst: true, dropout: 0.2 }).pow(2).sum();
      loss.backward(undefined, { retainGraph: true });
      const first = vals(qkv.grad);
      qkv.grad = null;
      loss.backward();
      assert.deepEqual(vals(qkv.grad), first);
      assert.throws(() => loss.backward(), /backward through the graph a second time/);
    });
  });

  test('bad shapes are rejected with the op name and shapes', () => {
    torch.withBackend('wasm', () => {
      assert.throws(() => selfAttention(torch.randn([2, 3, 10]), 2), (e: unknown) => e instanceof ShapeError && /selfAttention.*\[2,3,10\]/.test(e.message));
      assert.throws(() => selfAttention(torch.randn([6, 12]), 2), (e: unknown) => e instanceof ShapeError && /selfAttention: qkv must be 3-D/.test(e.message));
    });
  });

  test('TransformerEncoderLayer in training mode (fused attention on wasm) matches the reference: output and every parameter gradient', () => {
    const r = onBoth(() => {
      const layer = new nn.TransformerEncoderLayer({ dModel: 16, nhead: 4, dimFeedforward: 32, dropout: 0.2, batchFirst: true });
      const x = torch.randn([3, 10, 16]);
      const y = layer.forward(x);
      y.mul(torch.randn([3, 10, 16])).sum().backward();
      return { y: vals(y), grads: [...layer.namedParameters()].map(([n, p]) => [n, vals(p.grad)] as const) };
    }, 8);
    assertClose(r.wasm.y, r.cpu.y, { rtol: 1e-4, atol: 1e-5 }, 'layer output');
    r.wasm.grads.forEach(([name, g], i) => assertClose(g, r.cpu.grads[i]![1], { rtol: 1e-4, atol: 1e-5 }, `grad of ${name}`));
  });
});
