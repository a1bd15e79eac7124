/**
 * Dropout that keeps its mask as bits (Backend.fused.dropoutBits / dropoutApply): the forward is
 * fused.dropout's (same words, same order, same output, same final generator state) and also
 * writes one bit per element; backward multiplies the gradient by that mask instead of
 * regenerating it from a saved generator state.
 *
 * Trade-off: n / 8 bytes held from forward to backward (128 KiB per million elements, 1/32 of
 * a float32 mask) against redrawing n MT19937 words (twist and temper) in backward. At the seed
 * model's sizes that is 1 MiB held per training step for its 18 dropout calls.
 */
import type { FusedKernels, RandomState, Storage, View } from '../types.js';
import { drop, isFloat, type FusedContext } from './fused-common.js';
import { addr, DT, numel } from './layout.js';
import type { WasmStorage } from './storage.js';

const MT_WORDS = 624;

/** Adds dropoutBits and dropoutApply to `fused` when the loaded .wasm has their kernels. */
export function addDropoutBits(c: FusedContext, fused: FusedKernels): void {
  const { k } = c;
  if (typeof k.dropoutBits !== 'function' || typeof k.dropoutApplyBits !== 'function') return;
  const forward = k.dropoutBits.bind(k);
  const apply = k.dropoutApplyBits.bind(k);

  fused.dropoutBits = (x: View, keep: number, scale: number, rng: RandomState): { out: Storage; bits: Storage; mti: number } | null => {
    const dt = x.storage.dtype;
    if (!isFloat(dt)) return null;
    const n = numel(x.shape);
    const src = c.dense(x);
    const out = c.make(dt, n);
    const bits = c.make('int32', Math.ceil(n / 32));
    if (n === 0) return { out, bits, mti: rng.mti };
    const st = c.scratch.buffer('mt19937', MT_WORDS * 4);
    new Uint32Array(c.pool.heap.views().u8.buffer, st, MT_WORDS).set(rng.mt);
    const mti = forward(DT[dt], n, addr(src), out.ptr, bits.ptr, st, rng.mti, keep * 2 ** 24, scale);
    rng.mt.set(new Uint32Array(c.pool.heap.views().u8.buffer, st, MT_WORDS));
    drop(src, x);
    return { out, bits, mti };
  };

  fused.dropoutApply = (g: View, bits: Storage, scale: number): Storage | null => {
    const dt = g.storage.dtype;
    if (!isFloat(dt) || bits.dtype !== 'int32' || bits.backend !== g.storage.backend) return null;
    const n = numel(g.shape);
    if (bits.size < Math.ceil(n / 32)) return null;
    const src = c.dense(g);
    const out = c.make(dt, n);
    if (n > 0) apply(DT[dt], n, addr(src), (bits as WasmStorage).ptr, out.ptr, scale);
    drop(src, g);
    return out;
  };
}
