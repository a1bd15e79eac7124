/**
 * The wasm backend's fused layer norm (kernels/norm.ts, fused-norm.ts): SIMD rows with scalar
 * tails, threaded over rows. Checked against the composite on the reference backend for widths
 * D that exercise every tail (1, 3, 5, 7: under one f32x4 / f64x2 step or with a remainder; 128;
 * 129; 1000) and row counts 1, 2, 7, with and without weight and bias; rows split over two
 * threads (forced for small shapes, and once at the real threshold, 2^20 elements) must give the
 * one-thread bits. Also the fused residual form addLayerNorm(a, b) = layerNorm(a + b).
 *
 * Tolerances: float32 forward differs from the composite only in the summation order of the two
 * row sums (both float64) → rtol 1e-5 / atol 2e-6, as test/backend/wasm-fused.test.ts. Float32
 * gradients: the fused backward ends in float32 operations like the composite's but in another
 * order (rstd·(ĝ − mean ĝ − x̂·mean ĝx̂) against autograd's chain), a few ulps of the largest
 * term: the same rtol 1e-5 / atol 2e-6 holds. Float64: rtol 1e-9 / atol 1e-12.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { grad, type Tensor } from '../../src/index.js';
import type { FusedKernels } from '../../src/backend/types.js';
import { addLayerNorm, layerNorm } from '../../src/ops/index.js';
import { getNumThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { MatmulRunner } from '../../src/backend/wasm/matmul.js';
import { participantsOf, startWorkers } from '../helpers/threads.js';
import { assertClose, type Tolerance } from '../helpers/assert.js';
import { onBoth } from '../helpers/backends.js';
import { gradcheck } from '../helpers/gradcheck.js';

type Float = 'float32' | 'float64';
const FWD: Record<Float, Tolerance> = { float32: { rtol: 1e-5, atol: 2e-6 }, float64: { rtol: 1e-9, atol: 1e-12 } };
const GRAD: Record<Float, Tolerance> = { float32: { rtol: 1e-5, atol: 2e-6 }, float64: { rtol: 1e-9, atol: 1e-12 } };
const vals = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.dataSync()) : []);

/** Calls of the wasm backend's fused layer norm (forward, backward) while fn runs. */
function spyFused<T>(fn: () => T): { result: T; forward: number; backward: number } {
  const fused = torch.withBackend('wasm', () => torch.zeros([1]).backend.fused) as FusedKernels;
  const fwd = fused.layerNorm!;
  const bwd = fused.layerNormBackward!;
  const counts = { forward: 0, backward: 0 };
  fused.layerNorm = (...a) => {
    counts.forward++;
    return fwd(...a);
  };
  fused.layerNormBackward = (...a) => {
    counts.backward++;
    return bwd(...a);
  };
  try {
    return { result: fn(), ...counts };
  } finally {
    fused.layerNorm = fwd;
    fused.layerNormBackward = bwd;
  }
}

/** Whether two float arrays of one type hold the same bits, element for element. */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const bytes = (v: ArrayLike<number>): Buffer => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(new Float64Array(Array.from(v)).buffer));
  return a.length === b.length && bytes(a).equals(bytes(b));
}

/**
 * fn with MatmulRunner.participants told every call is big: rows are then split over the threads
 * for small, fast test shapes (the real threshold, 2^20 elements, is checked once below).
 */
function forcingThreads<T>(fn: () => T): T {
  const original = MatmulRunner.prototype.participants;
  MatmulRunner.prototype.participants = function (this: MatmulRunner, macs: number, items: number): number {
    return original.call(this, Math.max(macs, 2 ** 22), items);
  };
  try {
    return fn();
  } finally {
    MatmulRunner.prototype.participants = original;
  }
}

interface Case { R: number; D: number; weight: boolean; bias: boolean; dtype: Float }

/**
 * A cheap deterministic input of `shape` (sin of a scaled index): randn's generator dominates the
 * run time of the large cases otherwise.
 */
function wave(shape: number[], dtype: Float, freq: number, phase: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(0, n, 1, { dtype }).mul(freq).add(phase).sin().reshape(shape);
}

