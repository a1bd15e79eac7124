/**
 * The Tensor: a strided view (shape, strides, offset) onto backend storage, plus autograd state.
 * Math lives in `ops/`; the methods here only delegate, so the class stays small.
 */
import type { Backend, Storage, View } from '../backend/types.js';
import type { GradNode } from '../autograd/node.js';
import { backward as runBackward, type BackwardOptions } from '../autograd/engine.js';
import { enableGrad, noGrad } from '../autograd/mode.js';
import { AutogradError, ValueError } from '../errors.js';
import { isFloat, type DType, type TypedArray } from './dtype.js';
import { contiguousStrides, isContiguous, numel, type Shape } from './shape.js';
import * as ops from '../ops/index.js';

/** Nested JavaScript arrays of numbers, as returned by `toArray()`. */
export type NestedArray = number | NestedArray[];

type Operand = Tensor | number;

const versions = new WeakMap<Storage, number>();

export class Tensor implements View {
  /** Whether gradients flow to this tensor. Set with `requiresGrad_()` or the creation option. */
  requiresGrad = false;
  /** Accumulated gradient (leaves, and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;
  /** The node that produced this tensor, or null for leaves and results computed without grad. */
  gradFn: GradNode | null = null;
  /** @internal */
  _retainsGrad = false;

  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
  ) {}

  get dtype(): DType { return this.storage.dtype; }
  get backend(): Backend { return this.storage.backend; }
  /** Number of dimensions. */
  get ndim(): number { return this.shape.length; }
  /** True for tensors that are not the result of a recorded op. */
  get isLeaf(): boolean { return this.gradFn === null; }
  /** @internal Bumped by every in-place write to the storage (shared by all views). */
  get _version(): number { return versions.get(this.storage) ?? 0; }
  /** @internal */
  _bumpVersion(): void { versions.set(this.storage, this._version + 1); }

  numel(): number { return numel(this.shape); }
  /** The size of every dimension, or of one (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[ops.normDim('size', dim, this.ndim)]!;
  }
  isContiguous(): boolean { return isContiguous(this.shape, this.strides); }

  // ---- reading values -------------------------------------------------------------------
  /** A contiguous copy of the values as a typed array (int64 reads as Float64Array). */
  dataSync(): TypedArray { return this.backend.read(this); }
  /** Async read; every backend supports it (GPU backends only this one). */
  async data(): Promise<TypedArray> { return this.dataSync(); }
  /** Nested arrays of numbers with this tensor's shape (bool reads as 0/1). */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.ndim) return flat[off]!;
      const inner = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, off + i * inner));
    };
    return build(0, 0);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) throw new ValueError('item', `only one-element tensors can be converted to a number, got shape [${this.shape.join(',')}]`);
    return this.dataSync()[0]!;
  }
  /** What `console.log(t)` prints in Node: the values, not the internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  toString(): string {
    return `tensor(${JSON.stringify(this.toArray())}, shape=[${this.shape.join(',')}], dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- autograd -------------------------------------------------------------------------
  /** Computes gradients of this tensor (a scalar, or with `gradient`) and accumulates them into leaves' `.grad`. */
  backward(gradient?: Tensor, opts?: BackwardOptions): void { runBackward(this, gradient, opts); }
  /** Sets `requiresGrad` in place (only on leaves, and only for floating dtypes). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) throw new AutogradError('requiresGrad_', 'you can only change requiresGrad of leaf tensors; use detach() to get a leaf');
    if (flag && !isFloat(this.dtype)) throw new AutogradError('requiresGrad_', `only floating point tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = flag;
    return this;
  }
  /** Keeps `.grad` for this non-leaf tensor after backward. */
  retainGrad(): this { this._retainsGrad = true; return this; }
  /** A tensor sharing storage with this one but cut from the graph. */
  detach(): Tensor { return new Tensor(this.storage, this.shape, this.strides, this.offset); }
  /** @internal */
  _accumulateGrad(g: Tensor, keepGraph: boolean): void {
    // The first gradient is copied: the engine may hand one tensor to several leaves (add's
    // backward returns the same g for both inputs) or pass the caller's `gradient` through, and
    // an in-place update of one .grad (clipGradNorm_, zero_) must not reach the others.
    // With createGraph the copy and the accumulation are recorded, so .grad stays differentiable.
    if (keepGraph) this.grad = enableGrad(() => (this.grad === null ? ops.clone(g) : this.grad.add(g)));
    else this.grad = noGrad(() => (this.grad === null ? ops.clone(g.detach()) : this.grad!.add(g.detach())));
  }

  // ---- conversion -----------------------------------------------------------------------
  to(dtype: DType): Tensor { return ops.toDType(this, dtype); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  int(): Tensor { return this.to('int32'); }
  long(): Tensor { return this.to('int64'); }
  bool(): Tensor { return this.to('bool'); }
  clone(): Tensor { return ops.clone(this); }
  contiguous(): Tensor { return ops.contiguous(this); }

  // ---- views and shapes ------------------------------------------------------------------
  reshape(...shape: number[] | [Shape]): Tensor { return ops.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [Shape]): Tensor { return ops.view(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  permute(...dims: number[] | [Shape]): Tensor { return ops.permute(this, flatArgs(dims)); }
  transpose(d0: number, d1: number): Tensor { return ops.transpose(this, d0, d1); }
  /** Transpose of a matrix (rank ≤ 2). */
  t(): Tensor { return ops.t(this); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return ops.squeeze(this, dim); }
  expand(...shape: number[] | [Shape]): Tensor { return ops.expand(this, flatArgs(shape)); }
  expandAs(other: Tensor): Tensor { return ops.expand(this, other.shape); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  /** Elements start, start+step, … before end along `dim` (Python's `x[..., start:end:step]`). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return ops.slice(this, dim, start, end, step); }
  /** Index `index` along `dim`, removing that dimension (`x[..., i]`). */
  select(dim: number, index: number): Tensor { return ops.select(this, dim, index); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return ops.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }

  // ---- elementwise ----------------------------------------------------------------------
  add(o: Operand, alpha?: number): Tensor { return ops.add(this, o, alpha); }
  sub(o: Operand, alpha?: number): Tensor { return ops.sub(this, o, alpha); }
  mul(o: Operand): Tensor { return ops.mul(this, o); }
  div(o: Operand): Tensor { return ops.div(this, o); }
  pow(o: Operand): Tensor { return ops.pow(this, o); }
  maximum(o: Operand): Tensor { return ops.maximum(this, o); }
  minimum(o: Operand): Tensor { return ops.minimum(this, o); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  sign(): Tensor { return ops.sign(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  log1p(): Tensor { return ops.log1p(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  square(): Tensor { return ops.mul(this, this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  erf(): Tensor { return ops.erf(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ops.clamp(this, min, max); }
  eq(o: Operand): Tensor { return ops.eq(this, o); }
  ne(o: Operand): Tensor { return ops.ne(this, o); }
  lt(o: Operand): Tensor { return ops.lt(this, o); }
  le(o: Operand): Tensor { return ops.le(this, o); }
  gt(o: Operand): Tensor { return ops.gt(this, o); }
  ge(o: Operand): Tensor { return ops.ge(this, o); }
  logicalNot(): Tensor { return ops.logicalNot(this); }
  logicalAnd(o: Operand): Tensor { return ops.logicalAnd(this, o); }
  logicalOr(o: Operand): Tensor { return ops.logicalOr(this, o); }
  where(cond: Tensor, other: Operand): Tensor { return ops.where(cond, this, other); }
  maskedFill(mask: Tensor, value: number): Tensor { return ops.maskedFill(this, mask, value); }

  // ---- reductions -----------------------------------------------------------------------
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor { return ops.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor { return ops.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return ops.prod(this, dim, keepdim); }
  /** Maximum of all elements; with a dim, use `maxDim` for values and indices. */
  max(): Tensor { return ops.max(this); }
  min(): Tensor { return ops.min(this); }
  maxDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } { return ops.maxDim(this, dim, keepdim); }
  minDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } { return ops.minDim(this, dim, keepdim); }
  amax(dim?: number | readonly number[] | null, keepdim = false): Tensor { return ops.amax(this, dim, keepdim); }
  amin(dim?: number | readonly number[] | null, keepdim = false): Tensor { return ops.amin(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return ops.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return ops.argmin(this, dim, keepdim); }
  var(dim?: number | readonly number[] | null, opts?: ops.VarOptions): Tensor { return ops.variance(this, dim, opts); }
  std(dim?: number | readonly number[] | null, opts?: ops.VarOptions): Tensor { return ops.std(this, dim, opts); }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return ops.logsumexp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return ops.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.logSoftmax(this, dim); }

  // ---- products and indexing ------------------------------------------------------------
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ops.scatterAdd(this, dim, index, src); }
  indexSelect(dim: number, index: Tensor): Tensor { return ops.indexSelect(this, dim, index); }

  // ---- in place (no graph: only on tensors that do not require grad, or under noGrad) --------
  /** Copies `src` (broadcast to this shape) into this tensor. */
  copy_(src: Tensor | number): this { ops.assignInPlace(this, src, 'copy_'); return this; }
  fill_(value: number): this { return this.copy_(value); }
  zero_(): this { return this.copy_(0); }
  add_(o: Operand, alpha?: number): this { ops.assignInPlace(this, ops.add(this, o, alpha), 'add_'); return this; }
  sub_(o: Operand, alpha?: number): this { ops.assignInPlace(this, ops.sub(this, o, alpha), 'sub_'); return this; }
  mul_(o: Operand): this { ops.assignInPlace(this, ops.mul(this, o), 'mul_'); return this; }
  div_(o: Operand): this { ops.assignInPlace(this, ops.div(this, o), 'div_'); return this; }
  clamp_(min?: number | null, max?: number | null): this { ops.assignInPlace(this, ops.clamp(this, min, max), 'clamp_'); return this; }

  // ---- helpers for creating tensors like this one ----------------------------------------
  zerosLike(dtype: DType = this.dtype): Tensor { return ops.fullLike(this, 0, dtype); }
  onesLike(dtype: DType = this.dtype): Tensor { return ops.fullLike(this, 1, dtype); }
}

function flatArgs(args: number[] | [Shape]): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);
}
