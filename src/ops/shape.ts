/**
 * Views and shape ops. Views (reshape of contiguous data, permute, expand, narrow, …) are
 * stride bookkeeping over the same storage; their backward rules are the inverse views.
 */
import { record } from '../autograd/node.js';
import { noGrad } from '../autograd/mode.js';
import { AutogradError, IndexError, ShapeError, ValueError } from '../errors.js';
import { castScalar, type DType } from '../tensor/dtype.js';
import { broadcastShapes, checkShape, contiguousStrides, numel, shapesEqual, type Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastView, normDim, sumToShape, wrap } from './core.js';

function viewOf(x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, [...shape], [...strides], offset);
}

/** Resolves one -1 in a requested shape and checks the element count. */
function inferShape(op: string, x: Tensor, shape: Shape): number[] {
  const n = x.numel();
  const unknown = shape.indexOf(-1);
  if (shape.filter((s) => s === -1).length > 1) throw new ShapeError(op, 'only one dimension can be -1', [shape]);
  const known = numel(shape.filter((s) => s !== -1));
  const out = [...shape];
  if (unknown >= 0) {
    if (known === 0 || n % known !== 0) throw new ShapeError(op, `cannot infer -1 for ${n} elements`, [x.shape, shape]);
    out[unknown] = n / known;
  }
  checkShape(op, out);
  if (numel(out) !== n) throw new ShapeError(op, `shape is invalid for input of size ${n}`, [x.shape, shape]);
  return out;
}

/**
 * Strides that let a view of `x` have `shape` without copying, or null. PyTorch's rule
 * (computeStride): walk old dimensions from the back in chunks that are contiguous within
 * themselves; each chunk must be covered exactly by a run of new dimensions.
 */
