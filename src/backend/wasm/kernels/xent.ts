/**
 * Fused cross-entropy with class-index targets, forward and backward, over logits x [N, C, S]
 * (S = d1·…; 1 for (N, C)) and targets t [N, S] (int64 stored as float64, or int32).
 *
 * The composite (ops/loss.ts) runs logSoftmax, gather, weight gather, smoothing sum, masking
 * and the reduction as about ten ops, each a pass over memory and an autograd node. Here one
 * kernel per direction visits each position's C logits (stride S) while they sit in cache:
 *   forward: m = max_c x (0 when ±∞, as logSoftmax), lse = m + log Σ e^(x−m) (float64 sum),
 *            loss = (1 − ε)·w[t]·(lse − x[t]) + ε/C·Σ_c w[c]·(lse − x[c]), 0 at ignored targets;
 *            it stores loss (dtype), lse (float64, saved for backward) and adds Σ loss (of the
 *            rounded losses, as the composite's sum) and Σ w[t] to acc[0], acc[1] (float64).
 *   backward: with p = e^(x − lse), coef the upstream gradient of this position (g[i] or one
 *            scalar, times `scale`: 1/denominator for 'mean'), a = (1 − ε)·w[t]·coef,
 *            b = ε/C·coef and W = Σ_c w[c]:  dx[c] = p[c]·(a + b·W) − b·w[c] − a·[c = t];
 *            ignored positions get 0 whatever coef is (a mean over no target has coef ∞).
 * Arithmetic is float64, rounded once when stored; contiguous float32 rows (S = 1) run the max
 * and e^x in f32x4 lanes (exp4f, float32-accurate; sums still in float64); other rows use the
 * unary kernel's float64 exp polynomial.
 */
import { F32, loadAs } from './common';
import { expf4 } from './vexp';
import { EXP_K, exp2lanes } from './unary';

@inline function ldv(wide: bool, p: usize, i: usize): f64 {
  return wide ? load<f64>(p + (i << 3)) : <f64>load<f32>(p + (i << 2));
}

@inline function stv(wide: bool, p: usize, i: usize, v: f64): void {
  if (wide) store<f64>(p + (i << 3), v);
  else store<f32>(p + (i << 2), <f32>v);
}

@inline function rnd(wide: bool, v: f64): f64 {
  return wide ? v : <f64><f32>v;
}

@inline function exp1(x: f64): f64 {
  return f64x2.extract_lane(exp2lanes(f64x2.splat(x), EXP_K), 0);
}

@inline function hi2(v: v128): v128 {
  return i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

/** log Σ_c e^(x[c]) of a contiguous float32 row, stabilised by the row max. */
function lseRowF32(p: usize, C: i32): f64 {
  let mv = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= C; i += 4) mv = f32x4.max(mv, v128.load(p + (<usize>i << 2)));
  let m = max<f32>(max<f32>(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max<f32>(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; i < C; i++) m = max<f32>(m, load<f32>(p + (<usize>i << 2)));
  if (Mathf.abs(m) == Infinity) m = 0;
  let acc = f64x2.splat(0);
  i = 0;
  const mf = f32x4.splat(m);
  for (; i + 4 <= C; i += 4) {
    const e = expf4(f32x4.sub(v128.load(p + (<usize>i << 2)), mf));
    acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(hi2(e))));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < C; i++) s += exp1(<f64>load<f32>(p + (<usize>i << 2)) - <f64>m);
  return <f64>m + Math.log(s);
}

/** The same over C values of stride S (any float dtype). */
@inline function lseStrided(wide: bool, p: usize, C: i32, S: usize): f64 {
  let m: f64 = -Infinity;
  for (let c = 0; c < C; c++) {
    const v = ldv(wide, p, <usize>c * S);
    m = v != v ? v : max<f64>(m, v);
  }
  if (Math.abs(m) == Infinity) m = 0;
  let s: f64 = 0;
  for (let c = 0; c < C; c++) s += exp1(ldv(wide, p, <usize>c * S) - m);
  return m + Math.log(s);
}

@inline function forwardAll(wide: bool, tdt: i32, N: i32, C: i32, S: i32, px: usize, pt: usize, pw: usize, ignore: f64, eps: f64,
  ploss: usize, plse: usize, pacc: usize): void {
  let total: f64 = 0;
  let wsum: f64 = 0;
  const s64 = <usize>S;
  const smooth = eps / <f64>C;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = <usize>n * s64 + <usize>s;
      const t = loadAs(tdt, pt, <isize>i);
      if (t == ignore) {
        stv(wide, ploss, i, 0);
        store<f64>(plse + (i << 3), 0);
        continue;
      }
      const ti = <i32>t;
      const row = px + ((<usize>n * <usize>C * s64 + <usize>s) << (wide ? 3 : 2));
      const lse = !wide && S == 1 ? lseRowF32(row, C) : lseStrided(wide, row, C, s64);
      const wt = pw != 0 ? ldv(wide, pw, <usize>ti) : 1.0;
      let l = wt * (lse - ldv(wide, row, <usize>ti * s64));
      if (eps > 0) {
        let sm: f64 = 0;
        for (let c = 0; c < C; c++) {
          const wc = pw != 0 ? ldv(wide, pw, <usize>c) : 1.0;
          sm += wc * (lse - ldv(wide, row, <usize>c * s64));
        }
        l = (1 - eps) * l + smooth * sm;
      }
      const lr = rnd(wide, l);
      stv(wide, ploss, i, lr);
      store<f64>(plse + (i << 3), lse);
      total += lr;
      wsum += wt;
    }
  }
  store<f64>(pacc, total);
  store<f64>(pacc + 8, wsum);
}

