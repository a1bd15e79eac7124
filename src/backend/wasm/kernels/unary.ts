/**
 * Elementwise functions of one input over a strided view.
 *
 * The TypeScript side coalesces the view to `rank` dims (adjacent dims merged when their strides
 * allow, size-1 dims dropped) and writes a descriptor: [rank, shape[rank], xStrides[rank],
 * counters[rank]]. The kernel walks the outer dims with an odometer and runs a row function over
 * the innermost dim; the output is contiguous. Contiguous float32/float64 rows of the cheap ops
 * use v128 SIMD (f32x4 / f64x2), and contiguous float32 exp, sigmoid and tanh a float64x2
 * polynomial (bit-identical to the reference on every input checked); everything else is a
 * scalar loop that computes in float64 and stores with the reference backend's rules (so results
 * match it exactly, transcendentals to within an ulp or two of V8's Math).
 */
import { F32, F64, ld, loadAs, shiftOf, st, storeAs } from './common';

const NEG: i32 = 0;
const ABS: i32 = 1;
const SIGN: i32 = 2;
const EXP: i32 = 3;
const EXPM1: i32 = 4;
const LOG: i32 = 5;
const LOG1P: i32 = 6;
const SQRT: i32 = 7;
const RSQRT: i32 = 8;
const RECIPROCAL: i32 = 9;
const SIN: i32 = 10;
const COS: i32 = 11;
export const TANH: i32 = 12;
export const SIGMOID: i32 = 13;
const RELU: i32 = 14;
const ERF: i32 = 15;
const FLOOR: i32 = 16;
const CEIL: i32 = 17;
const ROUND: i32 = 18;
const LOGICAL_NOT: i32 = 19;
const ISNAN: i32 = 20;

