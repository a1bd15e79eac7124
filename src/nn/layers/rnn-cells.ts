/**
 * Recurrent cells (torch.nn.RNNCell, LSTMCell, GRUCell) and the one-step arithmetic that the
 * sequence layers in rnn.ts share with them. The step follows PyTorch's CPU kernels
 * (aten/src/ATen/native/RNN.cpp) operation for operation, so float64 results agree to rounding.
 */
import { DTypeError, fmtShape, ShapeError, ValueError } from '../../errors.js';
import { zeros } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { lstmCellFused } from '../../ops/rnn-cell.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Floating dtypes a recurrent layer's parameters may have. */
export type RNNDType = 'float32' | 'float64';

/** The recurrence: Elman RNN with tanh or ReLU, LSTM, or GRU. */
export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Gate blocks stacked in the weights: LSTM (i, f, g, o), GRU (r, z, n), plain RNN one. */
export const GATE_COUNT: Readonly<Record<RNNMode, number>> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** An LSTM state pair: hidden state `h` and cell state `c`. */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/** x Wᵀ + b over the last dimension; leading dimensions are flattened into one 2-D matmul. */
export function linearLast(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const flat = x.ndim === 2 ? x : x.reshape([-1, x.shape[x.ndim - 1]!]);
  let y = flat.matmul(w.t());
  if (b) y = y.add(b);
  return x.ndim === 2 ? y : y.reshape([...x.shape.slice(0, -1), w.shape[0]!]);
}

/**
 * One recurrence step for a batch. `gi` is the input projection x W_ihᵀ + b_ih, (N, G·H),
 * computed by the caller (the sequence layers do it for every time step in one matmul); `h` is
 * (N, H_out) and `c` (N, H) for the LSTM, null otherwise. `whr` is the LSTM projection.
 */
export function cellStep(
  mode: RNNMode, gi: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null, whr: Tensor | null,
): { h: Tensor; c: Tensor | null } {
  const gh = linearLast(h, whh, bhh);
  switch (mode) {
    case 'RNN_TANH': return { h: gi.add(gh).tanh(), c: null };
    case 'RNN_RELU': return { h: gi.add(gh).relu(), c: null };
    case 'LSTM': {
      const gates = gh.add(gi);
      const fused = lstmCellFused(gates, c!);
      if (fused !== null) return { h: whr ? fused[0].matmul(whr.t()) : fused[0], c: fused[1] };
      const [i, f, g, o] = gates.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const cy = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      const hy = o.sigmoid().mul(cy.tanh());
      return { h: whr ? hy.matmul(whr.t()) : hy, c: cy };
    }
    case 'GRU': {
      const [ir, iz, inn] = gi.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hn] = gh.chunk(3, -1) as [Tensor, Tensor, Tensor];
      const r = hr.add(ir).sigmoid();
      const z = hz.add(iz).sigmoid();
      const n = inn.add(hn.mul(r)).tanh();
      // PyTorch computes (h - n)·z + n, algebraically (1 - z)·n + z·h; same rounding this way.
      return { h: h.sub(n).mul(z).add(n), c: null };
    }
  }
}

/** Throws unless `n` is a positive integer. */
export function checkSize(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new ValueError(op, `${what} must be a positive integer, got ${n}`);
}

/** Throws a DTypeError unless `t` has the parameters' dtype (matmul would fail less clearly). */
export function checkDType(op: string, what: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) throw new DTypeError(op, `${what} must have the layer's dtype ${dtype}, got ${t.dtype}`);
}

/** Adds a zero-filled Parameter property `name` to `owner` (property order = registration order). */
export function addParameter(owner: Module, name: string, shape: number[], dtype: RNNDType): void {
  (owner as unknown as Record<string, unknown>)[name] = new Parameter(zeros(shape, { dtype }));
}

/** PyTorch's init for every recurrent parameter: U(-1/√H, 1/√H) in registration order. */
export function resetRecurrent(m: Module, hiddenSize: number): void {
  const stdv = 1 / Math.sqrt(hiddenSize);
  for (const p of m.parameters()) uniform_(p, -stdv, stdv);
}

/** Options shared by the cells. */
export interface RNNCellOptions {
  /** Learn `bias_ih` and `bias_hh`. Default true. */
  bias?: boolean;
  /** Parameter dtype. Default float32. */
  dtype?: RNNDType;
}

abstract class CellBase extends Module {
  // Declaration order is PyTorch's registration order (state-dict keys and init draws).
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  readonly bias: boolean;

  constructor(private readonly op: string, readonly inputSize: number, readonly hiddenSize: number, gates: number, opts: RNNCellOptions) {
    super();
    checkSize(op, 'inputSize', inputSize);
    checkSize(op, 'hiddenSize', hiddenSize);
    this.bias = opts.bias ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight_ih = new Parameter(zeros([gates * hiddenSize, inputSize], { dtype }));
    this.weight_hh = new Parameter(zeros([gates * hiddenSize, hiddenSize], { dtype }));
    this.bias_ih = this.bias ? new Parameter(zeros([gates * hiddenSize], { dtype })) : null;
    this.bias_hh = this.bias ? new Parameter(zeros([gates * hiddenSize], { dtype })) : null;
    this.resetParameters();
  }

