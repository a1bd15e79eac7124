/**
 * Fused multi-head self-attention on a packed projection, forward and backward
 * (ops/attention.ts explains the op).
 *
 * qkv holds, for each token (n, i), 3E features [q | k | v] (E = H·hd) at element n·sN + i·sL;
 * the kernel reads the (n, h) head's q, k, v rows straight from it (no head split copies) and
 * writes the output (or, backward, the gradient of qkv) in token layout, so heads are merged
 * for free. Per (n, h) pair everything lives in L1 (seq 64, head dim 16: 4 KiB per operand):
 *   scores = (q / √hd)·kᵀ → softmax → dropout (one MT19937 word per score, batch-major,
 *   row-major: the composite's order) → ·v.
 * Saved for backward: the softmax probabilities P [N·H, L, L] and the keep mask (bytes).
 * float32 runs four lanes at a time with a float32 exp (Cephes' expf polynomial, ~1 ulp);
 * float64 runs scalar with Math.exp (it is what gradchecks use, not a fast path).
 *
 * float32 runs each (n, h) as blocks: pack q/√hd, kᵀ and v (and backward k and g) into scratch,
 * then whole L×L products two rows at a time with eight accumulators (scoresF32, weightsTimesV;
 * fused multiply-adds in the relaxed-SIMD build), the softmax/dropout passes between them.
 *
 * Scratch (float32): forward QS L·hd, KT L·hd, VS L·hd, S L·L (+ L·L spare), ROW L, L words;
 * backward QS, KS, VT (L·hd each), PD L·L, DS L·L, 2·L spare, GS L·hd. The host sizes it as
 * 8·(3·L·hd + 2·L² + 2·L) bytes, which holds either (float64 uses less than half).
 */
import { F32 } from './common';
import { drawUniform24, temper4 } from './dropout';
import { expf4, expf4fma } from './vexp';

/** c + a·b: one fused multiply-add where the build has relaxed SIMD, else a multiply and an add. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// ---- float32 exp ------------------------------------------------------------------------------

@inline function expf1(x: f32): f32 {
  return f32x4.extract_lane(expf4(f32x4.splat(x)), 0);
}

@inline function hsum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** row[j] = Σ_d a[d] · T[d·L + j] for j < L: a (hd values) times a transposed block T (hd × L). */
function rowTimesT(a: usize, T: usize, hd: i32, L: i32, row: usize): void {
  let j = 0;
  for (; j + 16 <= L; j += 16) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let t = T + (<usize>j << 2);
    for (let d = 0; d < hd; d++, t += <usize>L << 2) {
      const s = f32x4.splat(load<f32>(a + (<usize>d << 2)));
      c0 = madd(s, v128.load(t), c0);
      c1 = madd(s, v128.load(t, 16), c1);
      c2 = madd(s, v128.load(t, 32), c2);
      c3 = madd(s, v128.load(t, 48), c3);
    }
    const o = row + (<usize>j << 2);
    v128.store(o, c0); v128.store(o, c1, 16); v128.store(o, c2, 32); v128.store(o, c3, 48);
  }
  for (; j < L; j++) {
    let c: f32 = 0;
    for (let d = 0; d < hd; d++) c += load<f32>(a + (<usize>d << 2)) * load<f32>(T + ((<usize>d * <usize>L + <usize>j) << 2));
    store<f32>(row + (<usize>j << 2), c);
  }
}

/**
 * out[0..hd) = Σ_i w[i·ws] · R[i·rs .. +hd] over i < L (rows R of hd floats at element stride rs),
 * times `post`; hd a multiple of 4.
 */
function weightedRows(w: usize, ws: i32, R: usize, rs: i32, hd: i32, L: i32, post: f32, out: usize): void {
  const pv = f32x4.splat(post);
  let d = 0;
  for (; d + 16 <= hd; d += 16) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let r = R + (<usize>d << 2);
    let wp = w;
    for (let i = 0; i < L; i++, r += <usize>rs << 2, wp += <usize>ws << 2) {
      const s = f32x4.splat(load<f32>(wp));
      c0 = madd(s, v128.load(r), c0);
      c1 = madd(s, v128.load(r, 16), c1);
      c2 = madd(s, v128.load(r, 32), c2);
      c3 = madd(s, v128.load(r, 48), c3);
    }
    const o = out + (<usize>d << 2);
    v128.store(o, f32x4.mul(c0, pv)); v128.store(o, f32x4.mul(c1, pv), 16);
    v128.store(o, f32x4.mul(c2, pv), 32); v128.store(o, f32x4.mul(c3, pv), 48);
  }
  for (; d < hd; d += 4) {
    let c = f32x4.splat(0);
    let r = R + (<usize>d << 2);
    let wp = w;
    for (let i = 0; i < L; i++, r += <usize>rs << 2, wp += <usize>ws << 2) c = madd(f32x4.splat(load<f32>(wp)), v128.load(r), c);
    v128.store(out + (<usize>d << 2), f32x4.mul(c, pv));
  }
}