/** erf to ~1e-15 relative: the reference backend's algorithm, step for step. */
export function erf(x: f64): f64 {
  if (isNaN<f64>(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 1.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 40; n++) {
      term *= -x2 / <f64>n;
      const add = term / <f64>(2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return x > 0 ? 1.0 : -1.0;
  const z = ax;
  let f = z;
  let c = z;
  let d = 0.0;
  const tiny = 1e-300;
  for (let n = 1; n < 300; n++) {
    const an = <f64>n / 2;
    d = z + an * d;
    d = d == 0 ? tiny : d;
    c = z + an / c;
    c = c == 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** The scalar definition of every unary op (float64 in, float64 out). */
@inline export function unop(op: i32, x: f64): f64 {
  switch (op) {
    case NEG: return -x;
    case ABS: return Math.abs(x);
    case SIGN: return isNaN<f64>(x) ? NaN : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    case EXP: return Math.exp(x);
    case EXPM1: return Math.expm1(x);
    case LOG: return Math.log(x);
    case LOG1P: return Math.log1p(x);
    case SQRT: return Math.sqrt(x);
    case RSQRT: return 1 / Math.sqrt(x);
    case RECIPROCAL: return 1 / x;
    case SIN: return Math.sin(x);
    case COS: return Math.cos(x);
    case TANH: return Math.tanh(x);
    case SIGMOID: {
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      const e = Math.exp(x);
      return e / (1 + e);
    }
    case RELU: return x > 0 ? x : isNaN<f64>(x) ? NaN : 0.0;
    case ERF: return erf(x);
    case FLOOR: return Math.floor(x);
    case CEIL: return Math.ceil(x);
    case ROUND: return nearest<f64>(x); // round half to even, as torch.round
    case LOGICAL_NOT: return x == 0 ? 1.0 : 0.0;
    default: return isNaN<f64>(x) ? 1.0 : 0.0; // ISNAN
  }
}

@inline function uRow(op: i32, dt: i32, odt: i32, px: usize, ix: isize, po: usize, n: i32): void {
  for (let i = 0; i < n; i++) storeAs(odt, po, i, unop(op, loadAs(dt, px, <isize>i * ix)));
}

/** One switch arm per op, so each loop is compiled with its op (and dtypes, when constant) folded in. */
@inline function uDispatch(op: i32, dt: i32, odt: i32, px: usize, ix: isize, po: usize, n: i32): void {
  switch (op) {
    case 0: uRow(0, dt, odt, px, ix, po, n); break;
    case 1: uRow(1, dt, odt, px, ix, po, n); break;
    case 2: uRow(2, dt, odt, px, ix, po, n); break;
    case 3: uRow(3, dt, odt, px, ix, po, n); break;
    case 4: uRow(4, dt, odt, px, ix, po, n); break;
    case 5: uRow(5, dt, odt, px, ix, po, n); break;
    case 6: uRow(6, dt, odt, px, ix, po, n); break;
    case 7: uRow(7, dt, odt, px, ix, po, n); break;
    case 8: uRow(8, dt, odt, px, ix, po, n); break;
    case 9: uRow(9, dt, odt, px, ix, po, n); break;
    case 10: uRow(10, dt, odt, px, ix, po, n); break;
    case 11: uRow(11, dt, odt, px, ix, po, n); break;
    case 12: uRow(12, dt, odt, px, ix, po, n); break;
    case 13: uRow(13, dt, odt, px, ix, po, n); break;
    case 14: uRow(14, dt, odt, px, ix, po, n); break;
    case 15: uRow(15, dt, odt, px, ix, po, n); break;
    case 16: uRow(16, dt, odt, px, ix, po, n); break;
    case 17: uRow(17, dt, odt, px, ix, po, n); break;
    case 18: uRow(18, dt, odt, px, ix, po, n); break;
    case 19: uRow(19, dt, odt, px, ix, po, n); break;
    default: uRow(20, dt, odt, px, ix, po, n);
  }
}

/** v128 forms of the cheap ops; exact matches of the scalar definitions (relu/round keep ±0 and NaN right). */
@inline function simdOp(op: i32, wide: bool, v: v128): v128 {
  if (wide) {
    switch (op) {
      case NEG: return f64x2.neg(v);
      case ABS: return f64x2.abs(v);
      case SQRT: return f64x2.sqrt(v);
      case RSQRT: return f64x2.div(f64x2.splat(1.0), f64x2.sqrt(v));
      case RECIPROCAL: return f64x2.div(f64x2.splat(1.0), v);
      case RELU: return f64x2.max(v, f64x2.splat(0.0));
      case FLOOR: return f64x2.floor(v);
      case CEIL: return f64x2.ceil(v);
      default: return f64x2.nearest(v);
    }
  }
  switch (op) {
    case NEG: return f32x4.neg(v);
    case ABS: return f32x4.abs(v);
    case SQRT: return f32x4.sqrt(v);
    case RECIPROCAL: return f32x4.div(f32x4.splat(1.0), v);
    case RELU: return f32x4.max(v, f32x4.splat(0.0));
    case FLOOR: return f32x4.floor(v);
    case CEIL: return f32x4.ceil(v);
    default: return f32x4.nearest(v);
  }
}

/**
 * exp of two float64 lanes, accurate to ~1e-15 relative: for float32 inputs, whose results are
 * rounded to float32 afterwards, this gives the reference's float32 answer (Math.exp, then
 * rounded) except in rare double-rounding ties. x = n·ln2 + r with |r| ≤ ln2/2 (Cody-Waite,
 * two-part ln2), exp(r) by its Taylor series to r^11 (error < 1e-14), times 2^n built in the
 * exponent bits. x is clamped to [-110, 90] first: beyond that the float32 result is 0 or ∞
 * anyway (and 2^n stays a normal double), and NaN passes through the clamp. Checked bit-identical to the reference on 400k random float32 inputs.
 */
@inline export function exp2lanes(x: v128, k: usize): v128 {
  // Constants come from a static table (k) through loads hoisted by the caller's loop: as
  // v128.const operands V8 would rebuild each one with several instructions per use.
  // pmin/pmax are single x64 instructions; they keep x when it is NaN (the compare fails).
  x = f64x2.pmax(f64x2.pmin(x, v128.load(k, 0)), v128.load(k, 16));
  const n = f64x2.nearest(f64x2.mul(x, v128.load(k, 32)));
  let r = f64x2.sub(x, f64x2.mul(n, v128.load(k, 48)));
  r = f64x2.sub(r, f64x2.mul(n, v128.load(k, 64)));
  let p = v128.load(k, 80);
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 96));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 112));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 128));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 144));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 160));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 176));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 192));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 208));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 224));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 240));
  p = f64x2.add(f64x2.mul(p, r), v128.load(k, 240));
  // 2^n (n in [-159, 130]: a normal float64) from its exponent bits, with 32-bit integer lanes
  // only (x64 has no fast 64-bit lane shifts): (n + 1023) << 20 is the high word of each double.
  const hiWords = i32x4.shl(i32x4.add(i32x4.trunc_sat_f64x2_s_zero(n), i32x4.splat(1023)), 20);
  const scale = i8x16.shuffle(i32x4.splat(0), hiWords, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  return f64x2.mul(p, scale);
}

