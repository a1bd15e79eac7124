/**
 * Fused layer norm over the last axis (R contiguous rows of D), forward and backward, in v128
 * SIMD: f32x4 for float32, f64x2 for float64, scalar tails for D not a multiple of the width.
 *
 * Forward follows the composite (ops/norm.ts) operation for operation in the tensor's dtype:
 * mean = Σx / D, c = x − mean, var = Σc² / D, rstd = 1/√(var + eps), y = c·rstd·w + b. Every
 * elementwise step is one operation of the dtype (for float32 an f32x4 op, which is exactly the
 * float64 op rounded to float32); the two sums are accumulated in float64 (float32 lanes promoted)
 * in four independent f64x2 accumulators, eight elements a step (one chain would wait on the add
 * latency), added pairwise at the end, then the scalar tail: so y matches the composite up to the
 * summation order of the two row sums. The per-row mean and rstd are saved for backward. One read
 * of x for each sum and one for y, instead of about ten passes with temporaries.
 *
 * Backward, per row, with x̂ = (x − mean)·rstd and ĝ = g·w (one dtype operation each):
 *   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)),
 * the row sums Σĝ and Σĝ·x̂ accumulated in float64 (for float32, ĝ and x̂ promoted, so each
 * product ĝ·x̂ is exact), the final line in the dtype with mean(ĝ), mean(ĝ·x̂) rounded to it.
 * The column sums dw = Σ_rows g·x̂ and db = Σ_rows g are float64 too: threaded calls give each
 * chunk of rows its own float64 partial row pair in scratch (the host picks chunk boundaries from
 * R alone), and a reduce pass adds the partials in chunk order, so the results are bit-identical
 * whatever the thread count.
 *
 * The residual form (Backend.fused.addLayerNorm, the post-norm Transformer's norm(x + sublayer(x)))
 * first adds the two inputs row by row (one dtype add per element, stored: backward needs the
 * sum), then normalises the sum while it is still in L1: one pass over memory fewer than an add
 * kernel followed by layer norm.
 */
import { F32 } from './common';
import { backwardF32, backwardF64, hi, hsum, lo, reduceColumns } from './norm-backward';

@inline function sum4(a0: v128, a1: v128, a2: v128, a3: v128): f64 {
  return hsum(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
}

// ---------------------------------------------------------------- float32 forward

/** Σ x over a row of D float32, in float64. */
function rowSumF32(x: usize, D: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= D; i += 8) {
    const u = v128.load(x + (<usize>i << 2));
    const v = v128.load(x + (<usize>i << 2), 16);
    a0 = f64x2.add(a0, lo(u));
    a1 = f64x2.add(a1, hi(u));
    a2 = f64x2.add(a2, lo(v));
    a3 = f64x2.add(a3, hi(v));
  }
  if (i + 4 <= D) {
    const u = v128.load(x + (<usize>i << 2));
    a0 = f64x2.add(a0, lo(u));
    a1 = f64x2.add(a1, hi(u));
    i += 4;
  }
  let s = sum4(a0, a1, a2, a3);
  for (; i < D; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** Σ (x − mean)² over a row: difference and square float32 operations, summed in float64. */
function rowSumSqF32(x: usize, D: i32, mean: f32): f64 {
  const mv = f32x4.splat(mean);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= D; i += 8) {
    const d = f32x4.sub(v128.load(x + (<usize>i << 2)), mv);
    const e = f32x4.sub(v128.load(x + (<usize>i << 2), 16), mv);
    const q = f32x4.mul(d, d);
    const r = f32x4.mul(e, e);
    a0 = f64x2.add(a0, lo(q));
    a1 = f64x2.add(a1, hi(q));
    a2 = f64x2.add(a2, lo(r));
    a3 = f64x2.add(a3, hi(r));
  }
  if (i + 4 <= D) {
    const d = f32x4.sub(v128.load(x + (<usize>i << 2)), mv);
    const q = f32x4.mul(d, d);
    a0 = f64x2.add(a0, lo(q));
    a1 = f64x2.add(a1, hi(q));
    i += 4;
  }
  let s = sum4(a0, a1, a2, a3);
  for (; i < D; i++) {
    const d = load<f32>(x + (<usize>i << 2)) - mean;
    s += <f64>(d * d);
  }
  return s;
}

/** s = a + b over a row of D float32 (f32x4 adds, as the elementwise add). */
function addRowF32(a: usize, b: usize, s: usize, D: i32): void {
  let i = 0;
  for (; i + 4 <= D; i += 4) {
    const q = <usize>i << 2;
    v128.store(s + q, f32x4.add(v128.load(a + q), v128.load(b + q)));
  }
  for (; i < D; i++) {
    const q = <usize>i << 2;
    store<f32>(s + q, load<f32>(a + q) + load<f32>(b + q));
  }
}

/**
 * Rows [r0, r1); when pa2 is nonzero, x is first replaced by the row sum s = x + x2, stored at ps.
 * ps may be py (a sum nobody keeps): each element of the row is then read before it is overwritten.
 */
function forwardF32(D: i32, px: usize, pw: usize, pb: usize, eps: f64, py: usize, pmean: usize, prstd: usize, r0: i32, r1: i32, pa2: usize = 0, ps: usize = 0): void {
  const epsF = <f32>eps;
  const dD = <f64>D;
  const hasW = pw != 0;
  const hasB = pb != 0;
  for (let r = r0; r < r1; r++) {
    let x = px + ((<usize>r * <usize>D) << 2);
    const y = py + ((<usize>r * <usize>D) << 2);
    if (pa2 != 0) {
      const s = ps + ((<usize>r * <usize>D) << 2);
      addRowF32(x, pa2 + ((<usize>r * <usize>D) << 2), s, D);
      x = s;
    }
    const mean = <f32>(<f64><f32>rowSumF32(x, D) / dD);
    const variance = <f32>(<f64><f32>rowSumSqF32(x, D, mean) / dD);
    const rstd = <f32>(1.0 / Math.sqrt(<f64>(variance + epsF)));
    store<f32>(pmean + (<usize>r << 2), mean);
    store<f32>(prstd + (<usize>r << 2), rstd);
    const mv = f32x4.splat(mean);
    const rv = f32x4.splat(rstd);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      const q = <usize>i << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(x + q), mv), rv);
      if (hasW) v = f32x4.mul(v, v128.load(pw + q));
      if (hasB) v = f32x4.add(v, v128.load(pb + q));
      v128.store(y + q, v);
    }
    for (; i < D; i++) {
      const q = <usize>i << 2;
      let v = (load<f32>(x + q) - mean) * rstd;
      if (hasW) v = v * load<f32>(pw + q);
      if (hasB) v = v + load<f32>(pb + q);
      store<f32>(y + q, v);
    }
  }
}

