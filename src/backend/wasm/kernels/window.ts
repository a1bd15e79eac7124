/**
 * unfold (im2col) and fold (col2im) over the trailing k spatial dims of a contiguous input.
 * Geometry descriptor: [spatial[k], kernel[k], stride[k], padding[k], dilation[k],
 * outSpatial[k], kernelCounters[k], outCounters[k]]. For each lead index, kernel offset and
 * output position the input position is p_d = o_d·stride_d − pad_d + kIdx_d·dilation_d; the
 * innermost output dim is a tight loop with the in-bounds range worked out once per row.
 *
 * float32/float64 with a 2-D kernel (conv2d, pooling) take `unfold2d`/`fold2d`: one dtype branch
 * per call instead of per element, and each (plane, kernel tap, output row) is one contiguous
 * run of the input (stride 1: a SIMD copy or add) between zero-width-or-more padding runs whose
 * bounds are worked out once per kernel column. The fused convolution (conv.ts) uses the same
 * two functions per sample.
 */
import { F32, F64, ld, loadAs, st, storeRaw } from './common';

/** Fills n elements of T at p with v. */
@inline function fillRun<T>(p: usize, n: i32, v: T): void {
  for (let i = 0; i < n; i++) store<T>(p + (<usize>i << alignof<T>()), v);
}

/** Copies n contiguous elements of T (16 bytes at a time, then the tail). */
@inline function copyRun<T>(dst: usize, src: usize, n: i32): void {
  const bytes = <usize>n << alignof<T>();
  let b: usize = 0;
  for (; b + 16 <= bytes; b += 16) v128.store(dst + b, v128.load(src + b));
  for (; b < bytes; b += sizeof<T>()) store<T>(dst + b, load<T>(src + b));
}

/** dst[i] += src[i] for n contiguous elements of T. */
@inline function addRun<T>(dst: usize, src: usize, n: i32): void {
  const bytes = <usize>n << alignof<T>();
  let b: usize = 0;
  for (; b + 16 <= bytes; b += 16) {
    const s = v128.load(src + b);
    const d = v128.load(dst + b);
    v128.store(dst + b, sizeof<T>() == 4 ? f32x4.add(d, s) : f64x2.add(d, s));
  }
  for (; b < bytes; b += sizeof<T>()) store<T>(dst + b, load<T>(dst + b) + load<T>(src + b));
}

/** The first output column ow whose input column ow·sw + off is ≥ 0 (at most Wo). */
@inline function firstValid(off: i32, sw: i32, Wo: i32): i32 {
  const lo = off >= 0 ? 0 : (sw - 1 - off) / sw;
  return lo < Wo ? lo : Wo;
}

/** One past the last output column whose input column ow·sw + off is < W (at least `lo`). */
@inline function endValid(off: i32, sw: i32, W: i32, Wo: i32, lo: i32): i32 {
  let hi = off > W - 1 ? 0 : (W - 1 - off) / sw + 1;
  if (hi > Wo) hi = Wo;
  return hi < lo ? lo : hi;
}

/**
 * im2col of `planes` consecutive H×W planes at px into cols at pc, laid out
 * [plane][ki][kj][oh][ow] (Ho·Wo per row), padding reading `pad`.
 */
export function unfold2d<T>(planes: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  Ho: i32, Wo: i32, px: usize, pc: usize, pad: T): void {
  const sz = alignof<T>();
  const L = <usize>Ho * Wo;
  let row = pc;
  for (let p = 0; p < planes; p++) {
    const plane = px + ((<usize>p * H * W) << sz);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const off = kj * dw - pw;
        const lo = firstValid(off, sw, Wo);
        const hi = endValid(off, sw, W, Wo, lo);
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sh - ph + ki * dh;
          const dst = row + ((<usize>oh * Wo) << sz);
          if (ih < 0 || ih >= H) {
            fillRun<T>(dst, Wo, pad);
            continue;
          }
          const src = plane + ((<usize>ih * W) << sz);
          fillRun<T>(dst, lo, pad);
          if (sw == 1) {
            copyRun<T>(dst + (<usize>lo << sz), src + (<usize>(lo + off) << sz), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) store<T>(dst + (<usize>ow << sz), load<T>(src + (<usize>(ow * sw + off) << sz)));
          }
          fillRun<T>(dst + (<usize>hi << sz), Wo - hi, pad);
        }
        row += L << sz;
      }
    }
  }
}

/**
 * col2im: adds cols at pc ([plane][ki][kj][oh][ow], as unfold2d writes them) into the
 * `planes` H×W planes at px, which the caller has zeroed (or holds a sum to add to).
 */
export function fold2d<T>(planes: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  Ho: i32, Wo: i32, pc: usize, px: usize): void {
  const sz = alignof<T>();
  const L = <usize>Ho * Wo;
  let row = pc;
  for (let p = 0; p < planes; p++) {
    const plane = px + ((<usize>p * H * W) << sz);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const off = kj * dw - pw;
        const lo = firstValid(off, sw, Wo);
        const hi = endValid(off, sw, W, Wo, lo);
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sh - ph + ki * dh;
          if (ih < 0 || ih >= H) continue;
          const src = row + ((<usize>oh * Wo) << sz);
          const dst = plane + ((<usize>ih * W) << sz);
          if (sw == 1) {
            addRun<T>(dst + (<usize>(lo + off) << sz), src + (<usize>lo << sz), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) {
              const d = dst + (<usize>(ow * sw + off) << sz);
              store<T>(d, load<T>(d) + load<T>(src + (<usize>ow << sz)));
            }
          }
        }
        row += L << sz;
      }
    }
  }
}

