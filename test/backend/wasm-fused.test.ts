/**
 * The wasm backend's fused kernels (Backend.fused) against the reference backend, which has none
 * and so runs each op's composite: dropout, softmax/logSoftmax, layer norm (forward and
 * backward) and the Adam/AdamW update.
 *
 * Tolerances: dropout and Adam follow the composite operation for operation, so they must be
 * bit-identical (masks, outputs, gradients, parameters, optimizer state and the generator's
 * state afterwards). softmax and layer norm sum in a different order than the composite's
 * reduce kernel and compute backward by the closed-form rule rather than autograd's chain:
 * float64 within 1e-12 relative, float32 within rtol 2e-6 / atol 1e-7 (a few float32 ulps).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, nn, optim, type Tensor } from '../../src/index.js';
import { dropout, layerNorm, logSoftmax, softmax } from '../../src/ops/index.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';

const F64: Tolerance = { rtol: 1e-12, atol: 1e-14 };
const F32: Tolerance = { rtol: 2e-6, atol: 1e-7 };
const tolOf = (dtype: 'float32' | 'float64'): Tolerance => (dtype === 'float32' ? F32 : F64);
const vals = (t: Tensor | null): number[] => {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
};

describe('wasm fused kernels', () => {
  test('the wasm backend advertises every fused kernel and the reference none', () => {
    const f = torch.getBackend('wasm').fused;
    const names = ['dropout', 'softmax', 'softmaxBackward', 'layerNorm', 'layerNormBackward', 'adam', 'lstmCell', 'lstmCellBackward',
      'batchNorm', 'batchNormBackward', 'conv2d', 'conv2dBackward', 'lstmSeq', 'lstmSeqBackward', 'rnnSeq', 'rnnSeqBackward',
      'attention', 'attentionBackward', 'gelu', 'geluBackward', 'crossEntropy', 'crossEntropyBackward'] as const;
    assert.deepEqual(names.filter((n) => typeof f?.[n] !== 'function'), [], 'fused kernels missing on wasm');
    assert.equal(torch.getBackend('cpu').fused, undefined);
  });

  test('dropout draws the same mask as the reference from the same seed, and leaves the generator in the same state', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      // 5 and 623 stay inside one twist of the 624-word state, 1300 crosses two; 1001 is not a multiple of 4.
      for (const n of [5, 623, 1001, 1300]) {
        const r = onBoth(() => {
          const x = torch.randn([n], { dtype, requiresGrad: true });
          const w = torch.randn([n], { dtype });
          const y = dropout(x, 0.3);
          const z = dropout(y, 0.55);
          z.mul(w).sum().backward();
          return { y: vals(y), z: vals(z), g: vals(x.grad), next: vals(torch.rand([4])) };
        }, n);
        for (const k of ['y', 'z', 'g', 'next'] as const) {
          r.wasm[k].forEach((v, i) => assert.ok(Object.is(v, r.cpu[k][i]), `${dtype} n=${n} ${k}[${i}]: wasm ${v} vs reference ${r.cpu[k][i]}`));
        }
      }
    }
  });

  test('dropout redraws its mask in backward: two backward passes (retainGraph) give the same gradient as the reference', () => {
    const r = onBoth(() => {
      const x = torch.randn([40, 33], { requiresGrad: true });
      const y = dropout(x, 0.4).mul(torch.randn([40, 33])).sum();
      y.backward(undefined, { retainGraph: true });
      const first = vals(x.grad);
      y.backward();
      return { first, second: vals(x.grad), next: vals(torch.rand([2])) };
    }, 11);
    assert.deepEqual(r.wasm, r.cpu);
    r.wasm.second.forEach((v, i) => assert.equal(v, 2 * r.wasm.first[i]!));
  });

  test('dropout of a strided view matches the reference', () => {
    const r = onBoth(() => vals(dropout(torch.randn([30, 17]).transpose(0, 1), 0.5)), 3);
    assert.deepEqual(r.wasm, r.cpu);
  });

  for (const [name, op] of [['softmax', softmax], ['logSoftmax', logSoftmax]] as const) {
    test(`${name} over the last dim matches the composite forward and backward (float32 and float64)`, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        // D = 7 exercises the scalar tail, 64 the SIMD body; -Infinity entries and a row of all -Infinity.
        for (const [R, D] of [[5, 7], [12, 64]] as const) {
          const r = onBoth(() => {
            const data = Array.from(torch.randn([R, D], { dtype }).mul(4).dataSync());
            data[3] = -Infinity;
            const x = torch.tensor(data, { dtype }).reshape([R, D]).requiresGrad_();
            const y = op(x, -1);
            const w = torch.randn([R, D], { dtype });
            y.mul(w).sum().backward();
            return { y: vals(y), g: vals(x.grad) };
          }, R * D);
          assertClose(r.wasm.y, r.cpu.y, tolOf(dtype), `${name} ${dtype} [${R},${D}] forward`);
          assertClose(r.wasm.g, r.cpu.g, tolOf(dtype), `${name} ${dtype} [${R},${D}] backward`);
        }
      }
    });
  }

  test('softmax of a transposed view and of rows with +Infinity match the composite (NaN where it gives NaN)', () => {
    const r = onBoth(() => {
      const x = torch.randn([6, 9]).transpose(0, 1);
      const inf = torch.tensor([[1, Infinity, 2], [Infinity, Infinity, 0], [NaN, 1, 2]]);
      return { t: vals(softmax(x, 1)), inf: vals(softmax(inf, -1)), linf: vals(logSoftmax(inf, -1)) };
    });
    assertClose(r.wasm.t, r.cpu.t, F32, 'transposed');
    assertClose(r.wasm.inf, r.cpu.inf, F32, 'softmax with infinities');
    assertClose(r.wasm.linf, r.cpu.linf, F32, 'logSoftmax with infinities');
  });

  test('second-order gradients through the fused softmax and layer norm match the reference', () => {
    const r = onBoth(() => {
      const x = torch.randn([3, 5], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([5], { dtype: 'float64', requiresGrad: true });
      const y = layerNorm(softmax(x, -1).mul(3), [5], w, null).pow(2).sum();
      const [gx] = grad([y], [x], { createGraph: true });
      gx!.pow(2).sum().backward();
      return { gx: vals(gx!), ggx: vals(x.grad), ggw: vals(w.grad) };
    });
    for (const k of ['gx', 'ggx', 'ggw'] as const) assertClose(r.wasm[k], r.cpu[k], { rtol: 1e-9, atol: 1e-12 }, k);
  });

  test('layerNorm matches the composite with and without weight and bias, over one or two trailing dims', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [shape, ns, affine] of [[[4, 6, 8], [8], true], [[3, 5, 4], [5, 4], true], [[7, 10], [10], false]] as const) {
        const r = onBoth(() => {
          const x = torch.randn([...shape], { dtype }).mul(3).add(1).requiresGrad_();
          const w = affine ? torch.randn([...ns], { dtype, requiresGrad: true }) : null;
          const b = affine ? torch.randn([...ns], { dtype, requiresGrad: true }) : null;
          const y = layerNorm(x, [...ns], w, b, 1e-5);
          y.mul(torch.randn([...shape], { dtype })).sum().backward();
          return { y: vals(y), gx: vals(x.grad), gw: w ? vals(w.grad) : [], gb: b ? vals(b.grad) : [] };
        });
        const tol = dtype === 'float32' ? { rtol: 1e-5, atol: 2e-6 } : F64;
        for (const k of ['y', 'gx', 'gw', 'gb'] as const) assertClose(r.wasm[k], r.cpu[k], tol, `${dtype} [${shape.join(',')}] over [${ns.join(',')}] ${k}`);
      }
    }
  });

  test('layerNorm where only the bias requires grad gives the bias gradient and none for the weight', () => {
    const r = onBoth(() => {
      const x = torch.randn([4, 6], { requiresGrad: true });
      const w = torch.randn([6]);
      const b = torch.zeros([6], { requiresGrad: true });
      layerNorm(x, [6], w, b).sum().backward();
      return { gb: vals(b.grad), gw: w.grad };
    });
    assert.deepEqual(r.wasm.gb, r.cpu.gb);
    assert.equal(r.wasm.gw, null);
  });

  test('LSTM (two layers, projection, batch-first) matches the composite forward and backward (float32 and float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = onBoth(() => {
        const lstm = new nn.LSTM(6, 10, { numLayers: 2, batchFirst: true, projSize: 4 });
        if (dtype === 'float64') lstm.to('float64');
        const x = torch.randn([3, 7, 6], { dtype, requiresGrad: true });
        const { output } = lstm.forward(x);
        output.mul(torch.randn([3, 7, 4], { dtype })).sum().backward();
        return { y: vals(output), gx: vals(x.grad), gw: [...lstm.parameters()].flatMap((p) => vals(p.grad)) };
      }, 5);
      const tol = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-6 } : F64;
      for (const k of ['y', 'gx', 'gw'] as const) assertClose(r.wasm[k], r.cpu[k], tol, `${dtype} ${k}`);
    }
  });

  test('LSTMCell second-order gradients through the fused cell match the reference, and h and c are contiguous', () => {
    const r = onBoth(() => {
      const cell = new nn.LSTMCell(4, 5).to('float64');
      const x = torch.randn([2, 4], { dtype: 'float64', requiresGrad: true });
      const { h, c } = cell.forward(x);
      const [gx] = grad([h.pow(2).sum().add(c.sum())], [x], { createGraph: true });
      gx!.pow(2).sum().backward();
      return { gx: vals(gx!), ggx: vals(x.grad), contiguous: h.isContiguous() && c.isContiguous() };
    }, 2);
    assert.equal(r.wasm.contiguous, true);
    for (const k of ['gx', 'ggx'] as const) assertClose(r.wasm[k], r.cpu[k], { rtol: 1e-9, atol: 1e-12 }, k);
  });

  const adamCases: [string, (ps: Tensor[]) => optim.Optimizer<never, never>][] = [
    ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01 }) as unknown as optim.Optimizer<never, never>],
    ['Adam with weightDecay, amsgrad and maximize', (ps) => new optim.Adam(ps, { lr: 0.02, weightDecay: 0.1, amsgrad: true, maximize: true, betas: [0.8, 0.99] }) as unknown as optim.Optimizer<never, never>],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.01, weightDecay: 0.05, eps: 1e-6 }) as unknown as optim.Optimizer<never, never>],
    // float32 runs four lanes at a time except under AMSGrad: L2 decay and maximize on the vector path.
    ['Adam with weightDecay and maximize', (ps) => new optim.Adam(ps, { lr: 0.02, weightDecay: 0.1, maximize: true }) as unknown as optim.Optimizer<never, never>],
  ];
  for (const [label, make] of adamCases) {
    test(`${label}: the fused update gives bit-identical parameters and state to the composite over 4 steps`, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const r = onBoth(() => {
          // Given gradients (not computed by a backward pass, whose matmuls round differently per backend).
          const ps = [torch.randn([5, 13], { dtype, requiresGrad: true }), torch.randn([37], { dtype, requiresGrad: true })];
          const opt = make(ps);
          for (let s = 0; s < 4; s++) {
            for (const p of ps) p.grad = torch.randn([...p.shape], { dtype }).mul(s + 1);
            opt.step();
          }
          const state = opt.stateDict().state;
          const tensors = Object.values(state).flatMap((st) => Object.values(st).filter((v): v is Tensor => typeof v !== 'number'));
          assert.ok(tensors.length >= 4);
          return [...ps.map(vals), ...tensors.map(vals)];
        });
        assert.equal(r.wasm.length, r.cpu.length);
        r.wasm.forEach((a, i) => a.forEach((v, j) => assert.ok(Object.is(v, r.cpu[i]![j]), `${dtype} tensor ${i}[${j}]: wasm ${v} vs reference ${r.cpu[i]![j]}`)));
      }
    });
  }
});