type Result = Record<'y' | 'gx' | 'gw' | 'gb', ArrayLike<number>>;

/** Forward and gradients (of Σ y·u for a random u) of one case on the current backend. */
function run(c: Case): Result {
  const big = c.R * c.D > 50_000;
  const gen = (shape: number[], k: number): Tensor => (big ? wave(shape, c.dtype, 0.7 + 0.3 * k, k) : torch.randn(shape, { dtype: c.dtype }));
  const x = gen([c.R, c.D], 1).mul(3).add(1).requiresGrad_();
  const w = c.weight ? gen([c.D], 2).requiresGrad_() : null;
  const b = c.bias ? gen([c.D], 3).requiresGrad_() : null;
  const y = layerNorm(x, [c.D], w, b, 1e-5);
  y.mul(gen([c.R, c.D], 4)).sum().backward();
  const read = (t: Tensor | null | undefined): ArrayLike<number> => (t ? t.dataSync().slice() : []);
  return { y: read(y), gx: read(x.grad), gw: read(w?.grad), gb: read(b?.grad) };
}

function compare(c: Case): void {
  const spied = spyFused(() => onBoth(() => run(c), c.R * 1000 + c.D));
  assert.equal(spied.forward, 1, 'the fused forward ran once (on wasm)');
  assert.equal(spied.backward, 1, 'the fused backward ran once (on wasm)');
  const r = spied.result;
  const name = `${c.dtype} [${c.R},${c.D}] weight ${c.weight} bias ${c.bias}`;
  assertClose(r.wasm.y, r.cpu.y, FWD[c.dtype], `${name} y`);
  for (const k of ['gx', 'gw', 'gb'] as const) assertClose(r.wasm[k], r.cpu[k], GRAD[c.dtype], `${name} ${k}`);
}

const prevThreads = getNumThreads();
after(() => setNumThreads(prevThreads));

