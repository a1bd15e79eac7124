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

@inline function temper4(y: v128): v128 {
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
