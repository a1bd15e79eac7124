/**
 * GRU and Elman RNN (tanh or ReLU) layer directions over a whole sequence in one call, forward
 * and backward, as lstmSeq does for the LSTM (kernels/lstm.ts): per step one product h·W_hhᵀ
 * on this thread and the cell, with the composite's arithmetic (nn/layers/rnn-cells.ts cellStep)
 * rounded to the dtype after every operation, so float32 results match it to the last bit in
 * forward and to summation order in backward.
 *
 * Per step, with gh = h·W_hhᵀ + b_hh and gi = x·W_ihᵀ + b_ih (G·H values per row):
 *   RNN:  h' = act(gi + gh) (act tanh or ReLU);
 *   GRU:  r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = (h − n)·z + n.
 * Saved per step and row: RNN [h' | h] (2H), GRU [r | z | n | gh_n | h] (5H), h being the state
 * the step started from. Backward, from dh' (the output's gradient plus the next step's):
 *   RNN:  dpre = dh'·(1 − h'²) (tanh) or dh'·[h' > 0] (ReLU); dgi = dgh = dpre;
 *   GRU:  dz = dh'·(h − n), dn = dh'·(1 − z), dn_pre = dn·(1 − n²), dr_pre = dn_pre·gh_n·r(1 − r),
 *         dz_pre = dz·z(1 − z); dgi = [dr_pre | dz_pre | dn_pre], dgh = [dr_pre | dz_pre | dn_pre·r];
 *   dh = dh'·z (GRU; 0 for RNN) + dgh·W_hh.
 */
import { F32 } from './common';
import { matmul, PACK_B_BYTES } from './matmul';
import { gemmPacked, packedFits, packPanels } from './rgemm';
import { fn4, SIGMOID, TANH, unop } from './unary';

/** Two int32 zeros: the batch-offset descriptor of a single (unbatched) product. */
const ZERO_OFFSETS = memory.data<i32>([0, 0]);

/** Mode codes (the host passes them): Elman RNN with tanh or ReLU, GRU. */
const RNN_TANH: i32 = 0;
const RNN_RELU: i32 = 1;
const GRU: i32 = 2;

@inline function ld(wide: bool, p: usize, k: i32): f64 {
  return wide ? load<f64>(p + (<usize>k << 3)) : <f64>load<f32>(p + (<usize>k << 2));
}

@inline function st(wide: bool, p: usize, k: i32, v: f64): void {
  if (wide) store<f64>(p + (<usize>k << 3), v);
  else store<f32>(p + (<usize>k << 2), <f32>v);
}

/** Rounds to the dtype (float32, or nothing for float64). */
@inline function rd(wide: bool, v: f64): f64 {
  return wide ? v : <f64><f32>v;
}

/** g = g + b over G values (b absent when pb is 0): gh = h·W_hhᵀ + b_hh. */
@inline function addBias(wide: bool, g: usize, pb: usize, G: i32): void {
  if (pb == 0) return;
  let k = 0;
  if (!wide) {
    for (; k + 4 <= G; k += 4) {
      const q = <usize>k << 2;
      v128.store(g + q, f32x4.add(v128.load(g + q), v128.load(pb + q)));
    }
  }
  for (; k < G; k++) st(wide, g, k, ld(wide, g, k) + ld(wide, pb, k));
}

/** One row of the RNN cell: h' = act(gi + gh) at hrow, saved [h' | h] at sv. */
@inline function rnnRow(wide: bool, relu: bool, gi: usize, gh: usize, h: usize, hrow: usize, sv: usize, H: i32): void {
  const rowB: usize = <usize>H << (wide ? 3 : 2);
  let j = 0;
  if (!wide) {
    for (; j + 4 <= H; j += 4) {
      const q = <usize>j << 2;
      const pre = f32x4.add(v128.load(gi + q), v128.load(gh + q));
      const y = relu ? f32x4.max(pre, f32x4.splat(0)) : fn4(TANH, pre);
      v128.store(hrow + q, y);
      v128.store(sv + q, y);
    }
  }
  for (; j < H; j++) {
    const pre = rd(wide, ld(wide, gi, j) + ld(wide, gh, j));
    const y = relu ? (pre > 0 || isNaN<f64>(pre) ? pre : 0) : rd(wide, unop(TANH, pre));
    st(wide, hrow, j, y);
    st(wide, sv, j, y);
  }
  memory.copy(sv + rowB, h, rowB);
}

