/**
 * The wasm backend: every primitive of `Backend` as a call into the WebAssembly kernels
 * (kernels/*.ts), with the reference backend's semantics. See layout.ts for the rule that each
 * wrapper allocates before it reads input addresses.
 */
import type { Backend, BinaryOp, ReduceOp, Storage, UnaryOp, UnfoldGeometry, View } from '../types.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../types.js';
import { castScalar, type DType, type TypedArray } from '../../tensor/dtype.js';
import { IndexError, ValueError } from '../../errors.js';
import { storeFn } from '../cpu/strided.js';
import type { KernelExports } from './loader.js';
import { addr, coalesce, DT, isDense, numel, rowMajor, type Scratch } from './layout.js';
import type { StoragePool, WasmStorage } from './storage.js';
import type { MatmulRunner } from './matmul.js';
import { createFused } from './fused.js';

const UNARY_CODE = new Map<UnaryOp, number>(UNARY_OPS.map((op, i) => [op, i]));
const BINARY_CODE = new Map<BinaryOp, number>(BINARY_OPS.map((op, i) => [op, i]));
const REDUCE_CODE = new Map<ReduceOp, number>(REDUCE_OPS.map((op, i) => [op, i]));

/** What the backend object is built from. */
export interface WasmContext {
  readonly k: KernelExports;
  readonly pool: StoragePool;
  readonly scratch: Scratch;
  readonly matmul: MatmulRunner;
}

function contiguous(storage: Storage, shape: readonly number[]): View {
  return { storage, shape, strides: rowMajor(shape), offset: 0 };
}

