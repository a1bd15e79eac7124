/**
 * The backend interface: where numbers live and the primitive kernels that run on them.
 *
 * A backend implements only these primitives; every other op (softmax, conv, losses, …) is
 * composed from them in `ops/`, so its gradient comes for free and a new backend needs nothing
 * else. Kernels receive strided *views* (shape, strides, offset into a storage) and always
 * return a fresh contiguous storage, so views (transpose, expand, slices) never need copying
 * before a kernel runs. The kernel tables are typed `Record<Op, …>`, so a backend that forgets a
 * kernel fails to compile rather than at run time.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';

/** A block of memory owned by a backend, holding `size` elements of `dtype`. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
}

/** A strided window onto a storage. Strides and offset count elements, not bytes. */
export interface View {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const UNARY_OPS = [
  'neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal',
  'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'logicalNot', 'isnan',
] as const;
/** Elementwise functions of one input. */
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder', 'floorDivide',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor',
] as const;
/** Elementwise functions of two inputs of the same (already broadcast) shape. */
export type BinaryOp = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const;
/** Reductions over a set of axes. `argmax`/`argmin` take exactly one axis and give int64. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Geometry of a sliding-window unfold (im2col) over the trailing `k` spatial dimensions. */
export interface UnfoldGeometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

/**
 * The raw state of a seeded MT19937 generator (tensor/random.ts), lent to a kernel that draws
 * from it: `mt` is the live 624-word state (the kernel may rewrite it in place), `mti` the next
 * word's index (624: twist first). The kernel returns the new `mti`.
 */
export interface RandomState {
  readonly mt: Uint32Array;
  readonly mti: number;
}

/**
 * Optional fused kernels: a backend may implement any of them to replace a composite op of
 * `ops/` with one pass over memory. Each must give the composite's result (to rounding, as the
 * op's tests state); ops fall back to the composite when a kernel is absent or returns null
 * (a case it does not handle, e.g. a dtype or layout). The reference backend implements none,
 * so it always runs the composite: the oracle the fused kernels are tested against.
 */
