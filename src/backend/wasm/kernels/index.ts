/**
 * Entry of the WebAssembly kernel module (AssemblyScript). Built by scripts/build-wasm.mjs into
 * dist/backend/wasm/kernels.wasm (v128 SIMD) and kernels-relaxed.wasm (plus relaxed-SIMD FMA),
 * with an imported shared memory that the TypeScript side owns and allocates from.
 */
export { unary } from './unary';
export { binary, where } from './binary';
export { copy } from './copy';
export { reduce } from './reduce';
export { matmul, packBPanels, PACK_A_BYTES, PACK_B_BYTES } from './matmul';
export { gather, scatterAdd, indexSelectRows, indexAddRows } from './indexing';
export { unfold, fold } from './window';
export { convReduce } from './conv';
export { dropout } from './dropout';
export { attention, attentionBackward } from './attention';
export { softmax, softmaxBackward } from './softmax';
export { layerNorm, layerNormBackward } from './norm';
export { batchNorm, batchNormBackward } from './batchnorm';
export { adam } from './adam';
export { lstmCell, lstmCellBackward, lstmSeq, lstmSeqBackward } from './lstm';
export { rnnSeq, rnnSeqBackward } from './rnn';
export { gelu, geluBackward, reluBackward } from './act';
export { crossEntropy, crossEntropyBackward } from './xent';
export { fusedChunk } from './chunked';
export { drawUniform24 } from './dropout';
export { mtFlat, dropoutBits, dropoutApplyBits } from './dropout';

/** First byte after the module's static data: the TypeScript allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
