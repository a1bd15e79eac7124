/**
 * Fused GELU, forward and backward, over n contiguous elements (one pass each).
 *
 * The composite (ops/elementwise.ts) makes five elementwise passes forward (seven for the tanh
 * form) and about ten backward through autograd. Forward: the tanh form follows the composite's float32 operation sequence exactly (each product and sum
 * rounded to float32, constants rounded as scalar operands are, tanh in float64 and rounded), in
 * f32x4 lanes with the unary kernel's float64 tanh, so it equals the composite bit for bit.
 * Backward follows PyTorch's GeluBackward in float64 and rounds once:
 *   exact: g·(Φ(x) + x·φ(x)), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π);
 *   tanh:  u = √(2/π)(x + κx³), t = tanh u,
 *          g·(½(1 + t) + ½x·(1 − t²)·√(2/π)(1 + 3κx²)), κ = 0.044715.
 * float32 exact form: x·Φ(x) in float64 lanes with a Chebyshev erfc (cdf2, ~1e−7 relative), rounded
 * once, so it is no longer the composite's bit pattern but within ~2 ulps of the true value (the
 * composite's 1 + erf cancels for negative x); its vector tail and float64 use the unary kernel's
 * scalar float64 erf (series / continued fraction), the one the composite calls.
 */
import { F32 } from './common';
import { EXP_K, TANH, erf, exp2lanes, fn4 } from './unary';

const KAPPA: f64 = 0.044715;
const SQRT_2_OVER_PI: f64 = 0.7978845608028654; // √(2/π), as Math.sqrt(2 / Math.PI)
const INV_SQRT_2PI: f64 = 0.3989422804014327; // 1/√(2π)

/** tanh of two float64 lanes: 1 − 2/(e^2x + 1), and its odd series below |x| 0.01 (as the unary kernel). */
@inline function tanh2(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const e2 = exp2lanes(f64x2.add(x, x), EXP_K);
  const big = f64x2.sub(one, f64x2.div(f64x2.splat(2.0), f64x2.add(e2, one)));
  const x2 = f64x2.mul(x, x);
  const series = f64x2.mul(x, f64x2.add(one, f64x2.mul(x2, f64x2.add(f64x2.splat(-1.0 / 3.0), f64x2.mul(x2, f64x2.splat(2.0 / 15.0))))));
  return v128.bitselect(series, big, f64x2.lt(f64x2.abs(x), f64x2.splat(0.01)));
}

/** The tanh form's backward factor (float64 lanes): ½(1 + t) + ½x·(1 − t²)·√(2/π)(1 + 3κx²). */
@inline function dTanh2(x: v128): v128 {
  const x2 = f64x2.mul(x, x);
  const u = f64x2.mul(f64x2.splat(SQRT_2_OVER_PI), f64x2.add(x, f64x2.mul(f64x2.splat(KAPPA), f64x2.mul(x2, x))));
  const t = tanh2(u);
  const half = f64x2.splat(0.5);
  const one = f64x2.splat(1.0);
  const left = f64x2.mul(half, f64x2.add(one, t));
  const inner = f64x2.mul(f64x2.splat(SQRT_2_OVER_PI), f64x2.add(one, f64x2.mul(f64x2.splat(3.0 * KAPPA), x2)));
  const right = f64x2.mul(f64x2.mul(f64x2.mul(half, x), f64x2.sub(one, f64x2.mul(t, t))), inner);
  return f64x2.add(left, right);
}

@inline function dTanh1(x: f64): f64 {
  const u = SQRT_2_OVER_PI * (x + KAPPA * x * x * x);
  const t = Math.tanh(u);
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x);
}

@inline function dErf1(x: f64): f64 {
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Φ(x) = ½·erfc(−x/√2) of two float64 lanes, from Numerical Recipes' erfcc (a Chebyshev fit
 * erfc(z) = t·e^(−z² + P(t)), t = 1/(1 + z/2), fractional error below 1.2e−7 for every z ≥ 0).
 * Used for float32 rows only: x·Φ(x) is then within about 2 float32 ulps of the exact value
 * everywhere, including the negative tail, where the composite's float32 1 + erf(x/√2) cancels
 * (absolute error up to 3e−8·|x| there). Four lanes of this cost less than one scalar erf.
 */
