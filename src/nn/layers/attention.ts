/**
 * Multi-head attention (torch.nn.MultiheadAttention), a line-by-line port of PyTorch 1.13's
 * `F.multi_head_attention_forward` so that float64 results agree with PyTorch to rounding.
 */
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { selfAttention } from '../../ops/attention.js';
import { dropout as dropoutOp } from '../../ops/dropout.js';
import { cat, softmax } from '../../ops/index.js';
import { full, tensor, zeros } from '../../tensor/create.js';
import { releaseWhenUnheld } from '../../tensor/release.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';
import { linear } from '../../ops/linear.js';

const OP = 'MultiheadAttention';

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights (training mode only). Default 0. */
  dropout?: number;
  /** Biases on the input and output projections. Default true. */
  bias?: boolean;
  /** Learn an extra key and value (`bias_k`, `bias_v`, shape (1, 1, E)) appended to every sequence. Default false. */
  addBiasKV?: boolean;
  /** Append a zero key and value after the projection. Default false. */
  addZeroAttn?: boolean;
  /** Feature size of `key`. Default embedDim. */
  kdim?: number;
  /** Feature size of `value`. Default embedDim. */
  vdim?: number;
  /** Inputs and output are (N, L, E) instead of (L, N, E). Ignored for unbatched inputs. Default false. */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  /**
   * (N, S), or (S) for unbatched inputs: bool (true = this key is padding, ignore it) or float
   * (added to the attention scores of that key).
   */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights. Default true. */
  needWeights?: boolean;
  /**
   * (L, S), shared by the batch, or (N·numHeads, L, S), per batch entry and head (batch-major:
   * index n·numHeads + h): bool (true = may not attend) or float (added to the scores).
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads; else return them per head. Default true. */
  averageAttnWeights?: boolean;
  /**
   * Causal attention: query i may attend to keys 0 … i only. When `attnMask` is given it is
   * taken to be the causal mask and used as is (PyTorch 2 treats `is_causal` as such a hint);
   * when it is absent the (L, S) causal mask is built here.
   */
  isCausal?: boolean;
}

/** The result of {@link MultiheadAttention.forward}. */
export interface AttentionOutput {
  /** (L, N, E), (N, L, E) with batchFirst, or (L, E) for unbatched inputs. */
  output: Tensor;
  /**
   * (N, L, S) averaged over heads, (N, numHeads, L, S) per head, without the N dimension for
   * unbatched inputs; null when `needWeights` is false. In training mode with dropout, these
   * are the weights after dropout (as PyTorch returns them).
   */
  weights: Tensor | null;
}

/** A bool mask becomes 0 / -inf in `dtype`; a float mask is cast to `dtype` (keeping its graph). */
function additive(what: string, mask: Tensor, dtype: DType): Tensor {
  if (mask.dtype === 'bool') return full(mask.shape, 0, { dtype }).maskedFill(mask, -Infinity);
  if (!isFloat(mask.dtype)) throw new DTypeError(OP, `only bool and floating ${what} are supported, got ${mask.dtype}`);
  return mask.dtype === dtype ? mask : mask.to(dtype);
}

/** Appends one zero column to the last dimension (an extra key that no mask blocks). */
function padKey(mask: Tensor): Tensor {
  return cat([mask, zeros([...mask.shape.slice(0, -1), 1], { dtype: mask.dtype })], -1);
}

