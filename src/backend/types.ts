/**
 * The backend interface: where numbers live and the primitive kernels that run on them.
 *
 * A backend implements only these primitives; every other op (softmax, conv, losses, …) is
 * composed from them in `ops/`, so its gradient comes for free and a new backend needs nothing
 * else. Kernels receive strided *views* (shape, strides, offset into a storage) and always
 * return a fresh contiguous storage, so views (transpose, expand, slices) never need copying
 * before a kernel runs. The kernel tables are typed `Record<Op, …>`, so a backend that forgets a
 * kernel fails to compile rather than at run time.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';

/** A block of memory owned by a backend, holding `size` elements of `dtype`. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
}

/** A strided window onto a storage. Strides and offset count elements, not bytes. */
export interface View {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const UNARY_OPS = [
  'neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal',
  'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'logicalNot', 'isnan',
] as const;
/** Elementwise functions of one input. */
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder', 'floorDivide',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor',
] as const;
/** Elementwise functions of two inputs of the same (already broadcast) shape. */
export type BinaryOp = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const;
/** Reductions over a set of axes. `argmax`/`argmin` take exactly one axis and give int64. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Geometry of a sliding-window unfold (im2col) over the trailing `k` spatial dimensions. */
export interface UnfoldGeometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

/**
 * The primitive kernels. Outputs are new contiguous storages of the stated shape.
 */
export interface Backend {
  readonly name: string;

  /** A storage of `size` elements, every one equal to `value`. */
  full(dtype: DType, size: number, value: number): Storage;
  /** Copies host data into a new storage (values converted to `dtype`). */
  fromArray(dtype: DType, data: ArrayLike<number>): Storage;
  /** Reads a view back to the host as a contiguous typed array (a copy the caller owns). */
  read(x: View): TypedArray;

  /** Contiguous copy of a view, converted to `dtype`. */
  copy(x: View, dtype: DType): Storage;
  /** Writes `src` (same shape as `dst`) into the view `dst` in place, converting dtype. */
  assign(dst: View, src: View): void;

  /** out[i] = op(x[i]); output dtype given by the caller (ops decide promotion). */
  unary(op: UnaryOp, x: View, outDtype: DType): Storage;
  /** out[i] = op(a[i], b[i]); `a` and `b` have the same shape (broadcast by stride-0 views). */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** out[i] = cond[i] ? a[i] : b[i]; all three views have the same shape. */
  where(cond: View, a: View, b: View, outDtype: DType): Storage;
  /** Reduces `axes` (sorted, unique); output shape is x.shape without those axes. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /**
   * Batched matrix product: a is [...batch, M, K], b is [...batch, K, N] with identical batch
   * shapes (broadcast by stride-0 views); output [...batch, M, N] in `a`'s dtype.
   */
  matmul(a: View, b: View): Storage;
  /** out[…, i, …] = x[…, index[…, i, …], …] along `dim`; output has index's shape (int64/int32 index). */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `x` with out[…, index[…], …] += src[…] along `dim`; index and src have the same shape. */
  scatterAdd(x: View, dim: number, index: View, src: View): Storage;
  /**
   * im2col. x is [...lead, *spatial] with k = geometry.kernel.length trailing spatial dims.
   * Output is [...lead, *kernel, *outSpatial]; positions in the padding read `padValue`.
   */
  unfold(x: View, g: UnfoldGeometry, padValue: number): Storage;
  /** col2im, the adjoint of unfold (padValue 0): sums window entries back into [...lead, *spatial]. */
  fold(cols: View, g: UnfoldGeometry, spatial: readonly number[]): Storage;
}
