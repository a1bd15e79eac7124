/**
 * Host side of the fused 2-D convolution (Backend.fused.conv2d / conv2dBackward): checks the
 * layout, allocates the output and each participant's scratch, writes the job descriptor that
 * kernels/conv.ts reads, and runs the sample chunks on the thread pool (threads.ts) or here.
 * Returns null for what it does not handle (non-float or mixed dtypes, a geometry the op did not
 * resolve, empty tensors); the op then runs its composite.
 */
import type { Storage, UnfoldGeometry, View } from '../types.js';
import type { DType } from '../../tensor/dtype.js';
import type { KernelExports } from './loader.js';
import { addr, DT, type Scratch } from './layout.js';
import { CHUNK_KINDS } from './threads.js';
import type { MatmulRunner } from './matmul.js';
import type { StoragePool, WasmStorage } from './storage.js';

/** What the fused convolution needs from its backend. */
export interface ConvContext {
  readonly k: KernelExports;
  readonly pool: StoragePool;
  readonly scratch: Scratch;
  /** Owner of the thread pool and the packing scratch. */
  readonly threads: MatmulRunner;
  make(dtype: DType, size: number): WasmStorage;
  dense(x: View): View;
}

/**
 * Chunks a batch is cut into, whatever the thread count: the weight gradient is summed per chunk
 * and the chunks in order, so it does not depend on how many threads ran them. 16 chunks give
 * each of 2-4 threads several, so one thread descheduled by another process holds up little.
 */
const CHUNKS = 16;
/** Most bytes the per-chunk weight-gradient slots may take (fewer chunks for huge layers). */
const SLOT_BYTES = 64 * 1024 * 1024;

interface Geometry {
  N: number; C: number; H: number; W: number; Co: number; kh: number; kw: number;
  s0: number; s1: number; p0: number; p1: number; d0: number; d1: number; Ho: number; Wo: number;
}

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** The geometry of x [N, C, H, W] * weight [Co, C, kh, kw] under g, or null when it is not one we run. */
function geometry(x: View, w: View, g: UnfoldGeometry): Geometry | null {
  if (x.shape.length !== 4 || w.shape.length !== 4 || g.kernel.length !== 2) return null;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [Co, Cw, kh, kw] = w.shape as [number, number, number, number];
  if (Cw !== C || kh !== g.kernel[0] || kw !== g.kernel[1]) return null;
  const [s0, s1] = g.stride as [number, number];
  const [p0, p1] = g.padding as [number, number];
  const [d0, d1] = g.dilation as [number, number];
  const Ho = Math.floor((H + 2 * p0 - d0 * (kh - 1) - 1) / s0) + 1;
  const Wo = Math.floor((W + 2 * p1 - d1 * (kw - 1) - 1) / s1) + 1;
  if (N * C * H * W === 0 || Co === 0 || Ho < 1 || Wo < 1) return null;
  return { N, C, H, W, Co, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo };
}

/** Samples per chunk and the number of chunks (at most `maxChunks`). */
function chunking(N: number, maxChunks: number): { per: number; chunks: number } {
  const per = Math.ceil(N / Math.max(1, Math.min(N, CHUNKS, maxChunks)));
  return { per, chunks: Math.ceil(N / per) };
}

/** A 1×1 kernel with stride 1 and no padding reads x itself as its columns. */
function direct(q: Geometry): boolean {
  return q.kh === 1 && q.kw === 1 && q.s0 === 1 && q.s1 === 1 && q.p0 === 0 && q.p1 === 0;
}

/**
 * Allocates the scratch table (per participant: cols, dcols, packA, packB) and the descriptor;
 * returns a function that writes both once every address is known.
 */
function prepare(c: ConvContext, q: Geometry, dt: DType, participants: number, wantCols: boolean, wantDcols: boolean):
  (mode: number, px: number, pw: number, py: number, pdx: number, pdw: number) => number {
  const es = dt === 'float64' ? 8 : 4;
  const colBytes = q.C * q.kh * q.kw * q.Ho * q.Wo * es;
  const pack = c.threads.packBuffers(participants);
  const cols: number[] = [];
  const dcols: number[] = [];
  for (let id = 0; id < participants; id++) {
    cols.push(wantCols ? c.scratch.buffer(`convCols${id}`, colBytes) : 0);
    dcols.push(wantDcols ? c.scratch.buffer(`convDcols${id}`, colBytes) : 0);
  }
  const table = c.scratch.buffer('convTable', 16 * participants);
  const desc = c.scratch.buffer('convDesc', 23 * 4);
  return (mode, px, pw, py, pdx, pdw) => {
    const i32 = c.pool.heap.views().i32;
    for (let id = 0; id < participants; id++) i32.set([cols[id]!, dcols[id]!, pack[id]![0], pack[id]![1]], (table >>> 2) + 4 * id);
    i32.set([DT[dt], mode, q.N, q.C, q.H, q.W, q.Co, q.kh, q.kw, q.s0, q.s1, q.p0, q.p1, q.d0, q.d1, q.Ho, q.Wo, px, pw, py, pdx, pdw, table], desc >>> 2);
    return desc;
  };
}

