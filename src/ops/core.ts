/** Shared plumbing for ops: wrapping kernel outputs, broadcasting, scalar operands, sum-to-shape. */
import type { BinaryOp, Storage, UnaryOp, View } from '../backend/types.js';
import { DTypeError, TsorchError, ValueError } from '../errors.js';
import { isFloat, promoteTypes, promoteWithScalar, type DType } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, normDim, shapesEqual, type Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

export { normDim };

export type Operand = Tensor | number;

/** A new tensor owning a fresh contiguous storage. */
export function wrap(storage: Storage, shape: Shape): Tensor {
  return new Tensor(storage, [...shape]);
}

/** A stride-0 view giving `t` the (broadcast-compatible) `shape` without copying. */
export function broadcastView(t: View, shape: Shape): View {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  const lead = rank - t.shape.length;
  for (let i = 0; i < t.shape.length; i++) {
    strides[lead + i] = t.shape[i] === 1 && shape[lead + i] !== 1 ? 0 : t.strides[i]!;
  }
  return { storage: t.storage, shape: [...shape], strides, offset: t.offset };
}

export function checkSameBackend(op: string, ...ts: Tensor[]): void {
  const b = ts[0]!.backend;
  for (const t of ts) {
    if (t.backend !== b) throw new TsorchError(op, `tensors live on different backends (${b.name} and ${t.backend.name})`);
  }
}

/** A 0-d tensor holding `v` on `like`'s backend. */
export function scalar(v: number, dtype: DType, like: Tensor): Tensor {
  return wrap(like.backend.full(dtype, 1, v), []);
}

/** The result dtype of a binary op on two operands (PyTorch promotion, numbers are weak). */
export function resultType(a: Operand, b: Operand): DType {
  if (typeof a === 'number' && typeof b === 'number') return 'float32';
  if (typeof a === 'number') return promoteWithScalar((b as Tensor).dtype, a);
  if (typeof b === 'number') return promoteWithScalar(a.dtype, b);
  return promoteTypes(a.dtype, b.dtype);
}

/** Turns both operands into tensors of dtype `dtype` (numbers become 0-d tensors). */
export function operands(op: string, a: Operand, b: Operand, dtype: DType): [Tensor, Tensor] {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  if (like === null) throw new ValueError(op, 'at least one operand must be a tensor');
  const ta = a instanceof Tensor ? a : scalar(a, dtype, like);
  const tb = b instanceof Tensor ? b : scalar(b, dtype, like);
  checkSameBackend(op, ta, tb);
  return [ta, tb];
}

/** Runs a binary kernel with broadcasting; no graph recording. */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const computeDtype = promoteTypes(a.dtype, b.dtype);
  const va = a.dtype === computeDtype ? a : castView(a, computeDtype);
  const vb = b.dtype === computeDtype ? b : castView(b, computeDtype);
  return wrap(a.backend.binary(op, broadcastView(va, shape), broadcastView(vb, shape), outDtype), shape);
}

/** Runs a unary kernel; no graph recording. */
export function unaryKernel(op: UnaryOp, x: Tensor, outDtype: DType = x.dtype): Tensor {
  return wrap(x.backend.unary(op, x, outDtype), x.shape);
}

/** A contiguous copy of `t` converted to `dtype`; no graph recording. */
export function castView(t: Tensor, dtype: DType): Tensor {
  return wrap(t.backend.copy(t, dtype), t.shape);
}

/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting in backward passes). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  let r = axes.length > 0 ? g.sum(axes, true) : g;
  if (lead > 0) r = r.reshape([...shape]);
  return r.shape.length === shape.length && shapesEqual(r.shape, shape) ? r : r.reshape([...shape]);
}

/** Throws unless `t` has a floating dtype. */
export function requireFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new DTypeError(op, `expected a floating point tensor (float32 or float64), got ${t.dtype}`);
}

/** Throws unless `t` holds integer indices (int32 or int64). */
export function requireIndex(op: string, t: Tensor, what = 'index'): void {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw new DTypeError(op, `${what} must be an int64 or int32 tensor, got ${t.dtype}`);
  }
}

/** Normalises a `dim` argument (number, list or null for all) to sorted unique axes. */
export function normAxes(op: string, dim: number | readonly number[] | null | undefined, rank: number): number[] {
  if (dim === null || dim === undefined) return [...Array(rank).keys()];
  const dims = typeof dim === 'number' ? [dim] : dim;
  const axes = [...new Set(dims.map((d) => normDim(op, d, rank)))].sort((x, y) => x - y);
  if (axes.length !== dims.length) throw new ValueError(op, `dimension list [${dims.join(',')}] repeats a dimension`);
  // A 0-d tensor accepts dim 0 or -1 (as PyTorch) but has no axis to reduce.
  return rank === 0 ? [] : axes;
}

export { contiguousStrides };
