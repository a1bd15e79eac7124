/**
 * The wasm backend's reduce, matmul, gather/scatterAdd and unfold/fold kernels against the
 * reference backend, on strided views, every dtype, edge sizes of the matmul blocking, and the
 * reference's error messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import type { Backend, DType, Storage, View } from '../../src/index.js';
import { REDUCE_OPS, type UnfoldGeometry } from '../../src/backend/types.js';
import { contiguousStrides as rowMajor } from '../../src/tensor/shape.js';

const cpu = torch.getBackend('cpu');
const wasm = torch.getBackend('wasm');
const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];


const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const dense = (s: Storage, shape: readonly number[]): View => ({ storage: s, shape, strides: rowMajor(shape), offset: 0 });
const on = (s: Storage, v: Omit<View, 'storage'>): View => ({ storage: s, shape: v.shape, strides: v.strides, offset: v.offset });
const values = (b: Backend, v: View): number[] => Array.from(b.read(v));

/** Deterministic values in [-4, 4), with a few NaN and repeated values when asked. */
function data(n: number, seed: number, specials = false): number[] {
  let s = seed;
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    if (specials && i % 17 === 5) return NaN;
    if (specials && i % 13 === 2) return 1;
    return Math.round(((s / 2147483648) - 0.5) * 800) / 100;
  });
}

function both(dtype: DType, d: readonly number[]): [Storage, Storage] {
  return [cpu.fromArray(dtype, d), wasm.fromArray(dtype, d)];
}

/** Exact match, or within rel·max|want| for the float sums/products a reordering may change. */
function assertNear(got: number[], want: number[], rel: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = want.reduce((m, x) => (Number.isFinite(x) ? Math.max(m, Math.abs(x)) : m), 0);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (rel > 0 && Math.abs(g - w) <= rel * Math.max(scale, 1e-300)) continue;
    assert.fail(`${what}: element ${i} is ${g} on wasm but ${w} on cpu`);
  }
}