/** One row of the GRU cell: h' at hrow, saved [r | z | n | gh_n | h] at sv. */
@inline function gruRow(wide: bool, gi: usize, gh: usize, h: usize, hrow: usize, sv: usize, H: i32): void {
  const rowB: usize = <usize>H << (wide ? 3 : 2);
  let j = 0;
  if (!wide) {
    for (; j + 4 <= H; j += 4) {
      const q = <usize>j << 2;
      const r = fn4(SIGMOID, f32x4.add(v128.load(gh + q), v128.load(gi + q)));
      const z = fn4(SIGMOID, f32x4.add(v128.load(gh + rowB + q), v128.load(gi + rowB + q)));
      const ghn = v128.load(gh + 2 * rowB + q);
      const n = fn4(TANH, f32x4.add(v128.load(gi + 2 * rowB + q), f32x4.mul(ghn, r)));
      const hp = v128.load(h + q);
      v128.store(hrow + q, f32x4.add(f32x4.mul(f32x4.sub(hp, n), z), n));
      v128.store(sv + q, r);
      v128.store(sv + rowB + q, z);
      v128.store(sv + 2 * rowB + q, n);
      v128.store(sv + 3 * rowB + q, ghn);
    }
  }
  for (; j < H; j++) {
    const r = rd(wide, unop(SIGMOID, rd(wide, ld(wide, gh, j) + ld(wide, gi, j))));
    const z = rd(wide, unop(SIGMOID, rd(wide, ld(wide, gh, H + j) + ld(wide, gi, H + j))));
    const ghn = ld(wide, gh, 2 * H + j);
    const n = rd(wide, unop(TANH, rd(wide, ld(wide, gi, 2 * H + j) + rd(wide, ghn * r))));
    const hp = ld(wide, h, j);
    st(wide, hrow, j, rd(wide, rd(wide, hp - n) * z) + n);
    st(wide, sv, j, r);
    st(wide, sv, H + j, z);
    st(wide, sv, 2 * H + j, n);
    st(wide, sv, 3 * H + j, ghn);
  }
  memory.copy(sv + 4 * rowB, h, rowB);
}

/** Whether row n is inside its sequence at time t (plen: int32 lengths, or 0 for full length). */
@inline function valid(plen: usize, n: i32, t: i32): bool {
  return plen == 0 || load<i32>(plen + (<usize>n << 2)) > t;
}

/**
 * One GRU or RNN layer direction over L steps of N rows (hidden size H, G = 3 or 1 gate
 * blocks). Inputs: gi [L, N, G·H], h0 [N, H], W_hh [G·H, H], b_hh [G·H] (pbhh 0: none), plen
 * (N int32 lengths, 0: all L); steps run t = 0 … L−1, or L−1 … 0 when rev, and at a step
 * t ≥ length a row keeps its state and outputs zeros. Outputs: y [L + 1, N, H] (every step's
 * output, then h_n) and saved [L, N, S·H] (S = 5 for GRU, 2 for RNN, see above). pg is N·G·H
 * elements of scratch; packA/packB the matmul's packing buffers.
 */
export function rnnSeq(mode: i32, dt: i32, L: i32, N: i32, H: i32, rev: i32, pgi: usize, ph0: usize, pwhh: usize, pbhh: usize,
  plen: usize, py: usize, psaved: usize, pg: usize, packA: usize, packB: usize): void {
  if (dt == F32) seqForward(false, mode, L, N, H, rev != 0, pgi, ph0, pwhh, pbhh, plen, py, psaved, pg, packA, packB);
  else seqForward(true, mode, L, N, H, rev != 0, pgi, ph0, pwhh, pbhh, plen, py, psaved, pg, packA, packB);
}

