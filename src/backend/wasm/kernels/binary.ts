/**
 * Elementwise functions of two inputs of one (broadcast) shape, and `where`.
 *
 * Descriptor: [rank, shape[rank], aStrides[rank], bStrides[rank], counters[rank]] after the
 * TypeScript side coalesced the dims; broadcast operands have stride 0. Rows whose inner strides
 * are (1,1), (1,0) or (0,1) — elementwise, tensor-with-row-scalar and scalar-with-tensor, the
 * cases that make up nearly all traffic — run in v128 SIMD for float32/float64 add, sub, mul,
 * div, maximum and minimum (exactly the scalar results: IEEE ops round once, and max/min use
 * compare-and-select so NaN and ±0 behave as the reference), and float32 comparisons producing
 * bool masks (16 per step, narrowed to bytes). Everything else is scalar float64.
 */
import { BOOL, F32, F64, I32, I64, ld, loadAs, shiftOf, st, storeAs } from './common';

const ADD: i32 = 0;
const SUB: i32 = 1;
const MUL: i32 = 2;
const DIV: i32 = 3;
const POW: i32 = 4;
const MAXIMUM: i32 = 5;
const MINIMUM: i32 = 6;
const ATAN2: i32 = 7;
const REMAINDER: i32 = 8;
const FLOOR_DIVIDE: i32 = 9;
const EQ: i32 = 10;
const NE: i32 = 11;
const LT: i32 = 12;
const LE: i32 = 13;
const GT: i32 = 14;
const GE: i32 = 15;
const LOGICAL_AND: i32 = 16;
const LOGICAL_OR: i32 = 17;

@inline function binop(op: i32, a: f64, b: f64): f64 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case POW: return Math.pow(a, b);
    case MAXIMUM: return isNaN<f64>(a) || isNaN<f64>(b) ? NaN : a > b ? a : b;
    case MINIMUM: return isNaN<f64>(a) || isNaN<f64>(b) ? NaN : a < b ? a : b;
    case ATAN2: return Math.atan2(a, b);
    case REMAINDER: return a - Math.floor(a / b) * b;
    case FLOOR_DIVIDE: return Math.floor(a / b);
    case EQ: return a == b ? 1.0 : 0.0;
    case NE: return a != b ? 1.0 : 0.0;
    case LT: return a < b ? 1.0 : 0.0;
    case LE: return a <= b ? 1.0 : 0.0;
    case GT: return a > b ? 1.0 : 0.0;
    case GE: return a >= b ? 1.0 : 0.0;
    case LOGICAL_AND: return a != 0 && b != 0 ? 1.0 : 0.0;
    case LOGICAL_OR: return a != 0 || b != 0 ? 1.0 : 0.0;
    default: return (a != 0) != (b != 0) ? 1.0 : 0.0; // LOGICAL_XOR
  }
}

@inline function bRow(op: i32, dt: i32, odt: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    storeAs(odt, po, i, binop(op, loadAs(dt, pa, <isize>i * ia), loadAs(dt, pb, <isize>i * ib)));
  }
}

@inline function bDispatch(op: i32, dt: i32, odt: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  switch (op) {
    case 0: bRow(0, dt, odt, pa, ia, pb, ib, po, n); break;
    case 1: bRow(1, dt, odt, pa, ia, pb, ib, po, n); break;
    case 2: bRow(2, dt, odt, pa, ia, pb, ib, po, n); break;
    case 3: bRow(3, dt, odt, pa, ia, pb, ib, po, n); break;
    case 4: bRow(4, dt, odt, pa, ia, pb, ib, po, n); break;
    case 5: bRow(5, dt, odt, pa, ia, pb, ib, po, n); break;
    case 6: bRow(6, dt, odt, pa, ia, pb, ib, po, n); break;
    case 7: bRow(7, dt, odt, pa, ia, pb, ib, po, n); break;
    case 8: bRow(8, dt, odt, pa, ia, pb, ib, po, n); break;
    case 9: bRow(9, dt, odt, pa, ia, pb, ib, po, n); break;
    case 10: bRow(10, dt, odt, pa, ia, pb, ib, po, n); break;
    case 11: bRow(11, dt, odt, pa, ia, pb, ib, po, n); break;
    case 12: bRow(12, dt, odt, pa, ia, pb, ib, po, n); break;
    case 13: bRow(13, dt, odt, pa, ia, pb, ib, po, n); break;
    case 14: bRow(14, dt, odt, pa, ia, pb, ib, po, n); break;
    case 15: bRow(15, dt, odt, pa, ia, pb, ib, po, n); break;
    case 16: bRow(16, dt, odt, pa, ia, pb, ib, po, n); break;
    case 17: bRow(17, dt, odt, pa, ia, pb, ib, po, n); break;
    default: bRow(18, dt, odt, pa, ia, pb, ib, po, n);
  }
}

