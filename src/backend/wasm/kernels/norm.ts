/**
 * Fused layer norm over the last axis (R contiguous rows of D), forward and backward.
 *
 * Forward follows the composite (ops/norm.ts) operation for operation in the tensor's dtype:
 * mean = Σx / D (sum accumulated in float64, as the reduce kernel, then rounded), c = x − mean,
 * var = Σc² / D, rstd = 1/√(var + eps), y = c·rstd·w + b, each step rounded to the dtype; so it
 * matches the composite to rounding of the sums. The per-row mean and rstd are saved for
 * backward. One read of x for the statistics and one for y, instead of about ten passes.
 *
 * Backward (per row, float64 accumulation): with x̂ = c·rstd and ĝ = g·w,
 *   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)),
 * and the per-column sums dw = Σ_rows g·x̂, db = Σ_rows g accumulated in a float64 scratch row.
 */
import { F32 } from './common';

@inline function ldv(wide: bool, p: usize, i: i32): f64 {
  return wide ? load<f64>(p + (<usize>i << 3)) : <f64>load<f32>(p + (<usize>i << 2));
}

/** Rounds to the dtype (float32 rounding, or none for float64). */
@inline function rnd(wide: bool, v: f64): f64 {
  return wide ? v : <f64><f32>v;
}

@inline function stv(wide: bool, p: usize, i: i32, v: f64): void {
  if (wide) store<f64>(p + (<usize>i << 3), v);
  else store<f32>(p + (<usize>i << 2), <f32>v);
}

@inline function forwardRows(wide: bool, R: i32, D: i32, px: usize, pw: usize, pb: usize, eps: f64, py: usize, pmean: usize, prstd: usize): void {
  const sh: usize = wide ? 3 : 2;
  const epsD = rnd(wide, eps);
  const dD = <f64>D;
  for (let r = 0; r < R; r++) {
    const x = px + ((<usize>r * D) << sh);
    const y = py + ((<usize>r * D) << sh);
    let s: f64 = 0;
    for (let i = 0; i < D; i++) s += ldv(wide, x, i);
    const mean = rnd(wide, rnd(wide, s) / dD);
    let ss: f64 = 0;
    for (let i = 0; i < D; i++) {
      const c = rnd(wide, ldv(wide, x, i) - mean);
      ss += rnd(wide, c * c);
    }
    const variance = rnd(wide, rnd(wide, ss) / dD);
    const rstd = rnd(wide, 1.0 / Math.sqrt(rnd(wide, variance + epsD)));
    stv(wide, pmean, r, mean);
    stv(wide, prstd, r, rstd);
    for (let i = 0; i < D; i++) {
      let v = rnd(wide, rnd(wide, ldv(wide, x, i) - mean) * rstd);
      if (pw != 0) v = rnd(wide, v * ldv(wide, pw, i));
      if (pb != 0) v = rnd(wide, v + ldv(wide, pb, i));
      stv(wide, y, i, v);
    }
  }
}

/** y, mean [R], rstd [R] from x [R, D]; pw/pb are 0 when weight/bias are absent. */
export function layerNorm(dt: i32, R: i32, D: i32, px: usize, pw: usize, pb: usize, eps: f64, py: usize, pmean: usize, prstd: usize): void {
  if (dt == F32) forwardRows(false, R, D, px, pw, pb, eps, py, pmean, prstd);
  else forwardRows(true, R, D, px, pw, pb, eps, py, pmean, prstd);
}

@inline function backwardRows(wide: bool, R: i32, D: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, pdw: usize, pdb: usize, acc: usize): void {
  const sh: usize = wide ? 3 : 2;
  const dD = <f64>D;
  // acc: [0, D) Σ g·x̂ per column, [D, 2D) Σ g per column, float64.
  memory.fill(acc, 0, <usize>D << 4);
  const accB = acc + (<usize>D << 3);
  for (let r = 0; r < R; r++) {
    const x = px + ((<usize>r * D) << sh);
    const g = pg + ((<usize>r * D) << sh);
    const dx = pdx + ((<usize>r * D) << sh);
    const mean = ldv(wide, pmean, r);
    const rstd = ldv(wide, prstd, r);
    let sg: f64 = 0;
    let sgx: f64 = 0;
    for (let i = 0; i < D; i++) {
      const xh = (ldv(wide, x, i) - mean) * rstd;
      const gi = ldv(wide, g, i);
      const gw = pw != 0 ? gi * ldv(wide, pw, i) : gi;
      sg += gw;
      sgx += gw * xh;
      const pa = acc + (<usize>i << 3);
      store<f64>(pa, load<f64>(pa) + gi * xh);
      const pb = accB + (<usize>i << 3);
      store<f64>(pb, load<f64>(pb) + gi);
    }
    const a = sg / dD;
    const b = sgx / dD;
    for (let i = 0; i < D; i++) {
      const xh = (ldv(wide, x, i) - mean) * rstd;
      const gi = ldv(wide, g, i);
      const gw = pw != 0 ? gi * ldv(wide, pw, i) : gi;
      stv(wide, dx, i, rstd * (gw - a - xh * b));
    }
  }
  if (pdw != 0) for (let i = 0; i < D; i++) stv(wide, pdw, i, load<f64>(acc + (<usize>i << 3)));
  if (pdb != 0) for (let i = 0; i < D; i++) stv(wide, pdb, i, load<f64>(accB + (<usize>i << 3)));
}

/**
 * dx [R, D] and, when their pointers are nonzero, dweight and dbias [D]; acc is a scratch of
 * 16·D bytes. pw is 0 without a weight.
 */
export function layerNormBackward(dt: i32, R: i32, D: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, pdw: usize, pdb: usize, acc: usize): void {
  if (dt == F32) backwardRows(false, R, D, px, pmean, prstd, pw, pg, pdx, pdw, pdb, acc);
  else backwardRows(true, R, D, px, pmean, prstd, pw, pg, pdx, pdw, pdb, acc);
}
