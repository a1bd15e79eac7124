/**
 * Recurrent layers with PyTorch's semantics, parameter names and initialisation:
 * nn.RNN, nn.LSTM, nn.GRU (this file, on RNNBase in rnn-base.ts) and the cells
 * nn.RNNCell, nn.LSTMCell, nn.GRUCell (rnn-cells.ts, re-exported here).
 */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { RNNBase, type LSTMOutput, type RNNBaseOptions, type RNNForwardOptions, type RNNOutput } from './rnn-base.js';
import type { LSTMState } from './rnn-cells.js';

export { RNNBase, type LSTMOutput, type RNNBaseOptions, type RNNForwardOptions, type RNNOutput } from './rnn-base.js';
export {
  GRUCell, LSTMCell, RNNCell, type LSTMState, type RNNCellLayerOptions, type RNNCellOptions, type RNNDType, type RNNMode,
} from './rnn-cells.js';

/** Options of {@link RNN}. */
export interface RNNOptions extends RNNBaseOptions {
  /** Activation of the recurrence. Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of {@link LSTM}. */
export interface LSTMOptions extends RNNBaseOptions {
  /**
   * Project each hidden state to this size with `weight_hr_l{k}` (PyTorch's proj_size): h is
   * then (·, projSize) while c stays (·, hiddenSize). 0 (default) for no projection.
   */
  projSize?: number;
}

/** Options of {@link GRU}. */
export type GRUOptions = RNNBaseOptions;

/**
 * Multi-layer Elman RNN, as torch.nn.RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh),
 * act tanh (default) or ReLU.
 *
 * Shapes (L sequence length, N batch, D = 2 if bidirectional else 1):
 * - input (L, N, inputSize), (N, L, inputSize) with batchFirst, or (L, inputSize) unbatched;
 * - hx (numLayers·D, N, hiddenSize), or (numLayers·D, hiddenSize) unbatched; zeros if omitted;
 * - returns `{ output, h }`: output (L, N, D·hiddenSize) (batchFirst: (N, L, ·); unbatched:
 *   (L, ·)), the last layer's states at every step, both directions concatenated; h like hx,
 *   the final states of every layer and direction.
 *
 * Parameters per layer k (suffix `_reverse` for the backward direction): `weight_ih_l{k}`
 * (H, inputSize for k = 0, else D·H), `weight_hh_l{k}` (H, H), `bias_ih_l{k}` (H),
 * `bias_hh_l{k}` (H), all U(-1/√H, 1/√H) as PyTorch. Variable-length batches: pass
 * `{ lengths }` (see {@link RNNForwardOptions}).
 *
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const { output, h } = rnn.forward(torch.randn([5, 3, 10]), torch.randn([2, 3, 20]));
 * output.shape; // [5, 3, 20]
 * h.shape;      // [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const act = opts.nonlinearity ?? 'tanh';
    if (act !== 'tanh' && act !== 'relu') throw new ValueError('RNN', `unknown nonlinearity '${String(act)}' (expected 'tanh' or 'relu')`);
    super(act === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = act;
  }

  forward(input: Tensor, hx: Tensor | null = null, opts: RNNForwardOptions = {}): RNNOutput {
    const { output, h } = this.run(input, hx, null, opts);
    return { output, h };
  }
}

/**
 * Multi-layer long short-term memory, as torch.nn.LSTM. Per step, with the gate blocks of the
 * weights in PyTorch's order i, f, g, o:
 * i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…),
 * c' = f·c + i·g, h' = o·tanh(c') (then h' W_hrᵀ with projSize).
 *
 * Shapes (L sequence length, N batch, D = 2 if bidirectional, H_out = projSize || hiddenSize):
 * - input (L, N, inputSize), (N, L, inputSize) with batchFirst, or (L, inputSize) unbatched;
 * - hx `{ h, c }`: h (numLayers·D, N, H_out), c (numLayers·D, N, hiddenSize), without N when
 *   unbatched; zeros if omitted. A previous call's result can be passed as is to continue;
 * - returns `{ output, h, c }`: output (L, N, D·H_out) (batchFirst: (N, L, ·); unbatched
 *   (L, ·)); h and c shaped like hx's, the final states of every layer and direction.
 *
 * Parameters per layer k (suffix `_reverse` for the backward direction): `weight_ih_l{k}`
 * (4H, inputSize for k = 0, else D·H_out), `weight_hh_l{k}` (4H, H_out), `bias_ih_l{k}` (4H),
 * `bias_hh_l{k}` (4H), and `weight_hr_l{k}` (projSize, H) with projSize; all U(-1/√H, 1/√H).
 *
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
 * const x = torch.randn([3, 7, 10]);                       // 3 sequences of up to 7 steps
 * const { output, h, c } = lstm.forward(x, null, { lengths: [7, 4, 2] });
 * output.shape; // [3, 7, 40]; output[1, 4:] and output[2, 2:] are zeros
 * h.shape;      // [4, 3, 20]: the states after each sequence's last valid step
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx: LSTMState | null = null, opts: RNNForwardOptions = {}): LSTMOutput {
    const { output, h, c } = this.run(input, hx?.h ?? null, hx?.c ?? null, opts);
    return { output, h, c: c! };
  }
}

/**
 * Multi-layer gated recurrent unit, as torch.nn.GRU. Per step, with the gate blocks of the
 * weights in PyTorch's order r, z, n:
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 - z)·n + z·h.
 *
 * Shapes as {@link RNN}: input (L, N, inputSize) / (N, L, inputSize) with batchFirst /
 * (L, inputSize) unbatched; hx (numLayers·D, N, hiddenSize) or (numLayers·D, hiddenSize);
 * returns `{ output, h }` with output (L, N, D·hiddenSize).
 *
 * Parameters per layer k (suffix `_reverse` for the backward direction): `weight_ih_l{k}`
 * (3H, inputSize for k = 0, else D·H), `weight_hh_l{k}` (3H, H), `bias_ih_l{k}` (3H),
 * `bias_hh_l{k}` (3H); all U(-1/√H, 1/√H).
 *
 * @example
 * ```ts
 * const gru = new nn.GRU(10, 20, { bidirectional: true });
 * const { output, h } = gru.forward(torch.randn([5, 3, 10]));
 * output.shape; // [5, 3, 40]
 * h.shape;      // [2, 3, 20]
 * ```
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: GRUOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx: Tensor | null = null, opts: RNNForwardOptions = {}): RNNOutput {
    const { output, h } = this.run(input, hx, null, opts);
    return { output, h };
  }
}