/** v128 forms; maximum/minimum: select by a strict compare, then NaN where either lane is NaN. */
@inline function vop(op: i32, wide: bool, a: v128, b: v128): v128 {
  if (wide) {
    switch (op) {
      case ADD: return f64x2.add(a, b);
      case SUB: return f64x2.sub(a, b);
      case MUL: return f64x2.mul(a, b);
      case DIV: return f64x2.div(a, b);
      case MAXIMUM: return v128.bitselect(f64x2.add(a, b), v128.bitselect(a, b, f64x2.gt(a, b)), v128.or(f64x2.ne(a, a), f64x2.ne(b, b)));
      default: return v128.bitselect(f64x2.add(a, b), v128.bitselect(a, b, f64x2.lt(a, b)), v128.or(f64x2.ne(a, a), f64x2.ne(b, b)));
    }
  }
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: return v128.bitselect(f32x4.add(a, b), v128.bitselect(a, b, f32x4.gt(a, b)), v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
    default: return v128.bitselect(f32x4.add(a, b), v128.bitselect(a, b, f32x4.lt(a, b)), v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
  }
}

/** mode 0: both contiguous; 1: b is one value per row; 2: a is one value per row. */
@inline function vRow(op: i32, wide: bool, mode: i32, pa: usize, pb: usize, po: usize, n: i32): void {
  const bytes = <usize>n << (wide ? 3 : 2);
  const sa: v128 = wide ? v128.load64_splat(pa) : v128.load32_splat(pa);
  const sb: v128 = wide ? v128.load64_splat(pb) : v128.load32_splat(pb);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    const a = mode == 2 ? sa : v128.load(pa + i);
    const b = mode == 1 ? sb : v128.load(pb + i);
    v128.store(po + i, vop(op, wide, a, b));
  }
  const dt = wide ? F64 : F32;
  for (let j = <i32>(i >> (wide ? 3 : 2)); j < n; j++) {
    storeAs(dt, po, j, binop(op, loadAs(dt, pa, mode == 2 ? 0 : j), loadAs(dt, pb, mode == 1 ? 0 : j)));
  }
}

@inline function vModes(op: i32, wide: bool, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): bool {
  if (ia == 1 && ib == 1) vRow(op, wide, 0, pa, pb, po, n);
  else if (ia == 1 && ib == 0) vRow(op, wide, 1, pa, pb, po, n);
  else if (ia == 0 && ib == 1) vRow(op, wide, 2, pa, pb, po, n);
  else return false;
  return true;
}

@inline function vDispatch(op: i32, wide: bool, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): bool {
  switch (op) {
    case ADD: return vModes(ADD, wide, pa, ia, pb, ib, po, n);
    case SUB: return vModes(SUB, wide, pa, ia, pb, ib, po, n);
    case MUL: return vModes(MUL, wide, pa, ia, pb, ib, po, n);
    case DIV: return vModes(DIV, wide, pa, ia, pb, ib, po, n);
    case MAXIMUM: return vModes(MAXIMUM, wide, pa, ia, pb, ib, po, n);
    case MINIMUM: return vModes(MINIMUM, wide, pa, ia, pb, ib, po, n);
    default: return false;
  }
}

/** float32 comparison → bool mask lanes (all ones / zeros), as the scalar compare (NaN: only ne holds). */
@inline function vcmp(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case EQ: return f32x4.eq(a, b);
    case NE: return f32x4.ne(a, b);
    case LT: return f32x4.lt(a, b);
    case LE: return f32x4.le(a, b);
    case GT: return f32x4.gt(a, b);
    default: return f32x4.ge(a, b);
  }
}