function viewStrides(x: Tensor, shape: Shape): number[] | null {
  if (x.numel() === 0 || x.isContiguous()) return contiguousStrides(shape);
  const oldShape = x.ndim === 0 ? [1] : x.shape;
  const oldStride = x.ndim === 0 ? [1] : x.strides;
  const strides = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStride[oldStride.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStride[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStride[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? strides : null;
}

function reshapeImpl(op: string, x: Tensor, shape: Shape, allowCopy: boolean): Tensor {
  const target = inferShape(op, x, shape);
  const strides = viewStrides(x, target);
  let out: Tensor;
  if (strides) out = viewOf(x, target, strides, x.offset);
  else if (allowCopy) out = viewOf(contiguousRaw(x), target, contiguousStrides(target), 0);
  else throw new ShapeError(op, 'view size is not compatible with the input\'s strides (use reshape, or contiguous() first)', [x.shape, target]);
  return record(out, op, [x], (g) => [g.reshape([...x.shape])]);
}

/** Same data in a new shape (one entry may be -1); copies only when a view is impossible. */
export const reshape = (x: Tensor, shape: Shape): Tensor => reshapeImpl('reshape', x, shape, true);
/** Like reshape, but never copies: fails when the strides do not allow a view. */
export const view = (x: Tensor, shape: Shape): Tensor => reshapeImpl('view', x, shape, false);

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim('flatten', startDim, x.ndim);
  const e = normDim('flatten', endDim, x.ndim);
  if (s > e) throw new ValueError('flatten', `startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function permute(x: Tensor, dims: Shape): Tensor {
  if (dims.length !== x.ndim) throw new ShapeError('permute', `got ${dims.length} dims for a tensor of rank ${x.ndim}`, [x.shape, dims]);
  const d = dims.map((v) => normDim('permute', v, x.ndim));
  if (new Set(d).size !== d.length) throw new ValueError('permute', `repeated dimension in [${dims.join(',')}]`);
  const out = viewOf(x, d.map((i) => x.shape[i]!), d.map((i) => x.strides[i]!), x.offset);
  const inverse = new Array<number>(d.length);
  d.forEach((v, i) => { inverse[v] = i; });
  return record(out, 'permute', [x], (g) => [g.permute(inverse)]);
}

export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  if (x.ndim === 0) return x;
  const dims = [...Array(x.ndim).keys()];
  const a = normDim('transpose', d0, x.ndim);
  const b = normDim('transpose', d1, x.ndim);
  [dims[a], dims[b]] = [dims[b]!, dims[a]!];
  return permute(x, dims);
}

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new ShapeError('t', 'expects a tensor with at most 2 dimensions', [x.shape]);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normDim('squeeze', dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/** Broadcasts to `shape` without copying (-1 keeps a size). Backward sums over broadcast dims. */
export function expand(x: Tensor, shape: Shape): Tensor {
  if (shape.length < x.ndim) throw new ShapeError('expand', 'the number of sizes is smaller than the tensor rank', [x.shape, shape]);
  const lead = shape.length - x.ndim;
  const target = shape.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead]! : s));
  for (let i = 0; i < x.ndim; i++) {
    const s = x.shape[i]!;
    if (s !== 1 && s !== target[i + lead]) throw new ShapeError('expand', `size ${s} at dimension ${i} must match the target or be 1`, [x.shape, shape]);
  }
  checkShape('expand', target);
  const v = broadcastView(x, target);
  const out = viewOf(x, target, v.strides, x.offset);
  return record(out, 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

export { broadcastShapes };

/** Elements start … start+length-1 along `dim`, as a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim('narrow', dim, x.ndim);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new IndexError('narrow', `range [${start}, ${start}+${length}) is out of bounds for dimension ${d} of size ${size}`);
  }
  return slice(x, d, s, s + length);
}

/** Python-style slice along `dim` (negative and out-of-range bounds are clamped, step ≥ 1). */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const d = normDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step < 1) throw new ValueError('slice', `step must be a positive integer, got ${step}`);
  const size = x.shape[d]!;
  const clampIdx = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clampIdx(start ?? 0);
  const e = Math.max(clampIdx(end ?? size), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  shape[d] = len;
  const strides = [...x.strides];
  strides[d] = x.strides[d]! * step;
  const out = viewOf(x, shape, strides, x.offset + s * x.strides[d]!);
  return record(out, 'slice', [x], (g) => [sliceBackward(g, x.shape, d, s, step)]);
}

/** Places `g` into zeros of `shape` at positions s, s+step, … along d (differentiable). */
function sliceBackward(g: Tensor, shape: Shape, d: number, s: number, step: number): Tensor {
  if (step === 1) {
    const pad = new Array<number>(2 * shape.length).fill(0);
    pad[2 * d] = s;
    pad[2 * d + 1] = shape[d]! - s - g.shape[d]!;
    return constantPadNd(g, pad, 0);
  }
  const full = new Tensor(g.backend.full(g.dtype, numel(shape), 0), [...shape]);
  noGrad(() => assignInPlace(slice(full, d, s, undefined, step).narrow(d, 0, g.shape[d]!), g.detach(), 'slice backward'));
  return record(full, 'sliceBackward', [g], (gg) => [slice(gg, d, s, undefined, step).narrow(d, 0, g.shape[d]!)]);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim('select', dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError('select', `index ${index} is out of bounds for dimension ${d} with size ${size}`);
  }
  return squeeze(narrow(x, d, index < 0 ? index + size : index, 1), d);
}

/**
 * Pads with a constant. `pad` lists (before, after) pairs per dimension in *dimension order*
 * (first pair for dim 0): the internal form; `nn.functional.pad` takes PyTorch's last-dim-first form.
 */
export function constantPadNd(x: Tensor, pad: readonly number[], value: number): Tensor {
  const shape = x.shape.map((s, i) => s + (pad[2 * i] ?? 0) + (pad[2 * i + 1] ?? 0));
  if (pad.some((p) => p < 0)) throw new ValueError('pad', `negative padding [${pad.join(',')}] is not supported`);
  const out = new Tensor(x.backend.full(x.dtype, numel(shape), value), shape);
  let window: Tensor = out;
  x.shape.forEach((s, i) => { window = rawSlice(window, i, pad[2 * i] ?? 0, s); });
  x.backend.assign(window, x);
  return record(out, 'pad', [x], (g) => {
    let r = g;
    x.shape.forEach((s, i) => { r = narrow(r, i, pad[2 * i] ?? 0, s); });
    return [r];
  });
}

function rawSlice(x: Tensor, d: number, start: number, len: number): Tensor {
  const shape = [...x.shape];
  shape[d] = len;
  return viewOf(x, shape, x.strides, x.offset + start * x.strides[d]!);
}

/** Concatenates tensors of equal shape except along `dim`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat', 'expected a non-empty list of tensors');
  const first = tensors[0]!;
  const scalarAt = tensors.findIndex((t) => t.ndim === 0);
  if (scalarAt >= 0) throw new ShapeError('cat', `zero-dimensional tensor (at position ${scalarAt}) cannot be concatenated; unsqueeze it or use stack`);
  const d = normDim('cat', dim, first.ndim);
  const dtype = tensors.map((t) => t.dtype).reduce((a, b) => promote(a, b));
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError('cat', `tensors must match except in dimension ${d}`, [first.shape, t.shape]);
    }
  }
  const shape = [...first.shape];
  shape[d] = tensors.reduce((acc, t) => acc + t.shape[d]!, 0);
  const out = new Tensor(first.backend.full(dtype, numel(shape), 0), shape);
  let pos = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(pos);
    first.backend.assign(rawSlice(out, d, pos, t.shape[d]!), t);
    pos += t.shape[d]!;
  }
  return record(out, 'cat', tensors, (g) => tensors.map((t, i) => (t.requiresGrad ? narrow(g, d, starts[i]!, t.shape[d]!) : null)));
}

function promote(a: DType, b: DType): DType {
  const rank: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };
  return rank[a] >= rank[b] ? a : b;
}

/** Stacks equal-shaped tensors along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack', 'expected a non-empty list of tensors');
  const first = tensors[0]!;
  for (const t of tensors) if (!shapesEqual(t.shape, first.shape)) throw new ShapeError('stack', 'all tensors must have the same shape', [first.shape, t.shape]);
  const d = normDim('stack', dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Splits into pieces of `splitSize` (the last may be smaller) or of the listed sizes. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim('split', dim, x.ndim);
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new ValueError('split', `splitSize must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) throw new ShapeError('split', `sizes [${sizes.join(',')}] sum to ${total}, not dimension ${d}'s size ${size}`, [x.shape]);
  }
  let pos = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, pos, s);
    pos += s;
    return piece;
  });
}

