/**
 * Multi-head self-attention on a packed query/key/value projection, the core of
 * nn.MultiheadAttention's self-attention path (no masks).
 *
 * The composite splits heads with views, runs scores → softmax → dropout → ·v as separate ops
 * (each with an (N·heads, L, L) intermediate and its own autograd node) and merges heads again.
 * A backend with a fused kernel (Backend.fused.attention, wasm) does all of it in one call per
 * (batch, head) pair, reading q, k and v straight out of the packed projection and writing the
 * output in token layout; backward likewise writes the packed gradient (N, L, 3E) in one call,
 * so the three narrow() gradients need no zero-filled buffers and sums. It saves the softmax
 * probabilities and the dropout keep mask (one byte per score) instead of the composite's
 * scores, probabilities, dropout output and head-split copies.
 *
 * Dropout on the attention weights draws exactly the composite's words (one float32 uniform per
 * score from the same generator, batch-major over n·heads + h, then row-major), so with the same
 * seed the fused and composite paths drop the same weights and leave the generator in the same
 * state. When a backward pass is itself recorded (createGraph), the gradient is built from
 * differentiable ops (recomputing the probabilities from qkv), so double backward works.
 */
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/mode.js';
import { ShapeError, ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from './shape.js';
import { requireFloat, wrap } from './core.js';
import { dropout } from './dropout.js';
import { softmax } from './softmax.js';

/** Options of {@link selfAttention}. */
export interface SelfAttentionOptions {
  /** qkv is (N, L, 3E) instead of (L, N, 3E). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the attention weights, applied when `training`. Default 0. */
  dropout?: number;
  /** Default true. */
  training?: boolean;
  /** Generator for the dropout mask. Default: the global one. */
  generator?: Generator;
}

const OP = 'selfAttention';

interface Dims { N: number; L: number; E: number; hd: number }

function dims(qkv: Tensor, heads: number, batchFirst: boolean): Dims {
  if (qkv.ndim !== 3) throw new ShapeError(OP, 'qkv must be 3-D: (L, N, 3E), or (N, L, 3E) with batchFirst', [qkv.shape]);
  if (!Number.isInteger(heads) || heads <= 0) throw new ValueError(OP, `heads must be a positive integer, got ${heads}`);
  const E3 = qkv.shape[2]!;
  if (E3 % (3 * heads) !== 0) throw new ShapeError(OP, `qkv's last dim (${E3}) must be 3 · heads (${heads}) · headDim`, [qkv.shape]);
  const [N, L] = batchFirst ? [qkv.shape[0]!, qkv.shape[1]!] : [qkv.shape[1]!, qkv.shape[0]!];
  return { N, L, E: E3 / 3, hd: E3 / 3 / heads };
}

/** (A, B, E) token layout → (N·heads, L, hd), batch-major (index n·heads + h). */
function splitHeads(t: Tensor, heads: number, batchFirst: boolean, d: Dims): Tensor {
  return batchFirst
    ? t.reshape([d.N, d.L, heads, d.hd]).permute([0, 2, 1, 3]).reshape([d.N * heads, d.L, d.hd])
    : t.reshape([d.L, d.N * heads, d.hd]).transpose(0, 1);
}

/** (N·heads, L, hd) → (A, B, E) token layout. */
function mergeHeads(t: Tensor, heads: number, batchFirst: boolean, d: Dims): Tensor {
  return batchFirst
    ? t.reshape([d.N, heads, d.L, d.hd]).permute([0, 2, 1, 3]).reshape([d.N, d.L, d.E])
    : t.transpose(0, 1).reshape([d.L, d.N, d.E]);
}

function qkvHeads(qkv: Tensor, heads: number, batchFirst: boolean, d: Dims): [Tensor, Tensor, Tensor] {
  return [0, 1, 2].map((i) => splitHeads(qkv.narrow(-1, i * d.E, d.E), heads, batchFirst, d)) as [Tensor, Tensor, Tensor];
}

/**
 * softmax((q / √hd)·kᵀ) · v per head, with dropout on the weights, from a packed projection.
 *
 * Shapes: qkv (L, N, 3E), or (N, L, 3E) with batchFirst, holding [q | k | v] per token with
 * E = heads · headDim → output (L, N, E), or (N, L, E). Heads are consecutive headDim slices
 * of E, as in torch.nn.MultiheadAttention; the float rounding follows it (q is divided by
 * √headDim before the product).
 *
 * @example
 * ```ts
 * const qkv = randn([2, 5, 3 * 8]);           // N=2, L=5, E=8
 * selfAttention(qkv, 2, { batchFirst: true }).shape; // [2, 5, 8]
 * ```
 */
export function selfAttention(qkv: Tensor, heads: number, opts: SelfAttentionOptions = {}): Tensor {
  requireFloat(OP, qkv);
  const batchFirst = opts.batchFirst ?? false;
  const p = opts.dropout ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(OP, `dropout probability has to be between 0 and 1, but got ${p}`);
  const d = dims(qkv, heads, batchFirst);
  const drop = (opts.training ?? true) && p > 0;
  const k = qkv.backend.fused;
  if (k?.attention !== undefined && p < 1) {
    const save = isGradEnabled() && qkv.requiresGrad;
    const keep = 1 - p;
    const scale = 1 / keep;
    let res: ReturnType<NonNullable<typeof k.attention>> = null;
    if (drop) {
      (opts.generator ?? defaultGenerator).drawRaw((state) => {
        res = k.attention!(qkv, heads, batchFirst, { keep, scale, rng: state }, save);
        return res === null ? state.mti : res.mti;
      });
    } else {
      res = k.attention(qkv, heads, batchFirst, null, save);
    }
    const r = res as ReturnType<NonNullable<typeof k.attention>>;
    if (r !== null) {
      const out = wrap(r.out, [qkv.shape[0]!, qkv.shape[1]!, d.E]);
      if (!save || r.probs === null) return out;
      const probs = wrap(r.probs, [d.N * heads, d.L, d.L]);
      const mask = r.mask === null ? null : wrap(r.mask, [d.N * heads, d.L, d.L]);
      const s = drop ? scale : 1;
      return record(out, OP, [qkv], (g) => {
        if (!isGradEnabled() && k.attentionBackward !== undefined && g.dtype === qkv.dtype) {
          const dq = k.attentionBackward(qkv, probs, mask, s, g, heads, batchFirst);
          if (dq !== null) return [wrap(dq, qkv.shape)];
        }
        return [differentiableGrad(qkv, mask, s, g, heads, batchFirst, d)];
      }, mask === null ? [probs] : [probs, mask]);
    }
  }
  const [q, kk, v] = qkvHeads(qkv, heads, batchFirst, d);
  let attn = softmax(q.div(Math.sqrt(d.hd)).matmul(kk.transpose(1, 2)), -1);
  if (drop) attn = dropout(attn, p, true, opts.generator ? { generator: opts.generator } : {});
  return mergeHeads(attn.matmul(v), heads, batchFirst, d);
}

/**
 * The gradient of qkv written with differentiable ops (the rule the fused backward implements):
 * with P the probabilities (recomputed from qkv) and M the keep mask times the dropout scale,
 * dV = (P·M)ᵀ·g, dP = (g·Vᵀ)·M, dS = P·(dP − Σ dP·P), dQ = dS·K / √hd, dK = dSᵀ·(Q / √hd).
 */
function differentiableGrad(qkv: Tensor, mask: Tensor | null, scale: number, g: Tensor, heads: number, batchFirst: boolean, d: Dims): Tensor {
  const [q, k, v] = qkvHeads(qkv, heads, batchFirst, d);
  const qs = q.div(Math.sqrt(d.hd));
  const P = softmax(qs.matmul(k.transpose(1, 2)), -1);
  const m = mask === null ? null : mask.to(qkv.dtype).mul(scale);
  const go = splitHeads(g, heads, batchFirst, d);
  const dv = (m ? P.mul(m) : P).transpose(1, 2).matmul(go);
  const dpd = go.matmul(v.transpose(1, 2));
  const dp = m ? dpd.mul(m) : dpd;
  const ds = P.mul(dp.sub(dp.mul(P).sum(-1, true)));
  const dq = ds.matmul(k).div(Math.sqrt(d.hd));
  const dk = ds.transpose(1, 2).matmul(qs);
  return cat([dq, dk, dv].map((t) => mergeHeads(t, heads, batchFirst, d)), -1);
}
