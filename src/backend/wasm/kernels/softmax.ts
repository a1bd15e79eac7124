/**
 * Fused softmax / logSoftmax over the last axis (R contiguous rows of D), forward and backward.
 *
 * The composite (ops/softmax.ts) makes five passes over memory forward (amax, sub, exp, sum,
 * div) and about eight backward through autograd; these kernels make two or three passes per
 * row while it sits in L1 (attention rows are 64 floats). They follow the composite's rounding
 * step by step where it is cheap: float32 x − max is rounded to float32, exp is the unary
 * kernel's float64 polynomial rounded to float32, the row sum accumulates in float64 (as the
 * reduce kernel) and is rounded to the dtype, and y = e / sum is a dtype division; so forward
 * results match the composite to an ulp or so. Backward computes y·(g − Σg·y) and
 * g − exp(y)·Σg with float64 sums (the composite's autograd chain rounds differently; the tests
 * state the tolerance). float64 rows use Math.exp (the polynomial clamps below e^-110).
 * A row max of ±Infinity is replaced by 0 before subtracting, as in the composite.
 */
import { F32 } from './common';
import { EXP_K, exp2lanes } from './unary';

/** exp of four float32 lanes through float64 (the unary kernel's exp). */
@inline function exp4(v: v128): v128 {
  const lo = exp2lanes(f64x2.promote_low_f32x4(v), EXP_K);
  const hi = exp2lanes(f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)), EXP_K);
  return i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

/** Sum of four float32 lanes in float64, added to acc (two f64 lanes). */
@inline function acc4(acc: v128, v: v128): v128 {
  acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** exp of a scalar through the same polynomial (lane 0 of exp2lanes). */
@inline function exp1(x: f64): f64 {
  return f64x2.extract_lane(exp2lanes(f64x2.splat(x), EXP_K), 0);
}

function rowMaxF32(px: usize, D: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= D; i += 4) m = f32x4.max(m, v128.load(px + (<usize>i << 2)));
  let r = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; i < D; i++) r = max<f32>(r, load<f32>(px + (<usize>i << 2)));
  return r;
}

function softmaxRowF32(px: usize, po: usize, D: i32, log: bool): void {
  let m = rowMaxF32(px, D);
  if (Mathf.abs(m) == Infinity) m = 0;
  const mv = f32x4.splat(m);
  let acc = f64x2.splat(0);
  let i = 0;
  // Pass 1: s = x − m (float32), e = exp(s); softmax stores e, logSoftmax stores s.
  for (; i + 4 <= D; i += 4) {
    const q = <usize>i << 2;
    const s = f32x4.sub(v128.load(px + q), mv);
    const e = exp4(s);
    acc = acc4(acc, e);
    v128.store(po + q, log ? s : e);
  }
  let sum = hsum(acc);
  for (; i < D; i++) {
    const q = <usize>i << 2;
    const s = load<f32>(px + q) - m;
    const e = <f32>exp1(<f64>s);
    sum += <f64>e;
    store<f32>(po + q, log ? s : e);
  }
  i = 0;
  if (log) {
    const lse = <f32>Math.log(<f64><f32>sum);
    const lv = f32x4.splat(lse);
    for (; i + 4 <= D; i += 4) v128.store(po + (<usize>i << 2), f32x4.sub(v128.load(po + (<usize>i << 2)), lv));
    for (; i < D; i++) store<f32>(po + (<usize>i << 2), load<f32>(po + (<usize>i << 2)) - lse);
  } else {
    const s32 = <f32>sum;
    const sv = f32x4.splat(s32);
    for (; i + 4 <= D; i += 4) v128.store(po + (<usize>i << 2), f32x4.div(v128.load(po + (<usize>i << 2)), sv));
    for (; i < D; i++) store<f32>(po + (<usize>i << 2), load<f32>(po + (<usize>i << 2)) / s32);
  }
}

