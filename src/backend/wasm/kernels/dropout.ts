/**
 * Fused dropout: draws the mask from the caller's MT19937 state and applies it in one pass.
 *
 * The generator is tensor/random.ts's (the same algorithm and word order), so the mask is
 * bit-identical to the one the JavaScript path draws: element i keeps when its float32 uniform
 * (the low 24 bits of the tempered word, times 2^-24) is below `keep`. Comparing the 24-bit
 * integer with keep·2^24 in float64 is the same test exactly (scaling by a power of two is
 * exact). The twist is done in place in the state block, which the host copies in and out.
 * One element per word: at ~2-3 ns per element this replaces a JavaScript loop (~30 ns per
 * element with the float64 mask buffer and its copy into the heap).
 */
import { F32 } from './common';

const N: i32 = 624;
const M: i32 = 397;

/** One state word from words i, i+1 and i+M (indices already wrapped). */
@inline function mix(s: usize, i: i32, i1: i32, im: i32): void {
  const y = (load<u32>(s + (<usize>i << 2)) & 0x80000000) | (load<u32>(s + (<usize>i1 << 2)) & 0x7fffffff);
  let v = load<u32>(s + (<usize>im << 2)) ^ (y >>> 1);
  if ((y & 1) != 0) v ^= 0x9908b0df;
  store<u32>(s + (<usize>i << 2), v);
}

/** mix() on four consecutive words i … i+3 at once (the odd-word constant applied branch-free). */
@inline function mix4(s: usize, i: i32, im: i32): void {
  const a = v128.load(s + (<usize>i << 2));
  const b = v128.load(s + (<usize>(i + 1) << 2));
  const y = v128.or(v128.and(a, i32x4.splat(0x80000000)), v128.and(b, i32x4.splat(0x7fffffff)));
  const odd = i32x4.neg(v128.and(y, i32x4.splat(1)));
  const v = v128.xor(v128.xor(v128.load(s + (<usize>im << 2)), i32x4.shr_u(y, 1)), v128.and(odd, i32x4.splat(0x9908b0df)));
  v128.store(s + (<usize>i << 2), v);
}

/**
 * The MT19937 twist in place, in three index ranges so no word needs a modulo (as mt19937ar.c),
 * four words at a time: word i reads words i+1 (not yet rewritten) and i+M or i+M−N (rewritten
 * at least 227 words earlier), so four neighbours never read one another's new values and the
 * result is the sequential twist's, bit for bit.
 */
export function twist(s: usize): void {
  let i = 0;
  for (; i + 4 <= N - M; i += 4) mix4(s, i, i + M);
  for (; i < N - M; i++) mix(s, i, i + 1, i + M);
  for (; i + 4 <= N - 1; i += 4) mix4(s, i, i + M - N);
  for (; i < N - 1; i++) mix(s, i, i + 1, i + M - N);
  mix(s, N - 1, 0, M - 1);
}

/**
 * Draws `n` words in order from the state (twisting when it runs out) and writes their 24-bit
 * uniforms (the low 24 bits of each tempered word, as Generator.nextFloat32 uses) as i32 to
 * `dst`. Returns the new `mti`. Used by fused kernels that apply dropout inside another op.
 */
export function drawUniform24(state: usize, mti: i32, n: i32, dst: usize): i32 {
  const low = i32x4.splat(0xffffff);
  let i = 0;
  while (i < n) {
    if (mti >= N) {
      twist(state);
      mti = 0;
    }
    const avail = N - mti;
    const chunk = n - i < avail ? n - i : avail;
    let w = state + (<usize>mti << 2);
    let j = 0;
    for (; j + 4 <= chunk; j += 4, i += 4, w += 16) v128.store(dst + (<usize>i << 2), v128.and(temper4(v128.load(w)), low));
    for (; j < chunk; j++, i++, w += 4) store<i32>(dst + (<usize>i << 2), <i32>(temper(load<u32>(w)) & 0xffffff));
    mti += chunk;
  }
  return mti;
}

@inline function temper(y: u32): u32 {
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y;
}

/** MT19937 tempering of four words at once. */
@inline export function temper4(y: v128): v128 {
  y = v128.xor(y, i32x4.shr_u(y, 11));
  y = v128.xor(y, v128.and(i32x4.shl(y, 7), i32x4.splat(0x9d2c5680)));
  y = v128.xor(y, v128.and(i32x4.shl(y, 15), i32x4.splat(0xefc60000)));
  return v128.xor(y, i32x4.shr_u(y, 18));
}

/**
 * out[i] = x[i] · mask[i], mask[i] = (draw_i < keep) ? scale : 0, for n contiguous elements of
 * dtype dt (float32 or float64); the mask is stored only when pm is nonzero. `state` holds the 624 state words, `mti` the next index; the
 * new index is returned. `thresh` is keep · 2^24: a 24-bit draw u is below it exactly when
 * u < ceil(thresh), so the test is one integer compare (four lanes at a time for float32).
 */
