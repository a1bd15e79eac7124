/**
 * RNNBase: parameters, validation and the time loop shared by nn.RNN, nn.LSTM and nn.GRU.
 *
 * The loop runs each layer and direction over time with the input projection of all time steps
 * done in one matmul. On a backend with fused sequence kernels (wasm), each layer direction then
 * runs its whole recurrence as one op with one autograd node (ops/rnn-seq.ts; not an LSTM with
 * projection); elsewhere it runs step by step as written here.
 * Variable lengths are handled by masking instead of packing: at step t a
 * sequence with length ≤ t keeps its state and outputs zero, which gives exactly the numbers of
 * PyTorch's pack_padded_sequence → RNN → pad_packed_sequence (the reverse direction of a sequence
 * sees only its initial state until it reaches its own last valid step).
 */
import { fmtShape, ShapeError, ValueError } from '../../errors.js';
import { dropout as dropoutOp } from '../../ops/dropout.js';
import { cat, stack, where } from '../../ops/index.js';
import { lstmSequenceFused, rnnSequenceFused } from '../../ops/rnn-seq.js';
import { fusedPathOn } from '../../ops/fused-switch.js';
import { tensor, zeros } from '../../tensor/create.js';
import { isIntegral } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import {
  addParameter, cellStep, checkDType, checkSize, GATE_COUNT, linearLast, resetRecurrent, type RNNDType, type RNNMode,
} from './rnn-cells.js';

/** Options shared by RNN, LSTM and GRU. */
export interface RNNBaseOptions {
  /** Stacked recurrent layers; layer k > 0 reads layer k-1's output. Default 1. */
  numLayers?: number;
  /** Learn `bias_ih_l{k}` and `bias_hh_l{k}`. Default true. */
  bias?: boolean;
  /** Input and output are (N, L, ·) instead of (L, N, ·). States stay (layers, N, H). Default false. */
  batchFirst?: boolean;
  /**
   * Dropout on each layer's output except the last, in training mode only (so it has no effect
   * with one layer; PyTorch warns there, tsorch accepts it silently). Default 0.
   */
  dropout?: number;
  /** Run a second, reversed pass per layer and concatenate both outputs. Default false. */
  bidirectional?: boolean;
  /** Parameter dtype. Default float32. */
  dtype?: RNNDType;
}

/** Per-call options of the sequence layers' forward. */
export interface RNNForwardOptions {
  /**
   * Valid length of each sequence, (N) integers in 1 … L (a number array or an int32/int64
   * tensor), as pack_padded_sequence with enforce_sorted=false then pad_packed_sequence with
   * total_length = L: the output keeps the full length L with zeros past each sequence's
   * length, the returned states are those after its last valid step, and the reverse direction
   * starts at that step. Steps past the length are ignored, whatever they hold.
   */
  lengths?: readonly number[] | Tensor;
  /**
   * Alternative to `lengths`: (N, L) bool, true at padding steps (the convention of
   * MultiheadAttention's keyPaddingMask), (L) for unbatched input. Each row must be valid steps
   * followed by padding, with at least one valid step. Always (N, L), even with batchFirst false.
   */
  paddingMask?: Tensor;
}

/** What RNN and GRU return. */
export interface RNNOutput {
  /** (L, N, D·H_out), (N, L, D·H_out) with batchFirst, (L, D·H_out) unbatched; D = 2 if bidirectional. */
  output: Tensor;
  /** Final hidden state of every layer and direction: (numLayers·D, N, H_out), (numLayers·D, H_out) unbatched. */
  h: Tensor;
}

/** What LSTM returns: RNNOutput plus the final cell state. */
export interface LSTMOutput extends RNNOutput {
  /** Final cell state: (numLayers·D, N, H), (numLayers·D, H) unbatched. */
  c: Tensor;
}

/** Parameter names of one layer and direction (null where the layer has no such parameter). */
interface WeightNames { wih: string; whh: string; bih: string | null; bhh: string | null; whr: string | null }
interface Weights { wih: Tensor; whh: Tensor; bih: Tensor | null; bhh: Tensor | null; whr: Tensor | null }
type RecurrentWeights = Pick<Weights, 'whh' | 'bhh' | 'whr'>;

/**
 * Runs one direction of one layer over time. `gi` (L, N, G·H) is the input projection; `masks`
 * (one (N, 1) bool per step, true = valid) is null when every sequence has the full length.
 */
