/**
 * A whole recurrent layer direction as one op (LSTM, GRU, Elman RNN), for backends with fused
 * sequence kernels (Backend.fused.lstmSeq, rnnSeq), as cuDNN and PyTorch's CPU path do: the caller projects the input of
 * every step in one matmul (gi = x·W_ihᵀ + b_ih), then the recurrence runs in one kernel call and
 * records ONE autograd node instead of ~10 tensors and nodes per step. Its backward is one BPTT
 * kernel call giving the gradient of all gate pre-activations (dgates, which is also gi's
 * gradient, so dW_ih and dx come from the caller's single matmul backward), then dW_hh with one
 * product over all steps and db_hh with one sum. GRU and RNN work the same way (rnnSequenceFused).
 *
 * The per-step composite in nn/layers/rnn-base.ts stays the definition and the path on every
 * other backend. When the backward is itself recorded (createGraph), the gradient is taken
 * through that composite, recomputed from the same inputs, so double backward keeps working.
 */
import { grad } from '../autograd/engine.js';
import { enableGrad, isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/node.js';
import type { RNNSeqMode } from '../backend/types.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from './core.js';

/** Outputs of one layer direction: out (L, N, H), h_n and c_n (N, H). */
export interface LSTMSequenceResult {
  out: Tensor;
  h: Tensor;
  c: Tensor;
}

/** The composite recurrence over the op's inputs: y (L + 2, N, H) = [every output; h_n; c_n]. */
export type LSTMSequenceComposite = (gi: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, bhh: Tensor | null) => Tensor;

/**
 * Runs one LSTM layer direction with the backend's fused sequence kernel.
 *
 * - gi: (L, N, 4H) input projections x·W_ihᵀ + b_ih of every step (gate blocks i, f, g, o);
 * - h0, c0: (N, H) initial states; whh (4H, H); bhh (4H) or null;
 * - lengths: N valid lengths in 1 … L (rows past their length keep their state and output
 *   zeros), or null when every sequence has length L; reverse: run from step L−1 down to 0;
 * - composite: the same recurrence with differentiable ops (used only for createGraph).
 *
 * Returns null when the backend has no kernel for these inputs (then run the composite).
 */
export function lstmSequenceFused(
  gi: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, bhh: Tensor | null, lengths: readonly number[] | null, reverse: boolean,
  composite: LSTMSequenceComposite,
): LSTMSequenceResult | null {
  const kern = gi.backend.fused;
  if (kern?.lstmSeq === undefined || kern.lstmSeqBackward === undefined) return null;
  const inputs = bhh ? [gi, h0, c0, whh, bhh] : [gi, h0, c0, whh];
  if (inputs.some((t) => t.backend !== gi.backend || t.dtype !== gi.dtype)) return null;
  if (gi.ndim !== 3 || h0.ndim !== 2 || c0.ndim !== 2 || whh.ndim !== 2) return null;
  const r = kern.lstmSeq(gi, h0, c0, whh, bhh, lengths, reverse, needsGrad(inputs));
  if (r === null) return null;
  const [L, N, G] = gi.shape as [number, number, number];
  const H = G / 4;
  if (r.saved === null) return split(wrap(r.y, [L + 2, N, H]), L);
  const saved = wrap(r.saved, [L * N * 7 * H]);
  const y = record(wrap(r.y, [L + 2, N, H]), 'lstmSequence', inputs, (d) => {
    if (!isGradEnabled() && d.dtype === gi.dtype) {
      const b = kern.lstmSeqBackward!(saved, whh, lengths, reverse, d);
      if (b !== null) {
        const dgates = wrap(b.dgates, [L, N, G]);
        const flat = dgates.reshape([L * N, G]);
        // The states each step started from, (L·N, H): dW_hh = Σ_t dgates_tᵀ·h_{t−1} in one product.
        const hprev = saved.narrow(0, L * N * 5 * H, L * N * H).reshape([L * N, H]);
        return [
          dgates, wrap(b.dh0, [N, H]), wrap(b.dc0, [N, H]),
          whh.requiresGrad ? flat.t().matmul(hprev) : null,
          bhh?.requiresGrad ? flat.sum(0) : null,
        ];
      }
    }
    return compositeGrads((a) => composite(a[0]!, a[1]!, a[2]!, a[3]!, a[4] ?? null), [gi, h0, c0, whh, bhh], d);
  });
  return split(y, L);
}

/** out, h_n and c_n as views of the op's (L + 2, N, H) result. */
function split(y: Tensor, L: number): LSTMSequenceResult {
  return { out: y.narrow(0, 0, L), h: y.select(0, L), c: y.select(0, L + 1) };
}

/** Whether the op will record a node (what `record` checks): only then is `saved` kept. */
function needsGrad(inputs: readonly Tensor[]): boolean {
  return isGradEnabled() && inputs.some((t) => t.requiresGrad);
}

/** The composite GRU/RNN recurrence over the op's inputs: y (L + 1, N, H) = [every output; h_n]. */
export type RNNSequenceComposite = (gi: Tensor, h0: Tensor, whh: Tensor, bhh: Tensor | null) => Tensor;

/**
 * Runs one GRU or Elman RNN layer direction with the backend's fused sequence kernel: gi
 * (L, N, G·H) with G = 3 (GRU, blocks r, z, n) or 1, h0 (N, H), whh (G·H, H), bhh (G·H) or
 * null; lengths, reverse and composite as {@link lstmSequenceFused}. Returns out (L, N, H) and
 * h_n (N, H), or null when the backend has no kernel for these inputs.
 */
export function rnnSequenceFused(
  mode: RNNSeqMode, gi: Tensor, h0: Tensor, whh: Tensor, bhh: Tensor | null, lengths: readonly number[] | null, reverse: boolean,
  composite: RNNSequenceComposite,
): { out: Tensor; h: Tensor } | null {
  const kern = gi.backend.fused;
  if (kern?.rnnSeq === undefined || kern.rnnSeqBackward === undefined) return null;
  const inputs = bhh ? [gi, h0, whh, bhh] : [gi, h0, whh];
  if (inputs.some((t) => t.backend !== gi.backend || t.dtype !== gi.dtype)) return null;
  if (gi.ndim !== 3 || h0.ndim !== 2 || whh.ndim !== 2) return null;
  const r = kern.rnnSeq(mode, gi, h0, whh, bhh, lengths, reverse, needsGrad(inputs));
  if (r === null) return null;
  const [L, N, G] = gi.shape as [number, number, number];
  const H = h0.shape[1]!;
  const S = mode === 'GRU' ? 5 : 2;
  if (r.saved === null) {
    const y = wrap(r.y, [L + 1, N, H]);
    return { out: y.narrow(0, 0, L), h: y.select(0, L) };
  }
  const saved = wrap(r.saved, [L * N, S * H]);
  const y = record(wrap(r.y, [L + 1, N, H]), 'rnnSequence', inputs, (d) => {
    if (!isGradEnabled() && d.dtype === gi.dtype) {
      const b = kern.rnnSeqBackward!(mode, saved, whh, lengths, reverse, d);
      if (b !== null) {
        const dgh = wrap(b.dgh, [L * N, G]);
        // The states each step started from: the last H values of every saved row.
        const hprev = saved.narrow(1, (S - 1) * H, H);
        return [
          wrap(b.dgi, [L, N, G]), wrap(b.dh0, [N, H]),
          whh.requiresGrad ? dgh.t().matmul(hprev) : null,
          bhh?.requiresGrad ? dgh.sum(0) : null,
        ];
      }
    }
    return compositeGrads((a) => composite(a[0]!, a[1]!, a[2]!, a[3] ?? null), [gi, h0, whh, bhh], d);
  });
  return { out: y.narrow(0, 0, L), h: y.select(0, L) };
}

/**
 * The gradients through the composite recurrence, recomputed from the op's inputs. With
 * createGraph (grad mode on during backward) the recomputation hangs off the real inputs, so
 * the gradients are differentiable functions of them; otherwise detached copies keep the pass
 * from walking (and releasing) the graph upstream of the inputs.
 */
function compositeGrads(composite: (args: (Tensor | null)[]) => Tensor, inputs: (Tensor | null)[], d: Tensor): (Tensor | null)[] {
  const recorded = isGradEnabled();
  const args = inputs.map((t) => (t === null ? null : recorded ? t : t.detach().requiresGrad_(t.requiresGrad)));
  const y = enableGrad(() => composite(args));
  const wanted = args.filter((t): t is Tensor => t !== null && t.requiresGrad);
  const grads = grad([y], wanted, { gradOutputs: [d], createGraph: recorded, retainGraph: recorded, allowUnused: true });
  return args.map((t) => (t !== null && t.requiresGrad ? grads[wanted.indexOf(t)] ?? null : null));
}
