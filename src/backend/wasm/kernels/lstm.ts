/**
 * Fused LSTM cell: the gate nonlinearities and the state update of one time step, forward and
 * backward, for N rows of H hidden units (gates laid out [i | f | g | o], each H wide, as
 * PyTorch's weights are).
 *
 * The composite (nn/layers/rnn-cells.ts) runs about ten small kernels per step forward and
 * twenty-odd backward, each a JavaScript round trip on a 32×128 tile, so a 64-step sequence is
 * dominated by per-op overhead. Forward computes, per element and in the composite's order and
 * rounding (sigmoid/tanh by the unary kernel's code, each product and sum rounded to the dtype):
 *   c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c'),
 * writing hc = [h', c'] (2 × N × H, so each half is a contiguous tensor) and the activations act = [σi | σf | tanh g | σo | tanh c']
 * (N × 5H) that backward reads. Backward, from d = [dh', dc'] (2 × N × H):
 *   dc = dc' + dh'·σo·(1 − tanh²c'),  do = dh'·tanh c'·σo(1 − σo),
 *   di = dc·tanh g·σi(1 − σi),  df = dc·c·σf(1 − σf),  dg = dc·σi·(1 − tanh²g),  dc_prev = dc·σf.
 *
 * lstmSeq / lstmSeqBackward run a whole layer direction (all L steps) in one call: per step one
 * product h·W_hhᵀ (on this thread: at 32×128×512 a product is ~0.1 ms, below what waking a
 * worker pays off; float32 with W_hh packed once per sequence, rgemm.ts, float64 through the
 * general matmul kernel) and the cell above, so a 64-step sequence costs two calls
 * from JavaScript instead of ~15 kernel calls, ~10 tensors and ~10 autograd nodes per step.
 */
import { F32 } from './common';
import { matmul, PACK_B_BYTES } from './matmul';
import { gemmPacked, packedFits, packPanels } from './rgemm';
import { fn4, SIGMOID, TANH, unop } from './unary';

/** Two int32 zeros: the batch-offset descriptor of a single (unbatched) product. */
const ZERO_OFFSETS = memory.data<i32>([0, 0]);

@inline function ldw(wide: bool, p: usize, k: i32): f64 {
  return wide ? load<f64>(p + (<usize>k << 3)) : <f64>load<f32>(p + (<usize>k << 2));
}

@inline function stw(wide: bool, p: usize, k: i32, v: f64): void {
  if (wide) store<f64>(p + (<usize>k << 3), v);
  else store<f32>(p + (<usize>k << 2), <f32>v);
}

/** Rounds to the dtype (float32, or nothing for float64). */
@inline function rw(wide: bool, v: f64): f64 {
  return wide ? v : <f64><f32>v;
}

@inline function fwdScalar(wide: bool, gates: usize, c: usize, hrow: usize, crow: usize, act: usize, H: i32, j: i32): void {
  const si = rw(wide, unop(SIGMOID, ldw(wide, gates, j)));
  const sf = rw(wide, unop(SIGMOID, ldw(wide, gates, H + j)));
  const tg = rw(wide, unop(TANH, ldw(wide, gates, 2 * H + j)));
  const so = rw(wide, unop(SIGMOID, ldw(wide, gates, 3 * H + j)));
  const cy = rw(wide, rw(wide, sf * ldw(wide, c, j)) + rw(wide, si * tg));
  const tc = rw(wide, unop(TANH, cy));
  stw(wide, hrow, j, so * tc);
  stw(wide, crow, j, cy);
  stw(wide, act, j, si);
  stw(wide, act, H + j, sf);
  stw(wide, act, 2 * H + j, tg);
  stw(wide, act, 3 * H + j, so);
  stw(wide, act, 4 * H + j, tc);
}

/** One row of the cell: gates [4H] and c [H] give h' (at hrow), c' (at crow) and act [5H]. */
@inline function cellRow(wide: bool, gates: usize, c: usize, hrow: usize, crow: usize, act: usize, H: i32): void {
  let j = 0;
  if (!wide) {
    const hb = <usize>H << 2;
    for (; j + 4 <= H; j += 4) {
      const q = <usize>j << 2;
      const si = fn4(SIGMOID, v128.load(gates + q));
      const sf = fn4(SIGMOID, v128.load(gates + hb + q));
      const tg = fn4(TANH, v128.load(gates + 2 * hb + q));
      const so = fn4(SIGMOID, v128.load(gates + 3 * hb + q));
      const cy = f32x4.add(f32x4.mul(sf, v128.load(c + q)), f32x4.mul(si, tg));
      const tc = fn4(TANH, cy);
      v128.store(hrow + q, f32x4.mul(so, tc));
      v128.store(crow + q, cy);
      v128.store(act + q, si);
      v128.store(act + hb + q, sf);
      v128.store(act + 2 * hb + q, tg);
      v128.store(act + 3 * hb + q, so);
      v128.store(act + 4 * hb + q, tc);
    }
  }
  for (; j < H; j++) fwdScalar(wide, gates, c, hrow, crow, act, H, j);
}

