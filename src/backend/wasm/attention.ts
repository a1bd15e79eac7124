/**
 * Host side of the fused self-attention kernels (kernels/attention.ts): shapes and strides of
 * the packed qkv view, the saved probabilities and keep mask, the generator state lent to the
 * kernel, and scratch. As everywhere in this backend, every allocation happens before the first
 * input address is read (layout.ts). Returns null for what the kernels do not handle (non-float
 * or mixed dtypes, a float32 head dim that is not a multiple of 4, a bad shape); the op then
 * runs its composite.
 */
import type { RandomState, Storage, View } from '../types.js';
import type { FusedContext } from './fused.js';
import { addr, DT, numel } from './layout.js';
import type { WasmStorage } from './storage.js';

const MT_WORDS = 624;

interface Geometry { A: number; B: number; N: number; L: number; E: number; hd: number }

function geometry(qkv: View, heads: number, batchFirst: boolean): Geometry | null {
  const dt = qkv.storage.dtype;
  if (dt !== 'float32' && dt !== 'float64') return null;
  if (qkv.shape.length !== 3 || !Number.isInteger(heads) || heads <= 0) return null;
  const [A, B, E3] = qkv.shape as [number, number, number];
  if (E3 % 3 !== 0) return null;
  const E = E3 / 3;
  if (E === 0 || E % heads !== 0) return null;
  const hd = E / heads;
  if (dt === 'float32' && hd % 4 !== 0) return null;
  const [N, L] = batchFirst ? [A, B] : [B, A];
  return { A, B, N, L, E, hd };
}

/** x itself when its last dim is contiguous (the kernels take the other two strides), else a dense copy. */
function rowsContiguous(c: FusedContext, x: View): View {
  return x.strides[x.strides.length - 1] === 1 || x.shape[x.shape.length - 1] === 1 ? x : c.dense(x);
}

/** Token strides (per batch entry, per position) of a 3-D view in (N, L) or (L, N) layout. */
function tokenStrides(v: View, batchFirst: boolean): [number, number] {
  return batchFirst ? [v.strides[0]!, v.strides[1]!] : [v.strides[1]!, v.strides[0]!];
}

function scratchBytes(L: number, hd: number): number {
  return 8 * (3 * L * hd + 2 * L * L + 2 * L) + 64;
}

export function attentionForward(c: FusedContext, qkv: View, heads: number, batchFirst: boolean,
  dropout: { keep: number; scale: number; rng: RandomState } | null, save: boolean):
  { out: Storage; probs: Storage | null; mask: Storage | null; mti: number } | null {
  const geo = geometry(qkv, heads, batchFirst);
  if (geo === null) return null;
  if (dropout !== null && !(dropout.keep > 0)) return null;
  const { A, B, N, L, E, hd } = geo;
  const dt = qkv.storage.dtype;
  const src = rowsContiguous(c, qkv);
  const out = c.make(dt, A * B * E);
  const pairs = N * heads * L * L;
  const probs = save ? c.make(dt, pairs) : null;
  const mask = save && dropout !== null ? c.make('bool', pairs) : null;
  const scratch = c.scratch.buffer('attention', scratchBytes(L, hd));
  const st = dropout !== null ? c.scratch.buffer('mt19937', MT_WORDS * 4) : 0;
  let mti = dropout?.rng.mti ?? 0;
  if (A * B * E > 0) {
    const [sN, sL] = tokenStrides(src, batchFirst);
    const [oN, oL] = batchFirst ? [L * E, E] : [E, N * E];
    if (dropout !== null) new Uint32Array(c.pool.heap.views().u8.buffer, st, MT_WORDS).set(dropout.rng.mt);
    const keepT = dropout === null ? 0 : Math.min(Math.ceil(dropout.keep * 2 ** 24), 2 ** 24);
    mti = c.k.attention(DT[dt], N, L, heads, hd, addr(src), sN, sL, out.ptr, oN, oL,
      probs ? probs.ptr : 0, mask ? mask.ptr : 0, st, mti, keepT, dropout?.scale ?? 1, scratch);
    if (dropout !== null) dropout.rng.mt.set(new Uint32Array(c.pool.heap.views().u8.buffer, st, MT_WORDS));
  }
  if (src !== qkv) (src.storage as WasmStorage).dispose();
  return { out, probs, mask, mti };
}

export function attentionBackward(c: FusedContext, qkv: View, probs: View, mask: View | null, scale: number, g: View,
  heads: number, batchFirst: boolean): Storage | null {
  const geo = geometry(qkv, heads, batchFirst);
  if (geo === null) return null;
  const dt = qkv.storage.dtype;
  if (probs.storage.dtype !== dt || g.storage.dtype !== dt || (mask !== null && mask.storage.dtype !== 'bool')) return null;
  const { A, B, N, L, E, hd } = geo;
  if (g.shape.length !== 3 || g.shape[0] !== A || g.shape[1] !== B || g.shape[2] !== E) return null;
  if (numel(probs.shape) !== N * heads * L * L || (mask !== null && numel(mask.shape) !== N * heads * L * L)) return null;
  const src = rowsContiguous(c, qkv);
  const gs = rowsContiguous(c, g);
  const ps = c.dense(probs);
  const ms = mask !== null ? c.dense(mask) : null;
  const d = c.make(dt, A * B * 3 * E);
  const scratch = c.scratch.buffer('attention', scratchBytes(L, hd));
  if (A * B * E > 0) {
    const [sN, sL] = tokenStrides(src, batchFirst);
    const [gN, gL] = tokenStrides(gs, batchFirst);
    const [dN, dL] = batchFirst ? [L * 3 * E, 3 * E] : [3 * E, N * 3 * E];
    c.k.attentionBackward(DT[dt], N, L, heads, hd, addr(src), sN, sL, addr(ps), ms ? addr(ms) : 0, scale,
      addr(gs), gN, gL, d.ptr, dN, dL, scratch);
  }
  for (const [copy, orig] of [[src, qkv], [gs, g], [ps, probs], [ms, mask]] as const) {
    if (copy !== null && copy !== orig) (copy.storage as WasmStorage).dispose();
  }
  return d;
}