// ---- forward ----------------------------------------------------------------------------------

/**
 * Forward over all N·H (batch, head) pairs. `keepT` > 0 applies dropout: a score is kept when its
 * 24-bit draw is below keepT (= ceil(keep·2^24)) and kept values are multiplied by `scale`.
 * pp (probabilities) and pm (keep bytes) are written when nonzero. Returns the new `mti`.
 */
export function attention(dt: i32, N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32,
  po: usize, oN: i32, oL: i32, pp: usize, pm: usize, state: usize, mti: i32, keepT: i32, scale: f64, scratch: usize): i32 {
  if (dt == F32) return forwardF32(N, L, H, hd, pqkv, sN, sL, po, oN, oL, pp, pm, state, mti, 0, keepT, <f32>scale, scratch);
  return forwardF64(N, L, H, hd, pqkv, sN, sL, po, oN, oL, pp, pm, state, mti, 0, keepT, scale, scratch);
}

/**
 * S[i, j] = Σ_d QS[i, d] · KT[d, j] for a whole (entry, head): two rows of 16 columns at a time
 * (eight independent accumulators sharing each KT load), then 4-wide and scalar column tails and
 * a last odd row. Each score sums d in ascending order with the same operations whatever the
 * thread count.
 */
function scoresF32(QS: usize, KT: usize, hd: i32, L: i32, S: usize): void {
  const rowQ = <usize>hd << 2;
  const rowS = <usize>L << 2;
  let i = 0;
  for (; i + 2 <= L; i += 2) {
    const a0 = QS + <usize>i * rowQ;
    const a1 = a0 + rowQ;
    const r0 = S + <usize>i * rowS;
    const r1 = r0 + rowS;
    let j = 0;
    for (; j + 16 <= L; j += 16) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
      let t = KT + (<usize>j << 2);
      for (let d = 0; d < hd; d++, t += rowS) {
        const s0 = f32x4.splat(load<f32>(a0 + (<usize>d << 2)));
        const s1 = f32x4.splat(load<f32>(a1 + (<usize>d << 2)));
        const k0 = v128.load(t), k1 = v128.load(t, 16), k2 = v128.load(t, 32), k3 = v128.load(t, 48);
        c0 = madd(s0, k0, c0); c1 = madd(s0, k1, c1); c2 = madd(s0, k2, c2); c3 = madd(s0, k3, c3);
        e0 = madd(s1, k0, e0); e1 = madd(s1, k1, e1); e2 = madd(s1, k2, e2); e3 = madd(s1, k3, e3);
      }
      const o0 = r0 + (<usize>j << 2);
      const o1 = r1 + (<usize>j << 2);
      v128.store(o0, c0); v128.store(o0, c1, 16); v128.store(o0, c2, 32); v128.store(o0, c3, 48);
      v128.store(o1, e0); v128.store(o1, e1, 16); v128.store(o1, e2, 32); v128.store(o1, e3, 48);
    }
    for (; j + 4 <= L; j += 4) {
      let c0 = f32x4.splat(0), e0 = f32x4.splat(0);
      let t = KT + (<usize>j << 2);
      for (let d = 0; d < hd; d++, t += rowS) {
        const k0 = v128.load(t);
        c0 = madd(f32x4.splat(load<f32>(a0 + (<usize>d << 2))), k0, c0);
        e0 = madd(f32x4.splat(load<f32>(a1 + (<usize>d << 2))), k0, e0);
      }
      v128.store(r0 + (<usize>j << 2), c0);
      v128.store(r1 + (<usize>j << 2), e0);
    }
    for (; j < L; j++) {
      let c: f32 = 0, e: f32 = 0;
      for (let d = 0; d < hd; d++) {
        const kv = load<f32>(KT + ((<usize>d * <usize>L + <usize>j) << 2));
        c += load<f32>(a0 + (<usize>d << 2)) * kv;
        e += load<f32>(a1 + (<usize>d << 2)) * kv;
      }
      store<f32>(r0 + (<usize>j << 2), c);
      store<f32>(r1 + (<usize>j << 2), e);
    }
  }
  if (i < L) rowTimesT(QS + <usize>i * rowQ, KT, hd, L, S + <usize>i * rowS);
}