  /** Re-draws every parameter from U(-1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(): void {
    resetRecurrent(this, this.hiddenSize);
  }

  /**
   * Validates input (N, H_in) or (H_in) and the states, returning them batched (N, ·) with a
   * flag to drop the batch dimension again. Missing states are zeros.
   */
  protected prepare(input: Tensor, states: readonly (Tensor | null)[]): { x: Tensor; states: Tensor[]; unbatched: boolean } {
    const op = this.op;
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new ShapeError(op, `expected input of shape (N, inputSize) or (inputSize), got rank ${input.ndim}`, [input.shape]);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(op, `input's last dimension must equal inputSize = ${this.inputSize}`, [input.shape]);
    }
    // The parameters' current dtype, not the constructor option: Module.to() may have changed it.
    const p = this.weight_ih;
    checkDType(op, 'input', input, p.dtype);
    const unbatched = input.ndim === 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    const n = x.shape[0]!;
    const expected = unbatched ? [this.hiddenSize] : [n, this.hiddenSize];
    const out = states.map((s) => {
      if (s === null) return zeros([n, this.hiddenSize], { dtype: p.dtype });
      if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
        throw new ShapeError(op, `expected hidden state of shape ${fmtShape(expected)} for input ${fmtShape(input.shape)}`, [s.shape]);
      }
      checkDType(op, 'hidden state', s, p.dtype);
      return unbatched ? s.unsqueeze(0) : s;
    });
    return { x, states: out, unbatched };
  }

  protected step(mode: RNNMode, x: Tensor, h: Tensor, c: Tensor | null): { h: Tensor; c: Tensor | null } {
    return cellStep(mode, linearLast(x, this.weight_ih, this.bias_ih), h, c, this.weight_hh, this.bias_hh, null);
  }
}

/** Options of {@link RNNCell}. */
export interface RNNCellLayerOptions extends RNNCellOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * One Elman RNN step, as torch.nn.RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act tanh
 * or ReLU. input (N, inputSize) or (inputSize); hx (N, hiddenSize) or (hiddenSize), zeros when
 * omitted; returns h' of hx's shape. Parameters `weight_ih` (H, H_in), `weight_hh` (H, H),
 * `bias_ih` (H), `bias_hh` (H), all initialised U(-1/√H, 1/√H).
 *
 * @example
 * ```ts
 * const cell = new nn.RNNCell(10, 20);
 * let h = torch.zeros([3, 20]);
 * for (const x of torch.randn([6, 3, 10]).split(1)) h = cell.forward(x.squeeze(0), h);
 * h.shape; // [3, 20]
 * ```
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellLayerOptions = {}) {
    super('RNNCell', inputSize, hiddenSize, 1, opts);
    const act = opts.nonlinearity ?? 'tanh';
    if (act !== 'tanh' && act !== 'relu') throw new ValueError('RNNCell', `unknown nonlinearity '${String(act)}' (expected 'tanh' or 'relu')`);
    this.nonlinearity = act;
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, states, unbatched } = this.prepare(input, [hx]);
    const h = this.step(this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', x, states[0]!, null).h;
    return unbatched ? h.squeeze(0) : h;
  }
}

/**
 * One LSTM step, as torch.nn.LSTMCell: gates i, f, g, o = split(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh);
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). input (N, inputSize) or (inputSize); hx
 * `{ h, c }` each (N, hiddenSize) or (hiddenSize), zeros when omitted; returns `{ h, c }`.
 * Parameters `weight_ih` (4H, H_in), `weight_hh` (4H, H), `bias_ih` (4H), `bias_hh` (4H).
 *
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(10, 20);
 * let state = cell.forward(torch.randn([3, 10]));     // zero initial state
 * state = cell.forward(torch.randn([3, 10]), state);  // { h: [3, 20], c: [3, 20] }
 * ```
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('LSTMCell', inputSize, hiddenSize, 4, opts);
  }

  forward(input: Tensor, hx: LSTMState | null = null): LSTMState {
    const { x, states, unbatched } = this.prepare(input, [hx?.h ?? null, hx?.c ?? null]);
    const r = this.step('LSTM', x, states[0]!, states[1]!);
    return unbatched ? { h: r.h.squeeze(0), c: r.c!.squeeze(0) } : { h: r.h, c: r.c! };
  }
}

/**
 * One GRU step, as torch.nn.GRUCell: r = σ(W_ir x + b_ir + W_hr h + b_hr),
 * z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),
 * h' = (1 - z)·n + z·h. input (N, inputSize) or (inputSize); hx (N, hiddenSize) or
 * (hiddenSize), zeros when omitted. Parameters `weight_ih` (3H, H_in), `weight_hh` (3H, H),
 * `bias_ih` (3H), `bias_hh` (3H), gate blocks in the order r, z, n.
 *
 * @example
 * ```ts
 * const cell = new nn.GRUCell(10, 20);
 * const h = cell.forward(torch.randn([3, 10]), torch.zeros([3, 20])); // [3, 20]
 * ```
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('GRUCell', inputSize, hiddenSize, 3, opts);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, states, unbatched } = this.prepare(input, [hx]);
    const h = this.step('GRU', x, states[0]!, null).h;
    return unbatched ? h.squeeze(0) : h;
  }
}
