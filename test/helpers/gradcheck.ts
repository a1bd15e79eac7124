/**
 * Finite-difference gradient check in float64: compares autograd's gradient of
 * L = Σ_i sum(out_i · w_i) with central differences (L(x+h) - L(x-h)) / 2h per input element.
 */
import { noGrad, Tensor } from '../../src/index.js';
import { assertClose, type Tolerance } from './assert.js';

export type OpFn = (inputs: Tensor[]) => Tensor | Tensor[];

function asList(out: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(out) ? out : [out];
}

function floatOutputs(out: Tensor[]): Tensor[] {
  return out.filter((o) => o.dtype === 'float64');
}

function weightedSum(outs: Tensor[], ws: Tensor[]): Tensor {
  let total: Tensor | null = null;
  outs.forEach((o, i) => {
    const term = o.mul(ws[i]!).sum();
    total = total === null ? term : total.add(term);
  });
  return total!;
}

/** The scalar L for given inputs and upstream weights, without recording a graph. */
function lossValue(fn: OpFn, inputs: Tensor[], ws: Tensor[]): number {
  return noGrad(() => weightedSum(floatOutputs(asList(fn(inputs))), ws).item());
}

/**
 * Checks every float64 input that requires grad. `maxElements` samples that many elements per
 * input (evenly spaced) to keep big inputs fast.
 */
export function gradcheck(fn: OpFn, inputs: Tensor[], ws: Tensor[], opts: { eps?: number; tol?: Tolerance; maxElements?: number } = {}): void {
  const eps = opts.eps ?? 1e-6;
  const tol = opts.tol ?? { rtol: 1e-4, atol: 1e-6 };
  const maxElements = opts.maxElements ?? 48;
  const outs = floatOutputs(asList(fn(inputs)));
  for (const x of inputs) x.grad = null;
  weightedSum(outs, ws).backward();
  inputs.forEach((x, k) => {
    if (!x.requiresGrad || x.dtype !== 'float64') return;
    const analytic = x.grad ? Array.from(x.grad.dataSync()) : new Array<number>(x.numel()).fill(0);
    const base = Array.from(x.dataSync());
    const n = base.length;
    const step = Math.max(1, Math.floor(n / maxElements));
    const numeric: number[] = [];
    const picked: number[] = [];
    for (let i = 0; i < n; i += step) {
      const probe = (delta: number): number => {
        const v = base.slice();
        v[i]! += delta;
        const xi = new Tensor(x.backend.fromArray('float64', v), x.shape);
        return lossValue(fn, inputs.map((t, j) => (j === k ? xi : t.detach())), ws);
      };
      numeric.push((probe(eps) - probe(-eps)) / (2 * eps));
      picked.push(analytic[i]!);
    }
    assertClose(picked, numeric, tol, `gradcheck input ${k}`);
  });
}