@inline function cdf2(x: v128): v128 {
  const z = f64x2.abs(f64x2.mul(x, f64x2.splat(Math.SQRT1_2)));
  const t = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(0.5), z)));
  let p = f64x2.splat(0.17087277);
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(-0.82215223));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.48851587));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(-1.13520398));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(0.27886807));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(-0.18628806));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(0.09678418));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(0.37409196));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.00002368));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(-1.26551223));
  const half = f64x2.mul(f64x2.splat(0.5), f64x2.mul(t, exp2lanes(f64x2.sub(p, f64x2.mul(z, z)), EXP_K))); // ½·erfc(|x|/√2)
  return v128.bitselect(half, f64x2.sub(f64x2.splat(1.0), half), f64x2.lt(x, f64x2.splat(0)));
}

function geluF32(approx: i32, n: i32, px: usize, py: usize): void {
  const half: f32 = 0.5;
  if (approx != 0) {
    const k1 = f32x4.splat(<f32>KAPPA);
    const k2 = f32x4.splat(<f32>SQRT_2_OVER_PI);
    const hv = f32x4.splat(half);
    const one = f32x4.splat(1);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const q = <usize>i << 2;
      const x = v128.load(px + q);
      const cube = f32x4.mul(f32x4.mul(x, x), x);
      const inner = f32x4.mul(f32x4.add(x, f32x4.mul(cube, k1)), k2);
      const t = fn4(TANH, inner);
      v128.store(py + q, f32x4.mul(f32x4.mul(x, hv), f32x4.add(t, one)));
    }
    for (; i < n; i++) {
      const q = <usize>i << 2;
      const x = load<f32>(px + q);
      const inner: f32 = (x + x * x * x * <f32>KAPPA) * <f32>SQRT_2_OVER_PI;
      const t = <f32>Math.tanh(<f64>inner);
      store<f32>(py + q, (x * half) * (t + 1));
    }
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = <usize>i << 2;
    const x = v128.load(px + q);
    const lo = f64x2.mul(f64x2.promote_low_f32x4(x), cdf2(f64x2.promote_low_f32x4(x)));
    const xs = i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    const hi = f64x2.mul(f64x2.promote_low_f32x4(xs), cdf2(f64x2.promote_low_f32x4(xs)));
    v128.store(py + q, i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  const s = <f32>Math.SQRT1_2;
  for (; i < n; i++) {
    const q = <usize>i << 2;
    const x = load<f32>(px + q);
    const e = <f32>erf(<f64>(x * s));
    store<f32>(py + q, (x * half) * (e + 1));
  }
}

function geluF64(approx: i32, n: i32, px: usize, py: usize): void {
  for (let i = 0; i < n; i++) {
    const q = <usize>i << 3;
    const x = load<f64>(px + q);
    let y: f64;
    if (approx != 0) y = (x * 0.5) * (Math.tanh((x + x * x * x * KAPPA) * SQRT_2_OVER_PI) + 1);
    else y = (x * 0.5) * (erf(x * Math.SQRT1_2) + 1);
    store<f64>(py + q, y);
  }
}

/** y = gelu(x) over n contiguous elements of dtype dt; approx 1 selects the tanh form. */
export function gelu(dt: i32, approx: i32, n: i32, px: usize, py: usize): void {
  if (dt == F32) geluF32(approx, n, px, py);
  else geluF64(approx, n, px, py);
}

/** The exact form's factor Φ(x) + x·φ(x) in float64 lanes, with Φ(x) = y/x recovered from the forward output (½ at x = 0). */
@inline function dErf2(x: v128, y: v128): v128 {
  const zero = f64x2.eq(x, f64x2.splat(0));
  const cdf = v128.bitselect(f64x2.splat(0.5), f64x2.div(y, x), zero);
  const pdf = f64x2.mul(f64x2.splat(INV_SQRT_2PI), exp2lanes(f64x2.mul(f64x2.splat(-0.5), f64x2.mul(x, x)), EXP_K));
  return f64x2.add(cdf, f64x2.mul(x, pdf));
}

function geluBackwardF32(approx: i32, n: i32, px: usize, py: usize, pg: usize, pdx: usize): void {
  let i = 0;
  if (approx == 0 && py != 0) {
    // Φ(x) = y/x: the forward's erf, without a second (scalar) erf per element.
    for (; i + 4 <= n; i += 4) {
      const q = <usize>i << 2;
      const x = v128.load(px + q);
      const y = v128.load(py + q);
      const g = v128.load(pg + q);
      const lo = f64x2.mul(f64x2.promote_low_f32x4(g), dErf2(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(y)));
      const xs = i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
      const ys = i8x16.shuffle(y, y, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
      const gs = i8x16.shuffle(g, g, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
      const hi = f64x2.mul(f64x2.promote_low_f32x4(gs), dErf2(f64x2.promote_low_f32x4(xs), f64x2.promote_low_f32x4(ys)));
      v128.store(pdx + q, i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    }
  }
  if (approx != 0) {
    for (; i + 4 <= n; i += 4) {
      const q = <usize>i << 2;
      const x = v128.load(px + q);
      const g = v128.load(pg + q);
      const lo = f64x2.mul(f64x2.promote_low_f32x4(g), dTanh2(f64x2.promote_low_f32x4(x)));
      const xs = i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
      const gs = i8x16.shuffle(g, g, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
      const hi = f64x2.mul(f64x2.promote_low_f32x4(gs), dTanh2(f64x2.promote_low_f32x4(xs)));
      v128.store(pdx + q, i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    }
  }
  for (; i < n; i++) {
    const q = <usize>i << 2;
    const x = <f64>load<f32>(px + q);
    const d = approx != 0 ? dTanh1(x) : dErf1(x);
    store<f32>(pdx + q, <f32>(<f64>load<f32>(pg + q) * d));
  }
}

function geluBackwardF64(approx: i32, n: i32, px: usize, pg: usize, pdx: usize): void {
  for (let i = 0; i < n; i++) {
    const q = <usize>i << 3;
    const x = load<f64>(px + q);
    store<f64>(pdx + q, load<f64>(pg + q) * (approx != 0 ? dTanh1(x) : dErf1(x)));
  }
}

/**
 * dx = g·gelu'(x) over n contiguous elements (x, g, dx of dtype dt). py: the forward output, or
 * 0; float32 exact-form rows use it for Φ(x) = y/x (relative error of a float32 ulp, the
 * rounding y already carries), everything else evaluates erf again.
 */
export function geluBackward(dt: i32, approx: i32, n: i32, px: usize, py: usize, pg: usize, pdx: usize): void {
  if (dt == F32) geluBackwardF32(approx, n, px, py, pg, pdx);
  else geluBackwardF64(approx, n, px, pg, pdx);
}

/**
 * ReLU's backward from its output: dx = g where y > 0, else 0 (NaN y gives 0, as the composite's
 * where(y > 0, g, 0)); one pass, the compare's lane mask ANDed with g.
 */
export function reluBackward(dt: i32, n: i32, py: usize, pg: usize, pdx: usize): void {
  const wide = dt != F32;
  const sh: usize = wide ? 3 : 2;
  const lanes = wide ? 2 : 4;
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i << sh;
    const y = v128.load(py + o);
    const m = wide ? f64x2.gt(y, f64x2.splat(0)) : f32x4.gt(y, f32x4.splat(0));
    v128.store(pdx + o, v128.and(v128.load(pg + o), m));
  }
  for (; i < n; i++) {
    const o = <usize>i << sh;
    if (wide) store<f64>(pdx + o, load<f64>(py + o) > 0 ? load<f64>(pg + o) : 0);
    else store<f32>(pdx + o, load<f32>(py + o) > 0 ? load<f32>(pg + o) : 0);
  }
}