/** exp2lanes' constants, each twice (one v128): clamp hi/lo, log2(e), ln2 hi/lo, 1/11! … 1/2!, 1. */
export const EXP_K = memory.data<f64>([
  90.0, 90.0, -110.0, -110.0, 1.4426950408889634, 1.4426950408889634,
  0.6931471803691238, 0.6931471803691238, 1.9082149292705877e-10, 1.9082149292705877e-10,
  1.0 / 39916800.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 362880.0,
  1.0 / 40320.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 720.0,
  1.0 / 120.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 24.0, 1.0 / 6.0, 1.0 / 6.0, 0.5, 0.5, 1.0, 1.0,
], 16);

/**
 * exp, sigmoid or tanh of two float64 lanes from exp2lanes (float64 all the way, so the float32
 * result is the reference's rounded answer). sigmoid: 1/(1+e^-x) for x ≥ 0, e^x/(1+e^x) below,
 * as the reference. tanh: 1 − 2/(e^2x + 1), and x − x³/3 + 2x⁵/15 for |x| < 0.01, where the
 * first form would lose relative precision (the series error there is below 1e-15).
 */
@inline function fn2(op: i32, x: v128): v128 {
  if (op == EXP) return exp2lanes(x, EXP_K);
  const one = f64x2.splat(1.0);
  if (op == SIGMOID) {
    const neg = f64x2.lt(x, f64x2.splat(0.0));
    const e = exp2lanes(v128.bitselect(x, f64x2.neg(x), neg), EXP_K); // e^x below 0, else e^-x
    return v128.bitselect(f64x2.div(e, f64x2.add(one, e)), f64x2.div(one, f64x2.add(one, e)), neg);
  }
  const e2 = exp2lanes(f64x2.add(x, x), EXP_K);
  const big = f64x2.sub(one, f64x2.div(f64x2.splat(2.0), f64x2.add(e2, one)));
  const x2 = f64x2.mul(x, x);
  const series = f64x2.mul(x, f64x2.add(one, f64x2.mul(x2, f64x2.add(f64x2.splat(-1.0 / 3.0), f64x2.mul(x2, f64x2.splat(2.0 / 15.0))))));
  return v128.bitselect(series, big, f64x2.lt(f64x2.abs(x), f64x2.splat(0.01)));
}

