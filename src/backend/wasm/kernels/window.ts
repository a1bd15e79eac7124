/**
 * unfold (im2col) and fold (col2im) over the trailing k spatial dims of a contiguous input.
 * Geometry descriptor: [spatial[k], kernel[k], stride[k], padding[k], dilation[k],
 * outSpatial[k], kernelCounters[k], outCounters[k]]. For each lead index, kernel offset and
 * output position the input position is p_d = o_d·stride_d − pad_d + kIdx_d·dilation_d; the
 * innermost output dim is a tight loop with the in-bounds range worked out once per row.
 */
import { ld, loadAs, st, storeRaw } from './common';

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
  walk(0, dt, k, lead, g, px, po, pad);
}

/** col2im: cols [lead, *kernel, *outSpatial] (contiguous) summed into out [lead, *spatial] (zeroed). */
export function fold(dt: i32, k: i32, lead: i32, g: usize, pcols: usize, po: usize): void {
  walk(1, dt, k, lead, g, pcols, po, 0);
}