/**
 * out[i, 0..hd) = post · Σ_j W[i, j] · V[j, 0..hd) for all L rows of an L × L W (element W[i, j]
 * at W + (i·wr + j·wc) floats: wr = L, wc = 1 row-major, wr = 1, wc = L its transpose) and V
 * (rows of hd floats at element stride vs), output rows at element stride oL: two rows of 16
 * lanes at a time (eight accumulators sharing each V load), a 4-lane tail of hd and a last odd
 * row. Sums run over j ascending, one multiply-add each, as weightedRows.
 */
function weightsTimesV(W: usize, wr: i32, wc: i32, L: i32, V: usize, vs: i32, hd: i32, out: usize, oL: i32, post: f32): void {
  const rowW = <usize>wr << 2;
  const colW = <usize>wc << 2;
  const vstep = <usize>vs << 2;
  const pv = f32x4.splat(post);
  let i = 0;
  for (; i + 2 <= L; i += 2) {
    const w0 = W + <usize>i * rowW;
    const w1 = w0 + rowW;
    const o0 = out + ((<usize>i * <usize>oL) << 2);
    const o1 = o0 + (<usize>oL << 2);
    let d = 0;
    for (; d + 16 <= hd; d += 16) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
      let r = V + (<usize>d << 2);
      for (let j = 0; j < L; j++, r += vstep) {
        const s0 = f32x4.splat(load<f32>(w0 + <usize>j * colW));
        const s1 = f32x4.splat(load<f32>(w1 + <usize>j * colW));
        const v0 = v128.load(r), v1 = v128.load(r, 16), v2 = v128.load(r, 32), v3 = v128.load(r, 48);
        c0 = madd(s0, v0, c0); c1 = madd(s0, v1, c1); c2 = madd(s0, v2, c2); c3 = madd(s0, v3, c3);
        e0 = madd(s1, v0, e0); e1 = madd(s1, v1, e1); e2 = madd(s1, v2, e2); e3 = madd(s1, v3, e3);
      }
      const p0 = o0 + (<usize>d << 2);
      const p1 = o1 + (<usize>d << 2);
      v128.store(p0, f32x4.mul(c0, pv)); v128.store(p0, f32x4.mul(c1, pv), 16); v128.store(p0, f32x4.mul(c2, pv), 32); v128.store(p0, f32x4.mul(c3, pv), 48);
      v128.store(p1, f32x4.mul(e0, pv)); v128.store(p1, f32x4.mul(e1, pv), 16); v128.store(p1, f32x4.mul(e2, pv), 32); v128.store(p1, f32x4.mul(e3, pv), 48);
    }
    for (; d < hd; d += 4) {
      let c0 = f32x4.splat(0), e0 = f32x4.splat(0);
      let r = V + (<usize>d << 2);
      for (let j = 0; j < L; j++, r += vstep) {
        const v0 = v128.load(r);
        c0 = madd(f32x4.splat(load<f32>(w0 + <usize>j * colW)), v0, c0);
        e0 = madd(f32x4.splat(load<f32>(w1 + <usize>j * colW)), v0, e0);
      }
      v128.store(o0 + (<usize>d << 2), f32x4.mul(c0, pv));
      v128.store(o1 + (<usize>d << 2), f32x4.mul(e0, pv));
    }
  }
  if (i < L) weightedRows(W + <usize>i * rowW, wc, V, vs, hd, L, post, out + ((<usize>i * <usize>oL) << 2));
}

/**
 * float32 forward over N entries. Per (entry, head): QS = q / √hd and KT = kᵀ into scratch, all
 * L×L scores at once (scoresF32), then per row softmax → probabilities (pp) → dropout, then
 * the weighted sum of v for all rows (weightsTimesV). Dropout words: with `words` = 0 each row
 * draws its L words from the state (drawUniform24, 24-bit already); otherwise `words` holds the
 * call's raw MT19937 output words (untempered), one per score from this chunk's first score,
 * and they are tempered here (tempering is per word, so this parallelises).
 */
