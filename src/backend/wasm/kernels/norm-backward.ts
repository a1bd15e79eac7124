/**
 * Layer norm's backward rows and column sums (kernels/norm.ts holds the forward, the exports and
 * the chunk entry; its header explains the arithmetic). Split out only to keep files short.
 */

/** The high two float32 lanes of v moved to the low half (for f64x2.promote_low_f32x4). */
@inline export function high(v: v128): v128 {
  return i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

@inline export function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline export function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(high(v));
}

@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// ---------------------------------------------------------------- float32 backward

/**
 * dx for rows [r0, r1) and, when `cols`, the float64 column sums Σ g·x̂ into acc[0, D) and Σ g
 * into acc[D, 2D), which start at zero here.
 */
export function backwardF32(D: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, cols: bool, acc: usize, r0: i32, r1: i32): void {
  const dD = <f64>D;
  const hasW = pw != 0;
  if (cols) memory.fill(acc, 0, <usize>D << 4);
  const accB = acc + (<usize>D << 3);
  for (let r = r0; r < r1; r++) {
    const o = (<usize>r * <usize>D) << 2;
    const x = px + o;
    const g = pg + o;
    const dx = pdx + o;
    const mean = load<f32>(pmean + (<usize>r << 2));
    const rstd = load<f32>(prstd + (<usize>r << 2));
    const mv = f32x4.splat(mean);
    const rv = f32x4.splat(rstd);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      const q = <usize>i << 2;
      const gv = v128.load(g + q);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + q), mv), rv);
      const gw = hasW ? f32x4.mul(gv, v128.load(pw + q)) : gv;
      const xl = lo(xh);
      const xu = hi(xh);
      const wl = lo(gw);
      const wu = hi(gw);
      s0 = f64x2.add(s0, wl);
      s1 = f64x2.add(s1, wu);
      t0 = f64x2.add(t0, f64x2.mul(wl, xl));
      t1 = f64x2.add(t1, f64x2.mul(wu, xu));
      if (cols) {
        const gl = lo(gv);
        const gu = hi(gv);
        const pa = acc + (<usize>i << 3);
        const pb = accB + (<usize>i << 3);
        v128.store(pa, f64x2.add(v128.load(pa), f64x2.mul(gl, xl)));
        v128.store(pa, f64x2.add(v128.load(pa, 16), f64x2.mul(gu, xu)), 16);
        v128.store(pb, f64x2.add(v128.load(pb), gl));
        v128.store(pb, f64x2.add(v128.load(pb, 16), gu), 16);
      }
    }
    let sg = hsum(f64x2.add(s0, s1));
    let sgx = hsum(f64x2.add(t0, t1));
    for (let j = i; j < D; j++) {
      const q = <usize>j << 2;
      const gi = load<f32>(g + q);
      const xh = (load<f32>(x + q) - mean) * rstd;
      const gw = hasW ? gi * load<f32>(pw + q) : gi;
      sg += <f64>gw;
      sgx += <f64>gw * <f64>xh;
      if (cols) {
        const pa = acc + (<usize>j << 3);
        const pb = accB + (<usize>j << 3);
        store<f64>(pa, load<f64>(pa) + <f64>gi * <f64>xh);
        store<f64>(pb, load<f64>(pb) + <f64>gi);
      }
    }
    const a = <f32>(sg / dD);
    const b = <f32>(sgx / dD);
    const av = f32x4.splat(a);
    const bv = f32x4.splat(b);
    i = 0;
    for (; i + 4 <= D; i += 4) {
      const q = <usize>i << 2;
      const gv = v128.load(g + q);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + q), mv), rv);
      const gw = hasW ? f32x4.mul(gv, v128.load(pw + q)) : gv;
      v128.store(dx + q, f32x4.mul(rv, f32x4.sub(f32x4.sub(gw, av), f32x4.mul(xh, bv))));
    }
    for (; i < D; i++) {
      const q = <usize>i << 2;
      const gi = load<f32>(g + q);
      const xh = (load<f32>(x + q) - mean) * rstd;
      const gw = hasW ? gi * load<f32>(pw + q) : gi;
      store<f32>(dx + q, rstd * ((gw - a) - xh * b));
    }
  }
}

// ---------------------------------------------------------------- float64 backward

