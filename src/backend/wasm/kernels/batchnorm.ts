/**
 * Fused batch norm over x [N, C, S] (S = the product of the spatial dims, 1 for (N, C) input),
 * forward and backward, one channel at a time.
 *
 * Why per channel: a channel's N planes of S contiguous elements (128 × 784 floats = 392 KiB in
 * the small ResNet's first stage) stay in L2 while the kernel makes its passes over them, so x is
 * read from memory about once, instead of the composite's ~10 passes forward and ~15 backward
 * through autograd, each with a fresh temporary. Each plane is walked with v128 loads (f32x4 for
 * float32, f64x2 for float64) and a scalar tail.
 *
 * Forward, training: two-pass statistics (mean = Σx / M, then var = Σ(x − mean)² / M, M = N·S),
 * never E[x²] − E[x]², so an input like 1000 + randn keeps its variance. Float32 sums are
 * accumulated in float64 (each f32x4 promoted to two f64x2 lanes) and rounded once. Then
 * rstd = 1/√(var + eps) and y = ((x − mean)·rstd)·w + b, every step one float32 operation in the
 * composite's order (ops/norm.ts), so y differs from the composite only through the summation
 * order of mean and var. Eval: mean and var are the running buffers (inputs), same normalise pass.
 *
 * Backward (training), per channel, with x̂ = (x − mean)·rstd, two passes:
 *   dbias = Σ g, dweight = Σ g·x̂ (float64 sums),
 *   dx = (w·rstd)·(g − Σg/M − x̂·Σg·x̂/M).
 * In eval mode the statistics are constants, so dx = (w·rstd)·g.
 */
import { F32 } from './common';