export function dropout(dt: i32, n: i32, px: usize, po: usize, pm: usize, state: usize, mti: i32, thresh: f64, scale: f64): i32 {
  const t = <i32>Math.min(Math.ceil(thresh), 16777216.0);
  const s32 = <f32>scale;
  const tv = i32x4.splat(t);
  const low = i32x4.splat(0xffffff);
  const sv = f32x4.splat(s32);
  let i = 0;
  while (i < n) {
    if (mti >= N) {
      twist(state);
      mti = 0;
    }
    const avail = N - mti;
    const chunk = n - i < avail ? n - i : avail;
    let w = state + (<usize>mti << 2);
    let j = 0;
    if (dt == F32) {
      for (; j + 4 <= chunk; j += 4, i += 4, w += 16) {
        const keep = i32x4.lt_s(v128.and(temper4(v128.load(w)), low), tv);
        const m = v128.and(sv, keep);
        const q = <usize>i << 2;
        if (pm != 0) v128.store(pm + q, m);
        v128.store(po + q, f32x4.mul(v128.load(px + q), m));
      }
      for (; j < chunk; j++, i++, w += 4) {
        const m: f32 = <i32>(temper(load<u32>(w)) & 0xffffff) < t ? s32 : 0;
        const q = <usize>i << 2;
        if (pm != 0) store<f32>(pm + q, m);
        store<f32>(po + q, load<f32>(px + q) * m);
      }
    } else {
      for (; j < chunk; j++, i++, w += 4) {
        const m: f64 = <i32>(temper(load<u32>(w)) & 0xffffff) < t ? scale : 0;
        const q = <usize>i << 3;
        if (pm != 0) store<f64>(pm + q, m);
        store<f64>(po + q, load<f64>(px + q) * m);
      }
    }
    mti += chunk;
  }
  return mti;
}

/**
 * The generator's output as one flat recurrence, for threaded consumers: x[0..624) is the state
 * block, and each later word is x[k] = x[k−227] ^ (y >>> 1) ^ (y odd ? 0x9908b0df : 0) with
 * y = upper bit of x[k−624] | lower 31 bits of x[k−623] — exactly twist()'s rule (its i < 227
 * words read old words i+397, the rest read the new words i−227, and word 623 reads the new
 * word 0), so x[mti + t] is the t-th word a sequential draw from (state, mti) returns, untempered.
 * Writes x[0 .. 624·(T+1)) to `dst` (T = the twists a sequential draw of `n` words does: at most
 * n + 1248 words), copies the last block back to `state` and returns the new mti: the state a
 * sequential draw leaves. Four words at a time (every read is at least 224 words back). The
 * drawn words are dst[mti .. mti + n); tempering them is per word, so consumers can do it in
 * parallel.
 */
export function mtFlat(state: usize, mti: i32, n: i32, dst: usize): i32 {
  memory.copy(dst, state, <usize>N << 2);
  const end = mti + n;
  const T = end > N ? (end + N - 1) / N - 1 : 0;
  const total = <usize>N * <usize>(T + 1);
  const hi = i32x4.splat(0x80000000);
  const lo = i32x4.splat(0x7fffffff);
  const one = i32x4.splat(1);
  const mag = i32x4.splat(0x9908b0df);
  for (let k = <usize>N; k < total; k += 4) {
    const p = dst + (k << 2);
    const y = v128.or(v128.and(v128.load(p - (<usize>N << 2)), hi), v128.and(v128.load(p - (<usize>(N - 1) << 2)), lo));
    const odd = i32x4.neg(v128.and(y, one));
    v128.store(p, v128.xor(v128.xor(v128.load(p - (<usize>(N - M) << 2)), i32x4.shr_u(y, 1)), v128.and(odd, mag)));
  }
  memory.copy(state, dst + ((<usize>T * <usize>N) << 2), <usize>N << 2);
  return end - T * N;
}

/**
 * dropout() that also keeps the keep pattern as bits for backward: bit i % 32 of u32 word i / 32
 * at `pbits` is element i's keep flag (words past the last element's are not written; the last
 * word's unused high bits are 0). The draws, the output and the returned mti are dropout()'s,
 * bit for bit; ceil(n / 32) words are written.
 */