/**
 * Multi-head scaled dot-product attention, as torch.nn.MultiheadAttention:
 * softmax(Q Kᵀ / √headDim + mask) V per head, heads concatenated and projected by `out_proj`.
 *
 * Shapes (L target length, S source length, N batch, E = embedDim):
 * query (L, N, E), key (S, N, kdim), value (S, N, vdim); with `batchFirst` (N, L, E),
 * (N, S, kdim), (N, S, vdim); unbatched (L, E), (S, kdim), (S, vdim).
 *
 * Parameters, with PyTorch's names and order: `in_proj_weight` (3E, E) packing the query, key
 * and value projections (or `q_proj_weight` (E, E), `k_proj_weight` (E, kdim),
 * `v_proj_weight` (E, vdim) when kdim or vdim differs from E), `in_proj_bias` (3E),
 * `bias_k` / `bias_v` (1, 1, E) with `addBiasKV`, and the child `out_proj` (a Linear E → E).
 * Initialisation follows PyTorch's order of random draws: `out_proj` is built first (Linear's
 * default init), then xavier-uniform projection weights, zero biases (including
 * `out_proj.bias`) and xavier-normal `bias_k`, `bias_v`.
 *
 * Self-attention (one tensor passed as query, key and value) without masks, `bias_k`/`bias_v`,
 * zero attention or returned weights (`needWeights: false`, as TransformerEncoderLayer asks)
 * runs one packed projection and the `selfAttention` op (ops/attention.ts), fused on backends
 * that have it; it computes the same function, with the same dropout draws.
 *
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(512, 8, { batchFirst: true });
 * const x = torch.randn([32, 10, 512]);
 * const { output, weights } = mha.forward(x, x, x, { keyPaddingMask: pad }); // pad: bool (32, 10)
 * output.shape;   // [32, 10, 512]
 * weights!.shape; // [32, 10, 10]
 * ```
 */
export class MultiheadAttention extends Module {
  // Declaration order is registration order: it reproduces PyTorch's state-dict key order.
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  bias_k: Parameter | null;
  bias_v: Parameter | null;
  out_proj: Linear;
  readonly kdim: number;
  readonly vdim: number;
  readonly headDim: number;
  /** Attention-weight dropout probability. */
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    for (const [what, v] of [['embedDim', embedDim], ['numHeads', numHeads]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(OP, `${what} must be a positive integer, got ${v}`);
    }
    if (embedDim % numHeads !== 0) {
      throw new ShapeError(OP, `embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    }
    const p = opts.dropout ?? 0;
    if (!(p >= 0 && p <= 1)) throw new ValueError(OP, `dropout probability has to be between 0 and 1, but got ${p}`);
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.batchFirst = opts.batchFirst ?? false;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    const bias = opts.bias ?? true;
    const packed = this.kdim === embedDim && this.vdim === embedDim;
    const E = embedDim;
    this.in_proj_weight = packed ? new Parameter(zeros([3 * E, E])) : null;
    this.q_proj_weight = packed ? null : new Parameter(zeros([E, E]));
    this.k_proj_weight = packed ? null : new Parameter(zeros([E, this.kdim]));
    this.v_proj_weight = packed ? null : new Parameter(zeros([E, this.vdim]));
    this.in_proj_bias = bias ? new Parameter(zeros([3 * E])) : null;
    this.bias_k = opts.addBiasKV ? new Parameter(zeros([1, 1, E])) : null;
    this.bias_v = opts.addBiasKV ? new Parameter(zeros([1, 1, E])) : null;
    // Linear draws its own init here, before _reset_parameters, exactly as in PyTorch.
    this.out_proj = new Linear(E, E, { bias });
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters` (the out_proj weight keeps Linear's default init). */
  resetParameters(): void {
    if (this.in_proj_weight) xavierUniform_(this.in_proj_weight);
    for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): AttentionOutput {
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new ShapeError(OP, `query should be unbatched 2-D (L, E) or batched 3-D, got ${query.ndim}-D`, [query.shape]);
    }
    const batched = query.ndim === 3;
    // Self-attention (one tensor as query, key and value) takes the packed projection; decided
    // here, before the transposes below make three distinct view objects of it.
    const self = query === key && key === value;
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(OP, `for a ${query.ndim}-D query, key and value must be ${query.ndim}-D too (query, key, value)`, [query.shape, key.shape, value.shape]);
    }
    let [q, k, v] = [query, key, value];
    if (!batched) {
      // Unbatched input runs as a batch of one (batchFirst does not apply).
      [q, k, v] = [q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)];
    } else if (this.batchFirst) {
      [q, k, v] = [q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)];
    }
    if (self && batched && this.in_proj_weight && !this.bias_k && !this.addZeroAttn && !(opts.needWeights ?? true) &&
      !opts.attnMask && !opts.keyPaddingMask && !opts.isCausal && query.shape[2] === this.embedDim && isFloat(query.dtype)) {
      // Self-attention without masks or weights: one packed projection, then the fused
      // attention op in the input's own token layout (no head split/merge copies, no transposes).
      const qkv = linear(query, this.in_proj_weight, this.in_proj_bias);
      const heads = selfAttention(qkv, this.numHeads, { batchFirst: this.batchFirst, dropout: this.dropout, training: this.training });
      // Both are dead after this forward: freed now without a graph, else once backward has
      // run through the ops that saved them.
      releaseWhenUnheld(qkv, query, heads);
      const output = this.out_proj.forward(heads);
      releaseWhenUnheld(heads, query, output);
      return { output, weights: null };
    }
    const [L, N] = [q.shape[0]!, q.shape[1]!];
    const S = k.shape[0]!;
    this.checkInputs(q, k, v, query, key, value);
    const H = this.numHeads;
    const E = this.embedDim;
    const hd = this.headDim;
    const dtype = q.dtype;

    let mask = this.attnMask(opts, L, S, N, dtype, batched);
    let pad: Tensor | null = null;
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm) {
      const want = batched ? [N, S] : [S];
      if (!shapesEqual(kpm.shape, want)) {
        throw new ShapeError(OP, `keyPaddingMask must have shape ${batched ? '(N, S)' : '(S)'} (given vs expected)`, [kpm.shape, want]);
      }
      pad = additive('keyPaddingMask', kpm, dtype).reshape([N, S]);
    }