export function backwardF64(D: i32, px: usize, pmean: usize, prstd: usize, pw: usize, pg: usize, pdx: usize, cols: bool, acc: usize, r0: i32, r1: i32): void {
  const dD = <f64>D;
  const hasW = pw != 0;
  if (cols) memory.fill(acc, 0, <usize>D << 4);
  const accB = acc + (<usize>D << 3);
  for (let r = r0; r < r1; r++) {
    const o = (<usize>r * <usize>D) << 3;
    const x = px + o;
    const g = pg + o;
    const dx = pdx + o;
    const mean = load<f64>(pmean + (<usize>r << 3));
    const rstd = load<f64>(prstd + (<usize>r << 3));
    const mv = f64x2.splat(mean);
    const rv = f64x2.splat(rstd);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      const q = <usize>i << 3;
      const g0 = v128.load(g + q);
      const g1 = v128.load(g + q, 16);
      const x0 = f64x2.mul(f64x2.sub(v128.load(x + q), mv), rv);
      const x1 = f64x2.mul(f64x2.sub(v128.load(x + q, 16), mv), rv);
      const w0 = hasW ? f64x2.mul(g0, v128.load(pw + q)) : g0;
      const w1 = hasW ? f64x2.mul(g1, v128.load(pw + q, 16)) : g1;
      s0 = f64x2.add(s0, w0);
      s1 = f64x2.add(s1, w1);
      t0 = f64x2.add(t0, f64x2.mul(w0, x0));
      t1 = f64x2.add(t1, f64x2.mul(w1, x1));
      if (cols) {
        const pa = acc + q;
        const pb = accB + q;
        v128.store(pa, f64x2.add(v128.load(pa), f64x2.mul(g0, x0)));
        v128.store(pa, f64x2.add(v128.load(pa, 16), f64x2.mul(g1, x1)), 16);
        v128.store(pb, f64x2.add(v128.load(pb), g0));
        v128.store(pb, f64x2.add(v128.load(pb, 16), g1), 16);
      }
    }
    let sg = hsum(f64x2.add(s0, s1));
    let sgx = hsum(f64x2.add(t0, t1));
    for (let j = i; j < D; j++) {
      const q = <usize>j << 3;
      const gi = load<f64>(g + q);
      const xh = (load<f64>(x + q) - mean) * rstd;
      const gw = hasW ? gi * load<f64>(pw + q) : gi;
      sg += gw;
      sgx += gw * xh;
      if (cols) {
        store<f64>(acc + q, load<f64>(acc + q) + gi * xh);
        store<f64>(accB + q, load<f64>(accB + q) + gi);
      }
    }
    const a = sg / dD;
    const b = sgx / dD;
    const av = f64x2.splat(a);
    const bv = f64x2.splat(b);
    i = 0;
    for (; i + 2 <= D; i += 2) {
      const q = <usize>i << 3;
      const gv = v128.load(g + q);
      const xh = f64x2.mul(f64x2.sub(v128.load(x + q), mv), rv);
      const gw = hasW ? f64x2.mul(gv, v128.load(pw + q)) : gv;
      v128.store(dx + q, f64x2.mul(rv, f64x2.sub(f64x2.sub(gw, av), f64x2.mul(xh, bv))));
    }
    for (; i < D; i++) {
      const q = <usize>i << 3;
      const gi = load<f64>(g + q);
      const xh = (load<f64>(x + q) - mean) * rstd;
      const gw = hasW ? gi * load<f64>(pw + q) : gi;
      store<f64>(dx + q, rstd * ((gw - a) - xh * b));
    }
  }
}

/** Stores the float64 column sums of `chunks` partial row pairs (16·D bytes apart) into dw/db, columns [c0, c1), adding in chunk order. */
export function reduceColumns(wide: bool, D: i32, acc: usize, chunks: i32, pdw: usize, pdb: usize, c0: i32, c1: i32): void {
  const stride = <usize>D << 4;
  for (let j = c0; j < c1; j++) {
    const q = <usize>j << 3;
    let sw: f64 = 0;
    let sb: f64 = 0;
    for (let c = 0; c < chunks; c++) {
      const p = acc + <usize>c * stride + q;
      sw += load<f64>(p);
      sb += load<f64>(p + (<usize>D << 3));
    }
    if (wide) {
      if (pdw != 0) store<f64>(pdw + q, sw);
      if (pdb != 0) store<f64>(pdb + q, sb);
    } else {
      if (pdw != 0) store<f32>(pdw + (<usize>j << 2), <f32>sw);
      if (pdb != 0) store<f32>(pdb + (<usize>j << 2), <f32>sb);
    }
  }
}