describe('fused layer norm (wasm)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: matches the composite for D in 1, 3, 5, 7, 128, 129, 1000 and R in 1, 2, 7, with and without weight and bias`, () => {
      let k = 0;
      for (const D of [1, 3, 5, 7, 128, 129, 1000]) {
        for (const R of [1, 2, 7]) {
          k++;
          compare({ R, D, weight: k % 2 === 0 || k % 3 === 0, bias: k % 2 === 1 || k % 3 === 0, dtype });
        }
      }
    });
  }

  test('a call split over two threads (301 × 129) matches the composite, float32 and float64', async () => {
    await startWorkers();
    for (const dtype of ['float32', 'float64'] as const) {
      const { participants } = participantsOf(() => forcingThreads(() => compare({ R: 301, D: 129, weight: true, bias: true, dtype })));
      assert.ok(participants.some((p) => p === 2), `${dtype}: a chunked call ran on two threads (participants ${participants.join(',')})`);
    }
  });

  test('x of 2^20 elements (8192 × 128) is split over two threads without forcing, with the one-thread result', async () => {
    await startWorkers();
    const forward = (threads: number): { result: ArrayLike<number>; participants: number[] } => {
      setNumThreads(threads);
      return torch.withBackend('wasm', () => participantsOf(() => torch.noGrad(() => layerNorm(wave([8192, 128], 'float32', 0.9, 1), [128]).dataSync().slice())));
    };
    const one = forward(1);
    const two = forward(2);
    assert.deepEqual(two.participants, [2]);
    assert.ok(sameBits(two.result, one.result), 'two threads differ from one');
  });

  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: two threads give the one-thread output, input gradient, dweight and dbias bit for bit`, async () => {
      await startWorkers();
      for (const [R, D, weight, bias] of [[301, 129, true, true], [517, 67, false, true], [37, 1000, true, false]] as const) {
        const at = (threads: number): { result: Result; participants: number[] } => {
          setNumThreads(threads);
          return torch.withBackend('wasm', () => {
            torch.manualSeed(7);
            return participantsOf(() => forcingThreads(() => run({ R, D, weight, bias, dtype })));
          });
        };
        const one = at(1);
        const two = at(2);
        assert.ok(one.participants.length > 0 && one.participants.every((p) => p === 1), 'one thread: the chunked path on the calling thread');
        assert.ok(two.participants.some((p) => p === 2), 'two threads: the rows are split');
        for (const k of ['y', 'gx', 'gw', 'gb'] as const) assert.ok(sameBits(two.result[k]!, one.result[k]!), `[${R},${D}] ${k}: two threads differ from one`);
      }
    });
  }

  test('float64 gradients through the fused path pass the finite-difference check (weight and bias, D 5 and 130)', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(3);
      for (const [R, D] of [[3, 5], [4, 130]] as const) {
        const x = torch.randn([R, D], { dtype: 'float64' }).mul(2).add(0.5).requiresGrad_();
        const w = torch.randn([D], { dtype: 'float64', requiresGrad: true });
        const b = torch.randn([D], { dtype: 'float64', requiresGrad: true });
        const u = torch.randn([R, D], { dtype: 'float64' });
        const spied = spyFused(() => gradcheck(([a, ww, bb]) => layerNorm(a!, [D], ww, bb, 1e-5), [x, w, b], [u], { tol: { rtol: 1e-6, atol: 1e-8 } }));
        assert.ok(spied.forward > 0 && spied.backward > 0, 'the fused kernels ran');
      }
    });
  });

  test('a constant row normalises to exactly the bias (x − mean is 0, so rstd = 1/√eps multiplies zeros)', () => {
    const y = torch.withBackend('wasm', () => vals(layerNorm(torch.full([3, 9], 2.5), [9], null, torch.arange(0, 9).to('float32'))));
    assert.deepEqual(y, [...Array(3)].flatMap(() => [0, 1, 2, 3, 4, 5, 6, 7, 8]));
  });

  /** addLayerNorm on a case, with gradients of a, b, weight and bias (of Σ y·u). */
  function runAdd(c: Case): Record<'y' | 'ga' | 'gb' | 'gw' | 'gbias', number[]> {
    const a = torch.randn([c.R, c.D], { dtype: c.dtype }).mul(2).requiresGrad_();
    const b = torch.randn([c.R, c.D], { dtype: c.dtype }).add(1).requiresGrad_();
    const w = c.weight ? torch.randn([c.D], { dtype: c.dtype, requiresGrad: true }) : null;
    const bias = c.bias ? torch.randn([c.D], { dtype: c.dtype, requiresGrad: true }) : null;
    const y = addLayerNorm(a, b, [c.D], w, bias);
    y.mul(torch.randn([c.R, c.D], { dtype: c.dtype })).sum().backward();
    return { y: vals(y), ga: vals(a.grad), gb: vals(b.grad), gw: vals(w?.grad), gbias: vals(bias?.grad) };
  }

  /** Calls of the wasm backend's fused addLayerNorm while fn runs. */
  function spyAdd<T>(fn: () => T): { result: T; calls: number } {
    const fused = torch.withBackend('wasm', () => torch.zeros([1]).backend.fused) as FusedKernels;
    const original = fused.addLayerNorm!;
    let calls = 0;
    fused.addLayerNorm = (...a) => {
      calls++;
      return original(...a);
    };
    try {
      return { result: fn(), calls };
    } finally {
      fused.addLayerNorm = original;
    }
  }

  for (const dtype of ['float32', 'float64'] as const) {
    test(`addLayerNorm ${dtype}: the fused residual form matches layerNorm(a + b) on the reference, gradients of a, b, weight and bias included`, () => {
      let k = 0;
      for (const D of [1, 5, 128, 129]) {
        for (const R of [1, 7]) {
          k++;
          const c: Case = { R, D, weight: k % 2 === 0 || k % 3 === 0, bias: k % 2 === 1 || k % 3 === 0, dtype };
          const spied = spyAdd(() => onBoth(() => runAdd(c), R * 100 + D));
          assert.equal(spied.calls, 1, 'the fused addLayerNorm ran once (on wasm)');
          const r = spied.result;
          assertClose(r.wasm.y, r.cpu.y, FWD[dtype], `[${R},${D}] y`);
          for (const key of ['ga', 'gb', 'gw', 'gbias'] as const) assertClose(r.wasm[key], r.cpu[key], GRAD[dtype], `[${R},${D}] ${key}`);
        }
      }
    });
  }

  test('addLayerNorm: float64 finite-difference check through the fused path, and second-order gradients match the reference', () => {
    torch.withBackend('wasm', () => {
      torch.manualSeed(5);
      const a = torch.randn([3, 6], { dtype: 'float64', requiresGrad: true });
      const b = torch.randn([3, 6], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([6], { dtype: 'float64', requiresGrad: true });
      const bias = torch.randn([6], { dtype: 'float64', requiresGrad: true });
      const u = torch.randn([3, 6], { dtype: 'float64' });
      const spied = spyAdd(() => gradcheck(([p, q, ww, bb]) => addLayerNorm(p!, q!, [6], ww, bb), [a, b, w, bias], [u], { tol: { rtol: 1e-6, atol: 1e-8 } }));
      assert.ok(spied.calls > 0, 'the fused kernel ran');
    });
    const r = onBoth(() => {
      const a = torch.randn([3, 5], { dtype: 'float64', requiresGrad: true });
      const b = torch.randn([3, 5], { dtype: 'float64', requiresGrad: true });
      const w = torch.randn([5], { dtype: 'float64', requiresGrad: true });
      const y = addLayerNorm(a, b, [5], w, null).pow(2).sum();
      const [ga] = grad([y], [a], { createGraph: true });
      ga!.pow(2).sum().backward();
      return { ga: vals(ga!), gga: vals(a.grad), ggb: vals(b.grad), ggw: vals(w.grad) };
    });
    for (const k of ['ga', 'gga', 'ggb', 'ggw'] as const) assertClose(r.wasm[k], r.cpu[k], GRAD.float64, k);
  });

  test('addLayerNorm: two threads give the one-thread output and gradients bit for bit', async () => {
    await startWorkers();
    const at = (threads: number): { result: ReturnType<typeof runAdd>; participants: number[] } => {
      setNumThreads(threads);
      return torch.withBackend('wasm', () => {
        torch.manualSeed(11);
        return participantsOf(() => forcingThreads(() => runAdd({ R: 301, D: 129, weight: true, bias: true, dtype: 'float32' })));
      });
    };
    const one = at(1);
    const two = at(2);
    assert.ok(two.participants.some((p) => p === 2), 'two threads: the rows are split');
    for (const k of ['y', 'ga', 'gb', 'gw', 'gbias'] as const) assert.ok(sameBits(two.result[k], one.result[k]), `${k}: two threads differ from one`);
  });

  test('addLayerNorm without grad (the sum formed in the output rows) matches layerNorm(a + b) on the reference', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const spied = spyAdd(() => onBoth(() => torch.noGrad(() => {
        const a = torch.randn([7, 133], { dtype, requiresGrad: true });
        const b = torch.randn([7, 133], { dtype });
        return vals(addLayerNorm(a, b, [133], torch.randn([133], { dtype }), torch.randn([133], { dtype })));
      })));
      assert.equal(spied.calls, 1, 'the fused addLayerNorm ran once (on wasm)');
      assertClose(spied.result.wasm, spied.result.cpu, FWD[dtype], `${dtype} y`);
    }
  });

  test('addLayerNorm with a broadcasting addend runs as layerNorm(a + b), and rejects a wrong normalizedShape naming itself', () => {
    const r = onBoth(() => {
      const a = torch.randn([4, 8], { requiresGrad: true });
      const b = torch.randn([8], { requiresGrad: true });
      const y = addLayerNorm(a, b, [8]);
      y.mul(torch.randn([4, 8])).sum().backward();
      return { y: vals(y), ga: vals(a.grad), gb: vals(b.grad) };
    });
    for (const k of ['y', 'ga', 'gb'] as const) assertClose(r.wasm[k], r.cpu[k], GRAD.float32, k);
    assert.throws(() => addLayerNorm(torch.randn([4, 8]), torch.randn([4, 8]), [7]), /addLayerNorm: normalizedShape must match/);
  });
});
