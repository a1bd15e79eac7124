/**
 * The wasm backend's fused convolution (Backend.fused.conv2d / conv2dBackward, per-sample im2col
 * + packed GEMM over the thread pool) and the 2-D fast path of its unfold/fold kernels, against
 * the reference backend, which has no fused kernels and runs the unfold + matmul composite.
 *
 * Tolerances: the fused kernels sum the C·kh·kw products (and, for the weight gradient, the
 * batch) in another order than the composite: float64 within 1e-12 relative (1e-12 absolute on
 * values of order 1-10), float32 within 2e-5 relative / 2e-5 absolute (a few ulps of sums of up
 * to a few hundred terms). unfold/fold only copy and add the same numbers in the same order:
 * bit-identical.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, type Tensor } from '../../src/index.js';
import { conv1d, conv2d, fold, unfold, type Conv1dOptions, type Conv2dOptions } from '../../src/ops/conv.js';
import { getNumThreads, readyWorkerThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { gradcheck } from '../helpers/gradcheck.js';

type Dtype = 'float32' | 'float64';
const tolOf = (dtype: Dtype): Tolerance => (dtype === 'float32' ? { rtol: 2e-5, atol: 2e-5 } : { rtol: 1e-12, atol: 1e-12 });
const vals = (t: Tensor | null): number[] => {
  assert.ok(t, 'expected a tensor');
  return Array.from(t.dataSync());
};

interface Case {
  name: string;
  x: number[]; // input shape
  w: number[]; // weight shape
  bias?: boolean;
  opts: Conv2dOptions | Conv1dOptions;
  inputGrad?: boolean; // default true
}

const CASES: Case[] = [
  { name: 'batch 1, 3×3, padding 1', x: [1, 3, 7, 9], w: [4, 3, 3, 3], bias: true, opts: { padding: 1 } },
  { name: 'stride 2, padding (1,0), dilation (1,2), 3×2 kernel', x: [5, 2, 10, 8], w: [3, 2, 3, 2], opts: { stride: 2, padding: [1, 0], dilation: [1, 2] } },
  { name: '1×1 stride 1 (no im2col)', x: [4, 6, 5, 5], w: [7, 6, 1, 1], bias: true, opts: {} },
  { name: '1×1 stride 2 (a ResNet downsample)', x: [3, 6, 7, 7], w: [5, 6, 1, 1], opts: { stride: 2 } },
  { name: 'non-square 2×5 kernel, stride (1,3), padding (0,2), dilation (2,1)', x: [2, 3, 9, 11], w: [4, 3, 2, 5], bias: true, opts: { stride: [1, 3], padding: [0, 2], dilation: [2, 1] } },
  { name: "padding 'same' with an even kernel", x: [2, 2, 6, 5], w: [3, 2, 2, 4], opts: { padding: 'same' } },
  { name: 'an input that needs no gradient (first layer)', x: [3, 1, 8, 8], w: [4, 1, 3, 3], opts: { padding: 1 }, inputGrad: false },
  { name: 'batch 35 (several samples per chunk)', x: [35, 2, 8, 8], w: [4, 2, 3, 3], bias: true, opts: { padding: 1 } },
  { name: 'conv1d stride 2, padding 1, dilation 2', x: [3, 4, 20], w: [5, 4, 3], bias: true, opts: { stride: 2, padding: 1, dilation: 2 } },
  { name: "conv1d padding 'same', unbatched", x: [4, 15], w: [6, 4, 4], opts: { padding: 'same' } },
];

/** Forward and backward of one case on the current backend, from the seed. */
function runCase(c: Case, dtype: Dtype, seed: number): Record<string, number[]> {
  torch.manualSeed(seed);
  const x = torch.randn(c.x, { dtype, requiresGrad: c.inputGrad !== false });
  const w = torch.randn(c.w, { dtype, requiresGrad: true });
  const b = c.bias ? torch.randn([c.w[0]!], { dtype, requiresGrad: true }) : null;
  const y = c.w.length === 4 ? conv2d(x, w, b, c.opts as Conv2dOptions) : conv1d(x, w, b, c.opts as Conv1dOptions);
  const u = torch.randn(y.shape, { dtype });
  y.mul(u).sum().backward();
  const out: Record<string, number[]> = { y: vals(y), shape: [...y.shape], dw: vals(w.grad) };
  if (c.inputGrad !== false) out.dx = vals(x.grad);
  else assert.equal(x.grad, null);
  if (b) out.db = vals(b.grad);
  return out;
}

function compareOnBackends(c: Case, dtype: Dtype, seed: number, tol: Tolerance = tolOf(dtype)): Record<string, number[]> {
  const cpu = torch.withBackend('cpu', () => runCase(c, dtype, seed));
  const wasm = torch.withBackend('wasm', () => runCase(c, dtype, seed));
  assert.deepEqual(wasm.shape, cpu.shape, `${c.name}: output shape`);
  for (const k of Object.keys(cpu)) {
    if (k !== 'shape') assertClose(wasm[k]!, cpu[k]!, tol, `${c.name} (${dtype}) ${k}`);
  }
  assert.deepEqual(Object.keys(wasm).sort(), Object.keys(cpu).sort());
  return wasm;
}