function forwardF32(N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32, po: usize, oN: i32, oL: i32,
  pp: usize, pm: usize, state: usize, mti: i32, words: usize, keepT: i32, scale: f32, scratch: usize): i32 {
  const E = H * hd;
  const sq = <f32>Math.sqrt(<f64>hd);
  const sqv = f32x4.splat(sq);
  const LH = (<usize>L * <usize>hd) << 2;
  const QS = scratch;
  const KT = QS + LH;
  const VS = KT + LH;
  const S = VS + LH;
  const ROW = S + ((<usize>L * <usize>L) << 3);
  const DRAWN = ROW + (<usize>L << 2);
  const LL = <usize>L * <usize>L;
  const tv = i32x4.splat(keepT);
  const sv = f32x4.splat(scale);
  const low = i32x4.splat(0xffffff);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const b = <usize>(n * H + h);
      const q = pqkv + ((<usize>n * <usize>sN + <usize>(h * hd)) << 2);
      const k = q + (<usize>E << 2);
      const v = k + (<usize>E << 2);
      for (let i = 0; i < L; i++) {
        const r = <usize>i * <usize>sL;
        const qs = QS + ((<usize>i * <usize>hd) << 2);
        for (let d = 0; d < hd; d += 4) v128.store(qs + (<usize>d << 2), f32x4.div(v128.load(q + ((r + <usize>d) << 2)), sqv));
        for (let d = 0; d < hd; d++) store<f32>(KT + ((<usize>d * <usize>L + <usize>i) << 2), load<f32>(k + ((r + <usize>d) << 2)));
        // v's rows packed: in qkv they are 3E floats apart, a stride that maps them to few cache sets
        const vs = VS + ((<usize>i * <usize>hd) << 2);
        for (let d = 0; d < hd; d += 4) v128.store(vs + (<usize>d << 2), v128.load(v + ((r + <usize>d) << 2)));
      }
      scoresF32(QS, KT, hd, L, S);
      for (let i = 0; i < L; i++) {
        const row = S + ((<usize>i * <usize>L) << 2);
        // softmax over the row
        let mv = f32x4.splat(-Infinity);
        let j = 0;
        // pmax (one instruction) instead of max: a NaN score may be skipped here, but it is NaN
        // after exp too, so its row's sum and every probability are NaN either way.
        for (; j + 4 <= L; j += 4) mv = f32x4.pmax(mv, v128.load(row + (<usize>j << 2)));
        mv = f32x4.pmax(mv, v128.shuffle<f32>(mv, mv, 2, 3, 0, 1));
        mv = f32x4.pmax(mv, v128.shuffle<f32>(mv, mv, 1, 0, 3, 2));
        let m = f32x4.extract_lane(mv, 0);
        for (; j < L; j++) m = max<f32>(m, load<f32>(row + (<usize>j << 2)));
        if (Mathf.abs(m) == Infinity) m = 0;
        const ms = f32x4.splat(m);
        let acc = f32x4.splat(0);
        j = 0;
        for (; j + 4 <= L; j += 4) {
          const e = expf4fma(f32x4.sub(v128.load(row + (<usize>j << 2)), ms));
          v128.store(row + (<usize>j << 2), e);
          acc = f32x4.add(acc, e);
        }
        let sum = hsum4(acc);
        for (; j < L; j++) {
          const e = expf1(load<f32>(row + (<usize>j << 2)) - m);
          store<f32>(row + (<usize>j << 2), e);
          sum += e;
        }
        const inv: f32 = 1 / sum;
        const iv = f32x4.splat(inv);
        const prow = pp + ((b * LL + <usize>i * <usize>L) << 2);
        const mrow = pm + b * LL + <usize>i * <usize>L;
        j = 0;
        if (keepT > 0) {
          // The row's words: drawn here (24-bit), or the call's raw words (tempered here).
          const raw = words != 0;
          let WORDS = DRAWN;
          if (raw) WORDS = words + ((b * LL + <usize>i * <usize>L) << 2);
          else mti = drawUniform24(state, mti, L, DRAWN);
          for (; j + 4 <= L; j += 4) {
            const p = f32x4.mul(v128.load(row + (<usize>j << 2)), iv);
            if (pp != 0) v128.store(prow + (<usize>j << 2), p);
            let w = v128.load(WORDS + (<usize>j << 2));
            if (raw) w = v128.and(temper4(w), low);
            const keep = i32x4.lt_s(w, tv);
            if (pm != 0) {
              // lanes are 0 or −1: narrow to bytes 0 / 1
              const b16 = i16x8.narrow_i32x4_s(keep, keep);
              const b8 = i8x16.narrow_i16x8_s(b16, b16);
              store<u32>(mrow + <usize>j, i32x4.extract_lane(v128.and(b8, i8x16.splat(1)), 0));
            }
            v128.store(row + (<usize>j << 2), f32x4.mul(p, v128.and(sv, keep)));
          }
          for (; j < L; j++) {
            const p = load<f32>(row + (<usize>j << 2)) * inv;
            if (pp != 0) store<f32>(prow + (<usize>j << 2), p);
            let w = load<i32>(WORDS + (<usize>j << 2));
            if (raw) w = i32x4.extract_lane(v128.and(temper4(i32x4.splat(w)), low), 0);
            const keep = w < keepT;
            if (pm != 0) store<u8>(mrow + <usize>j, keep ? 1 : 0);
            store<f32>(row + (<usize>j << 2), p * (keep ? scale : 0));
          }
        } else {
          for (; j + 4 <= L; j += 4) {
            const p = f32x4.mul(v128.load(row + (<usize>j << 2)), iv);
            if (pp != 0) v128.store(prow + (<usize>j << 2), p);
            v128.store(row + (<usize>j << 2), p);
          }
          for (; j < L; j++) {
            const p = load<f32>(row + (<usize>j << 2)) * inv;
            if (pp != 0) store<f32>(prow + (<usize>j << 2), p);
            store<f32>(row + (<usize>j << 2), p);
          }
        }
      }
      weightsTimesV(S, L, 1, L, VS, hd, hd, po + ((<usize>n * <usize>oN + <usize>(h * hd)) << 2), oL, 1);
    }
  }
  return mti;
}