export function dropoutBits(dt: i32, n: i32, px: usize, po: usize, pbits: usize, state: usize, mti: i32, thresh: f64, scale: f64): i32 {
  const t = <i32>Math.min(Math.ceil(thresh), 16777216.0);
  const s32 = <f32>scale;
  const tv = i32x4.splat(t);
  const low = i32x4.splat(0xffffff);
  const sv = f32x4.splat(s32);
  let cur: u64 = 0; // pending bits, oldest in bit 0
  let nb: i32 = 0; // how many
  let wb = pbits;
  let i = 0;
  while (i < n) {
    if (mti >= N) {
      twist(state);
      mti = 0;
    }
    const avail = N - mti;
    const chunk = n - i < avail ? n - i : avail;
    let w = state + (<usize>mti << 2);
    let j = 0;
    if (dt == F32) {
      for (; j + 16 <= chunk; j += 16, i += 16, w += 64) {
        // 16 elements: four compares narrowed to 16 bytes give their 16 bits in one bitmask
        const k0 = i32x4.lt_s(v128.and(temper4(v128.load(w)), low), tv);
        const k1 = i32x4.lt_s(v128.and(temper4(v128.load(w, 16)), low), tv);
        const k2 = i32x4.lt_s(v128.and(temper4(v128.load(w, 32)), low), tv);
        const k3 = i32x4.lt_s(v128.and(temper4(v128.load(w, 48)), low), tv);
        const q = <usize>i << 2;
        v128.store(po + q, f32x4.mul(v128.load(px + q), v128.and(sv, k0)));
        v128.store(po + q, f32x4.mul(v128.load(px + q, 16), v128.and(sv, k1)), 16);
        v128.store(po + q, f32x4.mul(v128.load(px + q, 32), v128.and(sv, k2)), 32);
        v128.store(po + q, f32x4.mul(v128.load(px + q, 48), v128.and(sv, k3)), 48);
        const b8 = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(k0, k1), i16x8.narrow_i32x4_s(k2, k3));
        cur |= <u64>i8x16.bitmask(b8) << <u64>nb;
        nb += 16;
        if (nb >= 32) {
          store<u32>(wb, <u32>cur);
          wb += 4;
          cur >>= 32;
          nb -= 32;
        }
      }
      for (; j + 4 <= chunk; j += 4, i += 4, w += 16) {
        const keep = i32x4.lt_s(v128.and(temper4(v128.load(w)), low), tv);
        const q = <usize>i << 2;
        v128.store(po + q, f32x4.mul(v128.load(px + q), v128.and(sv, keep)));
        cur |= <u64>i32x4.bitmask(keep) << <u64>nb;
        nb += 4;
        if (nb >= 32) {
          store<u32>(wb, <u32>cur);
          wb += 4;
          cur >>= 32;
          nb -= 32;
        }
      }
      for (; j < chunk; j++, i++, w += 4) {
        const keep = <i32>(temper(load<u32>(w)) & 0xffffff) < t;
        const q = <usize>i << 2;
        store<f32>(po + q, load<f32>(px + q) * (keep ? s32 : 0));
        cur |= <u64>(keep ? 1 : 0) << <u64>nb;
        if (++nb == 32) {
          store<u32>(wb, <u32>cur);
          wb += 4;
          cur = 0;
          nb = 0;
        }
      }
    } else {
      for (; j < chunk; j++, i++, w += 4) {
        const keep = <i32>(temper(load<u32>(w)) & 0xffffff) < t;
        const q = <usize>i << 3;
        store<f64>(po + q, load<f64>(px + q) * (keep ? scale : 0));
        cur |= <u64>(keep ? 1 : 0) << <u64>nb;
        if (++nb == 32) {
          store<u32>(wb, <u32>cur);
          wb += 4;
          cur = 0;
          nb = 0;
        }
      }
    }
    mti += chunk;
  }
  if (nb > 0) store<u32>(wb, <u32>cur);
  return mti;
}

/**
 * out[i] = g[i] · (bit i of `pbits` ? scale : 0) for n contiguous elements of dtype dt: the
 * multiply dropout() does with the same mask, so the result is a regenerating backward's bit for
 * bit, without drawing a word.
 */
export function dropoutApplyBits(dt: i32, n: i32, pg: usize, pbits: usize, po: usize, scale: f64): void {
  const s32 = <f32>scale;
  const sv = f32x4.splat(s32);
  const sel = i32x4(1, 2, 4, 8);
  const zero = i32x4.splat(0);
  let i = 0;
  if (dt == F32) {
    for (; i + 32 <= n; i += 32) {
      const word = load<u32>(pbits + (<usize>i >> 3));
      const q = po + (<usize>i << 2);
      const g = pg + (<usize>i << 2);
      for (let k = 0; k < 32; k += 4) {
        const lanes = i32x4.ne(v128.and(i32x4.splat(<i32>(word >>> <u32>k)), sel), zero);
        v128.store(q + (<usize>k << 2), f32x4.mul(v128.load(g + (<usize>k << 2)), v128.and(sv, lanes)));
      }
    }
    for (; i < n; i++) {
      const keep = (load<u32>(pbits + (<usize>(i >>> 5) << 2)) >>> <u32>(i & 31)) & 1;
      store<f32>(po + (<usize>i << 2), load<f32>(pg + (<usize>i << 2)) * (keep != 0 ? s32 : 0));
    }
  } else {
    for (; i < n; i++) {
      const keep = (load<u32>(pbits + (<usize>(i >>> 5) << 2)) >>> <u32>(i & 31)) & 1;
      store<f64>(po + (<usize>i << 3), load<f64>(pg + (<usize>i << 3)) * (keep != 0 ? scale : 0));
    }
  }
}