@inline function seqForward(wide: bool, mode: i32, L: i32, N: i32, H: i32, rev: bool, pgi: usize, ph0: usize, pwhh: usize, pbhh: usize,
  plen: usize, py: usize, psaved: usize, pg: usize, packA: usize, packB: usize): void {
  const sh: usize = wide ? 3 : 2;
  const G = mode == GRU ? 3 * H : H;
  const S: usize = mode == GRU ? 5 : 2;
  const rowB: usize = <usize>H << sh;
  const step: usize = <usize>N * rowB;
  // float32: W_hhᵀ packed once for all steps (rgemm.ts), in the matmul's B packing buffer.
  const packed = !wide && packedFits(G, H, PACK_B_BYTES);
  if (packed) packPanels(pwhh, 1, H, H, G, packB);
  for (let s = 0; s < L; s++) {
    const t = rev ? L - 1 - s : s;
    // The state this step starts from: h0, or the previous step's (in y when its row was valid,
    // else carried in h_n's slot, which always holds the running state).
    const hp = s == 0 ? ph0 : py + <usize>L * step;
    const out = py + <usize>t * step;
    if (packed) gemmPacked(N, G, H, hp, packB, pg);
    else matmul(wide ? 1 : 0, 1, N, G, H, ZERO_OFFSETS, hp, H, 1, pwhh, 1, H, pg, 0, N, packA, packB, 0, 0, 0);
    for (let n = 0; n < N; n++) {
      const ro = <usize>n * rowB;
      const gh = pg + ((<usize>n * G) << sh);
      const gi = pgi + ((<usize>(t * N + n) * G) << sh);
      const sv = psaved + <usize>t * S * step + ro * S;
      addBias(wide, gh, pbhh, G);
      if (mode == GRU) gruRow(wide, gi, gh, hp + ro, out + ro, sv, H);
      else rnnRow(wide, mode == RNN_RELU, gi, gh, hp + ro, out + ro, sv, H);
      if (!valid(plen, n, t)) {
        // Keep the state (the saved row's h already holds it) and output zeros.
        memory.fill(out + ro, 0, rowB);
      }
    }
    // h_n's slot becomes the running state: the new output where valid, else the old state.
    const hn = py + <usize>L * step;
    for (let n = 0; n < N; n++) {
      const ro = <usize>n * rowB;
      if (valid(plen, n, t)) memory.copy(hn + ro, out + ro, rowB);
      else if (s == 0) memory.copy(hn + ro, ph0 + ro, rowB);
    }
  }
}

/**
 * Backpropagation through time for rnnSeq: from saved, W_hh and dy (the gradient of y,
 * [L + 1, N, H]), writes dgi [L, N, G·H] (gi's gradient), dgh [L, N, G·H] (the gradient of
 * h·W_hhᵀ + b_hh, from which dW_hh and db_hh follow; for RNN the same as dgi, so pdgh may equal
 * pdgi) and dh0 [N, H]. pdhr and pdhz are N·H elements of scratch each.
 */
export function rnnSeqBackward(mode: i32, dt: i32, L: i32, N: i32, H: i32, rev: i32, psaved: usize, pwhh: usize, plen: usize, pdy: usize,
  pdgi: usize, pdgh: usize, pdh0: usize, pdhr: usize, pdhz: usize, packA: usize, packB: usize): void {
  if (dt == F32) seqBackward(false, mode, L, N, H, rev != 0, psaved, pwhh, plen, pdy, pdgi, pdgh, pdh0, pdhr, pdhz, packA, packB);
  else seqBackward(true, mode, L, N, H, rev != 0, psaved, pwhh, plen, pdy, pdgi, pdgh, pdh0, pdhr, pdhz, packA, packB);
}

/** dgi and dgh rows for an RNN step; returns nothing (no direct path from h' to h). */
@inline function rnnBackRow(wide: bool, relu: bool, sv: usize, dh: usize, dout: usize, dgi: usize, dgh: usize, H: i32): void {
  for (let j = 0; j < H; j++) {
    const y = ld(wide, sv, j);
    const d = rd(wide, ld(wide, dh, j) + ld(wide, dout, j));
    const dp = relu ? (y > 0 ? d : 0) : d * (1 - y * y);
    st(wide, dgi, j, dp);
    st(wide, dgh, j, dp);
  }
}