/** 16 float32 comparisons → 16 bytes of 0/1 (masks narrowed i32 → i16 → i8, then & 1). */
@inline function cmpRow(op: i32, mode: i32, pa: usize, pb: usize, po: usize, n: i32): void {
  const sa = v128.load32_splat(pa);
  const sb = v128.load32_splat(pb);
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = <usize>i << 2;
    const m0 = vcmp(op, mode == 2 ? sa : v128.load(pa + q), mode == 1 ? sb : v128.load(pb + q));
    const m1 = vcmp(op, mode == 2 ? sa : v128.load(pa + q, 16), mode == 1 ? sb : v128.load(pb + q, 16));
    const m2 = vcmp(op, mode == 2 ? sa : v128.load(pa + q, 32), mode == 1 ? sb : v128.load(pb + q, 32));
    const m3 = vcmp(op, mode == 2 ? sa : v128.load(pa + q, 48), mode == 1 ? sb : v128.load(pb + q, 48));
    const w = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
    v128.store(po + <usize>i, v128.and(w, one));
  }
  for (; i < n; i++) {
    storeAs(BOOL, po, i, binop(op, loadAs(F32, pa, mode == 2 ? 0 : i), loadAs(F32, pb, mode == 1 ? 0 : i)));
  }
}

@inline function cmpModes(op: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): bool {
  if (ia == 1 && ib == 1) cmpRow(op, 0, pa, pb, po, n);
  else if (ia == 1 && ib == 0) cmpRow(op, 1, pa, pb, po, n);
  else if (ia == 0 && ib == 1) cmpRow(op, 2, pa, pb, po, n);
  else return false;
  return true;
}

@inline function cmpDispatch(op: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): bool {
  switch (op) {
    case EQ: return cmpModes(EQ, pa, ia, pb, ib, po, n);
    case NE: return cmpModes(NE, pa, ia, pb, ib, po, n);
    case LT: return cmpModes(LT, pa, ia, pb, ib, po, n);
    case LE: return cmpModes(LE, pa, ia, pb, ib, po, n);
    case GT: return cmpModes(GT, pa, ia, pb, ib, po, n);
    case GE: return cmpModes(GE, pa, ia, pb, ib, po, n);
    default: return false;
  }
}

// One function per dtype pairing (not one inlined monster), so V8 tiers each up to optimised
// code on its own after a few calls instead of compiling every specialisation at once.
function rowF32(op: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  if (!vDispatch(op, false, pa, ia, pb, ib, po, n)) bDispatch(op, F32, F32, pa, ia, pb, ib, po, n);
}

function rowF64(op: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  if (!vDispatch(op, true, pa, ia, pb, ib, po, n)) bDispatch(op, F64, F64, pa, ia, pb, ib, po, n);
}

function rowF32Bool(op: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  if (!cmpDispatch(op, pa, ia, pb, ib, po, n)) bDispatch(op, F32, BOOL, pa, ia, pb, ib, po, n);
}

function rowAny(op: i32, dt: i32, odt: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  bDispatch(op, dt, odt, pa, ia, pb, ib, po, n);
}

function binaryRow(op: i32, dt: i32, odt: i32, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): i32 {
  if ((odt == I32 || odt == I64) && (op == REMAINDER || op == FLOOR_DIVIDE)) {
    for (let i = 0; i < n; i++) if (loadAs(dt, pb, <isize>i * ib) == 0) return 1;
  }
  if (dt == F32 && odt == F32) rowF32(op, pa, ia, pb, ib, po, n);
  else if (dt == F64 && odt == F64) rowF64(op, pa, ia, pb, ib, po, n);
  else if (dt == F32 && odt == BOOL) rowF32Bool(op, pa, ia, pb, ib, po, n);
  else rowAny(op, dt, odt, pa, ia, pb, ib, po, n);
  return 0;
}

/**
 * out = op(a, b); desc = [rank, shape, aStrides, bStrides, counters]. Returns 1 (and stops)
 * when an integer-valued floorDivide/remainder meets a zero divisor, else 0.
 */