/**
 * Per-position losses [N·S] (dtype dt), lse [N·S] (float64), and acc = [Σ loss, Σ w[t]]
 * (float64) over the non-ignored positions. pw is 0 without class weights.
 */
export function crossEntropy(dt: i32, tdt: i32, N: i32, C: i32, S: i32, px: usize, pt: usize, pw: usize, ignore: f64, eps: f64,
  ploss: usize, plse: usize, pacc: usize): void {
  if (dt == F32) forwardAll(false, tdt, N, C, S, px, pt, pw, ignore, eps, ploss, plse, pacc);
  else forwardAll(true, tdt, N, C, S, px, pt, pw, ignore, eps, ploss, plse, pacc);
}

/** dx of one contiguous float32 row: p·A − b·w[c] (the −a at c = t is applied by the caller). */
function backwardRowF32(p: usize, pd: usize, pw: usize, C: i32, lse: f64, A: f64, b: f64): void {
  const lv = f64x2.splat(lse);
  const av = f64x2.splat(A);
  const bv = f64x2.splat(b);
  let i = 0;
  for (; i + 4 <= C; i += 4) {
    const q = <usize>i << 2;
    const v = v128.load(p + q);
    // x − lse in float64 (lse is float64), rounded to float32 for the float32 exp.
    const d = i8x16.shuffle(f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v), lv)),
      f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(hi2(v)), lv)), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const e = expf4(d);
    let lo = f64x2.mul(f64x2.promote_low_f32x4(e), av);
    let hi = f64x2.mul(f64x2.promote_low_f32x4(hi2(e)), av);
    if (pw != 0) {
      const w = v128.load(pw + q);
      lo = f64x2.sub(lo, f64x2.mul(bv, f64x2.promote_low_f32x4(w)));
      hi = f64x2.sub(hi, f64x2.mul(bv, f64x2.promote_low_f32x4(hi2(w))));
    } else {
      lo = f64x2.sub(lo, bv);
      hi = f64x2.sub(hi, bv);
    }
    v128.store(pd + q, i8x16.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < C; i++) {
    const q = <usize>i << 2;
    const wc = pw != 0 ? <f64>load<f32>(pw + q) : 1.0;
    store<f32>(pd + q, <f32>(exp1(<f64>load<f32>(p + q) - lse) * A - b * wc));
  }
}

@inline function backwardAll(wide: bool, tdt: i32, N: i32, C: i32, S: i32, px: usize, pt: usize, pw: usize, ignore: f64, eps: f64,
  plse: usize, pg: usize, scale: f64, pdx: usize): void {
  const s64 = <usize>S;
  let W: f64 = <f64>C;
  if (pw != 0) {
    W = 0;
    for (let c = 0; c < C; c++) W += ldv(wide, pw, <usize>c);
  }
  const smooth = eps / <f64>C;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = <usize>n * s64 + <usize>s;
      const t = loadAs(tdt, pt, <isize>i);
      const off = <usize>n * <usize>C * s64 + <usize>s;
      const row = px + (off << (wide ? 3 : 2));
      const drow = pdx + (off << (wide ? 3 : 2));
      if (t == ignore) {
        for (let c = 0; c < C; c++) stv(wide, drow, <usize>c * s64, 0);
        continue;
      }
      const ti = <usize><i32>t;
      const coef = (pg != 0 ? ldv(wide, pg, i) : 1.0) * scale;
      const wt = pw != 0 ? ldv(wide, pw, ti) : 1.0;
      const a = (1 - eps) * wt * coef;
      const b = smooth * coef;
      const lse = load<f64>(plse + (i << 3));
      const A = a + b * W;
      if (!wide && S == 1) {
        backwardRowF32(row, drow, pw, C, lse, A, b);
      } else {
        for (let c = 0; c < C; c++) {
          const wc = pw != 0 ? ldv(wide, pw, <usize>c) : 1.0;
          stv(wide, drow, <usize>c * s64, exp1(ldv(wide, row, <usize>c * s64) - lse) * A - b * wc);
        }
      }
      const wtt = pw != 0 ? ldv(wide, pw, ti) : 1.0;
      stv(wide, drow, ti * s64, exp1(ldv(wide, row, ti * s64) - lse) * A - b * wtt - a);
    }
  }
}

/**
 * dx [N, C, S] from x, t, the saved lse, and the upstream gradient: g [N·S] (pg nonzero, for
 * reduction 'none') or the scalar `scale` alone (pg 0); scale multiplies either (1/denominator
 * for 'mean').
 */
export function crossEntropyBackward(dt: i32, tdt: i32, N: i32, C: i32, S: i32, px: usize, pt: usize, pw: usize, ignore: f64, eps: f64,
  plse: usize, pg: usize, scale: f64, pdx: usize): void {
  if (dt == F32) backwardAll(false, tdt, N, C, S, px, pt, pw, ignore, eps, plse, pg, scale, pdx);
  else backwardAll(true, tdt, N, C, S, px, pt, pw, ignore, eps, plse, pg, scale, pdx);
}
