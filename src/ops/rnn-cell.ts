/**
 * The LSTM cell's state update as one op, for backends with a fused kernel (Backend.fused
 * .lstmCell): c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c') from gate pre-activations
 * [N, 4H] (blocks i, f, g, o). The composite in nn/layers/rnn-cells.ts stays the definition and
 * the path on every other backend; this replaces its ~10 forward and ~25 backward kernel calls
 * per time step with one each. When a backward pass is recorded (createGraph), the gradient is
 * built from differentiable ops instead.
 */
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from './core.js';
import { cat } from './shape.js';

/**
 * The fused cell step: [h', c'] (contiguous halves of one [2, N, H] result), or null when the
 * backend has no kernel for these inputs.
 */
export function lstmCellFused(gates: Tensor, c: Tensor): [Tensor, Tensor] | null {
  const kern = gates.backend.fused;
  if (kern?.lstmCell === undefined || gates.ndim !== 2 || c.ndim !== 2 || gates.backend !== c.backend) return null;
  const r = kern.lstmCell(gates, c);
  if (r === null) return null;
  const [N, H] = [c.shape[0]!, c.shape[1]!];
  const act = wrap(r.act, [N, 5 * H]);
  const hc = record(wrap(r.hc, [2, N, H]), 'lstmCell', [gates, c], (d) => {
    if (!isGradEnabled() && kern.lstmCellBackward !== undefined && d.dtype === gates.dtype) {
      const b = kern.lstmCellBackward(act, c, d);
      if (b !== null) return [wrap(b.dgates, [N, 4 * H]), wrap(b.dc, [N, H])];
    }
    return lstmCellGrads(gates, c, d);
  });
  return [hc.select(0, 0), hc.select(0, 1)];
}

/** The cell's gradients with differentiable ops (the rule the fused backward implements). */
function lstmCellGrads(gates: Tensor, c: Tensor, d: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = gates.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const [si, sf, tg, so] = [i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()];
  const tc = sf.mul(c).add(si.mul(tg)).tanh();
  const [dh, dcy] = [d.select(0, 0), d.select(0, 1)];
  const dc = dcy.add(dh.mul(so).mul(tc.mul(tc).neg().add(1)));
  const dgates = cat([
    dc.mul(tg).mul(si.mul(si.neg().add(1))),
    dc.mul(c).mul(sf.mul(sf.neg().add(1))),
    dc.mul(si).mul(tg.mul(tg).neg().add(1)),
    dh.mul(tc).mul(so.mul(so.neg().add(1))),
  ], -1);
  return [dgates, dc.mul(sf)];
}
