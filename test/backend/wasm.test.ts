/**
 * The wasm backend's elementwise, copy, where and read kernels against the reference backend,
 * kernel by kernel: every op, every dtype, strided/offset/broadcast views and special values
 * (NaN, ±Infinity, ±0, halves, values past int32). Results must be identical (sign of zero
 * included) except transcendental functions, which may differ from V8's Math by an ulp.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import type { Backend, DType, Storage, View } from '../../src/index.js';
import { BINARY_OPS, UNARY_OPS } from '../../src/backend/types.js';
import { contiguousStrides as rowMajor } from '../../src/tensor/shape.js';

const cpu = torch.getBackend('cpu');
const wasm = torch.getBackend('wasm');
const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];
const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, -2.5, 2.5, 3.7, -3.7, 1e-3, 100, -100, 7, -7, NaN, Infinity, -Infinity, 2 ** 31 + 5, -(2 ** 33) - 0.5, 1e300, 0.1, 20, -20, 0.75];
const APPROX = new Set(['exp', 'expm1', 'log', 'log1p', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'pow', 'atan2']);

/** Values of a view read by its own backend. */
function values(b: Backend, v: View): number[] {
  return Array.from(b.read(v));
}

/** One storage per backend holding the same data. */
function both(dtype: DType, data: readonly number[]): [Storage, Storage] {
  return [cpu.fromArray(dtype, data), wasm.fromArray(dtype, data)];
}

function on(s: Storage, v: Omit<View, 'storage'>): View {
  return { storage: s, shape: v.shape, strides: v.strides, offset: v.offset };
}

/** Equal, or both NaN; with `ulps`, within that relative slack. */
function same(a: number, b: number, rel: number): boolean {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return true;
  return rel > 0 && Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

function assertSame(got: number[], want: number[], rel: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i]!, want[i]!, rel)) assert.fail(`${what}: element ${i} is ${got[i]} on wasm but ${want[i]} on cpu`);
  }
}

function tolFor(op: string, dtype: DType): number {
  if (!APPROX.has(op)) return 0;
  return dtype === 'float32' ? 2.5e-7 : 1e-15;
}

/** Pseudo-random values: special ones first, then a deterministic spread. */
function data(n: number, seed = 1): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    if (i < SPECIAL.length) out.push(SPECIAL[(i + seed) % SPECIAL.length]!);
    else {
      s = (s * 1103515245 + 12345) % 2147483648;
      out.push(((s / 2147483648) - 0.5) * 8);
    }
  }
  return out;
}

/** Views over a 6×8 storage: contiguous, transposed, strided with offset, broadcast row, scalar. */
const VIEWS: Omit<View, 'storage'>[] = [
  { shape: [6, 8], strides: [8, 1], offset: 0 },
  { shape: [8, 6], strides: [1, 8], offset: 0 },
  { shape: [3, 3], strides: [16, 2], offset: 5 },
  { shape: [5, 8], strides: [0, 1], offset: 8 },
  { shape: [4, 7], strides: [0, 0], offset: 3 },
  { shape: [2, 3, 8], strides: [24, 8, 1], offset: 0 },
  { shape: [2, 0, 3], strides: [0, 3, 1], offset: 0 },
];