/** The 2-D fast path of unfold/fold for float32/float64; false when it does not apply. */
function window2d(mode: i32, dt: i32, k: i32, lead: i32, g: usize, px: usize, po: usize, pad: f64): bool {
  if (k != 2 || (dt != F32 && dt != F64)) return false;
  // Descriptor: spatial[2], kernel[2], stride[2], padding[2], dilation[2], outSpatial[2].
  const H = ld(g, 0); const W = ld(g, 1);
  const kh = ld(g, 2); const kw = ld(g, 3);
  const sh = ld(g, 4); const sw = ld(g, 5);
  const ph = ld(g, 6); const pw = ld(g, 7);
  const dh = ld(g, 8); const dw = ld(g, 9);
  const Ho = ld(g, 10); const Wo = ld(g, 11);
  if (mode == 0) {
    if (dt == F32) unfold2d<f32>(lead, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, px, po, <f32>pad);
    else unfold2d<f64>(lead, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, px, po, pad);
  } else {
    if (dt == F32) fold2d<f32>(lead, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, px, po);
    else fold2d<f64>(lead, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, px, po);
  }
  return true;
}

/**
 * Shared walk. mode 0 (unfold): cols[l, kn, on] = x[l, p] or pad; mode 1 (fold):
 * out[l, p] += cols[l, kn, on] (out zero-filled by the caller).
 */
function walk(mode: i32, dt: i32, k: i32, lead: i32, g: usize, px: usize, po: usize, pad: f64): void {
  const spatial = g;
  const kernel = g + (<usize>k << 2);
  const stride = kernel + (<usize>k << 2);
  const padding = stride + (<usize>k << 2);
  const dil = padding + (<usize>k << 2);
  const outS = dil + (<usize>k << 2);
  const kc = outS + (<usize>k << 2);
  const oc = kc + (<usize>k << 2);
  let spatialN = 1;
  let kernelN = 1;
  let outN = 1;
  for (let d = 0; d < k; d++) {
    spatialN *= ld(spatial, d);
    kernelN *= ld(kernel, d);
    outN *= ld(outS, d);
  }
  const last = k - 1;
  const nIn = ld(outS, last);
  const outerN = nIn == 0 ? 0 : outN / nIn;
  const sl = ld(stride, last);
  const wl = ld(spatial, last);
  for (let l = 0; l < lead; l++) {
    const xBase: isize = <isize>l * spatialN;
    const cBase: isize = <isize>l * kernelN * outN;
    for (let d = 0; d < k; d++) st(kc, d, 0);
    for (let kn = 0; kn < kernelN; kn++) {
      for (let d = 0; d < k; d++) st(oc, d, 0);
      for (let ob = 0; ob < outerN; ob++) {
        // Position along the outer dims (all but the last), or -1 when outside.
        let inPos: isize = 0;
        let inside = true;
        for (let d = 0; d < last; d++) {
          const p = ld(oc, d) * ld(stride, d) - ld(padding, d) + ld(kc, d) * ld(dil, d);
          if (p < 0 || p >= ld(spatial, d)) {
            inside = false;
            break;
          }
          inPos = inPos * ld(spatial, d) + p;
        }
        const p0 = ld(kc, last) * ld(dil, last) - ld(padding, last);
        const colRow = cBase + <isize>kn * outN + <isize>ob * nIn;
        const rowBase = xBase + inPos * wl;
        for (let o = 0; o < nIn; o++) {
          const p = o * sl + p0;
          const ok = inside && p >= 0 && p < wl;
          if (mode == 0) {
            storeRaw(dt, po, colRow + o, ok ? loadAs(dt, px, rowBase + p) : pad);
          } else if (ok) {
            const at = rowBase + p;
            storeRaw(dt, po, at, loadAs(dt, po, at) + loadAs(dt, px, colRow + o));
          }
        }
        for (let d = last - 1; d >= 0; d--) {
          const c = ld(oc, d) + 1;
          if (c < ld(outS, d)) {
            st(oc, d, c);
            break;
          }
          st(oc, d, 0);
        }
      }
      for (let d = last; d >= 0; d--) {
        const c = ld(kc, d) + 1;
        if (c < ld(kernel, d)) {
          st(kc, d, c);
          break;
        }
        st(kc, d, 0);
      }
    }
  }
}

/** im2col: x [lead, *spatial] (contiguous) → cols [lead, *kernel, *outSpatial]; padding reads `pad`. */
export function unfold(dt: i32, k: i32, lead: i32, g: usize, px: usize, po: usize, pad: f64): void {
  if (window2d(0, dt, k, lead, g, px, po, pad)) return;
  walk(0, dt, k, lead, g, px, po, pad);
}

/** col2im: cols [lead, *kernel, *outSpatial] (contiguous) summed into out [lead, *spatial] (zeroed). */
export function fold(dt: i32, k: i32, lead: i32, g: usize, pcols: usize, po: usize): void {
  if (window2d(1, dt, k, lead, g, pcols, po, 0)) return;
  walk(1, dt, k, lead, g, pcols, po, 0);
}