async function waitForWorkers(n: number): Promise<void> {
  for (let i = 0; i < 300 && readyWorkerThreads() < n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(readyWorkerThreads(), n, `${n} worker thread(s) started`);
}

describe('wasm fused convolution', () => {
  test('the wasm backend advertises the fused convolution', () => {
    const f = torch.getBackend('wasm').fused;
    assert.ok(f?.conv2d && f.conv2dBackward);
  });

  test('forward, input, weight and bias gradients match the reference composite on varied geometries (one thread)', () => {
    const prev = getNumThreads();
    try {
      setNumThreads(1);
      CASES.forEach((c, i) => {
        for (const dtype of ['float32', 'float64'] as const) compareOnBackends(c, dtype, 10 + i);
      });
    } finally {
      setNumThreads(prev);
    }
  });

  test('two threads match the reference and give bit-identical results to one thread', async () => {
    const prev = getNumThreads();
    // Large enough (24·16·72·196 ≈ 5.4M and 37·24·72·81 ≈ 5.2M multiply-adds) to be split over the pool.
    const big: Case = { name: 'batch 24, 8→16 channels, 14×14', x: [24, 8, 14, 14], w: [16, 8, 3, 3], bias: true, opts: { padding: 1, stride: 1 } };
    const strided: Case = { name: 'batch 37, stride 2', x: [37, 8, 17, 17], w: [24, 8, 3, 3], opts: { padding: 1, stride: 2 } };
    try {
      // The reference is slow at these sizes: it checks the first case in float64 only (the
      // one-thread test covers the geometries and float32); every run checks 2 threads vs 1.
      const runs = [big, strided].flatMap((c) => (['float32', 'float64'] as const).map((dtype) => ({ c, dtype })));
      setNumThreads(1);
      const one = runs.map(({ c, dtype }) => torch.withBackend('wasm', () => runCase(c, dtype, 7)));
      setNumThreads(2);
      torch.withBackend('wasm', () => runCase(big, 'float32', 7)); // starts the pool
      await waitForWorkers(1);
      runs.forEach(({ c, dtype }, i) => {
        const two = dtype === 'float64' && c === big ? compareOnBackends(c, dtype, 7) : torch.withBackend('wasm', () => runCase(c, dtype, 7));
        for (const k of Object.keys(one[i]!)) assert.deepEqual(two[k], one[i]![k], `${c.name} (${dtype}): ${k}, 2 threads vs 1`);
      });
    } finally {
      setNumThreads(prev);
    }
  });

  test('float64 gradcheck through the fused path (stride 2, padding, dilation, bias)', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(3);
      const x = torch.randn([2, 3, 7, 6], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([4, 3, 3, 2], { dtype: 'float64', requiresGrad: true });
      const b = torch.randn([4], { dtype: 'float64', requiresGrad: true });
      const opts: Conv2dOptions = { stride: 2, padding: [1, 2], dilation: [2, 1] };
      const y = conv2d(x, w, b, opts);
      assert.equal(y.gradFn?.name, 'add', 'the bias is a separate add');
      const u = torch.randn(y.shape, { dtype: 'float64' });
      gradcheck(([xi, wi, bi]) => conv2d(xi!, wi!, bi!, opts), [x, w, b], [u], { maxElements: 40 });
    });
  });

  test('double backward through the fused forward (createGraph) matches the reference', () => {
    const run = (): number[] => {
      torch.manualSeed(4);
      const x = torch.randn([2, 3, 6, 6], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([4, 3, 3, 3], { dtype: 'float64', requiresGrad: true });
      const y = conv2d(x, w, null, { padding: 1, stride: 2 });
      const u = torch.randn(y.shape, { dtype: 'float64' });
      const [gx] = grad([y.mul(u).sum()], [x], { createGraph: true });
      const v = torch.randn(x.shape, { dtype: 'float64' });
      const [gw] = grad([gx!.mul(v).sum()], [w]);
      return [...vals(gx!), ...vals(gw!)];
    };
    const cpu = torch.withBackend('cpu', run);
    const wasm = torch.withBackend('wasm', run);
    assertClose(wasm, cpu, tolOf('float64'), 'dx and d(dx·v)/dw');
  });

  test('a strided (non-contiguous) input and weight give the same result as contiguous copies', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(5);
      const x = torch.randn([3, 8, 7, 2]).permute([0, 3, 1, 2]); // [3, 2, 8, 7], channels strided
      const w = torch.randn([3, 3, 2, 4]).permute([3, 2, 0, 1]); // [4, 2, 3, 3]
      const y = conv2d(x, w, null, { padding: 1 });
      const yc = conv2d(x.contiguous(), w.contiguous(), null, { padding: 1 });
      assert.deepEqual(vals(y), vals(yc));
    });
  });
});

describe('wasm unfold/fold 2-D fast path', () => {
  test('unfold and fold match the reference bit for bit (float32/float64, stride, padding, dilation, padValue)', () => {
    const geometries = [
      { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
      { kernel: [2, 3], stride: [2, 3], padding: [1, 2], dilation: [2, 1] },
      { kernel: [3, 2], stride: [2, 2], padding: [0, 1], dilation: [1, 1] },
      { kernel: [5, 5], stride: [1, 1], padding: [2, 2], dilation: [1, 1] },
    ];
    for (const dtype of ['float32', 'float64'] as const) {
      geometries.forEach((g, i) => {
        const run = (): number[] => {
          torch.manualSeed(20 + i);
          const x = torch.randn([2, 3, 9, 10], { dtype });
          const cols = unfold(x, g, i === 1 ? -Infinity : 0);
          const back = fold(torch.randn(cols.shape, { dtype }), g, [9, 10]);
          return [...vals(cols), ...vals(back)];
        };
        const cpu = torch.withBackend('cpu', run);
        const wasm = torch.withBackend('wasm', run);
        wasm.forEach((v, j) => assert.ok(Object.is(v, cpu[j]), `${dtype} geometry ${i} element ${j}: ${v} vs ${cpu[j]}`));
      });
    }
  });
});