function softmaxRowF64(px: usize, po: usize, D: i32, log: bool): void {
  let m: f64 = -Infinity;
  for (let i = 0; i < D; i++) m = max<f64>(m, load<f64>(px + (<usize>i << 3)));
  if (Math.abs(m) == Infinity) m = 0;
  let sum: f64 = 0;
  for (let i = 0; i < D; i++) {
    const q = <usize>i << 3;
    const s = load<f64>(px + q) - m;
    const e = Math.exp(s);
    sum += e;
    store<f64>(po + q, log ? s : e);
  }
  if (log) {
    const lse = Math.log(sum);
    for (let i = 0; i < D; i++) store<f64>(po + (<usize>i << 3), load<f64>(po + (<usize>i << 3)) - lse);
  } else {
    for (let i = 0; i < D; i++) store<f64>(po + (<usize>i << 3), load<f64>(po + (<usize>i << 3)) / sum);
  }
}

/** y = softmax(x) (or logSoftmax when log) over each of R contiguous rows of D elements. */
export function softmax(dt: i32, log: i32, R: i32, D: i32, px: usize, po: usize): void {
  const sh: usize = dt == F32 ? 2 : 3;
  const rowBytes = <usize>D << sh;
  for (let r = 0; r < R; r++) {
    const off = <usize>r * rowBytes;
    if (dt == F32) softmaxRowF32(px + off, po + off, D, log != 0);
    else softmaxRowF64(px + off, po + off, D, log != 0);
  }
}

function backwardRowF32(py: usize, pg: usize, po: usize, D: i32, log: bool): void {
  let acc = f64x2.splat(0);
  let i = 0;
  if (log) {
    // dx = g − exp(y)·Σg
    for (; i + 4 <= D; i += 4) acc = acc4(acc, v128.load(pg + (<usize>i << 2)));
    let s = hsum(acc);
    for (; i < D; i++) s += <f64>load<f32>(pg + (<usize>i << 2));
    const sv = f32x4.splat(<f32>s);
    const s32 = <f32>s;
    i = 0;
    for (; i + 4 <= D; i += 4) {
      const q = <usize>i << 2;
      v128.store(po + q, f32x4.sub(v128.load(pg + q), f32x4.mul(exp4(v128.load(py + q)), sv)));
    }
    for (; i < D; i++) {
      const q = <usize>i << 2;
      store<f32>(po + q, load<f32>(pg + q) - <f32>exp1(<f64>load<f32>(py + q)) * s32);
    }
    return;
  }
  // dx = y·(g − Σ g·y)
  for (; i + 4 <= D; i += 4) {
    const q = <usize>i << 2;
    acc = acc4(acc, f32x4.mul(v128.load(pg + q), v128.load(py + q)));
  }
  let d = hsum(acc);
  for (; i < D; i++) d += <f64>(load<f32>(pg + (<usize>i << 2)) * load<f32>(py + (<usize>i << 2)));
  const d32 = <f32>d;
  const dv = f32x4.splat(d32);
  i = 0;
  for (; i + 4 <= D; i += 4) {
    const q = <usize>i << 2;
    v128.store(po + q, f32x4.mul(v128.load(py + q), f32x4.sub(v128.load(pg + q), dv)));
  }
  for (; i < D; i++) {
    const q = <usize>i << 2;
    store<f32>(po + q, load<f32>(py + q) * (load<f32>(pg + q) - d32));
  }
}

function backwardRowF64(py: usize, pg: usize, po: usize, D: i32, log: bool): void {
  let s: f64 = 0;
  if (log) {
    for (let i = 0; i < D; i++) s += load<f64>(pg + (<usize>i << 3));
    for (let i = 0; i < D; i++) {
      const q = <usize>i << 3;
      store<f64>(po + q, load<f64>(pg + q) - Math.exp(load<f64>(py + q)) * s);
    }
    return;
  }
  for (let i = 0; i < D; i++) s += load<f64>(pg + (<usize>i << 3)) * load<f64>(py + (<usize>i << 3));
  for (let i = 0; i < D; i++) {
    const q = <usize>i << 3;
    store<f64>(po + q, load<f64>(py + q) * (load<f64>(pg + q) - s));
  }
}

/** dx from the forward output y and the gradient g (R contiguous rows of D each). */
export function softmaxBackward(dt: i32, log: i32, R: i32, D: i32, py: usize, pg: usize, po: usize): void {
  const sh: usize = dt == F32 ? 2 : 3;
  const rowBytes = <usize>D << sh;
  for (let r = 0; r < R; r++) {
    const off = <usize>r * rowBytes;
    if (dt == F32) backwardRowF32(py + off, pg + off, po + off, D, log != 0);
    else backwardRowF64(py + off, pg + off, po + off, D, log != 0);
  }
}
