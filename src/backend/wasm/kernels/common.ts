/**
 * Shared definitions of the WebAssembly kernels (AssemblyScript).
 *
 * Dtype codes, element sizes, and the two ways a computed float64 is stored back:
 * - `storeAs` follows the reference backend's `storeFn` (ints truncate toward zero, non-finite
 *   values become 0, int32 wraps modulo 2^32, bool maps nonzero and non-NaN to 1);
 * - `storeRaw` follows a plain JavaScript typed-array assignment (used where the reference
 *   backend writes `out[i] += v` directly: scatterAdd, fold): int64 keeps fractions, bool wraps
 *   modulo 256.
 * Every kernel addresses memory with raw pointers: no managed objects, so the stub runtime
 * never allocates and the TypeScript side owns all memory.
 */

export const F32: i32 = 0;
export const F64: i32 = 1;
export const I32: i32 = 2;
export const I64: i32 = 3; // stored as float64 values, as in the reference backend
export const BOOL: i32 = 4; // one byte, 0 or 1

/** log2 of the element size of a dtype code. */
@inline export function shiftOf(dt: i32): usize {
  return dt == BOOL ? 0 : dt == F32 || dt == I32 ? 2 : 3;
}

/** Loads element `i` (an element index, may be negative) of dtype `dt` as a float64. */
@inline export function loadAs(dt: i32, p: usize, i: isize): f64 {
  switch (dt) {
    case F32: return <f64>load<f32>(p + (<usize>i << 2));
    case I32: return <f64>load<i32>(p + (<usize>i << 2));
    case BOOL: return <f64>load<u8>(p + <usize>i);
    default: return load<f64>(p + (<usize>i << 3));
  }
}

/** JavaScript's ToInt32 on a float64 (modulo 2^32, NaN and ±Infinity give 0). */
export function toInt32(v: f64): i32 {
  if (!isFinite<f64>(v)) return 0;
  const t = trunc<f64>(v);
  if (t >= -2147483648.0 && t <= 2147483647.0) return <i32>t;
  let m = t % 4294967296.0;
  if (m < 0) m += 4294967296.0;
  return <i32><u32>m;
}

/** JavaScript's ToUint8 on a float64 (modulo 256). */
function toUint8(v: f64): u8 {
  if (!isFinite<f64>(v)) return 0;
  let m = trunc<f64>(v) % 256.0;
  if (m < 0) m += 256.0;
  return <u8><i32>m;
}

/** Stores `v` into element `i` of dtype `dt` with the reference backend's conversion rules. */
@inline export function storeAs(dt: i32, p: usize, i: isize, v: f64): void {
  switch (dt) {
    case F32: store<f32>(p + (<usize>i << 2), <f32>v); break;
    case F64: store<f64>(p + (<usize>i << 3), v); break;
    case I32: store<i32>(p + (<usize>i << 2), toInt32(v)); break;
    case I64: store<f64>(p + (<usize>i << 3), isFinite<f64>(v) ? trunc<f64>(v) : 0.0); break;
    default: store<u8>(p + <usize>i, v != 0 && v == v ? 1 : 0);
  }
}

/** Stores `v` into element `i` as a JavaScript typed-array assignment would. */
@inline export function storeRaw(dt: i32, p: usize, i: isize, v: f64): void {
  switch (dt) {
    case F32: store<f32>(p + (<usize>i << 2), <f32>v); break;
    case I32: store<i32>(p + (<usize>i << 2), toInt32(v)); break;
    case BOOL: store<u8>(p + <usize>i, toUint8(v)); break;
    default: store<f64>(p + (<usize>i << 3), v);
  }
}

/** Reads the i-th int32 of a descriptor block. */
@inline export function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Writes the i-th int32 of a descriptor block. */
@inline export function st(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/** Status word (and an f64 detail) kernels report errors through; read by the TypeScript side. */
export const STATUS_BYTES: i32 = 16;