/** Frees a contiguous copy made by `dense` (not the caller's own view). */
function drop(copy: View, original: View): void {
  if (copy !== original) (copy.storage as WasmStorage).dispose();
}

/** y [N, Co, Ho, Wo] = conv2d(x [N, C, H, W], weight [Co, C, kh, kw]) without bias; null when not handled. */
export function conv2dForward(c: ConvContext, x: View, w: View, g: UnfoldGeometry): Storage | null {
  const dt = x.storage.dtype;
  if (!isFloat(dt) || w.storage.dtype !== dt) return null;
  const q = geometry(x, w, g);
  if (q === null) return null;
  const L = q.Ho * q.Wo;
  const CK = q.C * q.kh * q.kw;
  const out = c.make(dt, q.N * q.Co * L);
  const xs = c.dense(x);
  const ws = c.dense(w);
  const { per, chunks } = chunking(q.N, CHUNKS);
  const participants = c.threads.participants(q.N * q.Co * CK * L, chunks);
  const write = prepare(c, q, dt, participants, !direct(q), false);
  const desc = write(0, addr(xs), addr(ws), out.ptr, 0, 0);
  c.threads.runFused(CHUNK_KINDS.conv, desc, q.N, per, chunks, participants);
  drop(xs, x);
  drop(ws, w);
  return out;
}

/**
 * conv2d's backward from x, weight and gy [N, Co, Ho, Wo]: dx [N, C, H, W] when `wantInput` and
 * dweight [Co, C, kh, kw] when `wantWeight` (null otherwise); null when not handled.
 */
export function conv2dBackward(c: ConvContext, x: View, w: View, gy: View, g: UnfoldGeometry, wantInput: boolean, wantWeight: boolean):
  { dx: Storage | null; dweight: Storage | null } | null {
  const dt = x.storage.dtype;
  if (!isFloat(dt) || w.storage.dtype !== dt || gy.storage.dtype !== dt) return null;
  const q = geometry(x, w, g);
  if (q === null) return null;
  if (gy.shape.length !== 4 || gy.shape[0] !== q.N || gy.shape[1] !== q.Co || gy.shape[2] !== q.Ho || gy.shape[3] !== q.Wo) return null;
  if (!wantInput && !wantWeight) return { dx: null, dweight: null };
  const es = dt === 'float64' ? 8 : 4;
  const L = q.Ho * q.Wo;
  const CK = q.C * q.kh * q.kw;
  const slotBytes = q.Co * CK * es;
  const { per, chunks } = chunking(q.N, wantWeight ? Math.floor(SLOT_BYTES / slotBytes) : CHUNKS);
  const dx = wantInput ? c.make(dt, q.N * q.C * q.H * q.W) : null;
  const dweight = wantWeight ? c.make(dt, q.Co * CK) : null;
  const slots = wantWeight ? c.scratch.buffer('convDwSlots', chunks * slotBytes) : 0;
  const xs = c.dense(x);
  const ws = c.dense(w);
  const gs = c.dense(gy);
  const products = (wantInput ? 1 : 0) + (wantWeight ? 1 : 0);
  const participants = c.threads.participants(products * q.N * q.Co * CK * L, chunks);
  const write = prepare(c, q, dt, participants, wantWeight && !direct(q), wantInput && !direct(q));
  const desc = write(1, addr(xs), addr(ws), addr(gs), dx ? dx.ptr : 0, slots);
  c.threads.runFused(CHUNK_KINDS.conv, desc, q.N, per, chunks, participants);
  if (dweight !== null) c.k.convReduce(DT[dt], chunks, q.Co * CK, slots, dweight.ptr);
  drop(xs, x);
  drop(ws, w);
  drop(gs, gy);
  return { dx, dweight };
}
