/**
 * Host side of the fused self-attention kernels (kernels/attention.ts): shapes and strides of
 * the packed qkv view, the saved probabilities and keep mask, the generator state lent to the
 * kernel, and scratch. As everywhere in this backend, every allocation happens before the first
 * input address is read (layout.ts). Returns null for what the kernels do not handle (non-float
 * or mixed dtypes, a float32 head dim that is not a multiple of 4, a bad shape); the op then
 * runs its composite.
 *
 * Threads: a call large enough to repay waking the workers (MatmulRunner.participants) is split
 * over batch entries (the pool's generic fused job, kernels/chunked.ts), each participant with its
 * own scratch. Entries are independent, so the result is the one-thread result bit for bit. With
 * dropout, the raw generator words for the whole call are produced first on this thread
 * (kernels/dropout.ts mtFlat: the twist as one flat recurrence, in the order the sequential
 * kernel draws them, one per score, batch-major, row-major), and each chunk tempers and reads its
 * slice: the keep pattern and the generator's final state are those of the one-thread call.
 */
import type { RandomState, Storage, View } from '../types.js';
import { CHUNK_DESC_BYTES, chunkParticipants, writeChunkDesc, type FusedContext } from './fused-common.js';
import { addr, DT, numel } from './layout.js';
import type { WasmStorage } from './storage.js';
import { CHUNK_KINDS } from './threads.js';

const MT_WORDS = 624;
/** Bytes of a chunked call's descriptor: 16 int32 words, then the float64 scale at byte 64. */
/** Most bytes of pre-drawn dropout words a threaded forward allocates (64M scores, plus two state blocks). */
const WORDS_LIMIT = 256 * 1024 * 1024;

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

/**
 * Scratch per participant (id 0's is the one-thread call's) and, for more than one, the table of
 * their addresses (u32 each) that the chunk kernels read. Allocates: call before reading addresses.
 */
function scratchTable(c: FusedContext, participants: number, bytes: number): { scratch: number; table: number } {
  const ptrs: number[] = [];
  for (let id = 0; id < participants; id++) ptrs.push(c.scratch.buffer(id === 0 ? 'attention' : `attention${id}`, bytes));
  if (participants === 1) return { scratch: ptrs[0]!, table: 0 };
  const table = c.scratch.buffer('attentionTable', 4 * participants);
  c.pool.heap.views().i32.set(ptrs, table >>> 2);
  return { scratch: ptrs[0]!, table };
}

/** Batch entries per chunk and the number of chunks: several per participant (one descheduled thread holds up little). */
function chunking(N: number, participants: number): { per: number; chunks: number } {
  const per = Math.ceil(N / Math.min(N, 8 * participants));
  return { per, chunks: Math.ceil(N / per) };
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
  // Forward: scores and the weighted sum of v, L·L·hd multiply-adds each per (entry, head).
  // Threads with dropout need the call's words up front (4 bytes a score): past WORDS_LIMIT the
  // call stays on this thread rather than allocating them.
  const threadable = A * B * E > 0 && (dropout === null || (4 * pairs <= WORDS_LIMIT && typeof c.k.mtFlat === 'function'));
  const participants = threadable ? chunkParticipants(c, 2 * pairs * hd, N) : 1;
  const { scratch, table } = scratchTable(c, participants, scratchBytes(L, hd));
  const st = dropout !== null ? c.scratch.buffer('mt19937', MT_WORDS * 4) : 0;
  const words = participants > 1 && dropout !== null ? c.scratch.buffer('attentionWords', 4 * (pairs + 2 * MT_WORDS)) : 0;
  const desc = participants > 1 ? c.scratch.buffer('attentionDesc', CHUNK_DESC_BYTES) : 0;
  let mti = dropout?.rng.mti ?? 0;
  if (A * B * E > 0) {
    const [sN, sL] = tokenStrides(src, batchFirst);
    const [oN, oL] = batchFirst ? [L * E, E] : [E, N * E];
    if (dropout !== null) new Uint32Array(c.pool.heap.views().u8.buffer, st, MT_WORDS).set(dropout.rng.mt);
    const keepT = dropout === null ? 0 : Math.min(Math.ceil(dropout.keep * 2 ** 24), 2 ** 24);
    if (participants > 1) {
      // The call's raw words, generated in order on this thread (the twist is sequential);
      // each chunk tempers its own slice.
      const first = words + 4 * mti;
      if (words !== 0) mti = c.k.mtFlat!(st, mti, pairs, words);
      writeChunkDesc(c, desc, [DT[dt], L, heads, hd, addr(src), sN, sL, out.ptr, oN, oL,
        probs ? probs.ptr : 0, mask ? mask.ptr : 0, words !== 0 ? first : 0, keepT, table], dropout?.scale ?? 1);
      const { per, chunks } = chunking(N, participants);
      c.threads!.runFused(CHUNK_KINDS.attention, desc, N, per, chunks, participants);
    } else {
      mti = c.k.attention(DT[dt], N, L, heads, hd, addr(src), sN, sL, out.ptr, oN, oL,
        probs ? probs.ptr : 0, mask ? mask.ptr : 0, st, mti, keepT, dropout?.scale ?? 1, scratch);
    }
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
  // Backward: four products of L·L·hd multiply-adds per (entry, head).
  const participants = A * B * E > 0 ? chunkParticipants(c, 4 * N * heads * L * L * hd, N) : 1;
  const { scratch, table } = scratchTable(c, participants, scratchBytes(L, hd));
  const desc = participants > 1 ? c.scratch.buffer('attentionDesc', CHUNK_DESC_BYTES) : 0;
  if (A * B * E > 0) {
    const [sN, sL] = tokenStrides(src, batchFirst);
    const [gN, gL] = tokenStrides(gs, batchFirst);
    const [dN, dL] = batchFirst ? [L * 3 * E, 3 * E] : [3 * E, N * 3 * E];
    if (participants > 1) {
      writeChunkDesc(c, desc, [DT[dt], L, heads, hd, addr(src), sN, sL, addr(ps), ms ? addr(ms) : 0,
        addr(gs), gN, gL, d.ptr, dN, dL, table], scale);
      const { per, chunks } = chunking(N, participants);
      c.threads!.runFused(CHUNK_KINDS.attentionBackward, desc, N, per, chunks, participants);
    } else {
      c.k.attentionBackward(DT[dt], N, L, heads, hd, addr(src), sN, sL, addr(ps), ms ? addr(ms) : 0, scale,
        addr(gs), gN, gL, d.ptr, dN, dL, scratch);
    }
  }
  for (const [copy, orig] of [[src, qkv], [gs, g], [ps, probs], [ms, mask]] as const) {
    if (copy !== null && copy !== orig) (copy.storage as WasmStorage).dispose();
  }
  return d;
}
