/**
 * Elementwise ops with broadcasting. Each op's forward and backward sit together; backward rules
 * are written with tensor ops, so they run on any backend and can themselves be differentiated.
 */
import type { BinaryOp, UnaryOp } from '../backend/types.js';
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { isFloat, type DType } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { binaryKernel, operands, resultType, sumToShape, unaryKernel, type Operand, broadcastView, wrap } from './core.js';
import { fusedPathOn } from './fused-switch.js';

/** `need`: whether each operand required grad when the op ran (a rule may skip the other's gradient). */
type BinaryGrad = (g: Tensor, a: Tensor, b: Tensor, out: Tensor, need: readonly [boolean, boolean]) => [Tensor | null, Tensor | null];

/** Records a broadcasting binary op; gradients are summed back to each input's shape. */
function binary(op: BinaryOp, x: Operand, y: Operand, grad: BinaryGrad, floatResult = false): Tensor {
  let dtype = resultType(x, y);
  if (floatResult && !isFloat(dtype)) dtype = 'float32';
  const [a, b] = operands(op, x, y, dtype);
  const out = binaryKernel(op, a, b, dtype);
  const need = [a.requiresGrad, b.requiresGrad] as const;
  return record(out, op, [a, b], (g) => {
    const [ga, gb] = grad(g, a, b, out, need);
    return [ga && sumToShape(ga, a.shape), gb && sumToShape(gb, b.shape)];
  });
}

/** Records a unary op on floats (integers are promoted to float32 when `floatResult`). */
function unary(op: UnaryOp, x: Tensor, grad: ((g: Tensor, x: Tensor, out: Tensor) => Tensor) | null, floatResult = true): Tensor {
  const dtype: DType = floatResult && !isFloat(x.dtype) ? 'float32' : x.dtype;
  const out = unaryKernel(op, x, dtype);
  if (grad === null) return out;
  return record(out, op, [x], (g) => [grad(g, x, out)]);
}

// ---- arithmetic -----------------------------------------------------------------------------

/** a + alpha * b, broadcasting. */
export function add(a: Operand, b: Operand, alpha?: number): Tensor {
  const bb = alpha === undefined || alpha === 1 ? b : mul(b, alpha);
  return binary('add', a, bb, (g) => [g, g]);
}

/** a - alpha * b, broadcasting. */
export function sub(a: Operand, b: Operand, alpha?: number): Tensor {
  const bb = alpha === undefined || alpha === 1 ? b : mul(b, alpha);
  return binary('sub', a, bb, (g, _a, _b, _o, need) => [g, need[1] ? g.neg() : null]);
}

export function mul(a: Operand, b: Operand): Tensor {
  // A gradient is computed only for an operand that requires one (x · constant is common, and
  // the constant's gradient would be a full-size product reduced and then thrown away).
  return binary('mul', a, b, (g, x, y, _, need) => [need[0] ? g.mul(y) : null, need[1] ? g.mul(x) : null]);
}

/** True division (integers give float32, as in PyTorch). */
export function div(a: Operand, b: Operand): Tensor {
  return binary('div', a, b, (g, x, y, out, need) => [need[0] ? g.div(y) : null, need[1] ? g.mul(out).div(y).neg() : null], true);
}

/** a ** b. The gradient for b is 0 where a == 0 and b >= 0 (PyTorch's convention). */
export function pow(a: Operand, b: Operand): Tensor {
  return binary('pow', a, b, (g, x, y, out) => {
    const ga = x.requiresGrad ? g.mul(y).mul(pow(x, sub(y, 1))) : null;
    let gb: Tensor | null = null;
    if (y.requiresGrad) {
      const safe = where(x.eq(0).logicalAnd(y.ge(0)), 0, g.mul(out).mul(log(where(x.eq(0), 1, x))));
      gb = safe;
    }
    return [ga, gb];
  });
}

/** Elementwise maximum; ties split the gradient equally (as PyTorch). */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary('maximum', a, b, (g, x, y) => tieGrad(g, x, y, 'gt'));
}

/** Elementwise minimum; ties split the gradient equally (as PyTorch). */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary('minimum', a, b, (g, x, y) => tieGrad(g, x, y, 'lt'));
}

function tieGrad(g: Tensor, x: Tensor, y: Tensor, win: 'gt' | 'lt'): [Tensor, Tensor] {
  const tie = x.eq(y);
  const half = g.mul(0.5);
  const xWins = win === 'gt' ? x.gt(y) : x.lt(y);
  const yWins = win === 'gt' ? y.gt(x) : y.lt(x);
  return [where(tie, half, where(xWins, g, 0)), where(tie, half, where(yWins, g, 0))];
}

