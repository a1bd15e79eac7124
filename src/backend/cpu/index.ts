/**
 * The reference backend: plain TypeScript over typed arrays. Every kernel is the simplest loop
 * that is obviously right; it computes in float64 and stores in the output dtype, which makes it
 * the oracle that faster backends are tested against.
 */
import type { Backend, BinaryOp, ReduceOp, Storage, UnaryOp, UnfoldGeometry, View } from '../types.js';
import { castScalar, type DType, type TypedArray } from '../../tensor/dtype.js';
import { BINARY, UNARY } from './math.js';
import { alloc, CpuStorage, dataOf, offsets, storeFn, viewSize } from './strided.js';
import { IndexError, ValueError } from '../../errors.js';

function make(dtype: DType, data: TypedArray): Storage {
  return new CpuStorage(cpu, dtype, data);
}

function elementwise(outDtype: DType, n: number, f: (i: number) => number): Storage {
  const out = alloc(outDtype, n);
  const store = storeFn(outDtype);
  for (let i = 0; i < n; i++) store(out, i, f(i));
  return make(outDtype, out);
}

/** Index values must lie in [0, size): like torch.gather/scatter_add, negatives do not wrap. */
function checkIndex(op: string, v: number, dim: number, size: number): number {
  if (!(v >= 0 && v < size)) {
    throw new IndexError(op, `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
  }
  return v;
}

/** Splits `shape` around `dim` into (outer, size, inner) element counts. */
function around(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i]!;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[dim]!, inner];
}

function contiguousView(storage: Storage, shape: readonly number[]): View {
  const strides: number[] = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return { storage, shape, strides, offset: 0 };
}

export const cpu: Backend = {
  name: 'cpu',

  full(dtype, size, value) {
    const data = alloc(dtype, size);
    data.fill(castScalar(dtype, value));
    return make(dtype, data);
  },

  fromArray(dtype, src) {
    const data = alloc(dtype, src.length);
    const store = storeFn(dtype);
    for (let i = 0; i < src.length; i++) store(data, i, src[i]!);
    return make(dtype, data);
  },

  read(x) {
    const src = dataOf(x);
    const off = offsets(x);
    const out = alloc(x.storage.dtype, off.length);
    for (let i = 0; i < off.length; i++) out[i] = src[off[i]!]!;
    return out;
  },

  copy(x, dtype) {
    const src = dataOf(x);
    const off = offsets(x);
    return elementwise(dtype, off.length, (i) => src[off[i]!]!);
  },

  assign(dst, src) {
    const d = dataOf(dst);
    const s = dataOf(src);
    const od = offsets(dst);
    const os = offsets(src);
    const store = storeFn(dst.storage.dtype);
    // Read everything first: src may alias dst.
    const vals = new Float64Array(os.length);
    for (let i = 0; i < os.length; i++) vals[i] = s[os[i]!]!;
    for (let i = 0; i < od.length; i++) store(d, od[i]!, vals[i]!);
  },

  unary(op: UnaryOp, x, outDtype) {
    const f = UNARY[op];
    const src = dataOf(x);
    const off = offsets(x);
    return elementwise(outDtype, off.length, (i) => f(src[off[i]!]!));
  },

  binary(op: BinaryOp, a, b, outDtype) {
    const f = BINARY[op];
    const da = dataOf(a);
    const db = dataOf(b);
    const oa = offsets(a);
    const ob = offsets(b);
    if (outDtype === 'int32' || outDtype === 'int64') {
      if (op === 'floorDivide' || op === 'remainder') {
        for (let i = 0; i < ob.length; i++) {
          if (db[ob[i]!] === 0) throw new ValueError(op, 'integer division by zero');
        }
      }
    }
    return elementwise(outDtype, oa.length, (i) => f(da[oa[i]!]!, db[ob[i]!]!));
  },

  where(cond, a, b, outDtype) {
    const dc = dataOf(cond);
    const da = dataOf(a);
    const db = dataOf(b);
    const oc = offsets(cond);
    const oa = offsets(a);
    const ob = offsets(b);
    return elementwise(outDtype, oc.length, (i) => (dc[oc[i]!] ? da[oa[i]!]! : db[ob[i]!]!));
  },

  reduce(op: ReduceOp, x, axes) {
    const rank = x.shape.length;
    const reduced = new Set(axes);
    // Permute reduced axes to the end, so each output element reduces one contiguous run.
    const keep = [...Array(rank).keys()].filter((d) => !reduced.has(d));
    const order = [...keep, ...axes];
    const pv: View = {
      storage: x.storage,
      shape: order.map((d) => x.shape[d]!),
      strides: order.map((d) => x.strides[d]!),
      offset: x.offset,
    };
    const outN = viewSize(keep.map((d) => x.shape[d]!));
    const r = viewSize(axes.map((d) => x.shape[d]!));
    const src = dataOf(x);
    const off = offsets(pv);
    const isArg = op === 'argmax' || op === 'argmin';
    const outDtype: DType = isArg ? 'int64' : x.storage.dtype === 'bool' && op === 'sum' ? 'int64' : x.storage.dtype;
    if (r === 0 && op !== 'sum' && op !== 'prod') {
      throw new IndexError(op, 'cannot reduce over a zero-size dimension (no identity)');
    }
    return elementwise(outDtype, outN, (o) => {
      const base = o * r;
      switch (op) {
        case 'sum': {
          let s = 0;
          for (let j = 0; j < r; j++) s += src[off[base + j]!]!;
          return s;
        }
        case 'prod': {
          let s = 1;
          for (let j = 0; j < r; j++) s *= src[off[base + j]!]!;
          return s;
        }
        case 'max':
        case 'min': {
          let best = src[off[base]!]!;
          for (let j = 1; j < r; j++) {
            const v = src[off[base + j]!]!;
            if (Number.isNaN(best)) break;
            if (Number.isNaN(v) || (op === 'max' ? v > best : v < best)) best = v;
          }
          return best;
        }
        case 'argmax':
        case 'argmin': {
          // First occurrence of the extreme; NaN counts as the extreme (PyTorch semantics).
          let best = src[off[base]!]!;
          let bi = 0;
          for (let j = 1; j < r && !Number.isNaN(best); j++) {
            const v = src[off[base + j]!]!;
            if (Number.isNaN(v) || (op === 'argmax' ? v > best : v < best)) {
              best = v;
              bi = j;
            }
          }
          return bi;
        }
      }
    });
  },

  matmul(a, b) {
    const ra = a.shape.length;
    const M = a.shape[ra - 2]!;
    const K = a.shape[ra - 1]!;
    const N = b.shape[ra - 1]!;
    const batchShape = a.shape.slice(0, ra - 2);
    const B = viewSize(batchShape);
    const batchA = offsets({ storage: a.storage, shape: batchShape, strides: a.strides.slice(0, ra - 2), offset: a.offset });
    const batchB = offsets({ storage: b.storage, shape: batchShape, strides: b.strides.slice(0, ra - 2), offset: b.offset });
    const [sam, sak] = [a.strides[ra - 2]!, a.strides[ra - 1]!];
    const [sbk, sbn] = [b.strides[ra - 2]!, b.strides[ra - 1]!];
    const da = dataOf(a);
    const db = dataOf(b);
    const dtype = a.storage.dtype;
    const out = alloc(dtype, B * M * N);
    const store = storeFn(dtype);
    const row = new Float64Array(N);
    // b's K×N block is packed row-major once per distinct batch offset, so the inner loop
    // runs at unit stride whatever b's strides (transposed operands in backward passes).
    const packed = new Float64Array(K * N);
    let packedFrom = -1;
    for (let bi = 0; bi < B; bi++) {
      const oa = batchA[bi]!;
      const ob = batchB[bi]!;
      if (ob !== packedFrom) {
        for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) packed[k * N + n] = db[ob + k * sbk + n * sbn]!;
        packedFrom = ob;
      }
      for (let m = 0; m < M; m++) {
        row.fill(0);
        for (let k = 0; k < K; k++) {
          const av = da[oa + m * sam + k * sak]!;
          const bo = k * N;
          for (let n = 0; n < N; n++) row[n]! += av * packed[bo + n]!;
        }
        const base = (bi * M + m) * N;
        for (let n = 0; n < N; n++) store(out, base + n, row[n]!);
      }
    }
    return make(dtype, out);
  },

  gather(x, dim, index) {
    const src = dataOf(x);
    const di = dataOf(index);
    const oi = offsets(index);
    const size = x.shape[dim]!;
    const rank = index.shape.length;
    const out = alloc(x.storage.dtype, oi.length);
    const coord = new Array<number>(rank).fill(0);
    for (let i = 0; i < oi.length; i++) {
      let off = x.offset;
      for (let d = 0; d < rank; d++) {
        const c = d === dim ? checkIndex('gather', di[oi[i]!]!, dim, size) : coord[d]!;
        off += c * x.strides[d]!;
      }
      out[i] = src[off]!;
      for (let d = rank - 1; d >= 0; d--) {
        if (++coord[d]! < index.shape[d]!) break;
        coord[d] = 0;
      }
    }
    return make(x.storage.dtype, out);
  },

  scatterAdd(x, dim, index, srcView) {
    const base = this.copy(x, x.storage.dtype) as CpuStorage;
    const out = base.data;
    const outStrides = contiguousView(base, x.shape).strides;
    const di = dataOf(index);
    const oi = offsets(index);
    const ds = dataOf(srcView);
    const os = offsets(srcView);
    const size = x.shape[dim]!;
    const rank = index.shape.length;
    const coord = new Array<number>(rank).fill(0);
    for (let i = 0; i < oi.length; i++) {
      let off = 0;
      for (let d = 0; d < rank; d++) {
        const c = d === dim ? checkIndex('scatterAdd', di[oi[i]!]!, dim, size) : coord[d]!;
        off += c * outStrides[d]!;
      }
      out[off]! += ds[os[i]!]!;
      for (let d = rank - 1; d >= 0; d--) {
        if (++coord[d]! < index.shape[d]!) break;
        coord[d] = 0;
      }
    }
    return base;
  },

  unfold(x, g, padValue) {
    return windowLoop(x, g, x.shape.slice(x.shape.length - g.kernel.length), 'unfold', padValue);
  },

  fold(cols, g, spatial) {
    return windowLoop(cols, g, spatial, 'fold', 0);
  },
};

/**
 * The shared loop of unfold (gather windows into columns) and fold (scatter-add them back).
 * For each lead index, kernel offset and output position, it maps to one input position.
 */
function windowLoop(v: View, g: UnfoldGeometry, spatial: readonly number[], mode: 'unfold' | 'fold', padValue: number): Storage {
  const k = g.kernel.length;
  const outSpatial = spatial.map((s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (g.kernel[i]! - 1) - 1) / g.stride[i]!) + 1);
  const leadShape = mode === 'unfold' ? v.shape.slice(0, v.shape.length - k) : v.shape.slice(0, v.shape.length - 2 * k);
  const lead = viewSize(leadShape);
  const spatialN = viewSize(spatial);
  const kernelN = viewSize(g.kernel);
  const outN = viewSize(outSpatial);
  const src = dataOf(v);
  const off = offsets(v);
  const dtype = v.storage.dtype;
  const out = alloc(dtype, mode === 'unfold' ? lead * kernelN * outN : lead * spatialN);
  if (mode === 'unfold') out.fill(castScalar(dtype, padValue));
  const kIdx = new Array<number>(k);
  const oIdx = new Array<number>(k);
  for (let kn = 0; kn < kernelN; kn++) {
    let r = kn;
    for (let d = k - 1; d >= 0; d--) { kIdx[d] = r % g.kernel[d]!; r = Math.floor(r / g.kernel[d]!); }
    for (let on = 0; on < outN; on++) {
      let r2 = on;
      for (let d = k - 1; d >= 0; d--) { oIdx[d] = r2 % outSpatial[d]!; r2 = Math.floor(r2 / outSpatial[d]!); }
      let inPos = 0;
      let inside = true;
      for (let d = 0; d < k; d++) {
        const p = oIdx[d]! * g.stride[d]! - g.padding[d]! + kIdx[d]! * g.dilation[d]!;
        if (p < 0 || p >= spatial[d]!) { inside = false; break; }
        inPos = inPos * spatial[d]! + p;
      }
      if (!inside) continue;
      const colPos = kn * outN + on;
      for (let l = 0; l < lead; l++) {
        if (mode === 'unfold') out[l * kernelN * outN + colPos] = src[off[l * spatialN + inPos]!]!;
        else out[l * spatialN + inPos]! += src[off[l * kernelN * outN + colPos]!]!;
      }
    }
  }
  return make(dtype, out);
}
