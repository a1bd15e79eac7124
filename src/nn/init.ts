/**
 * Weight initialisation (torch.nn.init). Every function fills a tensor in place from the
 * global generator (or `opts.generator`) in the same order and arithmetic as PyTorch, so a
 * model initialised after `manualSeed(s)` starts from PyTorch's own numbers for float32.
 */
import { noGrad } from '../autograd/mode.js';
import { ShapeError, ValueError } from '../errors.js';
import { tensor } from '../tensor/create.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface InitOptions {
  generator?: Generator;
}

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

function fill(t: Tensor, values: ArrayLike<number>): Tensor {
  noGrad(() => t.copy_(tensor(Array.from(values), { dtype: t.dtype, shape: [...t.shape] })));
  return t;
}

/** Fills with U(a, b), as tensor.uniform_(a, b) (float32 arithmetic for float32 tensors). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const n = t.numel();
  const out = new Float64Array(n);
  if (t.dtype === 'float64') {
    for (let i = 0; i < n; i++) out[i] = g.nextFloat64() * (b - a) + a;
  } else {
    const f = Math.fround;
    const [fa, fb] = [f(a), f(b)];
    const range = f(fb - fa);
    for (let i = 0; i < n; i++) out[i] = f(f(g.nextFloat32() * range) + fa);
  }
  return fill(t, out);
}

/** Fills with N(mean, std²), as tensor.normal_(mean, std). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const z = g.normalArray(t.numel(), t.dtype === 'float64' ? 'float64' : 'float32');
  for (let i = 0; i < z.length; i++) z[i] = z[i]! * std + mean;
  return fill(t, z);
}

export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Fan-in and fan-out of a weight (dims 0 and 1, times the receptive field), as PyTorch. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError('init', 'fan in and fan out can not be computed for a tensor with fewer than 2 dimensions', [t.shape]);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
  }
}

export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the following leaky ReLU (PyTorch's `a`). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new ValueError('init', 'cannot initialise an empty tensor');
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/** He uniform: U(-b, b), b = gain·√(3 / fan). Linear and Conv layers use a = √5 by default. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts);
}

/**
 * The default reset of PyTorch's Linear and Conv layers: weight kaiming_uniform(a = √5), i.e.
 * U(±1/√fanIn), then bias U(±1/√fanIn), drawn in that order.
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null, opts: InitOptions = {}): void {
  kaimingUniform_(weight, { ...opts, a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, opts);
  }
}