export function binary(op: i32, dt: i32, odt: i32, desc: usize, pa: usize, pb: usize, po: usize): i32 {
  const r = ld(desc, 0);
  const shp = desc + 4;
  const sa = shp + (<usize>r << 2);
  const sb = sa + (<usize>r << 2);
  const ctr = sb + (<usize>r << 2);
  const n = ld(shp, r - 1);
  const ia = <isize>ld(sa, r - 1);
  const ib = <isize>ld(sb, r - 1);
  let outer = 1;
  for (let d = 0; d < r - 1; d++) {
    outer *= ld(shp, d);
    st(ctr, d, 0);
  }
  const sh = shiftOf(dt);
  const sho = shiftOf(odt);
  let oa: isize = 0;
  let ob: isize = 0;
  let oo: isize = 0;
  for (let o = 0; o < outer; o++) {
    if (binaryRow(op, dt, odt, pa + (<usize>oa << sh), ia, pb + (<usize>ob << sh), ib, po + (<usize>oo << sho), n) != 0) return 1;
    oo += n;
    for (let d = r - 2; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      oa += ld(sa, d);
      ob += ld(sb, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      oa -= <isize>ld(sa, d) * ld(shp, d);
      ob -= <isize>ld(sb, d) * ld(shp, d);
    }
  }
  return 0;
}

/**
 * where over a row with a contiguous bool condition and float32 operands that are contiguous
 * (stride 1) or one value (stride 0): 4 condition bytes widen to 4 lane masks per step.
 */
function whereRowF32(pc: usize, pa: usize, ia: isize, pb: usize, ib: isize, po: usize, n: i32): void {
  const sa = v128.load32_splat(pa);
  const sb = v128.load32_splat(pb);
  const zero = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(pc + <usize>i)));
    const q = <usize>i << 2;
    const a = ia == 0 ? sa : v128.load(pa + q);
    const b = ib == 0 ? sb : v128.load(pb + q);
    v128.store(po + q, v128.bitselect(a, b, i32x4.ne(c, zero)));
  }
  for (; i < n; i++) {
    const c = load<u8>(pc + <usize>i);
    store<f32>(po + (<usize>i << 2), load<f32>(c != 0 ? pa + (<usize>(<isize>i * ia) << 2) : pb + (<usize>(<isize>i * ib) << 2)));
  }
}

/**
 * out = cond ? a : b (cond truthy: nonzero and not NaN, as a JavaScript conditional);
 * desc = [rank, shape, cStrides, aStrides, bStrides, counters]; a and b share dtype `dt`.
 */
export function where(cdt: i32, dt: i32, odt: i32, desc: usize, pc: usize, pa: usize, pb: usize, po: usize): void {
  const r = ld(desc, 0);
  const shp = desc + 4;
  const sc = shp + (<usize>r << 2);
  const sa = sc + (<usize>r << 2);
  const sb = sa + (<usize>r << 2);
  const ctr = sb + (<usize>r << 2);
  const n = ld(shp, r - 1);
  const ic = <isize>ld(sc, r - 1);
  const ia = <isize>ld(sa, r - 1);
  const ib = <isize>ld(sb, r - 1);
  let outer = 1;
  for (let d = 0; d < r - 1; d++) {
    outer *= ld(shp, d);
    st(ctr, d, 0);
  }
  const shc = shiftOf(cdt);
  const sh = shiftOf(dt);
  const sho = shiftOf(odt);
  let oc: isize = 0;
  let oa: isize = 0;
  let ob: isize = 0;
  let oo: isize = 0;
  for (let o = 0; o < outer; o++) {
    const rc = pc + (<usize>oc << shc);
    const ra = pa + (<usize>oa << sh);
    const rb = pb + (<usize>ob << sh);
    const ro = po + (<usize>oo << sho);
    if (cdt == BOOL && dt == F32 && odt == F32 && ic == 1 && (ia == 0 || ia == 1) && (ib == 0 || ib == 1)) {
      whereRowF32(rc, ra, ia, rb, ib, ro, n);
    } else if (cdt == BOOL && dt == F32 && odt == F32) {
      for (let i = 0; i < n; i++) {
        const c = load<u8>(rc + <usize>(<isize>i * ic));
        store<f32>(ro + (<usize>i << 2), load<f32>((c != 0 ? ra + (<usize>(<isize>i * ia) << 2) : rb + (<usize>(<isize>i * ib) << 2))));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const c = loadAs(cdt, rc, <isize>i * ic);
        const v = c != 0 && c == c ? loadAs(dt, ra, <isize>i * ia) : loadAs(dt, rb, <isize>i * ib);
        storeAs(odt, ro, i, v);
      }
    }
    oo += n;
    for (let d = r - 2; d >= 0; d--) {
      const c = ld(ctr, d) + 1;
      oc += ld(sc, d);
      oa += ld(sa, d);
      ob += ld(sb, d);
      if (c < ld(shp, d)) {
        st(ctr, d, c);
        break;
      }
      st(ctr, d, 0);
      oc -= <isize>ld(sc, d) * ld(shp, d);
      oa -= <isize>ld(sa, d) * ld(shp, d);
      ob -= <isize>ld(sb, d) * ld(shp, d);
    }
  }
}