/** hc [2, N, H] (h' then c') and act [N, 5H] from gates [N, 4H] and c [N, H] (all contiguous). */
export function lstmCell(dt: i32, N: i32, H: i32, pgates: usize, pc: usize, phc: usize, pact: usize): void {
  const wide = dt != F32;
  const sh: usize = wide ? 3 : 2;
  for (let n = 0; n < N; n++) {
    const gates = pgates + ((<usize>n * 4 * H) << sh);
    const c = pc + ((<usize>n * H) << sh);
    const hrow = phc + ((<usize>n * H) << sh);
    const crow = phc + ((<usize>(N + n) * H) << sh);
    const act = pact + ((<usize>n * 5 * H) << sh);
    if (wide) cellRow(true, gates, c, hrow, crow, act, H);
    else cellRow(false, gates, c, hrow, crow, act, H);
  }
}

@inline function bwdScalar(wide: bool, act: usize, c: usize, dhrow: usize, dhx: usize, dcin: usize, dg: usize, dcp: usize, H: i32, j: i32): void {
  const si = ldw(wide, act, j);
  const sf = ldw(wide, act, H + j);
  const tg = ldw(wide, act, 2 * H + j);
  const so = ldw(wide, act, 3 * H + j);
  const tc = ldw(wide, act, 4 * H + j);
  const dh = dhx != 0 ? rw(wide, ldw(wide, dhrow, j) + ldw(wide, dhx, j)) : ldw(wide, dhrow, j);
  const dc = ldw(wide, dcin, j) + dh * so * (1 - tc * tc);
  stw(wide, dg, j, dc * tg * si * (1 - si));
  stw(wide, dg, H + j, dc * ldw(wide, c, j) * sf * (1 - sf));
  stw(wide, dg, 2 * H + j, dc * si * (1 - tg * tg));
  stw(wide, dg, 3 * H + j, dh * tc * so * (1 - so));
  stw(wide, dcp, j, dc * sf);
}

/**
 * One row of the cell's backward: dgates [4H] and dc_prev (at dcp) from act [5H], c [H], dh' =
 * dhrow (+ dhx when dhx is not 0, rounded to the dtype as autograd's sum would be) and
 * dc' = dcin. dcp may be dcin itself (each element is read before it is written).
 */