/** dgi, dgh and the direct term dh'·z of a GRU step's row. */
@inline function gruBackRow(wide: bool, sv: usize, dh: usize, dout: usize, dgi: usize, dgh: usize, dhz: usize, H: i32): void {
  for (let j = 0; j < H; j++) {
    const r = ld(wide, sv, j);
    const z = ld(wide, sv, H + j);
    const n = ld(wide, sv, 2 * H + j);
    const ghn = ld(wide, sv, 3 * H + j);
    const hp = ld(wide, sv, 4 * H + j);
    const d = rd(wide, ld(wide, dh, j) + ld(wide, dout, j));
    const dnp = d * (1 - z) * (1 - n * n);
    const drp = dnp * ghn * r * (1 - r);
    const dzp = d * (hp - n) * z * (1 - z);
    st(wide, dgi, j, drp);
    st(wide, dgi, H + j, dzp);
    st(wide, dgi, 2 * H + j, dnp);
    st(wide, dgh, j, drp);
    st(wide, dgh, H + j, dzp);
    st(wide, dgh, 2 * H + j, dnp * r);
    st(wide, dhz, j, d * z);
  }
}

@inline function seqBackward(wide: bool, mode: i32, L: i32, N: i32, H: i32, rev: bool, psaved: usize, pwhh: usize, plen: usize, pdy: usize,
  pdgi: usize, pdgh: usize, pdh0: usize, pdhr: usize, pdhz: usize, packA: usize, packB: usize): void {
  const sh: usize = wide ? 3 : 2;
  const G = mode == GRU ? 3 * H : H;
  const S: usize = mode == GRU ? 5 : 2;
  const rowB: usize = <usize>H << sh;
  const step: usize = <usize>N * rowB;
  const packed = !wide && packedFits(H, G, PACK_B_BYTES);
  if (packed) packPanels(pwhh, H, 1, G, H, packB);
  // dh runs backwards through time in the dh0 output.
  memory.copy(pdh0, pdy + <usize>L * step, step);
  for (let s = L - 1; s >= 0; s--) {
    const t = rev ? L - 1 - s : s;
    const gOff = <usize>t * N * G << sh;
    for (let n = 0; n < N; n++) {
      const ro = <usize>n * rowB;
      const go = (<usize>n * G) << sh;
      if (valid(plen, n, t)) {
        const sv = psaved + <usize>t * S * step + ro * S;
        const dout = pdy + <usize>t * step + ro;
        if (mode == GRU) gruBackRow(wide, sv, pdh0 + ro, dout, pdgi + gOff + go, pdgh + gOff + go, pdhz + ro, H);
        else rnnBackRow(wide, mode == RNN_RELU, sv, pdh0 + ro, dout, pdgi + gOff + go, pdgh + gOff + go, H);
      } else {
        memory.fill(pdgi + gOff + go, 0, <usize>G << sh);
        if (pdgh != pdgi) memory.fill(pdgh + gOff + go, 0, <usize>G << sh);
      }
    }
    // dh_{t-1} = dh'·z (GRU) + dgh_t·W_hh (W_hh [G·H, H] row-major: sbk = H, sbn = 1); rows past
    // their length pass their gradient through unchanged.
    if (packed) gemmPacked(N, H, G, pdgh + gOff, packB, pdhr);
    else matmul(wide ? 1 : 0, 1, N, H, G, ZERO_OFFSETS, pdgh + gOff, G, 1, pwhh, H, 1, pdhr, 0, N, packA, packB, 0, 0, 0);
    for (let n = 0; n < N; n++) {
      if (!valid(plen, n, t)) continue;
      const ro = <usize>n * rowB;
      if (mode == GRU) {
        for (let j = 0; j < H; j++) st(wide, pdh0 + ro, j, ld(wide, pdhz + ro, j) + ld(wide, pdhr + ro, j));
      } else {
        memory.copy(pdh0 + ro, pdhr + ro, rowB);
      }
    }
  }
}