function forwardF64(N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32, po: usize, oN: i32, oL: i32,
  pp: usize, pm: usize, state: usize, mti: i32, words: usize, keepT: i32, scale: f64, scratch: usize): i32 {
  const E = H * hd;
  const sq = Math.sqrt(<f64>hd);
  const ROW = scratch;
  const DRAWN = scratch + (<usize>L << 3);
  const LL = <usize>L * <usize>L;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const b = <usize>(n * H + h);
      const q = pqkv + ((<usize>n * <usize>sN + <usize>(h * hd)) << 3);
      const k = q + (<usize>E << 3);
      const v = k + (<usize>E << 3);
      for (let i = 0; i < L; i++) {
        const qi = q + ((<usize>i * <usize>sL) << 3);
        let m = -Infinity;
        for (let j = 0; j < L; j++) {
          const kj = k + ((<usize>j * <usize>sL) << 3);
          let s = 0.0;
          for (let d = 0; d < hd; d++) s += (load<f64>(qi + (<usize>d << 3)) / sq) * load<f64>(kj + (<usize>d << 3));
          store<f64>(ROW + (<usize>j << 3), s);
          m = max<f64>(m, s);
        }
        if (Math.abs(m) == Infinity) m = 0;
        let sum = 0.0;
        for (let j = 0; j < L; j++) {
          const e = Math.exp(load<f64>(ROW + (<usize>j << 3)) - m);
          store<f64>(ROW + (<usize>j << 3), e);
          sum += e;
        }
        let WORDS = DRAWN;
        if (keepT > 0) {
          if (words != 0) WORDS = words + ((b * LL + <usize>i * <usize>L) << 2);
          else mti = drawUniform24(state, mti, L, DRAWN);
        }
        for (let j = 0; j < L; j++) {
          let p = load<f64>(ROW + (<usize>j << 3)) / sum;
          if (pp != 0) store<f64>(pp + ((b * LL + <usize>i * <usize>L + <usize>j) << 3), p);
          if (keepT > 0) {
            let w = load<i32>(WORDS + (<usize>j << 2));
            if (words != 0) w = i32x4.extract_lane(v128.and(temper4(i32x4.splat(w)), i32x4.splat(0xffffff)), 0);
            const keep = w < keepT;
            if (pm != 0) store<u8>(pm + b * LL + <usize>i * <usize>L + <usize>j, keep ? 1 : 0);
            p = keep ? p * scale : 0;
          }
          store<f64>(ROW + (<usize>j << 3), p);
        }
        const out = po + ((<usize>n * <usize>oN + <usize>i * <usize>oL + <usize>(h * hd)) << 3);
        for (let d = 0; d < hd; d++) {
          let o = 0.0;
          for (let j = 0; j < L; j++) o += load<f64>(ROW + (<usize>j << 3)) * load<f64>(v + ((<usize>j * <usize>sL + <usize>d) << 3));
          store<f64>(out + (<usize>d << 3), o);
        }
      }
    }
  }
  return mti;
}

// ---- backward ---------------------------------------------------------------------------------

/**
 * Gradient of qkv (written to pd, token layout with strides dN, dL, every element written) from
 * the output gradient g (strides gN, gL), qkv, the saved probabilities pp and keep bytes pm (0:
 * no dropout). With P the probabilities, M the mask times `scale`, Pd = P·M:
 *   dV = Pdᵀ·g, dP = (g·Vᵀ)·M, dS = P·(dP − Σ_j dP·P), dQ = dS·K / √hd, dK = dSᵀ·(Q / √hd).
 */