// ---------------------------------------------------------------- float64 forward

function rowSumF64(x: usize, D: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= D; i += 8) {
    const p = x + (<usize>i << 3);
    a0 = f64x2.add(a0, v128.load(p));
    a1 = f64x2.add(a1, v128.load(p, 16));
    a2 = f64x2.add(a2, v128.load(p, 32));
    a3 = f64x2.add(a3, v128.load(p, 48));
  }
  for (; i + 2 <= D; i += 2) a0 = f64x2.add(a0, v128.load(x + (<usize>i << 3)));
  let s = sum4(a0, a1, a2, a3);
  for (; i < D; i++) s += load<f64>(x + (<usize>i << 3));
  return s;
}

function rowSumSqF64(x: usize, D: i32, mean: f64): f64 {
  const mv = f64x2.splat(mean);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= D; i += 8) {
    const p = x + (<usize>i << 3);
    const d0 = f64x2.sub(v128.load(p), mv);
    const d1 = f64x2.sub(v128.load(p, 16), mv);
    const d2 = f64x2.sub(v128.load(p, 32), mv);
    const d3 = f64x2.sub(v128.load(p, 48), mv);
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
    a2 = f64x2.add(a2, f64x2.mul(d2, d2));
    a3 = f64x2.add(a3, f64x2.mul(d3, d3));
  }
  for (; i + 2 <= D; i += 2) {
    const d = f64x2.sub(v128.load(x + (<usize>i << 3)), mv);
    a0 = f64x2.add(a0, f64x2.mul(d, d));
  }
  let s = sum4(a0, a1, a2, a3);
  for (; i < D; i++) {
    const d = load<f64>(x + (<usize>i << 3)) - mean;
    s += d * d;
  }
  return s;
}

/** s = a + b over a row of D float64. */
function addRowF64(a: usize, b: usize, s: usize, D: i32): void {
  let i = 0;
  for (; i + 2 <= D; i += 2) {
    const q = <usize>i << 3;
    v128.store(s + q, f64x2.add(v128.load(a + q), v128.load(b + q)));
  }
  for (; i < D; i++) {
    const q = <usize>i << 3;
    store<f64>(s + q, load<f64>(a + q) + load<f64>(b + q));
  }
}

