/**
 * tsorch: tensors with eager autograd, PyTorch's model of work in TypeScript.
 *
 * @example
 * ```ts
 * import * as torch from 'tsorch';
 * const x = torch.tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad!.toArray(); // [2, 4, 6]
 * ```
 */
export { Tensor, type NestedArray } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export {
  tensor, full, zeros, ones, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, type CreateOptions, type RandomOptions,
} from './tensor/create.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './autograd/mode.js';
export { grad, type BackwardOptions, type GradOptions } from './autograd/engine.js';
export { setBackend, getBackend, listBackends, registerBackend, withBackend } from './backend/registry.js';
export type { Backend, Storage, View } from './backend/types.js';
export * from './errors.js';
export {
  add, sub, mul, div, pow, neg, abs, sign, exp, expm1, log, log1p, sqrt, rsqrt, reciprocal, sin, cos,
  tanh, sigmoid, relu, gelu, softplus, erf, floor, ceil, round, isnan, clamp, maximum, minimum, remainder,
  floorDivide, atan2, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, logicalNot, where, maskedFill,
  reshape, view, flatten, permute, transpose, t, unsqueeze, squeeze, expand, narrow, slice, select,
  cat, stack, split, chunk, contiguous, clone,
  sum, mean, prod, amax, amin, max, min, maxDim, minDim, argmax, argmin, variance as var, std, logsumexp,
  type VarOptions, softmax, logSoftmax, matmul, gather, scatterAdd, indexSelect, embedding,
} from './ops/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as text from './text/index.js';
export * as train from './train/index.js';
export * as vision from './vision/index.js';
export { setNumThreads, getNumThreads, wasmMemoryStats, wasmLoadError } from './backend/wasm/index.js';
