/**
 * What the latent-factor recommenders (ALS, BPR, LightFM) share: top-k selection with seen-item
 * exclusion, the popularity fallback for cold-start users, cosine item similarity, and compact
 * JSON serialisation of typed arrays (base64 of their bytes, so a 6,000 × 100 factor matrix is
 * 3.2 MB of JSON rather than 10 MB of decimal numbers, and round-trips bit for bit).
 */
import { ValueError } from '../errors.js';
import { toCSR } from './interactions.js';
import type { Interactions, RecommendOptions, Scored } from './types.js';

/** A model that can say how alike two catalogue items are (for explanations and similar-items queries). */
export interface ItemSimilarity {
  /** Similarity of two items in [-1, 1] (cosine); 0 when either item is unknown. */
  itemSimilarity(a: string, b: string): number;
  /** The `k` items most similar to `item` (itself excluded); empty for an unknown item. */
  similarItems(item: string, k: number): Scored[];
}

/**
 * The indices of the `k` largest `scores` (descending, ties to the lower index), skipping
 * positions where `skip[i]` is 1 and NaN scores. O(n log k) with a min-heap.
 *
 * @example
 * ```ts
 * topK(Float32Array.from([0.1, 0.9, 0.5]), 2); // Int32Array [1, 2]
 * ```
 */
export function topK(scores: ArrayLike<number>, k: number, skip?: Uint8Array): Int32Array {
  const n = scores.length;
  const cap = Math.max(0, Math.min(k, n));
  const heap = new Int32Array(cap);
  let size = 0;
  // "a worse than b": lower score, or equal score and higher index.
  const worse = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const siftDown = (at: number): void => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < size && worse(heap[l]!, heap[m]!)) m = l;
      if (r < size && worse(heap[r]!, heap[m]!)) m = r;
      if (m === at) return;
      const t = heap[m]!; heap[m] = heap[at]!; heap[at] = t;
      at = m;
    }
  };
  for (let i = 0; i < n && cap > 0; i++) {
    if ((skip && skip[i] === 1) || Number.isNaN(scores[i]!)) continue;
    if (size < cap) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const p = (at - 1) >> 1;
        if (!worse(heap[at]!, heap[p]!)) break;
        const t = heap[p]!; heap[p] = heap[at]!; heap[at] = t;
        at = p;
      }
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  const out = Array.from(heap.subarray(0, size)).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return Int32Array.from(out);
}

/** Items each training user interacted with (CSR over dense ids) and how often each item occurs. */
export interface SeenIndex {
  indptr: Int32Array;
  indices: Int32Array;
  /** Interactions per item (dense item id). */
  counts: Float32Array;
}

/** Builds the seen-items index and item counts of training interactions. */
export function seenIndex(train: Interactions): SeenIndex {
  const csr = toCSR(train, 'user');
  const counts = new Float32Array(train.itemIds.length);
  for (let k = 0; k < train.items.length; k++) counts[train.items[k]!]!++;
  return { indptr: csr.indptr, indices: csr.indices, counts };
}

/**
 * Turns a full score vector over the catalogue into the top-`k` list for one user: drops the
 * user's training items (unless `excludeSeen` is false) and `opts.exclude`.
 */
export function rankScores(
  scores: ArrayLike<number>, k: number, itemIds: readonly string[], itemIndex: ReadonlyMap<string, number>,
  seen: SeenIndex, user: number | undefined, opts: RecommendOptions = {},
): Scored[] {
  checkK('recommend', k);
  const skip = new Uint8Array(itemIds.length);
  if (user !== undefined && (opts.excludeSeen ?? true)) {
    for (let p = seen.indptr[user]!; p < seen.indptr[user + 1]!; p++) skip[seen.indices[p]!] = 1;
  }
  for (const it of opts.exclude ?? []) {
    const i = itemIndex.get(it);
    if (i !== undefined) skip[i] = 1;
  }
  return Array.from(topK(scores, k, skip), (i) => ({ item: itemIds[i]!, score: scores[i]! }));
}

/** Throws unless k is a non-negative integer. */
export function checkK(op: string, k: number): void {
  if (!(Number.isInteger(k) && k >= 0)) throw new ValueError(op, `k must be a non-negative integer, got ${k}`);
}