function runDirection(
  mode: RNNMode, gi: Tensor, h0: Tensor, c0: Tensor | null, w: RecurrentWeights, reverse: boolean, masks: Tensor[] | null,
): { out: Tensor; h: Tensor; c: Tensor | null } {
  const L = gi.shape[0]!;
  const outs = new Array<Tensor>(L);
  let h = h0;
  let c = c0;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const r = cellStep(mode, gi.select(0, t), h, c, w.whh, w.bhh, w.whr);
    const m = masks?.[t];
    if (m) {
      outs[t] = where(m, r.h, 0);
      h = where(m, r.h, h);
      c = c && r.c ? where(m, r.c, c) : r.c;
    } else {
      outs[t] = r.h;
      h = r.h;
      c = r.c;
    }
  }
  return { out: stack(outs, 0), h, c };
}

/**
 * The common base of RNN, LSTM and GRU (torch.nn.RNNBase). Parameters are registered per layer
 * k and direction (suffix `_reverse` for the backward one) in PyTorch's order: `weight_ih_l{k}`
 * (G·H, H_in of the layer), `weight_hh_l{k}` (G·H, H_out), `bias_ih_l{k}`, `bias_hh_l{k}` (G·H),
 * and for an LSTM with projections `weight_hr_l{k}` (projSize, H); G is 1 (RNN), 4 (LSTM) or
 * 3 (GRU). Every parameter is initialised U(-1/√H, 1/√H) in that order, as PyTorch.
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** LSTM projection size; 0 for none (and always 0 for RNN and GRU). */
  readonly projSize: number;
  private readonly names: WeightNames[] = [];

  constructor(
    readonly mode: RNNMode, readonly inputSize: number, readonly hiddenSize: number, opts: RNNBaseOptions & { projSize?: number } = {},
  ) {
    super();
    const op = this.layerName;
    checkSize(op, 'inputSize', inputSize);
    checkSize(op, 'hiddenSize', hiddenSize);
    this.numLayers = opts.numLayers ?? 1;
    checkSize(op, 'numLayers', this.numLayers);
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.bidirectional = opts.bidirectional ?? false;
    this.dropout = opts.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(op, `dropout should be a number in [0, 1] representing the probability of an element being zeroed, got ${this.dropout}`);
    }
    this.projSize = opts.projSize ?? 0;
    if (!Number.isInteger(this.projSize) || this.projSize < 0) throw new ValueError(op, `projSize should be a non-negative integer, got ${this.projSize}`);
    if (this.projSize >= hiddenSize) throw new ValueError(op, `projSize (${this.projSize}) has to be smaller than hiddenSize (${hiddenSize})`);
    if (this.projSize > 0 && mode !== 'LSTM') throw new ValueError(op, 'projSize is only supported for LSTM');

    const dtype = opts.dtype ?? 'float32';
    const gate = GATE_COUNT[mode] * hiddenSize;
    const hout = this.projSize || hiddenSize;
    for (let k = 0; k < this.numLayers; k++) {
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${k}${d === 1 ? '_reverse' : ''}`;
        const names: WeightNames = {
          wih: `weight_ih${sfx}`, whh: `weight_hh${sfx}`,
          bih: this.bias ? `bias_ih${sfx}` : null, bhh: this.bias ? `bias_hh${sfx}` : null,
          whr: this.projSize > 0 ? `weight_hr${sfx}` : null,
        };
        // Registration order is PyTorch's: it fixes the state-dict order and the init draws.
        addParameter(this, names.wih, [gate, k === 0 ? inputSize : hout * this.numDirections], dtype);
        addParameter(this, names.whh, [gate, hout], dtype);
        if (names.bih && names.bhh) {
          addParameter(this, names.bih, [gate], dtype);
          addParameter(this, names.bhh, [gate], dtype);
        }
        if (names.whr) addParameter(this, names.whr, [this.projSize, hiddenSize], dtype);
        this.names.push(names);
      }
    }
    this.resetParameters();
  }

  /** 'RNN', 'LSTM' or 'GRU': the prefix of error messages. */
  get layerName(): string {
    return this.mode === 'RNN_TANH' || this.mode === 'RNN_RELU' ? 'RNN' : this.mode;
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Re-draws every parameter from U(-1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(): void {
    resetRecurrent(this, this.hiddenSize);
  }

  /**
   * The parameters of each layer and direction (index layer·D + direction), each list in
   * registration order (weight_ih, weight_hh[, bias_ih, bias_hh][, weight_hr]), as `all_weights`.
   */
  get allWeights(): Parameter[][] {
    return this.names.map((n) => [n.wih, n.whh, n.bih, n.bhh, n.whr].filter((s): s is string => s !== null).map((s) => this.param(s)));
  }

  // Looked up by name on every call: Module.to() and user code may replace the Parameter objects.
  private param(name: string): Parameter {
    const p = (this as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new ValueError(this.layerName, `parameter ${name} is missing`);
    return p;
  }

  private weights(i: number): Weights {
    const n = this.names[i]!;
    const opt = (s: string | null): Tensor | null => (s === null ? null : this.param(s));
    return { wih: this.param(n.wih), whh: this.param(n.whh), bih: opt(n.bih), bhh: opt(n.bhh), whr: opt(n.whr) };
  }

  /**
   * Validates and runs the layers. `h0` / `c0` are the caller's initial states (null: zeros).
   * Returns the output and final states in the caller's layout.
   */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null, opts: RNNForwardOptions): { output: Tensor; h: Tensor; c: Tensor | null } {
    const op = this.layerName;
    if (input.ndim !== 2 && input.ndim !== 3) {
      const layout = this.batchFirst ? '(N, L, inputSize)' : '(L, N, inputSize)';
      throw new ShapeError(op, `expected input of rank 3 ${layout} or rank 2 (L, inputSize) for an unbatched sequence, got rank ${input.ndim}`, [input.shape]);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(op, `input's last dimension must equal inputSize = ${this.inputSize}`, [input.shape]);
    }
    const w0 = this.weights(0).wih;
    checkDType(op, 'input', input, w0.dtype);
    const unbatched = input.ndim === 2;
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [L, N] = [x.shape[0]!, x.shape[1]!];
    if (L === 0) throw new ShapeError(op, 'expected a sequence length of at least 1', [input.shape]);
    const D = this.numDirections;
    const hx = this.initialState('h0', h0, input, unbatched, N, this.projSize || this.hiddenSize);
    const cx = this.mode === 'LSTM' ? this.initialState('c0', c0, input, unbatched, N, this.hiddenSize) : null;
    const lengths = this.resolveLengths(opts, input, unbatched, L, N);
    const masks = lengths && lengths.some((l) => l < L)
      ? Array.from({ length: L }, (_, t) => tensor(lengths.map((l) => l > t), { dtype: 'bool', shape: [N, 1] }))
      : null;

    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let k = 0; k < this.numLayers; k++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const i = k * D + d;
        const w = this.weights(i);
        const gi = linearLast(x, w.wih, w.bih);
        const [h0i, c0i] = [hx.select(0, i), cx ? cx.select(0, i) : null];
        const r = (fusedPathOn('recurrence') ? fusedDirection(this.mode, gi, h0i, c0i, w, d === 1, masks ? lengths : null, masks) : null)
          ?? runDirection(this.mode, gi, h0i, c0i, w, d === 1, masks);
        outs.push(r.out);
        hs.push(r.h);
        if (r.c) cs.push(r.c);
      }
      x = D === 2 ? cat(outs, 2) : outs[0]!;
      // PyTorch drops out between layers only: never after the last one.
      if (k < this.numLayers - 1 && this.training && this.dropout > 0) x = dropoutOp(x, this.dropout, true);
    }
    const fix = (s: Tensor): Tensor => (unbatched ? s.squeeze(1) : s);
    return {
      output: unbatched ? x.squeeze(1) : this.batchFirst ? x.transpose(0, 1) : x,
      h: fix(stack(hs, 0)),
      c: cs.length > 0 ? fix(stack(cs, 0)) : null,
    };
  }

  /** The initial state as (layers·D, N, size): the caller's (checked) or zeros. */
  private initialState(what: string, s: Tensor | null, input: Tensor, unbatched: boolean, n: number, size: number): Tensor {
    const rows = this.numLayers * this.numDirections;
    const dtype = this.weights(0).wih.dtype;
    if (s === null) return zeros([rows, n, size], { dtype });
    const expected = unbatched ? [rows, size] : [rows, n, size];
    if (s.ndim !== expected.length || s.shape.some((v, i) => v !== expected[i])) {
      throw new ShapeError(this.layerName, `expected ${what} of shape ${fmtShape(expected)} (numLayers·numDirections${unbatched ? '' : ', N'}, ${what === 'c0' || this.projSize === 0 ? 'hiddenSize' : 'projSize'}) for input ${fmtShape(input.shape)}`, [s.shape]);
    }
    checkDType(this.layerName, what, s, dtype);
    return unbatched ? s.unsqueeze(1) : s;
  }

  /** Per-sequence lengths from `lengths` or `paddingMask`, checked; null when neither is given. */
  private resolveLengths(opts: RNNForwardOptions, input: Tensor, unbatched: boolean, L: number, N: number): number[] | null {
    const op = this.layerName;
    if (opts.lengths != null && opts.paddingMask != null) throw new ValueError(op, 'pass either lengths or paddingMask, not both');
    let lengths: number[];
    if (opts.paddingMask != null) {
      lengths = paddingMaskLengths(op, opts.paddingMask, unbatched, L, N);
    } else if (opts.lengths != null) {
      const given = opts.lengths;
      if (Array.isArray(given)) {
        lengths = [...(given as readonly number[])];
      } else {
        const t = given as Tensor;
        if (t.ndim !== 1 || !isIntegral(t.dtype)) throw new ShapeError(op, `lengths must be a 1-D int32 or int64 tensor, got ${t.dtype}`, [t.shape]);
        lengths = Array.from(t.dataSync());
      }
      if (lengths.length !== N) throw new ShapeError(op, `expected ${N} lengths (one per sequence) for input ${fmtShape(input.shape)}, got ${lengths.length}`);
    } else {
      return null;
    }
    const bad = lengths.findIndex((l) => !Number.isInteger(l) || l < 1 || l > L);
    if (bad >= 0) throw new ShapeError(op, `lengths[${bad}] = ${lengths[bad]} is out of range: every length must be an integer in 1 … ${L} (the sequence length) for input ${fmtShape(input.shape)}`);
    return lengths;
  }
}