/** Splits into `chunks` pieces of size ceil(n / chunks) (fewer if n is small), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError('chunk', `chunks must be a positive integer, got ${chunks}`);
  const d = normDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/** A contiguous copy without recording (internal). */
function contiguousRaw(x: Tensor): Tensor {
  return wrap(x.backend.copy(x, x.dtype), x.shape);
}

/** Returns `x` if already contiguous, else a contiguous copy (differentiable). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous() && x.offset === 0 && x.storage.size === x.numel()) return x;
  return record(contiguousRaw(x), 'contiguous', [x], (g) => [g]);
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  return record(contiguousRaw(x), 'clone', [x], (g) => [g]);
}

/** Converts dtype; a no-op when it already matches. Differentiable between float types. */
export function toDType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = wrap(x.backend.copy(x, dtype), x.shape);
  if (dtype !== 'float32' && dtype !== 'float64') return out;
  return record(out, 'to', [x], (g) => [g.to(x.dtype)]);
}

/** A tensor of `like`'s shape and backend filled with `value`. */
export function fullLike(like: Tensor, value: number, dtype: DType = like.dtype): Tensor {
  return new Tensor(like.backend.full(dtype, like.numel(), castScalar(dtype, value)), [...like.shape]);
}

/**
 * Writes `src` (broadcast) into `dst` in place. Refused where it would corrupt autograd: on a
 * leaf that requires grad while grad mode is on (as PyTorch).
 */
export function assignInPlace(dst: Tensor, src: Tensor | number, op: string): void {
  if (dst.requiresGrad && dst.isLeaf && isRecording()) {
    throw new AutogradError(op, 'a leaf tensor that requires grad cannot be modified in place while grad mode is on; wrap the update in noGrad()');
  }
  if (dst.requiresGrad && !dst.isLeaf && isRecording()) {
    throw new AutogradError(op, 'in-place modification of a tensor that is part of the autograd graph is not supported; use the out-of-place op');
  }
  const s = typeof src === 'number' ? new Tensor(dst.backend.full(dst.dtype, 1, src), []) : src;
  broadcastShapes(op, s.shape, dst.shape);
  if (s.ndim > dst.ndim || s.shape.some((v, i) => v !== 1 && v !== dst.shape[dst.ndim - s.ndim + i])) {
    throw new ShapeError(op, 'source does not broadcast to the destination shape', [s.shape, dst.shape]);
  }
  dst.backend.assign(dst, broadcastView(s, dst.shape));
  dst._bumpVersion();
}

import { isGradEnabled as isRecording } from '../autograd/mode.js';