/** Python-style remainder (sign of the divisor). Gradient: 1 for a, -floor(a/b) for b. */
export function remainder(a: Operand, b: Operand): Tensor {
  return binary('remainder', a, b, (g, x, y) => [g, g.mul(floorDivide(x, y)).neg()]);
}

/** floor(a / b); not differentiable (zero gradient almost everywhere). */
export function floorDivide(a: Operand, b: Operand): Tensor {
  const dtype = resultType(a, b);
  const [x, y] = operands('floorDivide', a, b, dtype);
  return binaryKernel('floorDivide', x, y, dtype);
}

export function atan2(a: Operand, b: Operand): Tensor {
  return binary('atan2', a, b, (g, x, y) => {
    const denom = x.mul(x).add(y.mul(y));
    return [g.mul(y).div(denom), g.mul(x).neg().div(denom)];
  }, true);
}

// ---- unary ----------------------------------------------------------------------------------

export const neg = (x: Tensor): Tensor => unary('neg', x, (g) => g.neg(), false);
export const abs = (x: Tensor): Tensor => unary('abs', x, (g, v) => g.mul(sign(v)), false);
export const sign = (x: Tensor): Tensor => unary('sign', x, (g) => g.mul(0), false);
export const exp = (x: Tensor): Tensor => unary('exp', x, (g, _, out) => g.mul(out));
export const expm1 = (x: Tensor): Tensor => unary('expm1', x, (g, _, out) => g.mul(out.add(1)));
export const log = (x: Tensor): Tensor => unary('log', x, (g, v) => g.div(v));
export const log1p = (x: Tensor): Tensor => unary('log1p', x, (g, v) => g.div(v.add(1)));
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, (g, _, out) => g.div(out.mul(2)));
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x, (g, _, out) => g.mul(out.mul(out).mul(out)).mul(-0.5));
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x, (g, _, out) => g.mul(out.mul(out)).neg());
export const sin = (x: Tensor): Tensor => unary('sin', x, (g, v) => g.mul(cos(v)));
export const cos = (x: Tensor): Tensor => unary('cos', x, (g, v) => g.mul(sin(v)).neg());
export const tanh = (x: Tensor): Tensor => unary('tanh', x, (g, _, out) => g.mul(sub(1, out.mul(out))));
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x, (g, _, out) => g.mul(out.mul(sub(1, out))));
/** max(x, 0); the gradient at 0 is 0 (as PyTorch). */
export const relu = (x: Tensor): Tensor => unary('relu', x, (g, _, out) => reluGrad(out, g), false);

/**
 * ReLU's backward from its output: g where out > 0, else 0. One pass through the backend's
 * fused kernel when it has one (and the backward is not itself recorded); else where(), which
 * createGraph can differentiate.
 */
export function reluGrad(out: Tensor, g: Tensor): Tensor {
  const fused = !isGradEnabled() && g.dtype === out.dtype ? out.backend.fused?.reluBackward?.(out, g) ?? null : null;
  return fused !== null ? wrap(fused, g.shape) : where(out.gt(0), g, 0);
}
export const erf = (x: Tensor): Tensor => unary('erf', x, (g, v) => g.mul(exp(v.mul(v).neg())).mul(2 / Math.sqrt(Math.PI)));
export const floor = (x: Tensor): Tensor => unary('floor', x, null, false);
export const ceil = (x: Tensor): Tensor => unary('ceil', x, null, false);
/** Round half to even, as torch.round. */
export const round = (x: Tensor): Tensor => unary('round', x, null, false);
export const isnan = (x: Tensor): Tensor => unaryKernel('isnan', x, 'bool');

/**
 * GELU. `approximate: 'none'` is x·Φ(x) with the exact normal CDF; `'tanh'` is the tanh
 * approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), both as in PyTorch.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  const f = fusedGelu(x, approximate === 'tanh');
  if (f !== null) return f;
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(tanh(inner).add(1));
  }
  return x.mul(0.5).mul(erf(x.mul(Math.SQRT1_2)).add(1));
}

/**
 * GELU's derivative written with differentiable ops (PyTorch's GeluBackward), for a backward
 * pass that is itself recorded (createGraph): exact Φ(x) + x·φ(x); tanh form
 * ½(1 + t) + ½x·(1 − t²)·√(2/π)(1 + 3κx²) with t = tanh(√(2/π)(x + κx³)).
 */