describe('wasm elementwise kernels match the reference', () => {
  test('full, fromArray and read convert values as the reference does', () => {
    for (const dt of DTYPES) {
      const [c, w] = both(dt, SPECIAL);
      const v = { shape: [SPECIAL.length], strides: [1], offset: 0 };
      assertSame(values(wasm, on(w, v)), values(cpu, on(c, v)), 0, `fromArray ${dt}`);
      for (const x of [NaN, -0, 2.5, -3.5, 2 ** 32 + 3]) {
        assertSame(values(wasm, on(wasm.full(dt, 3, x), { shape: [3], strides: [1], offset: 0 })), values(cpu, on(cpu.full(dt, 3, x), { shape: [3], strides: [1], offset: 0 })), 0, `full ${dt} ${x}`);
      }
      assert.equal(wasm.read(on(w, { shape: [0], strides: [1], offset: 0 })).constructor, cpu.read(on(c, { shape: [0], strides: [1], offset: 0 })).constructor);
    }
  });

  test('unary: every op on every dtype, view and output dtype', () => {
    for (const dt of DTYPES) {
      const [c, w] = both(dt, data(48, 3));
      for (const op of UNARY_OPS) {
        for (const outDt of new Set<DType>([dt, 'float32', 'float64', 'bool', 'int32'])) {
          for (const v of VIEWS) {
            const want = values(cpu, on(cpu.unary(op, on(c, v), outDt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
            const got = values(wasm, on(wasm.unary(op, on(w, v), outDt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
            assertSame(got, want, tolFor(op, outDt), `${op} ${dt}→${outDt} view ${JSON.stringify(v)}`);
          }
        }
      }
    }
  });

  test('binary: every op on every dtype, with elementwise, broadcast and strided operands', () => {
    const pairs: [Omit<View, 'storage'>, Omit<View, 'storage'>][] = [
      [{ shape: [6, 8], strides: [8, 1], offset: 0 }, { shape: [6, 8], strides: [8, 1], offset: 0 }],
      [{ shape: [6, 8], strides: [8, 1], offset: 0 }, { shape: [6, 8], strides: [0, 1], offset: 3 }],
      [{ shape: [6, 8], strides: [8, 1], offset: 0 }, { shape: [6, 8], strides: [1, 0], offset: 7 }],
      [{ shape: [6, 8], strides: [0, 0], offset: 11 }, { shape: [6, 8], strides: [1, 6], offset: 0 }],
      [{ shape: [3, 5], strides: [2, 9], offset: 1 }, { shape: [3, 5], strides: [16, 1], offset: 2 }],
      [{ shape: [2, 2, 9], strides: [18, 9, 1], offset: 0 }, { shape: [2, 2, 9], strides: [0, 9, 1], offset: 0 }],
    ];
    for (const dt of DTYPES) {
      const [ca, wa] = both(dt, data(48, 5));
      const [cb, wb] = both(dt, data(48, 11).map((x, i) => (i % 7 === 3 ? x : Math.round(x))));
      for (const op of BINARY_OPS) {
        const outs: DType[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op) || op.startsWith('logical') ? ['bool', dt] : [dt, 'float64'];
        for (const outDt of outs) {
          for (const [va, vb] of pairs) {
            const run = (b: Backend, sa: Storage, sb: Storage): number[] | string => {
              try {
                return values(b, on(b.binary(op, on(sa, va), on(sb, vb), outDt), { shape: va.shape, strides: rowMajor(va.shape), offset: 0 }));
              } catch (e) {
                return (e as Error).message;
              }
            };
            const want = run(cpu, ca, cb);
            const got = run(wasm, wa, wb);
            if (typeof want === 'string') assert.equal(got, want, `${op} ${dt}→${outDt} error`);
            else assertSame(got as number[], want, tolFor(op, outDt), `${op} ${dt}→${outDt} ${JSON.stringify([va, vb])}`);
          }
        }
      }
    }
  });

  test('float32 exp, sigmoid and tanh (SIMD, computed in float64) round to the reference float32 values', () => {
    let s = 7;
    const xs = Array.from({ length: 20000 }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      const u = s / 2147483648;
      return (u - 0.5) * 2 * 10 ** ((u * 7919) % 6 - 4); // magnitudes 1e-4 … 1e2, both signs
    });
    const v = { shape: [xs.length], strides: [1], offset: 0 };
    const [c, w] = both('float32', xs);
    for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
      const want = values(cpu, on(cpu.unary(op, on(c, v), 'float32'), v));
      const got = values(wasm, on(wasm.unary(op, on(w, v), 'float32'), v));
      let differ = 0;
      for (let i = 0; i < xs.length; i++) {
        if (Object.is(got[i], want[i])) continue;
        differ++;
        assert.ok(same(got[i]!, want[i]!, 1.2e-7), `${op}(${xs[i]}): ${got[i]} on wasm, ${want[i]} on cpu`);
      }
      assert.ok(differ <= xs.length / 1000, `${op}: ${differ} of ${xs.length} values differ by an ulp`);
    }
  });

  test('integer division by zero throws the reference ValueError', () => {
    const a = torch.tensor([3, 4], { dtype: 'int64' });
    assert.throws(() => torch.floorDivide(a, torch.tensor([1, 0], { dtype: 'int64' })), (e: unknown) => e instanceof torch.ValueError && e.message === 'floorDivide: integer division by zero');
    assert.throws(() => torch.remainder(torch.tensor([3], { dtype: 'int32' }), 0), torch.ValueError);
  });

  test('where picks by a bool (or any truthy) condition over broadcast views', () => {
    const cond = data(48, 2).map((x) => (x > 0 ? 1 : 0));
    for (const cdt of ['bool', 'float32'] as DType[]) {
      const [cc, wc] = both(cdt, cdt === 'bool' ? cond : data(48, 2));
      for (const dt of DTYPES) {
        const [ca, wa] = both(dt, data(48, 4));
        const [cb, wb] = both(dt, data(48, 9));
        for (const v of VIEWS.slice(0, 5)) {
          const vb = { shape: v.shape, strides: [0, 1], offset: 1 };
          const scalar = { shape: v.shape, strides: [0, 0], offset: 2 };
          for (const [va, vb2] of [[v, vb], [scalar, v], [v, scalar]]) {
            const want = values(cpu, on(cpu.where(on(cc, v), on(ca, va!), on(cb, vb2!), dt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
            const got = values(wasm, on(wasm.where(on(wc, v), on(wa, va!), on(wb, vb2!), dt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
            assertSame(got, want, 0, `where ${cdt} ${dt} ${JSON.stringify([v, va, vb2])}`);
          }
        }
      }
    }
  });

  test('copy converts between every pair of dtypes over strided views, and read walks views', () => {
    for (const sdt of DTYPES) {
      const [c, w] = both(sdt, data(48, 7));
      for (const v of VIEWS) {
        assertSame(values(wasm, on(w, v)), values(cpu, on(c, v)), 0, `read ${sdt} ${JSON.stringify(v)}`);
        for (const ddt of DTYPES) {
          const want = values(cpu, on(cpu.copy(on(c, v), ddt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
          const got = values(wasm, on(wasm.copy(on(w, v), ddt), { shape: v.shape, strides: rowMajor(v.shape), offset: 0 }));
          assertSame(got, want, 0, `copy ${sdt}→${ddt} ${JSON.stringify(v)}`);
        }
      }
    }
  });

  test('assign writes into strided views, converting, and reads an aliased source first', () => {
    for (const dt of DTYPES) {
      for (const sdt of ['float64', dt] as DType[]) {
        const [cd, wd] = both(dt, data(48, 1));
        const [cs, ws] = both(sdt, data(48, 6));
        const dst = { shape: [3, 4], strides: [1, 6], offset: 2 };
        const src = { shape: [3, 4], strides: [0, 5], offset: 1 };
        cpu.assign(on(cd, dst), on(cs, src));
        wasm.assign(on(wd, dst), on(ws, src));
        const all = { shape: [48], strides: [1], offset: 0 };
        assertSame(values(wasm, on(wd, all)), values(cpu, on(cd, all)), 0, `assign ${sdt}→${dt}`);
      }
      const [c, w] = both(dt, data(36, 8));
      const sq = { shape: [6, 6], strides: [6, 1], offset: 0 };
      const tr = { shape: [6, 6], strides: [1, 6], offset: 0 };
      cpu.assign(on(c, sq), on(c, tr));
      wasm.assign(on(w, sq), on(w, tr));
      assertSame(values(wasm, on(w, sq)), values(cpu, on(c, sq)), 0, `aliased transpose ${dt}`);
    }
  });

  test('wasm is the default backend, and setBackend("cpu") switches to the reference', () => {
    assert.ok(torch.listBackends().includes('wasm'));
    if (process.env['TSORCH_BACKEND'] === undefined) assert.equal(torch.zeros([1]).backend.name, 'wasm');
    torch.withBackend('cpu', () => assert.equal(torch.zeros([1]).backend.name, 'cpu'));
    const prev = torch.getBackend().name;
    torch.setBackend('cpu');
    assert.equal(torch.ones([2]).backend.name, 'cpu');
    torch.setBackend(prev);
  });
});

