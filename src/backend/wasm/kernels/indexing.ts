/**
 * gather and scatterAdd along one dim (scalar loops: index-driven access has no SIMD shape).
 * Index values are checked against [0, size) in iteration order; the first bad one stops the
 * kernel, which returns 1 and stores the value at errp so the TypeScript side throws the
 * reference backend's IndexError.
 */
import { F32, ld, loadAs, shiftOf, st, storeRaw } from './common';

/**
 * out[i] = x[..., index[i], ...] for i over index's shape (row-major, output contiguous).
 * desc = [shape[r], indexStrides[r], xStrides[r] (dim's entry 0), counters[r]]; xsDim is x's
 * stride along dim.
 */
export function gather(dt: i32, idt: i32, r: i32, desc: usize, px: usize, pidx: usize, po: usize, xsDim: i32, size: i32, errp: usize): i32 {
  const shp = desc;
  const si = shp + (<usize>r << 2);
  const sx = si + (<usize>r << 2);
  const ctr = sx + (<usize>r << 2);
  let n = 1;
  for (let d = 0; d < r; d++) {
    n *= ld(shp, d);
    st(ctr, d, 0);
  }
  let oi: isize = 0;
  let ox: isize = 0;
  for (let i = 0; i < n; i++) {
    const v = loadAs(idt, pidx, oi);
    if (!(v >= 0 && v < <f64>size)) {
      store<f64>(errp, v);
      return 1;
    }
    storeRaw(dt, po, i, loadAs(dt, px, ox + <isize>v * xsDim));
    for (let d = r - 1; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      oi += ld(si, d);
      ox += ld(sx, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      oi -= <isize>ld(si, d) * ld(shp, d);
      ox -= <isize>ld(sx, d) * ld(shp, d);
    }
  }
  return 0;
}

/**
 * out[..., index[i], ...] += src[i] (out already holds a contiguous copy of x), adding as a
 * JavaScript typed array does. desc = [shape[r], indexStrides[r], srcStrides[r],
 * outStrides[r] (dim's entry 0), counters[r]]; osDim is out's stride along dim.
 */
export function scatterAdd(dt: i32, idt: i32, sdt: i32, r: i32, desc: usize, pout: usize, pidx: usize, psrc: usize, osDim: i32, size: i32, errp: usize): i32 {
  const shp = desc;
  const si = shp + (<usize>r << 2);
  const ss = si + (<usize>r << 2);
  const so = ss + (<usize>r << 2);
  const ctr = so + (<usize>r << 2);
  let n = 1;
  for (let d = 0; d < r; d++) {
    n *= ld(shp, d);
    st(ctr, d, 0);
  }
  let oi: isize = 0;
  let os: isize = 0;
  let oo: isize = 0;
  for (let i = 0; i < n; i++) {
    // A 0-d index checks nothing and adds at offset 0, as the reference's loop does.
    const v = r == 0 ? 0.0 : loadAs(idt, pidx, oi);
    if (!(v >= 0 && v < <f64>size) && r > 0) {
      store<f64>(errp, v);
      return 1;
    }
    const at = oo + <isize>v * osDim;
    storeRaw(dt, pout, at, loadAs(dt, pout, at) + loadAs(sdt, psrc, os));
    for (let d = r - 1; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      oi += ld(si, d);
      os += ld(ss, d);
      oo += ld(so, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      oi -= <isize>ld(si, d) * ld(shp, d);
      os -= <isize>ld(ss, d) * ld(shp, d);
      oo -= <isize>ld(so, d) * ld(shp, d);
    }
  }
  return 0;
}


/**
 * Embedding lookup: out[i, :] = x[index[i], :] for n contiguous rows of D elements (x and out
 * contiguous, index dense of dtype idt). Whole rows are copied instead of one element per index
 * read. Returns 1 (and stores the value at errp) at the first index outside [0, rows).
 */
export function indexSelectRows(dt: i32, idt: i32, n: i32, D: i32, rows: i32, px: usize, pidx: usize, po: usize, errp: usize): i32 {
  const sh: usize = shiftOf(dt);
  const rowBytes = <usize>D << sh;
  for (let i = 0; i < n; i++) {
    const v = loadAs(idt, pidx, i);
    if (!(v >= 0 && v < <f64>rows)) {
      store<f64>(errp, v);
      return 1;
    }
    memory.copy(po + <usize>i * rowBytes, px + <usize>(<i32>v) * rowBytes, rowBytes);
  }
  return 0;
}

/**
 * The embedding's gradient: out [rows, D] = 0, then out[index[i], :] += src[i, :] for i in
 * order (src contiguous [n, D], float32 or float64), each add one IEEE operation in the dtype:
 * the same sums in the same order as scatterAdd into zeros, four (or two) lanes at a time.
 * Returns 1 (and stores the value at errp) at the first index outside [0, rows).
 */
export function indexAddRows(dt: i32, idt: i32, n: i32, D: i32, rows: i32, psrc: usize, pidx: usize, po: usize, errp: usize): i32 {
  const wide = dt != F32;
  const sh: usize = wide ? 3 : 2;
  const rowBytes = <usize>D << sh;
  memory.fill(po, 0, <usize>rows * rowBytes);
  for (let i = 0; i < n; i++) {
    const v = loadAs(idt, pidx, i);
    if (!(v >= 0 && v < <f64>rows)) {
      store<f64>(errp, v);
      return 1;
    }
    const o = po + <usize>(<i32>v) * rowBytes;
    const s = psrc + <usize>i * rowBytes;
    let b: usize = 0;
    for (; b + 16 <= rowBytes; b += 16) {
      v128.store(o + b, wide ? f64x2.add(v128.load(o + b), v128.load(s + b)) : f32x4.add(v128.load(o + b), v128.load(s + b)));
    }
    for (; b < rowBytes; b += <usize>1 << sh) {
      if (wide) store<f64>(o + b, load<f64>(o + b) + load<f64>(s + b));
      else store<f32>(o + b, load<f32>(o + b) + load<f32>(s + b));
    }
  }
  return 0;
}