export interface FusedKernels {
  /**
   * Inverted dropout of a float view: draws one float32 uniform per element in row-major order
   * from `rng` (24 bits, as Generator.nextFloat32), keeps the element when the draw is below
   * `keep`, and returns out = x · mask as a contiguous storage of x's dtype, mask = scale or 0
   * (scale rounded to the dtype); the mask itself only when `wantMask` (else null); plus the
   * generator's new `mti`. Running it again from a copy of the same state regenerates the same
   * mask, which is how backward applies it without storing it.
   */
  dropout?(x: View, keep: number, scale: number, rng: RandomState, wantMask?: boolean): { out: Storage; mask: Storage | null; mti: number } | null;
  /**
   * `dropout` (the same draws, output and new `mti`) that also returns the keep pattern as bits
   * (an int32 storage of ceil(n / 32) words, element i at bit i % 32 of word i / 32), for
   * `dropoutApply` in backward instead of regenerating the mask.
   */
  dropoutBits?(x: View, keep: number, scale: number, rng: RandomState): { out: Storage; bits: Storage; mti: number } | null;
  /** g · mask for a mask from `dropoutBits` (scale where the bit is set, else 0), contiguous, g's dtype. */
  dropoutApply?(g: View, bits: Storage, scale: number): Storage | null;
  /** softmax (or logSoftmax when `log`) over the last axis of a float view. */
  softmax?(x: View, log: boolean): Storage | null;
  /**
   * Gradient of softmax/logSoftmax over the last axis, from the forward output `y` and the
   * output gradient `g` (same shape): softmax y·(g − Σ g·y); logSoftmax g − exp(y)·Σ g.
   */
  softmaxBackward?(y: View, g: View, log: boolean): Storage | null;
  /**
   * Layer norm over the last axis (length D) of x [R, D] (any leading shape), with optional
   * weight and bias [D]: returns y and the per-row mean and reciprocal standard deviation [R]
   * (float64 statistics are kept in x's dtype).
   */
  layerNorm?(x: View, weight: View | null, bias: View | null, eps: number): { y: Storage; mean: Storage; rstd: Storage } | null;
  /**
   * Layer norm's backward: dx [R, D], and the per-column sums dweight = Σ g·x̂ and dbias = Σ g
   * ([D], computed only when asked) from x, the saved mean and rstd, weight (or null) and g.
   */
  layerNormBackward?(x: View, mean: View, rstd: View, weight: View | null, g: View, wantWeight: boolean, wantBias: boolean):
    { dx: Storage; dweight: Storage | null; dbias: Storage | null } | null;
  /**
   * Layer norm of the sum a + b (both [R, D], the post-norm residual `norm(x + sublayer(x))`):
   * `layerNorm` of the sum, which is also returned (contiguous [R, D]) when `wantSum`, for the
   * backward, that is `layerNormBackward` on it.
   */
  addLayerNorm?(a: View, b: View, weight: View | null, bias: View | null, eps: number, wantSum: boolean):
    { y: Storage; sum: Storage | null; mean: Storage; rstd: Storage } | null;
  /**
   * 2-D convolution (cross-correlation, groups = 1) of x [N, C, H, W] with weight [Co, C, kh, kw]
   * under `g` (2-element kernel, stride, padding, dilation; kernel = weight's kh, kw), without
   * bias: y [N, Co, Ho, Wo] as a contiguous storage of x's dtype.
   */
  conv2d?(x: View, weight: View, g: UnfoldGeometry): Storage | null;
  /**
   * conv2d's backward from x, weight and the output gradient gy [N, Co, Ho, Wo]: dx (when
   * `wantInput`) and dweight (when `wantWeight`), each null when not asked.
   */
  conv2dBackward?(x: View, weight: View, gy: View, g: UnfoldGeometry, wantInput: boolean, wantWeight: boolean):
    { dx: Storage | null; dweight: Storage | null } | null;
  /**
   * Batch norm of x [N, C, S] (S = the product of the spatial dims) per channel, with optional
   * weight and bias [C]. Training (`running` null): the batch mean and biased variance over N and
   * S normalise x and are returned. Eval: the running mean and variance [C] (x's dtype) do.
   * Returns y [N, C, S], mean and var [C] (the statistics used) and rstd = 1/√(var + eps) [C].
   */
  batchNorm?(x: View, weight: View | null, bias: View | null, running: { mean: View; var: View } | null, eps: number):
    { y: Storage; mean: Storage; var: Storage; rstd: Storage } | null;
  /**
   * Batch norm's backward from x [N, C, S], the mean and rstd [C] the forward used, weight [C] (or
   * null) and g [N, C, S]: dx (when `wantInput`) and the per-channel sums dweight = Σ g·x̂ and
   * dbias = Σ g (when asked). `training` says whether mean and rstd were batch statistics (their
   * dependence on x is then part of dx) or constants (eval: dx = w·rstd·g).
   */
  batchNormBackward?(x: View, mean: View, rstd: View, weight: View | null, g: View, training: boolean,
    want: { input: boolean; weight: boolean; bias: boolean }): { dx: Storage | null; dweight: Storage | null; dbias: Storage | null } | null;
  /**
   * One Adam/AdamW step over a contiguous parameter, in place: p, grad, m, v (and vmax under
   * AMSGrad) share shape and dtype. Follows adamUpdate in optim/adam.ts operation for operation.
   * Returns false when it cannot run (then nothing was written).
   */
  adam?(p: View, grad: View, m: View, v: View, vmax: View | null, h: AdamHyper): boolean;
  /**
   * One LSTM cell step from the gate pre-activations gates [N, 4H] (blocks i, f, g, o) and the
   * cell state c [N, H]: hc = [h' | c'] [N, 2H] with c' = σ(f)·c + σ(i)·tanh(g) and
   * h' = σ(o)·tanh(c'), and act = [σi | σf | tanh g | σo | tanh c'] [N, 5H] for backward.
   */
  lstmCell?(gates: View, c: View): { hc: Storage; act: Storage } | null;
  /** The LSTM cell's backward: dgates [N, 4H] and dc [N, H] from act, c and d = [dh', dc'] [2, N, H]. */
  lstmCellBackward?(act: View, c: View, d: View): { dgates: Storage; dc: Storage } | null;
  /**
   * Multi-head self-attention on a packed projection (ops/attention.ts): qkv is a float view
   * (A, B, 3E) whose last dim is contiguous, holding [q | k | v] per token; `batchFirst` says the
   * tokens are (N, L) (else (L, N)). Per (batch n, head h), with E = heads·hd:
   * softmax((q/√hd)·kᵀ) → dropout (when `dropout` is given: one float32 uniform per score from
   * `rng`, batch-major over n·heads + h, then row-major, kept below `keep`, scaled by `scale`)
   * → ·v, written in qkv's token layout as out (A, B, E). Returns the softmax probabilities
   * [N·heads, L, L] and the keep mask (bool, same shape; null without dropout) when `save`,
   * and the generator's new `mti`.
   */
  attention?(qkv: View, heads: number, batchFirst: boolean, dropout: { keep: number; scale: number; rng: RandomState } | null, save: boolean):
    { out: Storage; probs: Storage | null; mask: Storage | null; mti: number } | null;
  /** The gradient of qkv (A, B, 3E) from attention's saved probabilities, mask and the output gradient g (A, B, E). */
  attentionBackward?(qkv: View, probs: View, mask: View | null, scale: number, g: View, heads: number, batchFirst: boolean): Storage | null;
  /**
   * One LSTM layer direction over a whole sequence (no projection): from the input projections
   * gi [L, N, 4H] (x·W_ihᵀ + b_ih of every step), the initial states h0, c0 [N, H], W_hh [4H, H]
   * and b_hh [4H] (or null), runs the steps t = 0 … L−1 (L−1 … 0 when `reverse`) with the
   * composite's arithmetic (gates = (h·W_hhᵀ + b_hh) + gi, then lstmCell). With `lengths` (N
   * values in 1 … L) a row at a step t ≥ its length keeps its state and outputs zeros. Returns
   * y [L + 2, N, H] (every step's h, then h_n, then c_n) and `saved` [L, N, 7H] for backward
   * (null when `keepSaved` is false: inference frees it at once instead of leaving it to the GC).
   */
  lstmSeq?(gi: View, h0: View, c0: View, whh: View, bhh: View | null, lengths: readonly number[] | null, reverse: boolean, keepSaved?: boolean):
    { y: Storage; saved: Storage | null } | null;
  /**
   * lstmSeq's backward (BPTT) from its `saved`, W_hh and the gradient dy of y [L + 2, N, H]:
   * dgates [L, N, 4H] (the gradient of gi and of the gate pre-activations), dh0 and dc0 [N, H].
   */
  lstmSeqBackward?(saved: View, whh: View, lengths: readonly number[] | null, reverse: boolean, dy: View):
    { dgates: Storage; dh0: Storage; dc0: Storage } | null;
  /**
   * One GRU or Elman RNN layer direction over a whole sequence, as lstmSeq: gi [L, N, G·H]
   * (G = 3 for GRU, 1 for RNN), h0 [N, H], W_hh [G·H, H], b_hh [G·H] or null. Returns y
   * [L + 1, N, H] (every step's h, then h_n) and `saved` [L, N, S·H] (S = 5 for GRU, 2 for RNN),
   * whose last H values per row are the state the step started from (null unless `keepSaved`).
   */
  rnnSeq?(mode: RNNSeqMode, gi: View, h0: View, whh: View, bhh: View | null, lengths: readonly number[] | null, reverse: boolean, keepSaved?: boolean):
    { y: Storage; saved: Storage | null } | null;
  /**
   * rnnSeq's backward from its `saved`, W_hh and dy [L + 1, N, H]: dgi [L, N, G·H] (gi's gradient),
   * dgh [L, N, G·H] (the gradient of h·W_hhᵀ + b_hh; dgi itself for RNN) and dh0 [N, H].
   */
  rnnSeqBackward?(mode: RNNSeqMode, saved: View, whh: View, lengths: readonly number[] | null, reverse: boolean, dy: View):
    { dgi: Storage; dgh: Storage; dh0: Storage } | null;
  /** GELU of a float view (`tanh`: the tanh approximation, else the exact erf form), as ops/elementwise.ts gelu. */
  gelu?(x: View, tanh: boolean): Storage | null;
  /**
   * GELU's backward g·gelu'(x) (PyTorch's GeluBackward) from x and the output gradient g (same
   * shape and dtype); `y`, the forward output, lets a kernel recover Φ(x) = y/x instead of
   * evaluating erf again (may be ignored).
   */
  geluBackward?(x: View, g: View, tanh: boolean, y?: View | null): Storage | null;
  /**
   * Cross-entropy with class-index targets (ops/loss.ts): logits x [N, C, S] (float), targets
   * t [N, S] (int64 or int32; values in [0, C) or `ignoreIndex`), optional class weights w [C]
   * (x's dtype). Returns the per-position losses [N, S] (x's dtype; 0 at ignored targets),
   * the per-position logsumexp [N, S] (float64, for backward), and the float64 sums of the
   * losses and of w[t] over the non-ignored positions (the 'mean' denominator).
   */
  crossEntropy?(x: View, t: View, w: View | null, ignoreIndex: number, labelSmoothing: number):
    { loss: Storage; lse: Storage; total: number; weightSum: number } | null;
  /**
   * Its backward: dx [N, C, S] = coef·(softmax − target distribution, weighted), where coef is
   * g[n, s]·scale when `g` [N, S] is given (reduction 'none') or `scale` alone; 0 at ignored targets.
   */
  crossEntropyBackward?(x: View, t: View, w: View | null, ignoreIndex: number, labelSmoothing: number, lse: View, g: View | null, scale: number): Storage | null;
  /**
   * A Linear layer's forward in one product: x [R, K] @ wᵀ (w [N, K]) + bias [N] (or null), then
   * ReLU when `relu`; the bias and ReLU are applied to the full sum, so the result is the
   * composite's (matmul, add, relu) exactly. x and w float of one dtype; bias contiguous.
   */
  linear?(x: View, w: View, bias: View | null, relu: boolean): Storage | null;
  /** ReLU's backward from its output y and the gradient g (same shape): g where y > 0, else 0. */
  reluBackward?(y: View, g: View): Storage | null;
  /**
   * Rows of a 2-D float x [rows, D] at a 1-D integer index [n] (an embedding lookup): out [n, D].
   * Throws the reference's IndexError for an index outside [0, rows).
   */
  indexSelectRows?(x: View, index: View): Storage | null;
  /**
   * Its backward: out [rows, D] = 0, then out[index[i]] += src[i] for i in order (src [n, D],
   * float), as scatterAdd into zeros would sum them.
   */
  indexAddRows?(rows: number, index: View, src: View): Storage | null;
}