export function attentionBackward(dt: i32, N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32,
  pp: usize, pm: usize, scale: f64, pg: usize, gN: i32, gL: i32, pd: usize, dN: i32, dL: i32, scratch: usize): void {
  if (dt == F32) backwardF32(N, L, H, hd, pqkv, sN, sL, pp, pm, <f32>scale, pg, gN, gL, pd, dN, dL, scratch);
  else backwardF64(N, L, H, hd, pqkv, sN, sL, pp, pm, scale, pg, gN, gL, pd, dN, dL, scratch);
}

function backwardF32(N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32, pp: usize, pm: usize, scale: f32,
  pg: usize, gN: i32, gL: i32, pd: usize, dN: i32, dL: i32, scratch: usize): void {
  const E = H * hd;
  const sq = <f32>Math.sqrt(<f64>hd);
  const LH = (<usize>L * <usize>hd) << 2;
  const QS = scratch;
  const KS = QS + LH;
  const VT = KS + LH;
  const PD = VT + LH;
  const DS = PD + ((<usize>L * <usize>L) << 2);
  const GS = DS + ((<usize>L * <usize>L) << 2) + (<usize>L << 3);
  const LL = <usize>L * <usize>L;
  const sqv = f32x4.splat(sq);
  const sv = f32x4.splat(scale);
  const zero = i32x4.splat(0);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const b = <usize>(n * H + h);
      const q = pqkv + ((<usize>n * <usize>sN + <usize>(h * hd)) << 2);
      const k = q + (<usize>E << 2);
      const v = k + (<usize>E << 2);
      const g = pg + ((<usize>n * <usize>gN + <usize>(h * hd)) << 2);
      const dq = pd + ((<usize>n * <usize>dN + <usize>(h * hd)) << 2);
      const dk = dq + (<usize>E << 2);
      const dv = dk + (<usize>E << 2);
      // Packed copies (rows of k and g are 3E and E floats apart in their tensors: strides that
      // map a head's rows to few cache sets): QS = q / √hd, KS = k, VT = vᵀ, GS = g.
      for (let i = 0; i < L; i++) {
        const r = <usize>i * <usize>sL;
        const gi = g + ((<usize>i * <usize>gL) << 2);
        const o = (<usize>i * <usize>hd) << 2;
        for (let d = 0; d < hd; d += 4) {
          v128.store(QS + o + (<usize>d << 2), f32x4.div(v128.load(q + ((r + <usize>d) << 2)), sqv));
          v128.store(KS + o + (<usize>d << 2), v128.load(k + ((r + <usize>d) << 2)));
          v128.store(GS + o + (<usize>d << 2), v128.load(gi + (<usize>d << 2)));
        }
        for (let d = 0; d < hd; d++) store<f32>(VT + ((<usize>d * <usize>L + <usize>i) << 2), load<f32>(v + ((r + <usize>d) << 2)));
      }
      // DS = g·Vᵀ (dPd) for all rows, then turned into dS row by row in place.
      scoresF32(GS, VT, hd, L, DS);
      for (let i = 0; i < L; i++) {
        const ROW = DS + ((<usize>i * <usize>L) << 2);
        const prow = pp + ((b * LL + <usize>i * <usize>L) << 2);
        const mrow = pm + b * LL + <usize>i * <usize>L;
        const pdrow = PD + ((<usize>i * <usize>L) << 2);
        const dsrow = DS + ((<usize>i * <usize>L) << 2);
        let acc = f32x4.splat(0);
        let j = 0;
        for (; j + 4 <= L; j += 4) {
          const p = v128.load(prow + (<usize>j << 2));
          let dp = v128.load(ROW + (<usize>j << 2));
          let pdv = p;
          if (pm != 0) {
            // four keep bytes → four lanes of 0 / −1
            const bytes = i32x4.splat(<i32>load<u32>(mrow + <usize>j));
            const lanes = i32x4.ne(v128.and(bytes, i32x4(0xff, 0xff00, 0xff0000, <i32>0xff000000)), zero);
            const mk = v128.and(sv, lanes);
            dp = f32x4.mul(dp, mk);
            pdv = f32x4.mul(p, mk);
          }
          v128.store(pdrow + (<usize>j << 2), pdv);
          v128.store(ROW + (<usize>j << 2), dp);
          acc = f32x4.add(acc, f32x4.mul(dp, p));
        }
        let rs = hsum4(acc);
        for (; j < L; j++) {
          const p = load<f32>(prow + (<usize>j << 2));
          let dp = load<f32>(ROW + (<usize>j << 2));
          let pdv = p;
          if (pm != 0) {
            const mk: f32 = load<u8>(mrow + <usize>j) != 0 ? scale : 0;
            dp *= mk;
            pdv = p * mk;
          }
          store<f32>(pdrow + (<usize>j << 2), pdv);
          store<f32>(ROW + (<usize>j << 2), dp);
          rs += dp * p;
        }
        const rv = f32x4.splat(rs);
        j = 0;
        for (; j + 4 <= L; j += 4) {
          v128.store(dsrow + (<usize>j << 2), f32x4.mul(v128.load(prow + (<usize>j << 2)), f32x4.sub(v128.load(ROW + (<usize>j << 2)), rv)));
        }
        for (; j < L; j++) store<f32>(dsrow + (<usize>j << 2), load<f32>(prow + (<usize>j << 2)) * (load<f32>(ROW + (<usize>j << 2)) - rs));
      }
      // dQ[i] = dS[i, :]·K / √hd; dK[j] = Σ_i dS[i, j]·QS[i]; dV[j] = Σ_i Pd[i, j]·g[i]
      weightsTimesV(DS, L, 1, L, KS, hd, hd, dq, dL, 1 / sq);
      weightsTimesV(DS, 1, L, L, QS, hd, hd, dk, dL, 1);
      weightsTimesV(PD, 1, L, L, GS, hd, hd, dv, dL, 1);
    }
  }
}

