/** Every op, re-exported for `Tensor`'s methods and the public API. */
export * from './core.js';
export * from './elementwise.js';
export * from './shape.js';
export * from './reduce.js';
export * from './softmax.js';
export * from './matmul.js';
export * from './indexing.js';
export * from './conv.js';
export * from './pool.js';
export * from './norm.js';
export * from './dropout.js';
export * from './loss.js';
