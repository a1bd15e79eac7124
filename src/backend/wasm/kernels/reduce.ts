/**
 * Reductions (sum, prod, max, min, argmax, argmin) over a set of axes of a strided view.
 *
 * Descriptor (the TypeScript side splits the dims into kept and reduced groups, each coalesced):
 * [nk, keptShape[nk], keptStrides[nk], nr, redShape[nr], redStrides[nr], counters[nk + nr]].
 * Output element o (row-major over the kept dims) reduces its elements in row-major order of the
 * reduced dims, as the reference backend does. Two loop orders:
 * - row strategy (sum/prod/max/min when the innermost kept dim is contiguous, e.g. summing a
 *   [batch, features] gradient over the batch): walk the reduced index outside and a run of
 *   contiguous outputs inside, accumulating into a float64 scratch row. Each output still sees
 *   its elements in the reference order, so results are bit-identical to it; float32 sums run in
 *   SIMD (f32x4 promoted to two f64x2 accumulators).
 * - per-output strategy: each output walks its reduced elements; contiguous float sums use four
 *   f64x2 partial sums (a reordering that changes float64 results by ~1 ulp).
 * Sums of float32 accumulate in float64, like the reference. NaN makes max/min NaN and is the
 * extreme for argmax/argmin (first occurrence), as torch.
 */
import { F32, F64, ld, loadAs, shiftOf, st, storeAs } from './common';

const SUM: i32 = 0;
const PROD: i32 = 1;
const MAX: i32 = 2;
const MIN: i32 = 3;
const ARGMAX: i32 = 4;

/** Advances the odometer `ctr` over dims [0, r) of (shp, str); returns the new offset. */
@inline function step(ctr: usize, shp: usize, str: usize, r: i32, off: isize): isize {
  for (let d = r - 1; d >= 0; d--) {
    const c = ld(ctr, d) + 1;
    off += ld(str, d);
    if (c < ld(shp, d)) {
      st(ctr, d, c);
      return off;
    }
    st(ctr, d, 0);
    off -= <isize>ld(str, d) * ld(shp, d);
  }
  return off;
}

/** SIMD sum of n contiguous float32 (wide=false) or float64 values, in float64. */
@inline function sumRun(wide: bool, p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  let i = 0;
  if (wide) {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 3);
      s0 = f64x2.add(s0, v128.load(q));
      s1 = f64x2.add(s1, v128.load(q, 16));
      s2 = f64x2.add(s2, v128.load(q, 32));
      s3 = f64x2.add(s3, v128.load(q, 48));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      const a = v128.load(q);
      const b = v128.load(q, 16);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i8x16.shuffle(a, a, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i8x16.shuffle(b, b, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
    }
  }
  const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  const dt = wide ? F64 : F32;
  for (; i < n; i++) s += loadAs(dt, p, i);
  return s;
}

/**
 * SIMD max (or min) of n ≥ 4 contiguous float32/float64 values with the reference's answer:
 * NaN when any value is NaN, else the extreme value. Lanes keep their earlier value on ties
 * (strict compare), which is exact for every value but ±0, whose sign depends on which zero came
 * first: a zero result is recomputed by the scalar loop (rare).
 */
@inline function extremeRun(isMax: bool, wide: bool, p: usize, n: i32): f64 {
  const lanes = wide ? 2 : 4;
  let m = wide ? v128.load64_splat(p) : v128.load32_splat(p);
  let nan = i32x4.splat(0);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const v = v128.load(p + (<usize>i << (wide ? 3 : 2)));
    if (wide) {
      nan = v128.or(nan, f64x2.ne(v, v));
      m = v128.bitselect(v, m, isMax ? f64x2.gt(v, m) : f64x2.lt(v, m));
    } else {
      nan = v128.or(nan, f32x4.ne(v, v));
      m = v128.bitselect(v, m, isMax ? f32x4.gt(v, m) : f32x4.lt(v, m));
    }
  }
  const dt = wide ? F64 : F32;
  let best: f64 = wide ? f64x2.extract_lane(m, 0) : <f64>f32x4.extract_lane(m, 0);
  for (let l = 1; l < lanes; l++) {
    const v: f64 = wide ? f64x2.extract_lane(m, 1) : <f64>(l == 1 ? f32x4.extract_lane(m, 1) : l == 2 ? f32x4.extract_lane(m, 2) : f32x4.extract_lane(m, 3));
    if (isMax ? v > best : v < best) best = v;
  }
  let anyNaN = v128.any_true(nan);
  for (; i < n; i++) {
    const v = loadAs(dt, p, i);
    if (v != v) anyNaN = true;
    else if (isMax ? v > best : v < best) best = v;
  }
  if (anyNaN) return NaN;
  if (best == 0) {
    best = loadAs(dt, p, 0);
    for (let j = 1; j < n; j++) {
      const v = loadAs(dt, p, j);
      if (isMax ? v > best : v < best) best = v;
    }
  }
  return best;
}