function backwardF64(N: i32, L: i32, H: i32, hd: i32, pqkv: usize, sN: i32, sL: i32, pp: usize, pm: usize, scale: f64,
  pg: usize, gN: i32, gL: i32, pd: usize, dN: i32, dL: i32, scratch: usize): void {
  const E = H * hd;
  const sq = Math.sqrt(<f64>hd);
  const LL = <usize>L * <usize>L;
  const PD = scratch;
  const DS = scratch + (LL << 3);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const b = <usize>(n * H + h);
      const q = pqkv + ((<usize>n * <usize>sN + <usize>(h * hd)) << 3);
      const k = q + (<usize>E << 3);
      const v = k + (<usize>E << 3);
      const g = pg + ((<usize>n * <usize>gN + <usize>(h * hd)) << 3);
      const dq = pd + ((<usize>n * <usize>dN + <usize>(h * hd)) << 3);
      const dk = dq + (<usize>E << 3);
      const dv = dk + (<usize>E << 3);
      for (let i = 0; i < L; i++) {
        const gi = g + ((<usize>i * <usize>gL) << 3);
        let rs = 0.0;
        for (let j = 0; j < L; j++) {
          const vj = v + ((<usize>j * <usize>sL) << 3);
          let dp = 0.0;
          for (let d = 0; d < hd; d++) dp += load<f64>(gi + (<usize>d << 3)) * load<f64>(vj + (<usize>d << 3));
          const p = load<f64>(pp + ((b * LL + <usize>i * <usize>L + <usize>j) << 3));
          const mk = pm == 0 ? 1.0 : load<u8>(pm + b * LL + <usize>i * <usize>L + <usize>j) != 0 ? scale : 0.0;
          dp *= mk;
          store<f64>(PD + ((<usize>i * <usize>L + <usize>j) << 3), p * mk);
          store<f64>(DS + ((<usize>i * <usize>L + <usize>j) << 3), dp);
          rs += dp * p;
        }
        for (let j = 0; j < L; j++) {
          const p = load<f64>(pp + ((b * LL + <usize>i * <usize>L + <usize>j) << 3));
          const a = DS + ((<usize>i * <usize>L + <usize>j) << 3);
          store<f64>(a, p * (load<f64>(a) - rs));
        }
        for (let d = 0; d < hd; d++) {
          let s = 0.0;
          for (let j = 0; j < L; j++) s += load<f64>(DS + ((<usize>i * <usize>L + <usize>j) << 3)) * load<f64>(k + ((<usize>j * <usize>sL + <usize>d) << 3));
          store<f64>(dq + ((<usize>i * <usize>dL + <usize>d) << 3), s / sq);
        }
      }
      for (let j = 0; j < L; j++) {
        for (let d = 0; d < hd; d++) {
          let sk = 0.0;
          let sv = 0.0;
          for (let i = 0; i < L; i++) {
            sk += load<f64>(DS + ((<usize>i * <usize>L + <usize>j) << 3)) * (load<f64>(q + ((<usize>i * <usize>sL + <usize>d) << 3)) / sq);
            sv += load<f64>(PD + ((<usize>i * <usize>L + <usize>j) << 3)) * load<f64>(g + ((<usize>i * <usize>gL + <usize>d) << 3));
          }
          store<f64>(dk + ((<usize>j * <usize>dL + <usize>d) << 3), sk);
          store<f64>(dv + ((<usize>j * <usize>dL + <usize>d) << 3), sv);
        }
      }
    }
  }
}