@inline function cellBackRow(wide: bool, act: usize, c: usize, dhrow: usize, dhx: usize, dcin: usize, dg: usize, dcp: usize, H: i32): void {
  let j = 0;
  if (!wide) {
    const one = f32x4.splat(1);
    const hb = <usize>H << 2;
    for (; j + 4 <= H; j += 4) {
      const q = <usize>j << 2;
      const si = v128.load(act + q);
      const sf = v128.load(act + hb + q);
      const tg = v128.load(act + 2 * hb + q);
      const so = v128.load(act + 3 * hb + q);
      const tc = v128.load(act + 4 * hb + q);
      const dh = dhx != 0 ? f32x4.add(v128.load(dhrow + q), v128.load(dhx + q)) : v128.load(dhrow + q);
      const dc = f32x4.add(v128.load(dcin + q), f32x4.mul(f32x4.mul(dh, so), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(dg + q, f32x4.mul(f32x4.mul(dc, tg), f32x4.mul(si, f32x4.sub(one, si))));
      v128.store(dg + hb + q, f32x4.mul(f32x4.mul(dc, v128.load(c + q)), f32x4.mul(sf, f32x4.sub(one, sf))));
      v128.store(dg + 2 * hb + q, f32x4.mul(f32x4.mul(dc, si), f32x4.sub(one, f32x4.mul(tg, tg))));
      v128.store(dg + 3 * hb + q, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(so, f32x4.sub(one, so))));
      v128.store(dcp + q, f32x4.mul(dc, sf));
    }
  }
  for (; j < H; j++) bwdScalar(wide, act, c, dhrow, dhx, dcin, dg, dcp, H, j);
}

/** dgates [N, 4H] and dc_prev [N, H] from act [N, 5H], c [N, H] and d = [dh', dc'] [2, N, H]. */
export function lstmCellBackward(dt: i32, N: i32, H: i32, pact: usize, pc: usize, pd: usize, pdg: usize, pdc: usize): void {
  const wide = dt != F32;
  const sh: usize = wide ? 3 : 2;
  for (let n = 0; n < N; n++) {
    const act = pact + ((<usize>n * 5 * H) << sh);
    const c = pc + ((<usize>n * H) << sh);
    const dhrow = pd + ((<usize>n * H) << sh);
    const dcrow = pd + ((<usize>(N + n) * H) << sh);
    const dg = pdg + ((<usize>n * 4 * H) << sh);
    const dcp = pdc + ((<usize>n * H) << sh);
    if (wide) cellBackRow(true, act, c, dhrow, 0, dcrow, dg, dcp, H);
    else cellBackRow(false, act, c, dhrow, 0, dcrow, dg, dcp, H);
  }
}

/** g = (g + b) + gi over one row of G gate values (b absent when pb is 0), as the composite rounds. */
@inline function addGateInputs(wide: bool, g: usize, pb: usize, gi: usize, G: i32): void {
  let k = 0;
  if (!wide) {
    for (; k + 4 <= G; k += 4) {
      const q = <usize>k << 2;
      let v = v128.load(g + q);
      if (pb != 0) v = f32x4.add(v, v128.load(pb + q));
      v128.store(g + q, f32x4.add(v, v128.load(gi + q)));
    }
  }
  for (; k < G; k++) {
    let v = ldw(wide, g, k);
    if (pb != 0) v = rw(wide, v + ldw(wide, pb, k));
    stw(wide, g, k, v + ldw(wide, gi, k));
  }
}

/** Whether row n is inside its sequence at time t (plen: int32 lengths, or 0 for full length). */
@inline function valid(plen: usize, n: i32, t: i32): bool {
  return plen == 0 || load<i32>(plen + (<usize>n << 2)) > t;
}

/**
 * One LSTM layer direction over L steps of N rows (hidden size H, no projection).
 * Inputs: gi [L, N, 4H] = x·W_ihᵀ + b_ih for every step, h0 and c0 [N, H], W_hh [4H, H] and
 * b_hh [4H] (pbhh 0: none), plen (N int32 lengths, 0: all L). Steps run t = 0 … L−1, or
 * L−1 … 0 when rev; at a step t ≥ length a row keeps its state and outputs zeros.
 * Outputs: y [L + 2, N, H] = the output of every step, then h_n, then c_n; saved [L, N, 7H] as
 * three blocks: act [L, N, 5H] (see above), then the states each step started from, h [L, N, H]
 * and c [L, N, H]. pg is N·4H elements of scratch; packA/packB the matmul's packing buffers.
 */
export function lstmSeq(dt: i32, L: i32, N: i32, H: i32, rev: i32, pgi: usize, ph0: usize, pc0: usize, pwhh: usize, pbhh: usize,
  plen: usize, py: usize, psaved: usize, pg: usize, packA: usize, packB: usize): void {
  if (dt == F32) seqForward(false, L, N, H, rev != 0, pgi, ph0, pc0, pwhh, pbhh, plen, py, psaved, pg, packA, packB);
  else seqForward(true, L, N, H, rev != 0, pgi, ph0, pc0, pwhh, pbhh, plen, py, psaved, pg, packA, packB);
}

@inline function seqForward(wide: bool, L: i32, N: i32, H: i32, rev: bool, pgi: usize, ph0: usize, pc0: usize, pwhh: usize, pbhh: usize,
  plen: usize, py: usize, psaved: usize, pg: usize, packA: usize, packB: usize): void {
  const sh: usize = wide ? 3 : 2;
  const G = 4 * H;
  const step: usize = <usize>N * H << sh; // bytes of one [N, H] block
  const rowB: usize = <usize>H << sh;
  const pact = psaved;
  const phs = psaved + <usize>L * 5 * step;
  const pcs = phs + <usize>L * step;
  const t0 = rev ? L - 1 : 0;
  // float32: W_hhᵀ packed once for all steps (rgemm.ts), in the matmul's B packing buffer.
  const packed = !wide && packedFits(G, H, PACK_B_BYTES);
  if (packed) packPanels(pwhh, 1, H, H, G, packB);
  memory.copy(phs + <usize>t0 * step, ph0, step);
  memory.copy(pcs + <usize>t0 * step, pc0, step);
  for (let s = 0; s < L; s++) {
    const t = rev ? L - 1 - s : s;
    const last = s == L - 1;
    const tn = rev ? t - 1 : t + 1;
    const hp = phs + <usize>t * step;
    const cp = pcs + <usize>t * step;
    const hNext = last ? py + <usize>L * step : phs + <usize>tn * step;
    const cNext = last ? py + <usize>(L + 1) * step : pcs + <usize>tn * step;
    const out = py + <usize>t * step;
    // gates = h_{t-1}·W_hhᵀ (W_hh [4H, H] read transposed: sbk = 1, sbn = H).
    if (packed) gemmPacked(N, G, H, hp, packB, pg);
    else matmul(wide ? 1 : 0, 1, N, G, H, ZERO_OFFSETS, hp, H, 1, pwhh, 1, H, pg, 0, N, packA, packB, 0, 0, 0);
    for (let n = 0; n < N; n++) {
      const g = pg + ((<usize>n * G) << sh);
      addGateInputs(wide, g, pbhh, pgi + ((<usize>(t * N + n) * G) << sh), G);
      const ro = <usize>n * rowB;
      cellRow(wide, g, cp + ro, out + ro, cNext + ro, pact + <usize>t * 5 * step + ro * 5, H);
      if (valid(plen, n, t)) {
        memory.copy(hNext + ro, out + ro, rowB);
      } else {
        memory.fill(out + ro, 0, rowB);
        memory.copy(hNext + ro, hp + ro, rowB);
        memory.copy(cNext + ro, cp + ro, rowB);
      }
    }
  }
}

/**
 * Backpropagation through time for lstmSeq: from the saved blocks, W_hh and the gradient dy of
 * y ([L + 2, N, H]: every output, then h_n, then c_n), writes dgates [L, N, 4H] (the gradient of
 * gi, and of the gate pre-activations: dW_hh and db_hh follow from it with one product and one
 * sum) and dh0, dc0 [N, H]. pdhr is N·H elements of scratch.
 */
export function lstmSeqBackward(dt: i32, L: i32, N: i32, H: i32, rev: i32, psaved: usize, pwhh: usize, plen: usize, pdy: usize,
  pdg: usize, pdh0: usize, pdc0: usize, pdhr: usize, packA: usize, packB: usize): void {
  if (dt == F32) seqBackward(false, L, N, H, rev != 0, psaved, pwhh, plen, pdy, pdg, pdh0, pdc0, pdhr, packA, packB);
  else seqBackward(true, L, N, H, rev != 0, psaved, pwhh, plen, pdy, pdg, pdh0, pdc0, pdhr, packA, packB);
}

@inline function seqBackward(wide: bool, L: i32, N: i32, H: i32, rev: bool, psaved: usize, pwhh: usize, plen: usize, pdy: usize,
  pdg: usize, pdh0: usize, pdc0: usize, pdhr: usize, packA: usize, packB: usize): void {
  const sh: usize = wide ? 3 : 2;
  const G = 4 * H;
  const step: usize = <usize>N * H << sh;
  const rowB: usize = <usize>H << sh;
  const pact = psaved;
  const pcs = psaved + <usize>L * 6 * step;
  const packed = !wide && packedFits(H, G, PACK_B_BYTES);
  if (packed) packPanels(pwhh, H, 1, G, H, packB);
  // dh and dc run backwards through time in the dh0 and dc0 outputs.
  memory.copy(pdh0, pdy + <usize>L * step, step);
  memory.copy(pdc0, pdy + <usize>(L + 1) * step, step);
  for (let s = L - 1; s >= 0; s--) {
    const t = rev ? L - 1 - s : s;
    const dgt = pdg + <usize>t * 4 * step;
    for (let n = 0; n < N; n++) {
      const ro = <usize>n * rowB;
      if (valid(plen, n, t)) {
        cellBackRow(wide, pact + <usize>t * 5 * step + ro * 5, pcs + <usize>t * step + ro, pdh0 + ro, pdy + <usize>t * step + ro,
          pdc0 + ro, dgt + ro * 4, pdc0 + ro, H);
      } else {
        memory.fill(dgt + ro * 4, 0, rowB * 4);
      }
    }
    // dh_{t-1} = dgates_t·W_hh (W_hh [4H, H] row-major: sbk = H, sbn = 1); rows past their
    // length pass their gradient through unchanged.
    const dst = plen == 0 ? pdh0 : pdhr;
    if (packed) gemmPacked(N, H, G, dgt, packB, dst);
    else matmul(wide ? 1 : 0, 1, N, H, G, ZERO_OFFSETS, dgt, G, 1, pwhh, H, 1, dst, 0, N, packA, packB, 0, 0, 0);
    if (plen != 0) {
      for (let n = 0; n < N; n++) {
        if (valid(plen, n, t)) memory.copy(pdh0 + <usize>n * rowB, pdhr + <usize>n * rowB, rowB);
      }
    }
  }
}