/** Cosine similarity of rows a and b of a row-major (n, dim) matrix; 0 when either row is all zeros. */
export function rowCosine(m: Float32Array, dim: number, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let f = 0; f < dim; f++) {
    const x = m[a * dim + f]!;
    const y = m[b * dim + f]!;
    dot += x * y; na += x * x; nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The `k` rows most cosine-similar to row `of` (itself excluded), as scored item ids. */
export function similarRows(m: Float32Array, dim: number, of: number, k: number, itemIds: readonly string[]): Scored[] {
  checkK('similarItems', k);
  const n = itemIds.length;
  const sims = new Float64Array(n);
  for (let j = 0; j < n; j++) sims[j] = rowCosine(m, dim, of, j);
  const skip = new Uint8Array(n);
  skip[of] = 1;
  return Array.from(topK(sims, k, skip), (j) => ({ item: itemIds[j]!, score: sims[j]! }));
}

/** Seeded uniform matrix in [lo, hi) of n·dim float32 values. */
export function uniformMatrix(n: number, dim: number, lo: number, hi: number, next: () => number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

type Typed = Float32Array | Int32Array | Float64Array;

/**
 * Typed array → base64 of its little-endian bytes.
 *
 * @example
 * ```ts
 * decodeF32(encodeTyped(Float32Array.of(1.5, -2))); // Float32Array [1.5, -2]
 * ```
 */
export function encodeTyped(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decodeBytes(op: string, s: unknown, width: number): Uint8Array {
  if (typeof s !== 'string') throw new ValueError(op, `expected a base64 string, got ${typeof s}`);
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % width !== 0) throw new ValueError(op, `${buf.byteLength} bytes is not a multiple of ${width}`);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy;
}

/** base64 (from `encodeTyped`) → Float32Array. */
export function decodeF32(s: unknown, op = 'decodeF32'): Float32Array {
  return new Float32Array(decodeBytes(op, s, 4).buffer);
}

/** base64 (from `encodeTyped`) → Int32Array. */
export function decodeI32(s: unknown, op = 'decodeI32'): Int32Array {
  return new Int32Array(decodeBytes(op, s, 4).buffer);
}

/** The seen index as JSON fields. */
export function seenToJSON(s: SeenIndex): { seenIndptr: string; seenIndices: string; itemCounts: string } {
  return { seenIndptr: encodeTyped(s.indptr), seenIndices: encodeTyped(s.indices), itemCounts: encodeTyped(s.counts) };
}

/** The seen index back from `seenToJSON`'s fields. */
export function seenFromJSON(j: { seenIndptr: string; seenIndices: string; itemCounts: string }, op: string): SeenIndex {
  return { indptr: decodeI32(j.seenIndptr, op), indices: decodeI32(j.seenIndices, op), counts: decodeF32(j.itemCounts, op) };
}

/** Checks the `type` and `version` tags of a saved model. */
export function checkSaved(op: string, json: unknown, type: string): asserts json is Record<string, unknown> {
  const j = json as { type?: unknown; version?: unknown } | null;
  if (typeof j !== 'object' || j === null || j.type !== type || j.version !== 1) {
    throw new ValueError(op, `not a saved '${type}' model (expected type "${type}", version 1; got type ${JSON.stringify(j?.type)}, version ${JSON.stringify(j?.version)})`);
  }
}

/** Rebuilds an id → dense index map. */
export function indexOf(ids: readonly string[]): Map<string, number> {
  return new Map(ids.map((id, i) => [id, i]));
}

/** Throws unless `train` has at least one interaction. */
export function checkTrain(op: string, train: Interactions): void {
  if (train.users.length === 0) throw new ValueError(op, 'no training interactions');
}

/**
 * CSR by user or item with duplicate (user, item) pairs merged by summing their values: the
 * duplicate policy of the implicit-feedback models (ALS, BPR), where repeated plays add up.
 */
export function summedCSR(train: Interactions, by: 'user' | 'item'): { indptr: Int32Array; indices: Int32Array; values: Float32Array; rows: number } {
  const csr = toCSR(train, by);
  const indptr = new Int32Array(csr.rows + 1);
  const indices = new Int32Array(csr.indices.length);
  const values = new Float32Array(csr.indices.length);
  let at = 0;
  for (let r = 0; r < csr.rows; r++) {
    const start = at;
    for (let p = csr.indptr[r]!; p < csr.indptr[r + 1]!; p++) {
      if (at > start && indices[at - 1] === csr.indices[p]) values[at - 1]! += csr.values[p]!;
      else { indices[at] = csr.indices[p]!; values[at] = csr.values[p]!; at++; }
    }
    indptr[r + 1] = at;
  }
  return { indptr, indices: indices.slice(0, at), values: values.slice(0, at), rows: csr.rows };
}

/**
 * Options over defaults, where an option explicitly set to `undefined` keeps its default (so
 * `new ALS({ factors: flags.factors })` works when the flag is absent).
 */
export function withDefaults<T extends object>(defaults: Required<T>, opts: T): Required<T> {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(opts) as Array<[keyof T, unknown]>) if (v !== undefined) (out as Record<keyof T, unknown>)[k] = v;
  return out;
}