/** The recurrences of FusedKernels.rnnSeq. */
export type RNNSeqMode = 'RNN_TANH' | 'RNN_RELU' | 'GRU';

/** The scalars of one Adam step (see FusedKernels.adam). */
export interface AdamHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW's decoupled decay instead of Adam's L2 term. */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** The step number after this update (1 on the first). */
  readonly step: number;
}

/**
 * The primitive kernels. Outputs are new contiguous storages of the stated shape.
 */
export interface Backend {
  readonly name: string;
  /** Fused fast paths for composite ops (see FusedKernels); absent on the reference backend. */
  readonly fused?: FusedKernels;

  /** A storage of `size` elements, every one equal to `value`. */
  full(dtype: DType, size: number, value: number): Storage;
  /** Copies host data into a new storage (values converted to `dtype`). */
  fromArray(dtype: DType, data: ArrayLike<number>): Storage;
  /** Reads a view back to the host as a contiguous typed array (a copy the caller owns). */
  read(x: View): TypedArray;

  /** Contiguous copy of a view, converted to `dtype`. */
  copy(x: View, dtype: DType): Storage;
  /** Writes `src` (same shape as `dst`) into the view `dst` in place, converting dtype. */
  assign(dst: View, src: View): void;

  /** out[i] = op(x[i]); output dtype given by the caller (ops decide promotion). */
  unary(op: UnaryOp, x: View, outDtype: DType): Storage;
  /** out[i] = op(a[i], b[i]); `a` and `b` have the same shape (broadcast by stride-0 views). */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** out[i] = cond[i] ? a[i] : b[i]; all three views have the same shape. */
  where(cond: View, a: View, b: View, outDtype: DType): Storage;
  /** Reduces `axes` (sorted, unique); output shape is x.shape without those axes. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /**
   * Batched matrix product: a is [...batch, M, K], b is [...batch, K, N] with identical batch
   * shapes (broadcast by stride-0 views); output [...batch, M, N] in `a`'s dtype.
   */
  matmul(a: View, b: View): Storage;
  /** out[…, i, …] = x[…, index[…, i, …], …] along `dim`; output has index's shape (int64/int32 index). */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `x` with out[…, index[…], …] += src[…] along `dim`; index and src have the same shape. */
  scatterAdd(x: View, dim: number, index: View, src: View): Storage;
  /**
   * im2col. x is [...lead, *spatial] with k = geometry.kernel.length trailing spatial dims.
   * Output is [...lead, *kernel, *outSpatial]; positions in the padding read `padValue`.
   */
  unfold(x: View, g: UnfoldGeometry, padValue: number): Storage;
  /** col2im, the adjoint of unfold (padValue 0): sums window entries back into [...lead, *spatial]. */
  fold(cols: View, g: UnfoldGeometry, spatial: readonly number[]): Storage;
}