/** Builds the wasm backend over an instantiated kernel module. */
export function createBackend(ctx: WasmContext, name = 'wasm'): Backend {
  const { k, pool, scratch } = ctx;
  const views = (): ReturnType<typeof pool.heap.views> => pool.heap.views();

  function make(dtype: DType, size: number): WasmStorage {
    return pool.create(backend, dtype, size);
  }

  /** A heap typed array over `n` elements of dtype at byte address p (valid until the next allocation). */
  function typed(dtype: DType, p: number, n: number): TypedArray {
    const v = views();
    switch (dtype) {
      case 'float32': return v.f32.subarray(p >>> 2, (p >>> 2) + n);
      case 'int32': return v.i32.subarray(p >>> 2, (p >>> 2) + n);
      case 'bool': return v.u8.subarray(p, p + n);
      default: return v.f64.subarray(p >>> 3, (p >>> 3) + n);
    }
  }

  /** Converts a view to `dtype` in a new contiguous storage (the copy kernel). */
  function copyTo(x: View, dtype: DType): WasmStorage {
    const n = numel(x.shape);
    const out = make(dtype, n);
    if (n === 0) return out;
    const c = coalesce(x.shape, [x.strides]);
    const r = c.shape.length;
    const desc = scratch.desc([r, ...c.shape, ...c.strides[0]!, ...rowMajor(c.shape), ...new Array<number>(r).fill(0)]);
    k.copy(DT[x.storage.dtype], DT[dtype], desc, addr(x), out.ptr);
    return out;
  }

  /** A contiguous view of x (x itself when already dense and starting its own run). */
  function dense(x: View): View {
    return isDense(x) ? x : contiguous(copyTo(x, x.storage.dtype), x.shape);
  }

  function f64View(x: View): View {
    return contiguous(copyTo(x, 'float64'), x.shape);
  }

  const backend: Backend = {
    name,
    fused: createFused({ k, pool, scratch, make, dense, threads: ctx.matmul }),

    full(dtype, size, value) {
      const out = make(dtype, size);
      const v = castScalar(dtype, value);
      // Memory fresh from growth is already zero: large zeros() cost no page touches.
      if (!(Object.is(v, 0) && pool.heap.lastWasFresh)) typed(dtype, out.ptr, size).fill(v);
      return out;
    },

    fromArray(dtype, src) {
      const out = make(dtype, src.length);
      const dst = typed(dtype, out.ptr, src.length);
      if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32') {
        // Typed-array assignment converts exactly as the reference's storeFn for these dtypes.
        dst.set(src);
      } else {
        const store = storeFn(dtype);
        for (let i = 0; i < src.length; i++) store(dst, i, src[i]!);
      }
      return out;
    },

    read(x) {
      const n = numel(x.shape);
      if (n === 0) return typed(x.storage.dtype, 0, 0).slice();
      if (isDense(x)) {
        const p = addr(x);
        return typed(x.storage.dtype, p, n).slice();
      }
      const tmp = copyTo(x, x.storage.dtype);
      const out = typed(x.storage.dtype, tmp.ptr, n).slice();
      tmp.dispose();
      return out;
    },

    copy(x, dtype) {
      return copyTo(x, dtype);
    },

    assign(dst, src) {
      const n = numel(dst.shape);
      if (n === 0) return;
      // src may alias dst: copy it out first (converted to dst's dtype), as the reference reads all first.
      const from: View = src.storage === dst.storage ? contiguous(copyTo(src, dst.storage.dtype), dst.shape) : src;
      const c = coalesce(dst.shape, [from.strides, dst.strides]);
      const r = c.shape.length;
      const desc = scratch.desc([r, ...c.shape, ...c.strides[0]!, ...c.strides[1]!, ...new Array<number>(r).fill(0)]);
      k.copy(DT[from.storage.dtype], DT[dst.storage.dtype], desc, addr(from), addr(dst));
      if (from !== src) (from.storage as WasmStorage).dispose();
    },

    unary(op, x, outDtype) {
      const n = numel(x.shape);
      const out = make(outDtype, n);
      if (n === 0) return out;
      const c = coalesce(x.shape, [x.strides]);
      const r = c.shape.length;
      const desc = scratch.desc([r, ...c.shape, ...c.strides[0]!, ...new Array<number>(r).fill(0)]);
      k.unary(UNARY_CODE.get(op)!, DT[x.storage.dtype], DT[outDtype], desc, addr(x), out.ptr);
      return out;
    },

    binary(op, a, b, outDtype) {
      const n = numel(a.shape);
      const out = make(outDtype, n);
      if (n === 0) return out;
      // Mixed dtypes (the ops layer never sends them) compute in float64, exactly as the reference.
      if (a.storage.dtype !== b.storage.dtype) {
        a = f64View(a);
        b = f64View(b);
      }
      const c = coalesce(a.shape, [a.strides, b.strides]);
      const r = c.shape.length;
      const desc = scratch.desc([r, ...c.shape, ...c.strides[0]!, ...c.strides[1]!, ...new Array<number>(r).fill(0)]);
      const bad = k.binary(BINARY_CODE.get(op)!, DT[a.storage.dtype], DT[outDtype], desc, addr(a), addr(b), out.ptr);
      if (bad !== 0) {
        out.dispose();
        throw new ValueError(op, 'integer division by zero');
      }
      return out;
    },

    where(cond, a, b, outDtype) {
      const n = numel(cond.shape);
      const out = make(outDtype, n);
      if (n === 0) return out;
      if (a.storage.dtype !== b.storage.dtype) {
        a = f64View(a);
        b = f64View(b);
      }
      const c = coalesce(cond.shape, [cond.strides, a.strides, b.strides]);
      const r = c.shape.length;
      const desc = scratch.desc([r, ...c.shape, ...c.strides[0]!, ...c.strides[1]!, ...c.strides[2]!, ...new Array<number>(r).fill(0)]);
      k.where(DT[cond.storage.dtype], DT[a.storage.dtype], DT[outDtype], desc, addr(cond), addr(a), addr(b), out.ptr);
      return out;
    },

    reduce(op, x, axes) {
      const rank = x.shape.length;
      const reduced = new Set(axes);
      const keep = [...Array(rank).keys()].filter((d) => !reduced.has(d));
      const dtype = x.storage.dtype;
      const isArg = op === 'argmax' || op === 'argmin';
      const outDtype: DType = isArg ? 'int64' : dtype === 'bool' && op === 'sum' ? 'int64' : dtype;
      const R = numel(axes.map((d) => x.shape[d]!));
      if (R === 0 && op !== 'sum' && op !== 'prod') {
        throw new IndexError(op, 'cannot reduce over a zero-size dimension (no identity)');
      }
      const outN = numel(keep.map((d) => x.shape[d]!));
      const out = make(outDtype, outN);
      if (outN === 0) return out;
      const kc = coalesce(keep.map((d) => x.shape[d]!), [keep.map((d) => x.strides[d]!)]);
      const rc = R === 0 ? { shape: [0], strides: [[0]] } : coalesce(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
      const nk = kc.shape.length;
      const nr = rc.shape.length;
      const acc = scratch.buffer('reduce', 8 * kc.shape[nk - 1]! + 64);
      const desc = scratch.desc([nk, ...kc.shape, ...kc.strides[0]!, nr, ...rc.shape, ...rc.strides[0]!, ...new Array<number>(nk + nr).fill(0)]);
      k.reduce(REDUCE_CODE.get(op)!, DT[dtype], DT[outDtype], desc, addr(x), out.ptr, acc);
      return out;
    },

    matmul(a, b) {
      return ctx.matmul.run(backend, a, b, copyTo);
    },

    gather(x, dim, index) {
      const rank = index.shape.length;
      const n = numel(index.shape);
      const out = make(x.storage.dtype, n);
      const size = x.shape[dim];
      if (n === 0) return out;
      if (rank === 0) {
        // 0-d: the reference's loop visits no dim, so it copies x's element and checks nothing.
        backend.assign(contiguous(out, []), { storage: x.storage, shape: [], strides: [], offset: x.offset });
        return out;
      }
      const xs = index.shape.map((_, d) => (d === dim ? 0 : x.strides[d]!));
      const desc = scratch.desc([...index.shape, ...index.strides, ...xs, ...new Array<number>(rank).fill(0)]);
      const bad = k.gather(DT[x.storage.dtype], DT[index.storage.dtype], rank, desc, addr(x), addr(index), out.ptr, x.strides[dim]!, size!, scratch.statusPtr);
      if (bad !== 0) {
        const v = views().f64[scratch.statusPtr >>> 3]!;
        out.dispose();
        throw new IndexError('gather', `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
      }
      return out;
    },

    scatterAdd(x, dim, index, src) {
      const out = copyTo(x, x.storage.dtype);
      const rank = index.shape.length;
      const n = numel(index.shape);
      const size = x.shape[dim] ?? 0;
      if (n === 0) return out;
      const os = rowMajor(x.shape);
      const osDim = os[dim] ?? 0;
      const outStrides = index.shape.map((_, d) => (d === dim ? 0 : os[d]!));
      const desc = scratch.desc([...index.shape, ...index.strides, ...src.strides, ...outStrides, ...new Array<number>(rank).fill(0)]);
      const bad = k.scatterAdd(DT[x.storage.dtype], DT[index.storage.dtype], DT[src.storage.dtype], rank, desc, out.ptr, addr(index), addr(src), osDim, size, scratch.statusPtr);
      if (bad !== 0) {
        const v = views().f64[scratch.statusPtr >>> 3]!;
        out.dispose();
        throw new IndexError('scatterAdd', `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
      }
      return out;
    },

    unfold(x, g, padValue) {
      const kk = g.kernel.length;
      const spatial = x.shape.slice(x.shape.length - kk);
      return window('unfold', x, g, spatial, x.shape.slice(0, x.shape.length - kk), padValue);
    },

    fold(cols, g, spatial) {
      const kk = g.kernel.length;
      return window('fold', cols, g, spatial, cols.shape.slice(0, cols.shape.length - 2 * kk), 0);
    },
  };

  /** unfold/fold on a contiguous copy of the input; the geometry goes in one descriptor. */
  function window(mode: 'unfold' | 'fold', v: View, g: UnfoldGeometry, spatial: readonly number[], leadShape: readonly number[], padValue: number): Storage {
    const kk = g.kernel.length;
    const outSpatial = spatial.map((s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
    const lead = numel(leadShape);
    const total = mode === 'unfold' ? lead * numel(g.kernel) * numel(outSpatial) : lead * numel(spatial);
    const dtype = v.storage.dtype;
    const out = make(dtype, Math.max(0, total));
    if (mode === 'fold') typed(dtype, out.ptr, total).fill(0);
    if (total <= 0 || numel(v.shape) === 0) {
      if (mode === 'unfold' && total > 0) typed(dtype, out.ptr, total).fill(castScalar(dtype, padValue));
      return out;
    }
    const src = dense(v);
    const desc = scratch.desc([...spatial, ...g.kernel, ...g.stride, ...g.padding, ...g.dilation, ...outSpatial, ...new Array<number>(2 * kk).fill(0)]);
    if (mode === 'unfold') k.unfold(DT[dtype], kk, lead, desc, addr(src), out.ptr, castScalar(dtype, padValue));
    else k.fold(DT[dtype], kk, lead, desc, addr(src), out.ptr);
    if (src !== v) (src.storage as WasmStorage).dispose();
    return out;
  }

  return backend;
}

