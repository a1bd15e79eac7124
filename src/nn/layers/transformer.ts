/** Transformer encoder (torch.nn.TransformerEncoderLayer, torch.nn.TransformerEncoder). */
import { ValueError } from '../../errors.js';
import { addLayerNorm, gelu, relu } from '../../ops/index.js';
import { linearRelu } from '../../ops/linear.js';
import { defaultGenerator } from '../../tensor/random.js';
import { releaseUnlessShared, releaseWhenUnheld } from '../../tensor/release.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList, type TensorModule } from './container.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

/**
 * A deep copy of `prototype`, standing in for Python's `copy.deepcopy(module)`.
 *
 * `construct()` must build a fresh module of the same class and configuration; the prototype's
 * parameters and persistent buffers are then copied in with `loadStateDict`, after converting
 * the copy to the prototype's dtype. Each parameter's `requiresGrad` and each submodule's
 * `training` flag are copied too. The copy shares no storage with the prototype.
 *
 * The global generator's state is saved before `construct()` and restored after it, so the
 * random numbers drawn by the throwaway initialisation are given back: as with PyTorch's
 * deepcopy, cloning consumes nothing from the stream, and a model built after a clone
 * initialises exactly as in PyTorch under the same seed.
 *
 * Limits: non-persistent buffers keep `construct()`'s values, and a module whose floating
 * parameters mix dtypes is copied in the dtype of its first parameter.
 *
 * @example
 * ```ts
 * const copy = cloneModule(layer, () => new nn.TransformerEncoderLayer(layer.options));
 * ```
 */
export function cloneModule<M extends Module>(prototype: M, construct: () => M): M {
  const saved = defaultGenerator.getState();
  let copy: M;
  try {
    copy = construct();
  } finally {
    defaultGenerator.setState(saved);
  }
  const first = prototype.parameters().next();
  if (!first.done) copy.to(first.value.dtype);
  copy.loadStateDict(prototype.stateDict());
  const params = [...copy.namedParameters()];
  for (const [i, [, p]] of [...prototype.namedParameters()].entries()) params[i]![1].requiresGrad = p.requiresGrad;
  const modules = [...copy.modules()];
  for (const [i, m] of [...prototype.modules()].entries()) modules[i]!.training = m.training;
  return copy;
}

/** The feed-forward activation: PyTorch's names, or any elementwise function. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

export interface TransformerEncoderLayerOptions {
  /** Feature size of the input (embedding dimension E). */
  dModel: number;
  /** Number of attention heads; must divide dModel. */
  nhead: number;
  /** Hidden size of the feed-forward network. Default 2048. */
  dimFeedforward?: number;
  /** Dropout probability (attention weights, feed-forward hidden, both residual branches). Default 0.1. */
  dropout?: number;
  /** Default 'relu'. */
  activation?: TransformerActivation;
  /** LayerNorm eps. Default 1e-5. */
  layerNormEps?: number;
  /** Input and output (N, L, E) instead of (L, N, E). Default false. */
  batchFirst?: boolean;
  /** Pre-norm: normalise before attention and feed-forward instead of after. Default false. */
  normFirst?: boolean;
}

export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask (L, L) or (N·nhead, L, L), bool (true = blocked) or float (added). */
  srcMask?: Tensor | null;
  /** (N, L), or (L) unbatched: bool (true = padding) or float (added). */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (see MultiheadAttentionForwardOptions.isCausal). */
  isCausal?: boolean;
}