    let [qp, kp, vp] = this.inProjection(q, k, v, self);
    if (this.bias_k && this.bias_v) {
      kp = cat([kp, this.bias_k.expand([1, N, E])], 0);
      vp = cat([vp, this.bias_v.expand([1, N, E])], 0);
      if (mask) mask = padKey(mask);
      if (pad) pad = padKey(pad);
    }
    // Heads become batch entries: (len, N, E) → (N·H, len, headDim), index n·H + h.
    const qh = qp.reshape([L, N * H, hd]).transpose(0, 1);
    let kh = kp.reshape([kp.shape[0]!, N * H, hd]).transpose(0, 1);
    let vh = vp.reshape([vp.shape[0]!, N * H, hd]).transpose(0, 1);
    if (this.addZeroAttn) {
      kh = cat([kh, zeros([N * H, 1, hd], { dtype })], 1);
      vh = cat([vh, zeros([N * H, 1, hd], { dtype })], 1);
      if (mask) mask = padKey(mask);
      if (pad) pad = padKey(pad);
    }
    const s = kh.shape[1]!;
    if (pad) {
      const perHead = pad.reshape([N, 1, 1, s]).expand([N, H, 1, s]).reshape([N * H, 1, s]);
      // Masks merge by addition (PyTorch 2's rule; for bool masks it equals 1.13's logical or).
      mask = mask ? mask.add(perHead) : perHead;
    }

    // PyTorch scales q before the product (q / √headDim), which fixes the float rounding.
    let scores = qh.div(Math.sqrt(hd)).matmul(kh.transpose(1, 2));
    if (mask) scores = scores.add(mask);
    let attn = softmax(scores, -1);
    if (this.training && this.dropout > 0) attn = dropoutOp(attn, this.dropout, true);