/** The high two float32 lanes of v moved to the low half (for f64x2.promote_low_f32x4). */
@inline function high(v: v128): v128 {
  return i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Byte address of plane (n, c) of x [N, C, S] with element size 1 << sh. */
@inline function plane(p: usize, n: i32, C: i32, c: i32, S: i32, sh: usize): usize {
  return p + (((<usize>n * <usize>C + <usize>c) * <usize>S) << sh);
}

// ---------------------------------------------------------------- float32

/** Adds the four float32 lanes of v, promoted, to the float64 pair (lo, hi). */
@inline function addWide(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}

/**
 * Σ x over channel c, in float64. Eight elements per step into four independent accumulators:
 * one f64x2 chain would wait on the add latency (~4 cycles) every four elements.
 */
function sumF32(px: usize, N: i32, C: i32, c: i32, S: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let s: f64 = 0;
  for (let n = 0; n < N; n++) {
    const p = plane(px, n, C, c, S, 2);
    let i = 0;
    for (; i + 8 <= S; i += 8) {
      const u = v128.load(p + (<usize>i << 2));
      const v = v128.load(p + (<usize>i << 2), 16);
      a0 = addWide(a0, u);
      a1 = addWide(a1, high(u));
      a2 = addWide(a2, v);
      a3 = addWide(a3, high(v));
    }
    for (; i < S; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  }
  return s + hsum(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
}

/** Σ (x − mean)² over channel c: each difference and square a float32 operation, summed in float64. */
function sumSqF32(px: usize, N: i32, C: i32, c: i32, S: i32, mean: f32): f64 {
  const mv = f32x4.splat(mean);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let s: f64 = 0;
  for (let n = 0; n < N; n++) {
    const p = plane(px, n, C, c, S, 2);
    let i = 0;
    for (; i + 8 <= S; i += 8) {
      const d = f32x4.sub(v128.load(p + (<usize>i << 2)), mv);
      const e = f32x4.sub(v128.load(p + (<usize>i << 2), 16), mv);
      const q = f32x4.mul(d, d);
      const r = f32x4.mul(e, e);
      a0 = addWide(a0, q);
      a1 = addWide(a1, high(q));
      a2 = addWide(a2, r);
      a3 = addWide(a3, high(r));
    }
    for (; i < S; i++) {
      const d = load<f32>(p + (<usize>i << 2)) - mean;
      s += <f64>(d * d);
    }
  }
  return s + hsum(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
}

/** y = ((x − mean)·rstd)·w + b over channel c (w and b skipped when absent). */
function normaliseF32(px: usize, py: usize, N: i32, C: i32, c: i32, S: i32, mean: f32, rstd: f32, hasW: bool, w: f32, hasB: bool, b: f32): void {
  const mv = f32x4.splat(mean);
  const rv = f32x4.splat(rstd);
  const wv = f32x4.splat(w);
  const bv = f32x4.splat(b);
  for (let n = 0; n < N; n++) {
    const p = plane(px, n, C, c, S, 2);
    const o = plane(py, n, C, c, S, 2);
    let i = 0;
    for (; i + 4 <= S; i += 4) {
      const q = <usize>i << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(p + q), mv), rv);
      if (hasW) v = f32x4.mul(v, wv);
      if (hasB) v = f32x4.add(v, bv);
      v128.store(o + q, v);
    }
    for (; i < S; i++) {
      const q = <usize>i << 2;
      let v = (load<f32>(p + q) - mean) * rstd;
      if (hasW) v = v * w;
      if (hasB) v = v + b;
      store<f32>(o + q, v);
    }
  }
}

function forwardF32(training: bool, N: i32, C: i32, S: i32, px: usize, pw: usize, pb: usize, eps: f64, pmean: usize, pvar: usize, prstd: usize, py: usize, c0: i32, c1: i32): void {
  const M = <f64>N * <f64>S;
  const epsF = <f32>eps;
  for (let c = c0; c < c1; c++) {
    const q = <usize>c << 2;
    let mean: f32;
    let variance: f32;
    if (training) {
      mean = <f32>(sumF32(px, N, C, c, S) / M);
      variance = <f32>(sumSqF32(px, N, C, c, S, mean) / M);
      store<f32>(pmean + q, mean);
      store<f32>(pvar + q, variance);
    } else {
      mean = load<f32>(pmean + q);
      variance = load<f32>(pvar + q);
    }
    const rstd = <f32>(1.0 / Math.sqrt(<f64>(variance + epsF)));
    store<f32>(prstd + q, rstd);
    const w = pw != 0 ? load<f32>(pw + q) : <f32>1;
    const b = pb != 0 ? load<f32>(pb + q) : <f32>0;
    normaliseF32(px, py, N, C, c, S, mean, rstd, pw != 0, w, pb != 0, b);
  }
}

function backwardF32(training: bool, N: i32, C: i32, S: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, pdw: usize, pdb: usize, c0: i32, c1: i32): void {
  const M = <f64>N * <f64>S;
  for (let c = c0; c < c1; c++) {
    const q = <usize>c << 2;
    const mean = load<f32>(pmean + q);
    const rstd = load<f32>(prstd + q);
    const w = pw != 0 ? load<f32>(pw + q) : <f32>1;
    const mv = f32x4.splat(mean);
    const rv = f32x4.splat(rstd);
    let sg: f64 = 0;
    let sgx: f64 = 0;
    if (training || pdw != 0 || pdb != 0) {
      let g0 = f64x2.splat(0);
      let g1 = f64x2.splat(0);
      let x0 = f64x2.splat(0);
      let x1 = f64x2.splat(0);
      let g2 = f64x2.splat(0);
      let g3 = f64x2.splat(0);
      let x2 = f64x2.splat(0);
      let x3 = f64x2.splat(0);
      for (let n = 0; n < N; n++) {
        const p = plane(px, n, C, c, S, 2);
        const pgn = plane(pg, n, C, c, S, 2);
        let i = 0;
        // Eight elements per step: four chains per sum (see sumF32).
        for (; i + 8 <= S; i += 8) {
          const o = <usize>i << 2;
          const gu = v128.load(pgn + o);
          const gv = v128.load(pgn + o, 16);
          const xu = f32x4.mul(gu, f32x4.mul(f32x4.sub(v128.load(p + o), mv), rv));
          const xv = f32x4.mul(gv, f32x4.mul(f32x4.sub(v128.load(p + o, 16), mv), rv));
          g0 = addWide(g0, gu);
          g1 = addWide(g1, high(gu));
          g2 = addWide(g2, gv);
          g3 = addWide(g3, high(gv));
          x0 = addWide(x0, xu);
          x1 = addWide(x1, high(xu));
          x2 = addWide(x2, xv);
          x3 = addWide(x3, high(xv));
        }
        for (; i < S; i++) {
          const o = <usize>i << 2;
          const gi = load<f32>(pgn + o);
          sg += <f64>gi;
          sgx += <f64>(gi * ((load<f32>(p + o) - mean) * rstd));
        }
      }
      sg += hsum(f64x2.add(f64x2.add(g0, g1), f64x2.add(g2, g3)));
      sgx += hsum(f64x2.add(f64x2.add(x0, x1), f64x2.add(x2, x3)));
      if (pdw != 0) store<f32>(pdw + q, <f32>sgx);
      if (pdb != 0) store<f32>(pdb + q, <f32>sg);
    }
    if (pdx == 0) continue;
    const k = w * rstd;
    const kv = f32x4.splat(k);
    const a: f32 = training ? <f32>(sg / M) : 0;
    const b: f32 = training ? <f32>(sgx / M) : 0;
    const av = f32x4.splat(a);
    const bv = f32x4.splat(b);
    for (let n = 0; n < N; n++) {
      const p = plane(px, n, C, c, S, 2);
      const pgn = plane(pg, n, C, c, S, 2);
      const o = plane(pdx, n, C, c, S, 2);
      let i = 0;
      if (training) {
        for (; i + 4 <= S; i += 4) {
          const e = <usize>i << 2;
          const xh = f32x4.mul(f32x4.sub(v128.load(p + e), mv), rv);
          const t = f32x4.sub(f32x4.sub(v128.load(pgn + e), av), f32x4.mul(xh, bv));
          v128.store(o + e, f32x4.mul(t, kv));
        }
        for (; i < S; i++) {
          const e = <usize>i << 2;
          const xh = (load<f32>(p + e) - mean) * rstd;
          store<f32>(o + e, (load<f32>(pgn + e) - a - xh * b) * k);
        }
      } else {
        for (; i + 4 <= S; i += 4) v128.store(o + (<usize>i << 2), f32x4.mul(v128.load(pgn + (<usize>i << 2)), kv));
        for (; i < S; i++) store<f32>(o + (<usize>i << 2), load<f32>(pgn + (<usize>i << 2)) * k);
      }
    }
  }
}

// ---------------------------------------------------------------- float64

function sumF64(px: usize, N: i32, C: i32, c: i32, S: i32, mean: f64, squares: bool): f64 {
  const mv = f64x2.splat(mean);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let s: f64 = 0;
  for (let n = 0; n < N; n++) {
    const p = plane(px, n, C, c, S, 3);
    let i = 0;
    for (; i + 4 <= S; i += 4) {
      const o = <usize>i << 3;
      let v0 = v128.load(p + o);
      let v1 = v128.load(p + o + 16);
      if (squares) {
        v0 = f64x2.sub(v0, mv);
        v1 = f64x2.sub(v1, mv);
        v0 = f64x2.mul(v0, v0);
        v1 = f64x2.mul(v1, v1);
      }
      a0 = f64x2.add(a0, v0);
      a1 = f64x2.add(a1, v1);
    }
    for (; i < S; i++) {
      let v = load<f64>(p + (<usize>i << 3));
      if (squares) {
        v -= mean;
        v *= v;
      }
      s += v;
    }
  }
  return s + hsum(f64x2.add(a0, a1));
}

function normaliseF64(px: usize, py: usize, N: i32, C: i32, c: i32, S: i32, mean: f64, rstd: f64, hasW: bool, w: f64, hasB: bool, b: f64): void {
  const mv = f64x2.splat(mean);
  const rv = f64x2.splat(rstd);
  const wv = f64x2.splat(w);
  const bv = f64x2.splat(b);
  for (let n = 0; n < N; n++) {
    const p = plane(px, n, C, c, S, 3);
    const o = plane(py, n, C, c, S, 3);
    let i = 0;
    for (; i + 2 <= S; i += 2) {
      const q = <usize>i << 3;
      let v = f64x2.mul(f64x2.sub(v128.load(p + q), mv), rv);
      if (hasW) v = f64x2.mul(v, wv);
      if (hasB) v = f64x2.add(v, bv);
      v128.store(o + q, v);
    }
    for (; i < S; i++) {
      const q = <usize>i << 3;
      let v = (load<f64>(p + q) - mean) * rstd;
      if (hasW) v = v * w;
      if (hasB) v = v + b;
      store<f64>(o + q, v);
    }
  }
}

function forwardF64(training: bool, N: i32, C: i32, S: i32, px: usize, pw: usize, pb: usize, eps: f64, pmean: usize, pvar: usize, prstd: usize, py: usize, c0: i32, c1: i32): void {
  const M = <f64>N * <f64>S;
  for (let c = c0; c < c1; c++) {
    const q = <usize>c << 3;
    let mean: f64;
    let variance: f64;
    if (training) {
      mean = sumF64(px, N, C, c, S, 0, false) / M;
      variance = sumF64(px, N, C, c, S, mean, true) / M;
      store<f64>(pmean + q, mean);
      store<f64>(pvar + q, variance);
    } else {
      mean = load<f64>(pmean + q);
      variance = load<f64>(pvar + q);
    }
    const rstd = 1.0 / Math.sqrt(variance + eps);
    store<f64>(prstd + q, rstd);
    const w = pw != 0 ? load<f64>(pw + q) : 1.0;
    const b = pb != 0 ? load<f64>(pb + q) : 0.0;
    normaliseF64(px, py, N, C, c, S, mean, rstd, pw != 0, w, pb != 0, b);
  }
}

function backwardF64(training: bool, N: i32, C: i32, S: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, pdw: usize, pdb: usize, c0: i32, c1: i32): void {
  const M = <f64>N * <f64>S;
  for (let c = c0; c < c1; c++) {
    const q = <usize>c << 3;
    const mean = load<f64>(pmean + q);
    const rstd = load<f64>(prstd + q);
    const w = pw != 0 ? load<f64>(pw + q) : 1.0;
    const mv = f64x2.splat(mean);
    const rv = f64x2.splat(rstd);
    let sg: f64 = 0;
    let sgx: f64 = 0;
    if (training || pdw != 0 || pdb != 0) {
      let ag = f64x2.splat(0);
      let ax = f64x2.splat(0);
      let bg = f64x2.splat(0);
      let bx = f64x2.splat(0);
      for (let n = 0; n < N; n++) {
        const p = plane(px, n, C, c, S, 3);
        const pgn = plane(pg, n, C, c, S, 3);
        let i = 0;
        for (; i + 4 <= S; i += 4) {
          const o = <usize>i << 3;
          const gu = v128.load(pgn + o);
          const gv = v128.load(pgn + o, 16);
          ag = f64x2.add(ag, gu);
          bg = f64x2.add(bg, gv);
          ax = f64x2.add(ax, f64x2.mul(gu, f64x2.mul(f64x2.sub(v128.load(p + o), mv), rv)));
          bx = f64x2.add(bx, f64x2.mul(gv, f64x2.mul(f64x2.sub(v128.load(p + o, 16), mv), rv)));
        }
        for (; i < S; i++) {
          const o = <usize>i << 3;
          const gi = load<f64>(pgn + o);
          sg += gi;
          sgx += gi * ((load<f64>(p + o) - mean) * rstd);
        }
      }
      sg += hsum(f64x2.add(ag, bg));
      sgx += hsum(f64x2.add(ax, bx));
      if (pdw != 0) store<f64>(pdw + q, sgx);
      if (pdb != 0) store<f64>(pdb + q, sg);
    }
    if (pdx == 0) continue;
    const k = w * rstd;
    const a = training ? sg / M : 0.0;
    const b = training ? sgx / M : 0.0;
    const kv = f64x2.splat(k);
    const av = f64x2.splat(a);
    const bv = f64x2.splat(b);
    for (let n = 0; n < N; n++) {
      const p = plane(px, n, C, c, S, 3);
      const pgn = plane(pg, n, C, c, S, 3);
      const o = plane(pdx, n, C, c, S, 3);
      let i = 0;
      for (; i + 2 <= S; i += 2) {
        const e = <usize>i << 3;
        const xh = f64x2.mul(f64x2.sub(v128.load(p + e), mv), rv);
        const t = f64x2.sub(f64x2.sub(v128.load(pgn + e), av), f64x2.mul(xh, bv));
        v128.store(o + e, f64x2.mul(t, kv));
      }
      for (; i < S; i++) {
        const e = <usize>i << 3;
        const xh = (load<f64>(p + e) - mean) * rstd;
        store<f64>(o + e, (load<f64>(pgn + e) - a - xh * b) * k);
      }
    }
  }
}

// ---------------------------------------------------------------- entry points

/**
 * y [N, C, S] and rstd [C] from x [N, C, S]. Training: writes the batch mean and biased variance
 * to pmean and pvar [C]. Eval (training = 0): reads the running mean and variance from pmean and
 * pvar. pw/pb are 0 when weight/bias are absent.
 */
export function batchNorm(dt: i32, training: i32, N: i32, C: i32, S: i32, px: usize, pw: usize, pb: usize, eps: f64,
  pmean: usize, pvar: usize, prstd: usize, py: usize): void {
  if (dt == F32) forwardF32(training != 0, N, C, S, px, pw, pb, eps, pmean, pvar, prstd, py, 0, C);
  else forwardF64(training != 0, N, C, S, px, pw, pb, eps, pmean, pvar, prstd, py, 0, C);
}

/**
 * dx [N, C, S] (when pdx ≠ 0), dweight and dbias [C] (when their pointers are nonzero) from x,
 * the mean and rstd the forward used, weight (pw = 0 when absent) and g [N, C, S].
 */
export function batchNormBackward(dt: i32, training: i32, N: i32, C: i32, S: i32, px: usize, pmean: usize, prstd: usize, pw: usize,
  pg: usize, pdx: usize, pdw: usize, pdb: usize): void {
  if (dt == F32) backwardF32(training != 0, N, C, S, px, pmean, prstd, pw, pg, pdx, pdw, pdb, 0, C);
  else backwardF64(training != 0, N, C, S, px, pmean, prstd, pw, pg, pdx, pdw, pdb, 0, C);
}

/** Pointer word i of a descriptor. */
@inline function word(desc: usize, i: i32): usize {
  return <usize>load<u32>(desc + (<usize>i << 2));
}

/**
 * Channels [c0, c1) of a threaded call described at desc (int32 words): 0 dt, 1 mode (0 forward,
 * 1 backward), 2 training, 3 N, 4 C, 5 S, then forward: 6 px, 7 pw, 8 pb, 9 pmean, 10 pvar,
 * 11 prstd, 12 py; backward: 6 px, 7 pmean, 8 prstd, 9 pw, 10 pg, 11 pdx, 12 pdw, 13 pdb;
 * float64 eps at byte 64. Channels are independent (each one's sums stay within its chunk), so
 * results do not depend on how channels are cut into chunks or which thread runs them.
 */
export function batchNormChunk(desc: usize, c0: i32, c1: i32): void {
  const dt = load<i32>(desc);
  const training = load<i32>(desc, 8) != 0;
  const N = load<i32>(desc, 12); const C = load<i32>(desc, 16); const S = load<i32>(desc, 20);
  if (load<i32>(desc, 4) == 0) {
    const eps = load<f64>(desc, 64);
    if (dt == F32) forwardF32(training, N, C, S, word(desc, 6), word(desc, 7), word(desc, 8), eps, word(desc, 9), word(desc, 10), word(desc, 11), word(desc, 12), c0, c1);
    else forwardF64(training, N, C, S, word(desc, 6), word(desc, 7), word(desc, 8), eps, word(desc, 9), word(desc, 10), word(desc, 11), word(desc, 12), c0, c1);
  } else if (dt == F32) backwardF32(training, N, C, S, word(desc, 6), word(desc, 7), word(desc, 8), word(desc, 9), word(desc, 10), word(desc, 11), word(desc, 12), word(desc, 13), c0, c1);
  else backwardF64(training, N, C, S, word(desc, 6), word(desc, 7), word(desc, 8), word(desc, 9), word(desc, 10), word(desc, 11), word(desc, 12), word(desc, 13), c0, c1);
}
