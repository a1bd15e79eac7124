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
 */
import { F32 } from './common';
import { fn4, SIGMOID, TANH, unop } from './unary';

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
    for (; j < H; j++) {
      if (wide) fwdScalar(true, gates, c, hrow, crow, act, H, j);
      else fwdScalar(false, gates, c, hrow, crow, act, H, j);
    }
  }
}

@inline function bwdScalar(wide: bool, act: usize, c: usize, dhrow: usize, dcrow: usize, dg: usize, dcp: usize, H: i32, j: i32): void {
  const si = ldw(wide, act, j);
  const sf = ldw(wide, act, H + j);
  const tg = ldw(wide, act, 2 * H + j);
  const so = ldw(wide, act, 3 * H + j);
  const tc = ldw(wide, act, 4 * H + j);
  const dh = ldw(wide, dhrow, j);
  const dc = ldw(wide, dcrow, j) + dh * so * (1 - tc * tc);
  stw(wide, dg, j, dc * tg * si * (1 - si));
  stw(wide, dg, H + j, dc * ldw(wide, c, j) * sf * (1 - sf));
  stw(wide, dg, 2 * H + j, dc * si * (1 - tg * tg));
  stw(wide, dg, 3 * H + j, dh * tc * so * (1 - so));
  stw(wide, dcp, j, dc * sf);
}

/** dgates [N, 4H] and dc_prev [N, H] from act [N, 5H], c [N, H] and d = [dh', dc'] [2, N, H]. */
export function lstmCellBackward(dt: i32, N: i32, H: i32, pact: usize, pc: usize, pd: usize, pdg: usize, pdc: usize): void {
  const wide = dt != F32;
  const sh: usize = wide ? 3 : 2;
  const one = f32x4.splat(1);
  for (let n = 0; n < N; n++) {
    const act = pact + ((<usize>n * 5 * H) << sh);
    const c = pc + ((<usize>n * H) << sh);
    const dhrow = pd + ((<usize>n * H) << sh);
    const dcrow = pd + ((<usize>(N + n) * H) << sh);
    const dg = pdg + ((<usize>n * 4 * H) << sh);
    const dcp = pdc + ((<usize>n * H) << sh);
    let j = 0;
    if (!wide) {
      const hb = <usize>H << 2;
      for (; j + 4 <= H; j += 4) {
        const q = <usize>j << 2;
        const si = v128.load(act + q);
        const sf = v128.load(act + hb + q);
        const tg = v128.load(act + 2 * hb + q);
        const so = v128.load(act + 3 * hb + q);
        const tc = v128.load(act + 4 * hb + q);
        const dh = v128.load(dhrow + q);
        const dc = f32x4.add(v128.load(dcrow + q), f32x4.mul(f32x4.mul(dh, so), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(dg + q, f32x4.mul(f32x4.mul(dc, tg), f32x4.mul(si, f32x4.sub(one, si))));
        v128.store(dg + hb + q, f32x4.mul(f32x4.mul(dc, v128.load(c + q)), f32x4.mul(sf, f32x4.sub(one, sf))));
        v128.store(dg + 2 * hb + q, f32x4.mul(f32x4.mul(dc, si), f32x4.sub(one, f32x4.mul(tg, tg))));
        v128.store(dg + 3 * hb + q, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(so, f32x4.sub(one, so))));
        v128.store(dcp + q, f32x4.mul(dc, sf));
      }
    }
    for (; j < H; j++) {
      if (wide) bwdScalar(true, act, c, dhrow, dcrow, dg, dcp, H, j);
      else bwdScalar(false, act, c, dhrow, dcrow, dg, dcp, H, j);
    }
  }
}
