/**
 * Fused Adam / AdamW step over n contiguous elements, in place on p, m, v (and vmax).
 *
 * optim/adam.ts's composite runs about twelve elementwise kernels per parameter, each a full
 * pass over memory with a fresh temporary; this is one pass. It performs the composite's
 * operations in the same order and in the same precision (every binary op of the composite is
 * one IEEE operation rounded to the dtype, and so is each here; the host passes the scalars
 * the composite would have made into 0-d tensors, and they are rounded to the dtype here as
 * castScalar does), so the result is bit-identical to the composite's.
 *
 * float32 without AMSGrad runs four lanes at a time (the same operations per lane).
 *
 * Flags: 1 decoupled (AdamW), 2 L2 weight decay (Adam, weightDecay ≠ 0), 4 maximize, 8 amsgrad.
 * Scalars: decay = 1 − lr·wd (AdamW) or wd (Adam), b1, 1 − b1, b2, 1 − b2, √(bias correction 2),
 * eps, −stepSize.
 */
import { F32 } from './common';

@inline function step(wide: bool, n: i32, pp: usize, pg: usize, pm: usize, pv: usize, pvmax: usize, flags: i32,
  decay: f64, b1: f64, c1: f64, b2: f64, c2: f64, sqrtBc2: f64, eps: f64, negStep: f64): void {
  const sh: usize = wide ? 3 : 2;
  const decoupled = (flags & 1) != 0;
  const l2 = (flags & 2) != 0;
  const maximize = (flags & 4) != 0;
  const amsgrad = (flags & 8) != 0;
  if (wide) {
    for (let i = 0; i < n; i++) {
      const q = <usize>i << sh;
      let p = load<f64>(pp + q);
      let g = load<f64>(pg + q);
      if (maximize) g = -g;
      if (decoupled) p = p * decay;
      else if (l2) g = g + p * decay;
      const m = load<f64>(pm + q) * b1 + g * c1;
      const v = load<f64>(pv + q) * b2 + (g * c2) * g;
      store<f64>(pm + q, m);
      store<f64>(pv + q, v);
      let second = v;
      if (amsgrad) {
        const old = load<f64>(pvmax + q);
        second = isNaN<f64>(old) || isNaN<f64>(v) ? NaN : old > v ? old : v;
        store<f64>(pvmax + q, second);
      }
      const denom = Math.sqrt(second) / sqrtBc2 + eps;
      store<f64>(pp + q, p + (m * negStep) / denom);
    }
    return;
  }
  // Scalars as the composite's 0-d tensors hold them (rounded to the dtype).
  const fdecay = <f32>decay;
  let i0 = 0;
  if (!amsgrad) {
    // Four lanes at a time: each lane does the scalar loop's IEEE operations in its order, so
    // the vector and scalar paths give the same bits.
    const vdecay = f32x4.splat(fdecay);
    const vb1 = f32x4.splat(<f32>b1);
    const vc1 = f32x4.splat(<f32>c1);
    const vb2 = f32x4.splat(<f32>b2);
    const vc2 = f32x4.splat(<f32>c2);
    const vsq = f32x4.splat(<f32>sqrtBc2);
    const veps = f32x4.splat(<f32>eps);
    const vneg = f32x4.splat(<f32>negStep);
    for (; i0 + 4 <= n; i0 += 4) {
      const q = <usize>i0 << 2;
      let p = v128.load(pp + q);
      let g = v128.load(pg + q);
      if (maximize) g = f32x4.neg(g);
      if (decoupled) p = f32x4.mul(p, vdecay);
      else if (l2) g = f32x4.add(g, f32x4.mul(p, vdecay));
      const m = f32x4.add(f32x4.mul(v128.load(pm + q), vb1), f32x4.mul(g, vc1));
      const v = f32x4.add(f32x4.mul(v128.load(pv + q), vb2), f32x4.mul(f32x4.mul(g, vc2), g));
      v128.store(pm + q, m);
      v128.store(pv + q, v);
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vsq), veps);
      v128.store(pp + q, f32x4.add(p, f32x4.div(f32x4.mul(m, vneg), denom)));
    }
  }
  const fb1 = <f32>b1;
  const fc1 = <f32>c1;
  const fb2 = <f32>b2;
  const fc2 = <f32>c2;
  const fsq = <f32>sqrtBc2;
  const feps = <f32>eps;
  const fneg = <f32>negStep;
  for (let i = i0; i < n; i++) {
    const q = <usize>i << sh;
    let p = load<f32>(pp + q);
    let g = load<f32>(pg + q);
    if (maximize) g = -g;
    if (decoupled) p = p * fdecay;
    else if (l2) g = g + p * fdecay;
    const m = load<f32>(pm + q) * fb1 + g * fc1;
    const v = load<f32>(pv + q) * fb2 + (g * fc2) * g;
    store<f32>(pm + q, m);
    store<f32>(pv + q, v);
    let second = v;
    if (amsgrad) {
      const old = load<f32>(pvmax + q);
      second = isNaN<f32>(old) || isNaN<f32>(v) ? NaN : old > v ? old : v;
      store<f32>(pvmax + q, second);
    }
    const denom = Mathf.sqrt(second) / fsq + feps;
    store<f32>(pp + q, p + (m * fneg) / denom);
  }
}

export function adam(dt: i32, n: i32, pp: usize, pg: usize, pm: usize, pv: usize, pvmax: usize, flags: i32,
  decay: f64, b1: f64, c1: f64, b2: f64, c2: f64, sqrtBc2: f64, eps: f64, negStep: f64): void {
  if (dt == F32) step(false, n, pp, pg, pm, pv, pvmax, flags, decay, b1, c1, b2, c2, sqrtBc2, eps, negStep);
  else step(true, n, pp, pg, pm, pv, pvmax, flags, decay, b1, c1, b2, c2, sqrtBc2, eps, negStep);
}