function geluGrad(x: Tensor, g: Tensor, tanhForm: boolean): Tensor {
  if (tanhForm) {
    const k = Math.sqrt(2 / Math.PI);
    const x2 = x.mul(x);
    const t = tanh(x.add(x2.mul(x).mul(0.044715)).mul(k));
    const left = t.add(1).mul(0.5);
    const right = x.mul(0.5).mul(sub(1, t.mul(t))).mul(x2.mul(3 * 0.044715).add(1).mul(k));
    return g.mul(left.add(right));
  }
  const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
  const pdf = exp(x.mul(x).mul(-0.5)).mul(1 / Math.sqrt(2 * Math.PI));
  return g.mul(cdf.add(x.mul(pdf)));
}

/**
 * The backend's fused GELU (Backend.fused.gelu) as one autograd node with its fused backward;
 * null when the backend has none (the composite then runs). Under createGraph the gradient is
 * built from differentiable ops (geluGrad).
 */
function fusedGelu(x: Tensor, tanhForm: boolean): Tensor | null {
  const kern = x.backend.fused;
  if (!fusedPathOn('gelu') || kern?.gelu === undefined || !isFloat(x.dtype)) return null;
  const xd = x.detach();
  const y = kern.gelu(xd, tanhForm);
  if (y === null) return null;
  const out = wrap(y, x.shape);
  return record(out, 'gelu', [x], (g) => {
    if (!isGradEnabled() && kern.geluBackward !== undefined && g.dtype === x.dtype) {
      const dx = kern.geluBackward(xd, g, tanhForm, out);
      if (dx !== null) return [wrap(dx, x.shape)];
    }
    return [geluGrad(x, g, tanhForm)];
  });
}

/** log(1 + exp(beta·x)) / beta, linear above `threshold` (as torch.nn.functional.softplus). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = x.mul(beta);
  return where(bx.gt(threshold), x, log1p(exp(where(bx.gt(threshold), 0, bx))).div(beta));
}

/** Clamps to [min, max] (either may be omitted). Gradient 1 inside the closed interval, else 0. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo === null && hi === null) throw new ValueError('clamp', 'at least one of min or max must be given');
  const xd = x.detach();
  let out = xd;
  if (lo !== null) out = where(xd.lt(lo), lo, out);
  if (hi !== null) out = where(xd.gt(hi), hi, out);
  if (out.dtype !== x.dtype) out = out.to(x.dtype);
  return record(out, 'clamp', [x], (g) => {
    let inside: Tensor | null = lo !== null ? x.ge(lo) : null;
    if (hi !== null) inside = inside ? inside.logicalAnd(x.le(hi)) : x.le(hi);
    return [where(inside!, g, 0)];
  });
}

// ---- comparisons and logic (never differentiable) ------------------------------------------

function compare(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const [x, y] = operands(op, a, b, resultType(a, b));
  return binaryKernel(op, x, y, 'bool');
}
export const eq = (a: Operand, b: Operand): Tensor => compare('eq', a, b);
export const ne = (a: Operand, b: Operand): Tensor => compare('ne', a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => compare('le', a, b);
export const gt = (a: Operand, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare('ge', a, b);
export const logicalAnd = (a: Operand, b: Operand): Tensor => compare('logicalAnd', a, b);
export const logicalOr = (a: Operand, b: Operand): Tensor => compare('logicalOr', a, b);
export const logicalXor = (a: Operand, b: Operand): Tensor => compare('logicalXor', a, b);
export const logicalNot = (x: Tensor): Tensor => unaryKernel('logicalNot', x, 'bool');

/**
 * cond ? a : b, broadcasting all three. `cond` must be bool.
 * Gradients flow to `a` where cond holds and to `b` elsewhere.
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== 'bool') throw new DTypeError('where', `condition must be a bool tensor, got ${cond.dtype}`);
  const dtype = resultType(a, b);
  const [x, y] = operands('where', a, b, dtype);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const cx = x.dtype === dtype ? x : x.to(dtype);
  const cy = y.dtype === dtype ? y : y.to(dtype);
  const out = wrap(x.backend.where(broadcastView(cond, shape), broadcastView(cx, shape), broadcastView(cy, shape), dtype), shape);
  return record(out, 'where', [x, y], (g) => [
    x.requiresGrad ? sumToShape(where(cond, g, 0), x.shape) : null,
    y.requiresGrad ? sumToShape(where(cond, 0, g), y.shape) : null,
  ]);
}

/** Fills positions where `mask` (bool, broadcastable) is true with `value`. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError('maskedFill', `mask must be a bool tensor, got ${mask.dtype}`);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i])) {
    throw new ShapeError('maskedFill', 'mask does not broadcast to the input shape', [mask.shape, x.shape]);
  }
  return where(mask, isFloat(x.dtype) ? value : Math.trunc(value), x).to(x.dtype);
}