/**
 * One encoder block of "Attention Is All You Need", as torch.nn.TransformerEncoderLayer:
 * self-attention then a feed-forward network (linear1 → activation → dropout → linear2), each
 * with dropout and a residual connection, and layer norm after each (post-norm, the default) or
 * before each (`normFirst`).
 *
 * Shapes: src (L, N, E), (N, L, E) with batchFirst, or (L, E) unbatched → same shape.
 * Children, in PyTorch's order (state-dict keys and initialisation order match): self_attn,
 * linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
 *
 * PyTorch 1.13's inference fast path (fused kernels in eval mode without grad) computes the
 * same function; there is only this one path here.
 *
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer({ dModel: 512, nhead: 8, batchFirst: true });
 * layer.forward(torch.randn([32, 10, 512])).shape; // [32, 10, 512]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  /** The configuration this layer was built from (a clone is built from it). */
  readonly options: Readonly<TransformerEncoderLayerOptions>;
  readonly normFirst: boolean;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(options: TransformerEncoderLayerOptions) {
    super();
    this.options = { ...options };
    const { dModel, nhead } = options;
    const p = options.dropout ?? 0.1;
    const ff = options.dimFeedforward ?? 2048;
    const eps = options.layerNormEps ?? 1e-5;
    const act = options.activation ?? 'relu';
    if (typeof act === 'string' && act !== 'relu' && act !== 'gelu') {
      throw new ValueError('TransformerEncoderLayer', `activation should be relu/gelu, not ${String(act)}`);
    }
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: options.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel);
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.normFirst = options.normFirst ?? false;
    this.activation = act === 'relu' ? relu : act === 'gelu' ? (x) => gelu(x) : act;
  }

  forward(src: Tensor, opts: TransformerEncoderLayerForwardOptions = {}): Tensor {
    // Intermediate results are freed as soon as they are dead (see tensor/release.ts): a
    // branch's output once the residual sum holds it (no backward rule reads dropout's or
    // Linear's output); the others at once without a graph, else as soon as the last backward
    // rule that saved them has run (releaseWhenUnheld), so a training step leaves no garbage.
    const free = (t: Tensor, always: boolean, by: Tensor): void => {
      if (always) releaseUnlessShared(t, src, by);
      else releaseWhenUnheld(t, src, by);
    };
    if (this.normFirst) {
      const n1 = this.norm1.forward(src);
      const sa = this.selfAttentionBlock(n1, opts);
      const x1 = src.add(sa);
      free(sa, true, x1);
      free(n1, false, x1);
      const n2 = this.norm2.forward(x1);
      const ff = this.feedForwardBlock(n2);
      const out = x1.add(ff);
      free(ff, true, out);
      free(n2, false, out);
      free(x1, false, out);
      return out;
    }
    const sa = this.selfAttentionBlock(src, opts);
    const x1 = this.residualNorm(this.norm1, src, sa);
    free(sa, true, x1);
    const ff = this.feedForwardBlock(x1);
    const out = this.residualNorm(this.norm2, x1, ff);
    free(ff, true, out);
    free(x1, false, out);
    return out;
  }

  /**
   * norm(x + branch) of the post-norm layout: one fused op (the sum is kept for backward only)
   * when the norm is a plain LayerNorm, else the sum, then the norm module.
   */
  private residualNorm(norm: LayerNorm, x: Tensor, branch: Tensor): Tensor {
    if (norm.constructor === LayerNorm) {
      return addLayerNorm(x, branch, norm.normalizedShape, norm.weight, norm.bias, norm.eps);
    }
    const s = x.add(branch);
    const y = norm.forward(s);
    releaseWhenUnheld(s, x, y);
    return y;
  }

  /** A deep copy with identical weights (see {@link cloneModule}). */
  clone(): TransformerEncoderLayer {
    return cloneModule(this, () => new TransformerEncoderLayer(this.options));
  }

  private selfAttentionBlock(x: Tensor, opts: TransformerEncoderLayerForwardOptions): Tensor {
    const { output } = this.self_attn.forward(x, x, x, {
      attnMask: opts.srcMask ?? null,
      keyPaddingMask: opts.srcKeyPaddingMask ?? null,
      isCausal: opts.isCausal ?? false,
      needWeights: false,
    });
    const out = this.dropout1.forward(output);
    releaseWhenUnheld(output, x, out);
    return out;
  }

  private feedForwardBlock(x: Tensor): Tensor {
    let a: Tensor;
    if (this.activation === relu && this.linear1.constructor === Linear) {
      // The product, its bias and the ReLU in one op (the bias and clamp in the GEMM's epilogue).
      a = linearRelu(x, this.linear1.weight, this.linear1.bias);
    } else {
      const z = this.linear1.forward(x);
      a = this.activation(z);
      // relu's backward reads its output, not its input; other activations may read the input.
      if (this.activation === relu || !a.requiresGrad) releaseUnlessShared(z, x, a);
    }
    const h = this.dropout.forward(a);
    const y = this.linear2.forward(h);
    releaseWhenUnheld(h, x, y);
    releaseWhenUnheld(a, x, y);
    const out = this.dropout2.forward(y);
    // dropout's backward redraws its mask and reads neither its input nor its output.
    releaseUnlessShared(y, x, out);
    return out;
  }
}

export interface TransformerEncoderOptions {
  /** Applied to the output of the last layer (typically a LayerNorm, for pre-norm stacks). */
  norm?: TensorModule | null;
  /** Accepted for PyTorch compatibility and ignored (there are no nested tensors here). */
  enableNestedTensor?: boolean;
}

export interface TransformerEncoderForwardOptions {
  /** Attention mask for every layer (see TransformerEncoderLayerForwardOptions.srcMask). */
  mask?: Tensor | null;
  /** Padding mask for every layer (see TransformerEncoderLayerForwardOptions.srcKeyPaddingMask). */
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/**
 * A stack of `numLayers` encoder layers, as torch.nn.TransformerEncoder. `layers` holds
 * independent deep copies of `encoderLayer` (PyTorch deep-copies it): all copies start with
 * the prototype's weights, so they are identical until trained, and the prototype itself is
 * not part of the stack. Cloning draws no random numbers (see {@link cloneModule}).
 *
 * Shapes: as the layer's. State-dict keys: `layers.0.self_attn.in_proj_weight`, …, then
 * `norm.weight`, `norm.bias` when a norm is given.
 *
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer({ dModel: 512, nhead: 8 });
 * const encoder = new nn.TransformerEncoder(layer, 6);
 * encoder.forward(torch.randn([10, 32, 512])).shape; // [10, 32, 512]
 * ```
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  norm: TensorModule | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, opts: TransformerEncoderOptions = {}) {
    super();
    if (!Number.isInteger(numLayers) || numLayers <= 0) {
      throw new ValueError('TransformerEncoder', `numLayers must be a positive integer, got ${numLayers}`);
    }
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = opts.norm ?? null;
  }

  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    let out = src;
    const layerOpts = { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.isCausal ?? false };
    const ownLayers = [...this.layers].every((l) => l.constructor === TransformerEncoderLayer);
    for (const layer of this.layers) {
      const next = layer.forward(out, layerOpts);
      // A layer's input is dead once the next layer has run (never the caller's src): freed at
      // once without a graph, else once backward has run through the ops that saved it. Only
      // for this library's own layers: a subclass might keep its output for later.
      if (out !== src && ownLayers) releaseWhenUnheld(out, src, next);
      out = next;
    }
    if (!this.norm) return out;
    const y = this.norm.forward(out);
    if (out !== src && ownLayers) releaseWhenUnheld(out, src, y);
    return y;
  }
}