/** Reduces the elements of one output (base pointer px) over the reduced dims. */
function reduceOne(op: i32, dt: i32, px: usize, nr: i32, shR: usize, sR: usize, ctrR: usize): f64 {
  const nIn = nr > 0 ? ld(shR, nr - 1) : 1;
  const sIn = nr > 0 ? <isize>ld(sR, nr - 1) : 0;
  let outer = 1;
  for (let d = 0; d < nr - 1; d++) {
    outer *= ld(shR, d);
    st(ctrR, d, 0);
  }
  if (nIn == 0) outer = 0;
  const sh = shiftOf(dt);
  let off: isize = 0;
  let acc: f64 = op == PROD ? 1.0 : 0.0;
  let bi: i32 = 0;
  let j: i32 = 0;
  for (let o = 0; o < outer; o++) {
    const q = px + (<usize>off << sh);
    if (op == SUM) {
      if (sIn == 1 && dt == F32) acc += sumRun(false, q, nIn);
      else if (sIn == 1 && dt == F64) acc += sumRun(true, q, nIn);
      else for (let i = 0; i < nIn; i++) acc += loadAs(dt, q, <isize>i * sIn);
    } else if (op == PROD) {
      for (let i = 0; i < nIn; i++) acc *= loadAs(dt, q, <isize>i * sIn);
    } else if (outer == 1 && sIn == 1 && nIn >= 8 && (op == MAX || op == MIN) && (dt == F32 || dt == F64)) {
      if (dt == F32) acc = op == MAX ? extremeRun(true, false, q, nIn) : extremeRun(false, false, q, nIn);
      else acc = op == MAX ? extremeRun(true, true, q, nIn) : extremeRun(false, true, q, nIn);
    } else {
      for (let i = 0; i < nIn; i++, j++) {
        const v = loadAs(dt, q, <isize>i * sIn);
        if (j == 0) acc = v;
        else if (acc == acc && (v != v || ((op == MAX || op == ARGMAX) ? v > acc : v < acc))) {
          acc = v;
          bi = j;
        }
      }
    }
    off = step(ctrR, shR, sR, nr - 1, off);
  }
  return op >= ARGMAX ? <f64>bi : acc;
}

/** Row strategy: acc[0..L) = reduction over every reduced index of the contiguous run at px. */
function reduceRows(op: i32, dt: i32, px: usize, L: i32, R: i32, nr: i32, shR: usize, sR: usize, ctrR: usize, acc: usize): void {
  for (let d = 0; d < nr; d++) st(ctrR, d, 0);
  const sh = shiftOf(dt);
  const init: f64 = op == PROD ? 1.0 : 0.0;
  for (let l = 0; l < L; l++) store<f64>(acc + (<usize>l << 3), op >= MAX ? loadAs(dt, px, l) : init);
  let off: isize = 0;
  for (let j = 0; j < R; j++) {
    const q = px + (<usize>off << sh);
    if (op == SUM && dt == F32) {
      let l = 0;
      for (; l + 4 <= L; l += 4) {
        const a = acc + (<usize>l << 3);
        const v = v128.load(q + (<usize>l << 2));
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7))), 16);
      }
      for (; l < L; l++) store<f64>(acc + (<usize>l << 3), load<f64>(acc + (<usize>l << 3)) + <f64>load<f32>(q + (<usize>l << 2)));
    } else if (op == SUM && dt == F64) {
      let l = 0;
      for (; l + 2 <= L; l += 2) {
        const a = acc + (<usize>l << 3);
        v128.store(a, f64x2.add(v128.load(a), v128.load(q + (<usize>l << 3))));
      }
      for (; l < L; l++) store<f64>(acc + (<usize>l << 3), load<f64>(acc + (<usize>l << 3)) + load<f64>(q + (<usize>l << 3)));
    } else if (op == SUM) {
      for (let l = 0; l < L; l++) store<f64>(acc + (<usize>l << 3), load<f64>(acc + (<usize>l << 3)) + loadAs(dt, q, l));
    } else if (op == PROD) {
      for (let l = 0; l < L; l++) store<f64>(acc + (<usize>l << 3), load<f64>(acc + (<usize>l << 3)) * loadAs(dt, q, l));
    } else if (j > 0) {
      for (let l = 0; l < L; l++) {
        const a = load<f64>(acc + (<usize>l << 3));
        const v = loadAs(dt, q, l);
        if (a == a && (v != v || (op == MAX ? v > a : v < a))) store<f64>(acc + (<usize>l << 3), v);
      }
    }
    off = step(ctrR, shR, sR, nr, off);
  }
}

/** Reduces x into the contiguous output po (dtype odt); acc is float64 scratch for one run of kept outputs. */
export function reduce(op: i32, dt: i32, odt: i32, desc: usize, px: usize, po: usize, acc: usize): void {
  const nk = ld(desc, 0);
  const shK = desc + 4;
  const sK = shK + (<usize>nk << 2);
  const nrp = sK + (<usize>nk << 2);
  const nr = ld(nrp, 0);
  const shR = nrp + 4;
  const sR = shR + (<usize>nr << 2);
  const ctrK = sR + (<usize>nr << 2);
  const ctrR = ctrK + (<usize>nk << 2);
  let R = 1;
  for (let d = 0; d < nr; d++) R *= ld(shR, d);
  let outN = 1;
  for (let d = 0; d < nk; d++) {
    outN *= ld(shK, d);
    st(ctrK, d, 0);
  }
  const sh = shiftOf(dt);
  let off: isize = 0;
  if (nk >= 1 && ld(sK, nk - 1) == 1 && ld(shK, nk - 1) >= 4 && op < ARGMAX && nr >= 1 && R > 1) {
    const L = ld(shK, nk - 1);
    const outer = outN / L;
    for (let o = 0; o < outer; o++) {
      reduceRows(op, dt, px + (<usize>off << sh), L, R, nr, shR, sR, ctrR, acc);
      for (let l = 0; l < L; l++) storeAs(odt, po, <isize>o * L + l, load<f64>(acc + (<usize>l << 3)));
      off = step(ctrK, shK, sK, nk - 1, off);
    }
    return;
  }
  for (let o = 0; o < outN; o++) {
    storeAs(odt, po, o, reduceOne(op, dt, px + (<usize>off << sh), nr, shR, sR, ctrR));
    off = step(ctrK, shK, sK, nk, off);
  }
}