/** op of four float32 lanes (as two float64 pairs). */
@inline export function fn4(op: i32, v: v128): v128 {
  const lo = fn2(op, f64x2.promote_low_f32x4(v));
  const hi = fn2(op, f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
  return i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

/** exp/sigmoid/tanh over n contiguous float32 values, eight per trip (independent chains hide latency). */
@inline function transRowF32(op: i32, px: usize, po: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const q = <usize>i << 2;
    const a = fn4(op, v128.load(px + q));
    const b = fn4(op, v128.load(px + q, 16));
    v128.store(po + q, a);
    v128.store(po + q, b, 16);
  }
  for (; i < n; i++) store<f32>(po + (<usize>i << 2), <f32>unop(op, <f64>load<f32>(px + (<usize>i << 2))));
}

function expRowF32(px: usize, po: usize, n: i32): void {
  transRowF32(EXP, px, po, n);
}

function sigmoidRowF32(px: usize, po: usize, n: i32): void {
  transRowF32(SIGMOID, px, po, n);
}

function tanhRowF32(px: usize, po: usize, n: i32): void {
  transRowF32(TANH, px, po, n);
}

@inline function simdRow(op: i32, wide: bool, px: usize, po: usize, n: i32): void {
  const bytes = <usize>n << (wide ? 3 : 2);
  let i: usize = 0;
  for (; i + 32 <= bytes; i += 32) {
    v128.store(po + i, simdOp(op, wide, v128.load(px + i)));
    v128.store(po + i + 16, simdOp(op, wide, v128.load(px + i + 16)));
  }
  for (; i + 16 <= bytes; i += 16) v128.store(po + i, simdOp(op, wide, v128.load(px + i)));
  const dt = wide ? F64 : F32;
  const done = <i32>(i >> (wide ? 3 : 2));
  for (let j = done; j < n; j++) storeAs(dt, po, j, unop(op, loadAs(dt, px, j)));
}

@inline function simdDispatch(op: i32, wide: bool, px: usize, po: usize, n: i32): bool {
  switch (op) {
    case EXP:
      if (wide) return false;
      expRowF32(px, po, n);
      return true;
    case SIGMOID:
      if (wide) return false;
      sigmoidRowF32(px, po, n);
      return true;
    case TANH:
      if (wide) return false;
      tanhRowF32(px, po, n);
      return true;
    case NEG: simdRow(NEG, wide, px, po, n); return true;
    case ABS: simdRow(ABS, wide, px, po, n); return true;
    case SQRT: simdRow(SQRT, wide, px, po, n); return true;
    case RSQRT: // float32 rsqrt stays scalar: float64 sqrt then divide, rounded once, as the reference
      if (!wide) return false;
      simdRow(RSQRT, wide, px, po, n);
      return true;
    case RECIPROCAL: simdRow(RECIPROCAL, wide, px, po, n); return true;
    case RELU: simdRow(RELU, wide, px, po, n); return true;
    case FLOOR: simdRow(FLOOR, wide, px, po, n); return true;
    case CEIL: simdRow(CEIL, wide, px, po, n); return true;
    case ROUND: simdRow(ROUND, wide, px, po, n); return true;
    default: return false;
  }
}

// Separate functions per dtype pairing, so each tiers up to optimised code on its own.
function rowF32(op: i32, px: usize, ix: isize, po: usize, n: i32): void {
  if (ix == 1 && simdDispatch(op, false, px, po, n)) return;
  uDispatch(op, F32, F32, px, ix, po, n);
}

function rowF64(op: i32, px: usize, ix: isize, po: usize, n: i32): void {
  if (ix == 1 && simdDispatch(op, true, px, po, n)) return;
  uDispatch(op, F64, F64, px, ix, po, n);
}

function rowAny(op: i32, dt: i32, odt: i32, px: usize, ix: isize, po: usize, n: i32): void {
  uDispatch(op, dt, odt, px, ix, po, n);
}

function unaryRow(op: i32, dt: i32, odt: i32, px: usize, ix: isize, po: usize, n: i32): void {
  if (dt == F32 && odt == F32) rowF32(op, px, ix, po, n);
  else if (dt == F64 && odt == F64) rowF64(op, px, ix, po, n);
  else rowAny(op, dt, odt, px, ix, po, n);
}

/** out = op(x) over a coalesced strided view; desc = [rank, shape, xStrides, counters]. */
export function unary(op: i32, dt: i32, odt: i32, desc: usize, px: usize, po: usize): void {
  const r = ld(desc, 0);
  const shp = desc + 4;
  const sx = shp + (<usize>r << 2);
  const ctr = sx + (<usize>r << 2);
  const n = ld(shp, r - 1);
  const ix = <isize>ld(sx, r - 1);
  let outer = 1;
  for (let d = 0; d < r - 1; d++) {
    outer *= ld(shp, d);
    st(ctr, d, 0);
  }
  const shx = shiftOf(dt);
  const sho = shiftOf(odt);
  let ox: isize = 0;
  let oo: isize = 0;
  for (let o = 0; o < outer; o++) {
    unaryRow(op, dt, odt, px + (<usize>ox << shx), ix, po + (<usize>oo << sho), n);
    oo += n;
    for (let d = r - 2; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      ox += ld(sx, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      ox -= <isize>ld(sx, d) * ld(shp, d);
    }
  }
}