describe('wasm reduce, matmul, indexing and window kernels match the reference', () => {
  test('reduce: every op, dtype and axis set of a strided 3-D view, NaN included', () => {
    const views: Omit<View, 'storage'>[] = [
      { shape: [3, 4, 5], strides: [20, 5, 1], offset: 0 },
      { shape: [5, 4, 3], strides: [1, 5, 20], offset: 0 },
      { shape: [2, 4, 6], strides: [1, 15, 2], offset: 1 },
      { shape: [4, 1, 9], strides: [0, 7, 1], offset: 3 },
    ];
    const axesSets = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    for (const dt of DTYPES) {
      const [c, w] = both(dt, data(64, 3, true));
      for (const op of REDUCE_OPS) {
        for (const v of views) {
          for (const axes of axesSets) {
            if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) continue;
            const keep = v.shape.filter((_, d) => !axes.includes(d));
            const want = values(cpu, dense(cpu.reduce(op, on(c, v), axes), keep));
            const res = wasm.reduce(op, on(w, v), axes);
            assert.equal(res.dtype, cpu.reduce(op, on(c, v), axes).dtype);
            const rel = op === 'sum' && dt === 'float64' ? 1e-15 : op === 'sum' || op === 'prod' ? 1e-6 : 0;
            assertNear(values(wasm, dense(res, keep)), want, rel, `${op} ${dt} axes [${axes}] of ${JSON.stringify(v)}`);
          }
        }
      }
    }
  });

  test('reduce: long contiguous runs, rows of outputs, and zero-size dims', () => {
    for (const dt of ['float32', 'float64'] as DType[]) {
      const [c, w] = both(dt, data(3 * 1000, 9));
      for (const [shape, axes] of [[[3, 1000], [1]], [[1000, 3], [0]], [[30, 100], [0]], [[3000], [0]]] as [number[], number[]][]) {
        for (const op of ['sum', 'max', 'argmin', 'prod'] as const) {
          const keep = shape.filter((_, d) => !axes.includes(d));
          const want = values(cpu, dense(cpu.reduce(op, dense(c, shape), axes), keep));
          const got = values(wasm, dense(wasm.reduce(op, dense(w, shape), axes), keep));
          assertNear(got, want, op === 'sum' ? (dt === 'float32' ? 1e-7 : 1e-14) : op === 'prod' ? 1e-12 : 0, `${op} ${dt} [${shape}] axes [${axes}]`);
        }
      }
    }
    const e = torch.zeros([0, 2]);
    assert.deepEqual(e.sum(0).toArray(), [0, 0]);
    assert.deepEqual(e.prod(0).toArray(), [1, 1]);
    assert.throws(() => e.amax(0), (err: unknown) => err instanceof torch.IndexError && /no identity/.test(err.message));
  });

  test('max/min of contiguous runs: NaN anywhere wins, and the first of ±0 decides the sign', () => {
    const rows: number[][] = [
      [0, -0, -1, -2, -3, -4, -5, -6, -7], [-0, 0, -1, -2, -3, -4, -5, -6, -7], [-1, -2, -3, -4, -5, -6, -7, -8, -0, 0],
      [1, 2, 3, 4, 5, 6, 7, 8, NaN], [NaN, 1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, NaN, 5, 6, 7, 8, 9, 10, 11],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity], [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
      Array.from({ length: 37 }, (_, i) => Math.sin(i) * 10), [0, 0, 0, 0, -0, -0, -0, -0, 1e-30, -1e-30],
    ];
    for (const dt of ['float32', 'float64'] as DType[]) {
      for (const row of rows) {
        const [c, w] = both(dt, row);
        for (const op of ['max', 'min'] as const) {
          const v = dense(c, [row.length]);
          const want = values(cpu, dense(cpu.reduce(op, v, [0]), []));
          const got = values(wasm, dense(wasm.reduce(op, dense(w, [row.length]), [0]), []));
          assertNear(got, want, 0, `${op} ${dt} of [${row.map(String)}]`);
        }
      }
    }
  });

  test('matmul: float32/float64 at the blocking edges, transposed and stride-0 batched operands', () => {
    const sizes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [33, 31, 257], [130, 20, 3], [2, 2050, 3], [0, 4, 3], [3, 0, 4], [3, 4, 0], [67, 129, 300]];
    for (const dt of ['float32', 'float64'] as DType[]) {
      for (const [M, N, K] of sizes) {
        // Each operand row-major or a transposed view (the SIMD packing paths of kernels/matmul.ts).
        for (const [transA, transB] of [[false, false], [true, true], [true, false], [false, true]]) {
          const [ca, wa] = both(dt, data(M * K, M + 1));
          const [cb, wb] = both(dt, data(K * N, N + 2));
          const av: Omit<View, 'storage'> = transA ? { shape: [M, K], strides: [1, M], offset: 0 } : { shape: [M, K], strides: [K, 1], offset: 0 };
          const bv: Omit<View, 'storage'> = transB ? { shape: [K, N], strides: [1, K], offset: 0 } : { shape: [K, N], strides: [N, 1], offset: 0 };
          const want = values(cpu, dense(cpu.matmul(on(ca, av), on(cb, bv)), [M, N]));
          const got = values(wasm, dense(wasm.matmul(on(wa, av), on(wb, bv)), [M, N]));
          assertNear(got, want, dt === 'float32' ? 2e-6 : 1e-14, `matmul ${dt} ${M}x${K} @ ${K}x${N}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}`);
        }
      }
    }
    const [ca, wa] = both('float32', data(2 * 3 * 4, 5));
    const [cb, wb] = both('float32', data(4 * 5, 6));
    const av = { shape: [2, 3, 3, 4], strides: [12, 0, 4, 1], offset: 0 };
    const bv = { shape: [2, 3, 4, 5], strides: [0, 0, 1, 4], offset: 0 };
    const want = values(cpu, dense(cpu.matmul(on(ca, av), on(cb, bv)), [2, 3, 3, 5]));
    assertNear(values(wasm, dense(wasm.matmul(on(wa, av), on(wb, bv)), [2, 3, 3, 5])), want, 2e-6, 'batched stride-0 matmul');
    // One weight for every batch (a Linear layer on [batch, seq, features]): run as one product.
    for (const [aShape, aStrides] of [[[2, 3, 5, 4], [60, 20, 4, 1]], [[2, 3, 5, 4], [60, 20, 1, 5]], [[4, 1, 6, 4], [24, 99, 4, 1]]] as [number[], number[]][]) {
      const [cx, wx] = both('float64', data(numel(aShape) * 2, 3));
      const [cw, ww] = both('float64', data(4 * 6, 4));
      const xv = { shape: aShape, strides: aStrides, offset: 1 };
      const wv = { shape: [...aShape.slice(0, 2), 4, 6], strides: [0, 0, 1, 4], offset: 0 };
      const outShape = [...aShape.slice(0, 3), 6];
      const w2 = values(cpu, dense(cpu.matmul(on(cx, xv), on(cw, wv)), outShape));
      assertNear(values(wasm, dense(wasm.matmul(on(wx, xv), on(ww, wv)), outShape)), w2, 1e-14, `shared-weight matmul ${JSON.stringify(xv)}`);
    }
  });

  test('matmul: integer and bool dtypes compute in float64 and store as the reference', () => {
    for (const dt of ['int32', 'int64', 'bool'] as DType[]) {
      const [ca, wa] = both(dt, data(6 * 7, 1).map((x) => Math.round(x * 3)));
      const [cb, wb] = both(dt, data(7 * 5, 2).map((x) => Math.round(x * 3)));
      const want = values(cpu, dense(cpu.matmul(dense(ca, [6, 7]), dense(cb, [7, 5])), [6, 5]));
      const res = wasm.matmul(dense(wa, [6, 7]), dense(wb, [7, 5]));
      assert.equal(res.dtype, dt);
      assertNear(values(wasm, dense(res, [6, 5])), want, 0, `matmul ${dt}`);
    }
  });

  test('gather and scatterAdd: strided operands, int32/int64 indices, every dtype', () => {
    for (const dt of DTYPES) {
      for (const idt of ['int64', 'int32'] as DType[]) {
        const [cx, wx] = both(dt, data(4 * 6, 4));
        const [ci, wi] = both(idt, [2, 0, 5, 1, 1, 3, 4, 0, 2, 2, 5, 1]);
        const [cs, ws] = both(dt, data(12, 8));
        const xv = { shape: [6, 4], strides: [1, 6], offset: 0 }; // transposed
        for (const [dim, iv] of [[0, { shape: [3, 4], strides: [4, 1], offset: 0 }], [1, { shape: [6, 2], strides: [2, 1], offset: 0 }]] as [number, Omit<View, 'storage'>][]) {
          const iview = iv;
          const run = (b: Backend, x: Storage, i: Storage, s: Storage): [number[], number[]] | string => {
            try {
              const g = values(b, dense(b.gather(on(x, xv), dim, on(i, iview)), iview.shape));
              const sa = values(b, dense(b.scatterAdd(on(x, xv), dim, on(i, iview), on(s, { shape: iview.shape, strides: [1, iview.shape[0]!], offset: 0 })), xv.shape));
              return [g, sa];
            } catch (e) {
              return (e as Error).message;
            }
          };
          // Along dim 1 (size 4) the index values 4 and 5 are out of range: both must throw alike.
          const want = run(cpu, cx, ci, cs);
          const got = run(wasm, wx, wi, ws);
          if (typeof want === 'string') assert.equal(got, want, `error ${dt} ${idt} dim ${dim}`);
          else {
            assertNear((got as [number[], number[]])[0], want[0], 0, `gather ${dt} ${idt} dim ${dim}`);
            assertNear((got as [number[], number[]])[1], want[1], 0, `scatterAdd ${dt} ${idt} dim ${dim}`);
          }
        }
      }
    }
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    for (const bad of [3, -1]) {
      const index = torch.tensor([[0, bad]], { dtype: 'int64' });
      const msg = `index ${bad} is out of bounds for dimension 1 with size 3`;
      assert.throws(() => x.gather(1, index), (e: unknown) => e instanceof torch.IndexError && e.message === `gather: ${msg}`);
      assert.throws(() => x.scatterAdd(1, index, torch.ones([1, 2])), (e: unknown) => e instanceof torch.IndexError && e.message === `scatterAdd: ${msg}`);
    }
  });

  test('unfold and fold: 1-D, 2-D and 3-D windows with stride, padding, dilation and a pad value', () => {
    const cases: [number[], UnfoldGeometry, number][] = [
      [[2, 11], { kernel: [3], stride: [2], padding: [1], dilation: [1] }, 0],
      [[2, 3, 7, 6], { kernel: [3, 2], stride: [1, 2], padding: [1, 0], dilation: [1, 2] }, -Infinity],
      [[1, 2, 5, 5], { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] }, 0],
      [[1, 4, 5, 4], { kernel: [2, 3, 2], stride: [1, 2, 1], padding: [1, 1, 0], dilation: [2, 1, 1] }, 0.5],
      [[3, 2], { kernel: [2], stride: [1], padding: [2], dilation: [1] }, 0],
    ];
    for (const dt of DTYPES) {
      for (const [shape, g, pad] of cases) {
        const k = g.kernel.length;
        const n = numel(shape);
        const [c, w] = both(dt, data(2 * n, 3));
        // A strided view: every other element, so the kernel gets a non-contiguous input.
        const xv = { shape, strides: rowMajor(shape).map((s) => 2 * s), offset: 1 };
        const spatial = shape.slice(shape.length - k);
        const out = spatial.map((s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
        const colShape = [...shape.slice(0, shape.length - k), ...g.kernel, ...out];
        const want = values(cpu, dense(cpu.unfold(on(c, xv), g, pad), colShape));
        assertNear(values(wasm, dense(wasm.unfold(on(w, xv), g, pad), colShape)), want, 0, `unfold ${dt} ${JSON.stringify(g)}`);
        const [cc, wc] = both(dt, data(2 * numel(colShape), 5));
        const cv = { shape: colShape, strides: rowMajor(colShape).map((s) => 2 * s), offset: 0 };
        const wantF = values(cpu, dense(cpu.fold(on(cc, cv), g, spatial), shape));
        assertNear(values(wasm, dense(wasm.fold(on(wc, cv), g, spatial), shape)), wantF, 0, `fold ${dt} ${JSON.stringify(g)}`);
      }
    }
  });
});
