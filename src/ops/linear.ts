/**
 * F.linear: y = x Wᵀ + b over the last dimension, as one autograd node.
 *
 * On a backend with `fused.linear` (wasm) the bias, and the ReLU of `linearRelu`, run in the
 * product's epilogue on each tile while it is in cache: no separate pass over the output, and
 * no pre-bias temporary. The gradients are dx = g·W, dW = gᵀ·x (written [out, in] directly, not
 * as the transpose of xᵀ·g that then has to be copied into the weight's layout) and db = Σ g
 * over rows. Elsewhere (the reference backend, other dtypes) it runs the composite
 * matmul(x, Wᵀ) + b, differentiated by autograd.
 */
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/mode.js';
import { DTypeError, ShapeError } from '../errors.js';
import { releaseStorage } from '../tensor/release.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSameBackend, wrap } from './core.js';
import { relu, reluGrad } from './elementwise.js';

/**
 * Applies a linear transformation y = x Wᵀ + b, as torch.nn.functional.linear.
 * input (*, in) with weight (out, in) and bias (out) or null → (*, out).
 *
 * @example
 * ```ts
 * const y = nn.functional.linear(torch.randn([4, 3]), torch.randn([5, 3]), torch.zeros([5]));
 * y.shape; // [4, 5]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearAct(x, weight, bias, false);
}

/** relu(linear(x, weight, bias)) as one op: the Transformer feed-forward's first half. */
export function linearRelu(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearAct(x, weight, bias, true);
}

function linearAct(x: Tensor, weight: Tensor, bias: Tensor | null, act: boolean): Tensor {
  if (weight.ndim !== 2) throw new ShapeError('linear', 'weight must be 2-D (outFeatures, inFeatures)', [x.shape, weight.shape]);
  if (x.ndim === 0) throw new ShapeError('linear', 'input must have at least 1 dimension', [x.shape, weight.shape]);
  const [outF, inF] = weight.shape as [number, number];
  if (x.shape[x.ndim - 1] !== inF) throw new ShapeError('linear', `input's last dimension must equal weight's inFeatures (${inF})`, [x.shape, weight.shape]);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new ShapeError('linear', `bias must have shape [${outF}]`, [bias.shape, weight.shape]);
  if (x.dtype !== weight.dtype || (bias && bias.dtype !== x.dtype)) {
    throw new DTypeError('linear', `input, weight and bias must share a dtype, got ${[x, weight, ...(bias ? [bias] : [])].map((t) => t.dtype).join(', ')}`);
  }
  checkSameBackend('linear', x, weight);
  if (bias) checkSameBackend('linear', x, bias);
  // (*, in) runs as one (rows, in) product: a batched product against a stride-0 weight would
  // compute the weight's gradient as one product per batch entry and then sum them.
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : x.reshape([-1, inF]);
  const y = fusedLinear(x2, weight, bias, act) ?? composite(x2, weight, bias, act);
  return x.ndim === 2 ? y : y.reshape([...lead, outF]);
}

/** matmul(x, Wᵀ) + b (then relu), each op recorded by autograd. */
function composite(x2: Tensor, weight: Tensor, bias: Tensor | null, act: boolean): Tensor {
  let y = x2.matmul(weight.t());
  if (bias) {
    // y is a fresh product no backward rule reads (add needs no inputs, matmul only its
    // operands), so only this sum keeps it: free it at once.
    const z = y.add(bias);
    releaseStorage(y);
    y = z;
  }
  return act ? relu(y) : y;
}

function fusedLinear(x2: Tensor, weight: Tensor, bias: Tensor | null, act: boolean): Tensor | null {
  const kern = x2.backend.fused;
  if (kern?.linear === undefined) return null;
  const s = kern.linear(x2, weight, bias, act);
  if (s === null) return null;
  const out = wrap(s, [x2.shape[0]!, weight.shape[0]!]);
  const inputs = bias ? [x2, weight, bias] : [x2, weight];
  return record(out, act ? 'linearRelu' : 'linear', inputs, (g) => {
    const gz = act ? reluGrad(out, g) : g;
    const grads: (Tensor | null)[] = [
      x2.requiresGrad ? gz.matmul(weight) : null,
      weight.requiresGrad ? gz.t().matmul(x2) : null,
    ];
    if (bias) grads.push(bias.requiresGrad ? gz.sum(0) : null);
    // The masked gradient is a temporary of this rule alone (unless recorded: createGraph).
    if (gz !== g && !isGradEnabled()) releaseStorage(gz);
    return grads;
  });
}
