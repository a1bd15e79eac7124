/**
 * Strided copy with dtype conversion: dst[view] = convert(src[view]), both views of one shape.
 * Used for contiguous copies (dst strides row-major), in-place assignment into a strided
 * destination, and reading a strided view back. Same-dtype rows with unit strides are a
 * memory.copy; same-dtype strided rows copy raw bits; conversions go through float64 with the
 * reference backend's storing rules.
 */
import { ld, loadAs, shiftOf, st, storeAs } from './common';

@inline function rawRow(sh: usize, ps: usize, is: isize, pd: usize, id: isize, n: i32): void {
  if (sh == 0) {
    for (let i = 0; i < n; i++) store<u8>(pd + <usize>(<isize>i * id), load<u8>(ps + <usize>(<isize>i * is)));
  } else if (sh == 2) {
    for (let i = 0; i < n; i++) store<u32>(pd + (<usize>(<isize>i * id) << 2), load<u32>(ps + (<usize>(<isize>i * is) << 2)));
  } else {
    for (let i = 0; i < n; i++) store<u64>(pd + (<usize>(<isize>i * id) << 3), load<u64>(ps + (<usize>(<isize>i * is) << 3)));
  }
}

function copyRow(sdt: i32, ddt: i32, ps: usize, is: isize, pd: usize, id: isize, n: i32): void {
  if (sdt == ddt) {
    const sh = shiftOf(sdt);
    if (is == 1 && id == 1) memory.copy(pd, ps, <usize>n << sh);
    else if (sh == 0) rawRow(0, ps, is, pd, id, n);
    else if (sh == 2) rawRow(2, ps, is, pd, id, n);
    else rawRow(3, ps, is, pd, id, n);
    return;
  }
  for (let i = 0; i < n; i++) storeAs(ddt, pd, <isize>i * id, loadAs(sdt, ps, <isize>i * is));
}

/** desc = [rank, shape[rank], srcStrides[rank], dstStrides[rank], counters[rank]]. */
export function copy(sdt: i32, ddt: i32, desc: usize, ps: usize, pd: usize): void {
  const r = ld(desc, 0);
  const shp = desc + 4;
  const ss = shp + (<usize>r << 2);
  const sd = ss + (<usize>r << 2);
  const ctr = sd + (<usize>r << 2);
  const n = ld(shp, r - 1);
  const is = <isize>ld(ss, r - 1);
  const id = <isize>ld(sd, r - 1);
  let outer = 1;
  for (let d = 0; d < r - 1; d++) {
    outer *= ld(shp, d);
    st(ctr, d, 0);
  }
  const shs = shiftOf(sdt);
  const shd = shiftOf(ddt);
  let os: isize = 0;
  let od: isize = 0;
  for (let o = 0; o < outer; o++) {
    copyRow(sdt, ddt, ps + (<usize>os << shs), is, pd + (<usize>od << shd), id, n);
    for (let d = r - 2; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      os += ld(ss, d);
      od += ld(sd, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      os -= <isize>ld(ss, d) * ld(shp, d);
      od -= <isize>ld(sd, d) * ld(shp, d);
    }
  }
}