// ---- chunks of a threaded call ----------------------------------------------------------------

/** Byte address of participant `id`'s scratch in the table at `table` (u32 per participant). */
@inline function scratchOf(table: usize, id: i32): usize {
  return <usize>load<u32>(table + (<usize>id << 2));
}

/**
 * Forward over batch entries [n0, n1) of the call described at desc (int32 words): 0 dt, 1 L,
 * 2 H, 3 hd, 4 pqkv, 5 sN, 6 sL, 7 po, 8 oN, 9 oL, 10 pp, 11 pm, 12 pwords (the call's raw,
 * untempered MT19937 words in draw order, one per score, batch-major, from mtFlat; 0 without
 * dropout), 13 keepT,
 * 14 scratch table; float64 scale at byte 64. Every pointer is offset to entry n0, so the chunk
 * runs the whole-call kernel on its slice and reads the words the sequential call would draw.
 */
export function attentionChunk(desc: usize, n0: i32, n1: i32, id: i32): void {
  const dt = load<i32>(desc);
  const L = load<i32>(desc, 4); const H = load<i32>(desc, 8); const hd = load<i32>(desc, 12);
  const sN = load<i32>(desc, 20); const sL = load<i32>(desc, 24);
  const oN = load<i32>(desc, 32); const oL = load<i32>(desc, 36);
  const keepT = load<i32>(desc, 52);
  const scale = load<f64>(desc, 64);
  const sh: usize = dt == F32 ? 2 : 3;
  const pairs = <usize>n0 * <usize>H * <usize>L * <usize>L;
  const pqkv = <usize>load<u32>(desc, 16) + ((<usize>n0 * <usize>sN) << sh);
  const po = <usize>load<u32>(desc, 28) + ((<usize>n0 * <usize>oN) << sh);
  let pp = <usize>load<u32>(desc, 40);
  if (pp != 0) pp += pairs << sh;
  let pm = <usize>load<u32>(desc, 44);
  if (pm != 0) pm += pairs;
  let words = <usize>load<u32>(desc, 48);
  if (words != 0) words += pairs << 2;
  const scratch = scratchOf(<usize>load<u32>(desc, 56), id);
  if (dt == F32) forwardF32(n1 - n0, L, H, hd, pqkv, sN, sL, po, oN, oL, pp, pm, 0, 0, words, keepT, <f32>scale, scratch);
  else forwardF64(n1 - n0, L, H, hd, pqkv, sN, sL, po, oN, oL, pp, pm, 0, 0, words, keepT, scale, scratch);
}

/**
 * Backward over batch entries [n0, n1) of the call described at desc (int32 words): 0 dt, 1 L,
 * 2 H, 3 hd, 4 pqkv, 5 sN, 6 sL, 7 pp, 8 pm, 9 pg, 10 gN, 11 gL, 12 pd, 13 dN, 14 dL,
 * 15 scratch table; float64 scale at byte 64. Entries are independent (no reduction).
 */
export function attentionBackwardChunk(desc: usize, n0: i32, n1: i32, id: i32): void {
  const dt = load<i32>(desc);
  const L = load<i32>(desc, 4); const H = load<i32>(desc, 8); const hd = load<i32>(desc, 12);
  const sN = load<i32>(desc, 20); const sL = load<i32>(desc, 24);
  const gN = load<i32>(desc, 40); const gL = load<i32>(desc, 44);
  const dN = load<i32>(desc, 52); const dL = load<i32>(desc, 56);
  const scale = load<f64>(desc, 64);
  const sh: usize = dt == F32 ? 2 : 3;
  const pairs = <usize>n0 * <usize>H * <usize>L * <usize>L;
  const pqkv = <usize>load<u32>(desc, 16) + ((<usize>n0 * <usize>sN) << sh);
  const pp = <usize>load<u32>(desc, 28) + (pairs << sh);
  let pm = <usize>load<u32>(desc, 32);
  if (pm != 0) pm += pairs;
  const pg = <usize>load<u32>(desc, 36) + ((<usize>n0 * <usize>gN) << sh);
  const pd = <usize>load<u32>(desc, 48) + ((<usize>n0 * <usize>dN) << sh);
  const scratch = scratchOf(<usize>load<u32>(desc, 60), id);
  if (dt == F32) backwardF32(n1 - n0, L, H, hd, pqkv, sN, sL, pp, pm, <f32>scale, pg, gN, gL, pd, dN, dL, scratch);
  else backwardF64(n1 - n0, L, H, hd, pqkv, sN, sL, pp, pm, scale, pg, gN, gL, pd, dN, dL, scratch);
}