function forwardF64(D: i32, px: usize, pw: usize, pb: usize, eps: f64, py: usize, pmean: usize, prstd: usize, r0: i32, r1: i32, pa2: usize = 0, ps: usize = 0): void {
  const dD = <f64>D;
  const hasW = pw != 0;
  const hasB = pb != 0;
  for (let r = r0; r < r1; r++) {
    let x = px + ((<usize>r * <usize>D) << 3);
    const y = py + ((<usize>r * <usize>D) << 3);
    if (pa2 != 0) {
      const s = ps + ((<usize>r * <usize>D) << 3);
      addRowF64(x, pa2 + ((<usize>r * <usize>D) << 3), s, D);
      x = s;
    }
    const mean = rowSumF64(x, D) / dD;
    const variance = rowSumSqF64(x, D, mean) / dD;
    const rstd = 1.0 / Math.sqrt(variance + eps);
    store<f64>(pmean + (<usize>r << 3), mean);
    store<f64>(prstd + (<usize>r << 3), rstd);
    const mv = f64x2.splat(mean);
    const rv = f64x2.splat(rstd);
    let i = 0;
    for (; i + 2 <= D; i += 2) {
      const q = <usize>i << 3;
      let v = f64x2.mul(f64x2.sub(v128.load(x + q), mv), rv);
      if (hasW) v = f64x2.mul(v, v128.load(pw + q));
      if (hasB) v = f64x2.add(v, v128.load(pb + q));
      v128.store(y + q, v);
    }
    for (; i < D; i++) {
      const q = <usize>i << 3;
      let v = (load<f64>(x + q) - mean) * rstd;
      if (hasW) v = v * load<f64>(pw + q);
      if (hasB) v = v + load<f64>(pb + q);
      store<f64>(y + q, v);
    }
  }
}

/** y, mean [R], rstd [R] from x [R, D]; pw/pb are 0 when weight/bias are absent. */
export function layerNorm(dt: i32, R: i32, D: i32, px: usize, pw: usize, pb: usize, eps: f64, py: usize, pmean: usize, prstd: usize): void {
  if (dt == F32) forwardF32(D, px, pw, pb, eps, py, pmean, prstd, 0, R);
  else forwardF64(D, px, pw, pb, eps, py, pmean, prstd, 0, R);
}

/**
 * dx [R, D] and, when their pointers are nonzero, dweight and dbias [D]; acc is a scratch of
 * 16·D bytes. pw is 0 without a weight. One chunk of all R rows (the threaded path, through
 * layerNormChunk, cuts the rows into chunks and so sums the columns in a different order).
 */
export function layerNormBackward(dt: i32, R: i32, D: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, pdw: usize, pdb: usize, acc: usize): void {
  const cols = pdw != 0 || pdb != 0;
  if (dt == F32) backwardF32(D, px, pmean, prstd, pw, pg, pdx, cols, acc, 0, R);
  else backwardF64(D, px, pmean, prstd, pw, pg, pdx, cols, acc, 0, R);
  if (cols) reduceColumns(dt != F32, D, acc, 1, pdw, pdb, 0, D);
}

/** Pointer word i of a descriptor. */
@inline function word(desc: usize, i: i32): usize {
  return <usize>load<u32>(desc + (<usize>i << 2));
}

/**
 * Items [i0, i1) of a chunked call described at desc (int32 words): 0 dt, 1 mode, 2 R, 3 D, then
 * - mode 0, forward, items are rows: 4 px, 5 pw, 6 pb, 7 py, 8 pmean, 9 prstd; float64 eps at byte 64;
 *   with 10 px2 nonzero, the residual form: x + x2 is normalised and also stored at 11 ps;
 * - mode 1, backward, items are rows: 4 px, 5 pmean, 6 prstd, 7 pw, 8 pg, 9 pdx, 10 pdw, 11 pdb,
 *   12 acc (16·D bytes per chunk: chunk `chunk` writes its float64 column partials there);
 * - mode 2, the column sums, items are columns: 10 pdw, 11 pdb, 12 acc, 13 the chunk count of mode 1.
 * Rows are independent and each chunk's partials are its own, so nothing depends on which thread
 * runs a chunk; the host keeps mode 1's chunk boundaries independent of the thread count.
 */
export function layerNormChunk(desc: usize, i0: i32, i1: i32, chunk: i32): void {
  const dt = load<i32>(desc);
  const mode = load<i32>(desc, 4);
  const D = load<i32>(desc, 12);
  if (mode == 0) {
    const eps = load<f64>(desc, 64);
    if (dt == F32) forwardF32(D, word(desc, 4), word(desc, 5), word(desc, 6), eps, word(desc, 7), word(desc, 8), word(desc, 9), i0, i1, word(desc, 10), word(desc, 11));
    else forwardF64(D, word(desc, 4), word(desc, 5), word(desc, 6), eps, word(desc, 7), word(desc, 8), word(desc, 9), i0, i1, word(desc, 10), word(desc, 11));
  } else if (mode == 1) {
    const cols = word(desc, 10) != 0 || word(desc, 11) != 0;
    const acc = word(desc, 12) + <usize>chunk * (<usize>D << 4);
    if (dt == F32) backwardF32(D, word(desc, 4), word(desc, 5), word(desc, 6), word(desc, 7), word(desc, 8), word(desc, 9), cols, acc, i0, i1);
    else backwardF64(D, word(desc, 4), word(desc, 5), word(desc, 6), word(desc, 7), word(desc, 8), word(desc, 9), cols, acc, i0, i1);
  } else {
    reduceColumns(dt != F32, D, word(desc, 12), load<i32>(desc, 52), word(desc, 10), word(desc, 11), i0, i1);
  }
}
