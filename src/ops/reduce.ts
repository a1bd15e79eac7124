/** Reductions over dimensions, with keepdim. Backward rules broadcast the gradient back. */
import type { ReduceOp } from '../backend/types.js';
import { record } from '../autograd/node.js';
import { DTypeError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { normAxes, normDim, wrap } from './core.js';
import { where } from './elementwise.js';

type Dims = number | readonly number[] | null | undefined;

/** Shape after reducing `axes`, with or without the reduced dims kept as size 1. */
function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (axes.includes(i) ? 1 : s)) : shape.filter((_, i) => !axes.includes(i));
}

function kernel(op: ReduceOp, x: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  return wrap(x.backend.reduce(op, x, axes), reducedShape(x.shape, axes, keepdim));
}

/** Reshapes a reduced gradient to keepdim form and broadcasts it to `shape`. */
function expandBack(g: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  return g.reshape(reducedShape(shape, axes, true)).expand([...shape]);
}

/** Sum over `dim` (all dims when omitted). Integers and bools sum to int64, as in PyTorch. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normAxes('sum', dim, x.ndim);
  const src = isFloat(x.dtype) || x.dtype === 'int64' ? x : x.to('int64');
  const out = kernel('sum', src, axes, keepdim);
  return record(out, 'sum', [x], (g) => [expandBack(g, x.shape, axes)]);
}

/** Mean over `dim` (all dims when omitted); floating inputs only, as in PyTorch. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError('mean', `input must be floating point (float32 or float64), got ${x.dtype}; convert with .float()`);
  const axes = normAxes('mean', dim, x.ndim);
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  return sum(x, axes, keepdim).div(n);
}

/** Product over one dim or all (integers and bools give int64, as in PyTorch). The gradient is exact even where inputs are zero. */
export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  const axes = normAxes('prod', dim, x.ndim);
  const out = kernel('prod', isFloat(x.dtype) || x.dtype === 'int64' ? x : x.to('int64'), axes, keepdim);
  return record(out, 'prod', [x], (g) => {
    const isZero = x.eq(0);
    const zeros = sum(isZero, axes, true);
    const prodNonZero = prod(where(isZero, 1, x), axes.length === 1 ? axes[0]! : null, true);
    const gk = expandBack(g, x.shape, axes);
    const outK = expandBack(out, x.shape, axes);
    const others = where(isZero, where(zeros.eq(1), prodNonZero, 0), outK.div(where(isZero, 1, x)));
    return [gk.mul(others)];
  });
}

/** amax/amin: extreme over dims; ties share the gradient equally (as torch.amax). */
function extreme(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const axes = normAxes(op === 'max' ? 'amax' : 'amin', dim, x.ndim);
  const out = kernel(op, x, axes, keepdim);
  return record(out, op === 'max' ? 'amax' : 'amin', [x], (g) => {
    const mask = x.eq(expandBack(out, x.shape, axes));
    const count = sum(mask, axes, true).to(g.dtype);
    return [where(mask, expandBack(g, x.shape, axes).div(count.expand([...x.shape])), 0)];
  });
}

export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme('max', x, dim, keepdim);
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme('min', x, dim, keepdim);
/** Maximum of all elements (a 0-d tensor). */
export const max = (x: Tensor): Tensor => extreme('max', x, null, false);
/** Minimum of all elements (a 0-d tensor). */
export const min = (x: Tensor): Tensor => extreme('min', x, null, false);

/** Values and (int64) indices of the extreme along `dim`; the gradient goes to the chosen index. */
function extremeDim(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  const d = normDim(op, dim, x.ndim);
  const indicesK = kernel(op === 'max' ? 'argmax' : 'argmin', x, x.ndim === 0 ? [] : [d], true);
  const valuesK = wrap(x.backend.gather(x, d, indicesK), indicesK.shape);
  const valuesRec = record(valuesK, `${op}Dim`, [x], (g) => [x.zerosLike(g.dtype).scatterAdd(d, indicesK, g)]);
  return keepdim ? { values: valuesRec, indices: indicesK } : { values: valuesRec.squeeze(d), indices: indicesK.squeeze(d) };
}

export const maxDim = (x: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } => extremeDim('max', x, dim, keepdim);
export const minDim = (x: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } => extremeDim('min', x, dim, keepdim);

/** Index of the maximum (first occurrence), over `dim` or the flattened tensor; int64. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === null || dim === undefined) return kernel('argmax', x.reshape([-1]), [0], false);
  const d = normDim('argmax', dim, x.ndim);
  return kernel('argmax', x, x.ndim === 0 ? [] : [d], keepdim);
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === null || dim === undefined) return kernel('argmin', x.reshape([-1]), [0], false);
  const d = normDim('argmin', dim, x.ndim);
  return kernel('argmin', x, x.ndim === 0 ? [] : [d], keepdim);
}

export interface VarOptions {
  /** Degrees of freedom subtracted from N (PyTorch's `correction`). Default 1 (Bessel's). */
  correction?: number;
  /** Legacy flag: `unbiased: false` means correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

/** Variance over `dim` (all when omitted), with Bessel's correction by default. */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError('var', `input must be floating point, got ${x.dtype}`);
  const axes = normAxes('var', dim, x.ndim);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  const centered = x.sub(mean(x, axes, true));
  return sum(centered.mul(centered), axes, opts.keepdim ?? false).div(Math.max(0, n - correction));
}

export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}

/** log(sum(exp(x))) over `dim`, stabilised by the (detached) maximum. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const axes = normAxes('logsumexp', dim, x.ndim);
  const m = x.amax(axes, true).detach();
  const safeM = where(m.abs().eq(Infinity), 0, m);
  const out = x.sub(safeM).exp().sum(axes, true).log().add(safeM);
  return keepdim ? out : out.reshape(reducedShape(x.shape, axes, false));
}