    const heads = attn.matmul(vh).transpose(0, 1).reshape([L * N, E]);
    let output = this.out_proj.forward(heads).reshape([L, N, E]);
    let weights: Tensor | null = null;
    if (opts.needWeights ?? true) {
      weights = attn.reshape([N, H, L, s]);
      // sum / H rather than mean, to round as PyTorch does.
      if (opts.averageAttnWeights ?? true) weights = weights.sum(1).div(H);
      if (!batched) weights = weights.squeeze(0);
    }
    if (!batched) output = output.squeeze(1);
    else if (this.batchFirst) output = output.transpose(0, 1);
    return { output, weights };
  }

  private checkInputs(q: Tensor, k: Tensor, v: Tensor, query: Tensor, key: Tensor, value: Tensor): void {
    const shapes = [query.shape, key.shape, value.shape];
    if (q.shape[2] !== this.embedDim) {
      throw new ShapeError(OP, `query's feature size must be embedDim = ${this.embedDim} (query, key, value)`, shapes);
    }
    if (k.shape[2] !== this.kdim || v.shape[2] !== this.vdim) {
      throw new ShapeError(OP, `key and value feature sizes must be kdim = ${this.kdim} and vdim = ${this.vdim} (query, key, value)`, shapes);
    }
    if (k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1] || k.shape[1] !== q.shape[1]) {
      throw new ShapeError(OP, 'key and value must have the same sequence length, and all three the same batch size (query, key, value)', shapes);
    }
    for (const t of [query, key, value]) {
      if (t.dtype !== query.dtype || !isFloat(t.dtype)) {
        throw new DTypeError(OP, `query, key and value must share one floating dtype, got ${query.dtype}, ${key.dtype}, ${value.dtype}`);
      }
    }
  }

  /** The attention mask as an additive float (1 or N·H, L, S) tensor, or null. */
  private attnMask(opts: MultiheadAttentionForwardOptions, L: number, S: number, N: number, dtype: DType, batched: boolean): Tensor | null {
    const m = opts.attnMask ?? null;
    if (!m) {
      if (!opts.isCausal) return null;
      const causal = Array.from({ length: L * S }, (_, i) => (i % S > Math.floor(i / S) ? -Infinity : 0));
      return tensor(causal, { dtype, shape: [1, L, S] });
    }
    if (m.ndim === 2) {
      if (m.shape[0] !== L || m.shape[1] !== S) throw new ShapeError(OP, 'a 2-D attnMask must have shape (L, S) (given vs expected)', [m.shape, [L, S]]);
      return additive('attnMask', m, dtype).unsqueeze(0);
    }
    if (m.ndim === 3) {
      const want = [N * this.numHeads, L, S];
      if (m.shape[0] !== want[0] || m.shape[1] !== L || m.shape[2] !== S) {
        const form = batched ? '(N·numHeads, L, S)' : '(numHeads, L, S)';
        throw new ShapeError(OP, `a 3-D attnMask must have shape ${form} (given vs expected)`, [m.shape, want]);
      }
      return additive('attnMask', m, dtype);
    }
    throw new ShapeError(OP, `attnMask must be 2-D (L, S) or 3-D (N·numHeads, L, S), got ${m.ndim}-D`, [m.shape]);
  }

  /** Query, key and value projections (len, N, E) each. */
  private inProjection(q: Tensor, k: Tensor, v: Tensor, self: boolean): [Tensor, Tensor, Tensor] {
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const [bq, bk, bv] = b ? [b.narrow(0, 0, E), b.narrow(0, E, E), b.narrow(0, 2 * E, E)] : [null, null, null];
    const w = this.in_proj_weight;
    if (w && self) {
      // Self-attention: one (…, E)·(E, 3E) product instead of three, as PyTorch does; the three
      // projections are views of its result, and the weight's gradient comes from one product.
      const qkv = linear(q, w, b);
      return [qkv.narrow(-1, 0, E), qkv.narrow(-1, E, E), qkv.narrow(-1, 2 * E, E)];
    }
    const [wq, wk, wv] = w
      ? [w.narrow(0, 0, E), w.narrow(0, E, E), w.narrow(0, 2 * E, E)]
      : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!];
    return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
  }
}