/**
 * One direction through the fused sequence op (ops/rnn-seq.ts), or null when the backend has
 * no kernel for it (or the LSTM has a projection). The composite it is given is runDirection.
 */
function fusedDirection(
  mode: RNNMode, gi: Tensor, h0: Tensor, c0: Tensor | null, w: RecurrentWeights, reverse: boolean,
  lengths: readonly number[] | null, masks: Tensor[] | null,
): { out: Tensor; h: Tensor; c: Tensor | null } | null {
  if (mode === 'LSTM') {
    if (w.whr !== null || c0 === null) return null;
    return lstmSequenceFused(gi, h0, c0, w.whh, w.bhh, lengths, reverse, (g, h, c, whh, bhh) => {
      const r = runDirection(mode, g, h, c, { whh, bhh, whr: null }, reverse, masks);
      return cat([r.out, r.h.unsqueeze(0), r.c!.unsqueeze(0)], 0);
    });
  }
  const r = rnnSequenceFused(mode, gi, h0, w.whh, w.bhh, lengths, reverse, (g, h, whh, bhh) => {
    const q = runDirection(mode, g, h, null, { whh, bhh, whr: null }, reverse, masks);
    return cat([q.out, q.h.unsqueeze(0)], 0);
  });
  return r && { ...r, c: null };
}

/** Lengths from an (N, L) bool padding mask (true = padding), checking that it is a prefix mask. */
function paddingMaskLengths(op: string, mask: Tensor, unbatched: boolean, L: number, N: number): number[] {
  const ok = mask.dtype === 'bool' && ((mask.ndim === 2 && mask.shape[0] === N && mask.shape[1] === L) || (unbatched && mask.ndim === 1 && mask.shape[0] === L));
  if (!ok) throw new ShapeError(op, `paddingMask must be a bool tensor of shape ${fmtShape([N, L])} (N, L)${unbatched ? ` or ${fmtShape([L])}` : ''}, got ${mask.dtype}`, [mask.shape]);
  const v = mask.contiguous().dataSync();
  return Array.from({ length: N }, (_, n) => {
    let len = 0;
    while (len < L && !v[n * L + len]) len++;
    for (let t = len; t < L; t++) {
      if (!v[n * L + t]) throw new ValueError(op, `paddingMask row ${n} has a valid step ${t} after padding; only trailing padding is supported`);
    }
    if (len === 0) throw new ValueError(op, `paddingMask row ${n} is all padding; every sequence needs at least one valid step`);
    return len;
  });
}
