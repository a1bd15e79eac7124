/** Building `Interactions` from rows, and per-user / per-item CSR views of them. */
import { ValueError } from '../errors.js';
import type { CSR, Interactions } from './types.js';

/** One interaction as a user supplies it. */
export interface InteractionRow {
  user: string;
  item: string;
  /** Rating (explicit) or weight (implicit). Default 1. */
  rating?: number;
  /** Seconds since the epoch. */
  timestamp?: number;
}

/** Options of `interactionsFrom`. */
export interface InteractionsOptions {
  /** Implicit feedback. Default false. */
  implicit?: boolean;
  /**
   * Id spaces to reuse (for a test split that must share the training split's dense ids).
   * Unknown ids are appended after these.
   */
  userIds?: readonly string[];
  itemIds?: readonly string[];
}

/**
 * Builds column-wise interactions with dense ids in first-seen order.
 *
 * @example
 * ```ts
 * const data = interactionsFrom([{ user: 'u1', item: 'i9', rating: 4 }, { user: 'u2', item: 'i9', rating: 2 }]);
 * data.userIds; // ['u1', 'u2']
 * ```
 */
export function interactionsFrom(rows: Iterable<InteractionRow>, opts: InteractionsOptions = {}): Interactions {
  const userIds = [...(opts.userIds ?? [])];
  const itemIds = [...(opts.itemIds ?? [])];
  const userIndex = new Map(userIds.map((u, i) => [u, i]));
  const itemIndex = new Map(itemIds.map((u, i) => [u, i]));
  const us: number[] = [];
  const is: number[] = [];
  const rs: number[] = [];
  const ts: number[] = [];
  for (const row of rows) {
    const rating = row.rating ?? 1;
    if (!Number.isFinite(rating)) throw new ValueError('interactionsFrom', `rating of (${row.user}, ${row.item}) is not a finite number: ${rating}`);
    let u = userIndex.get(row.user);
    if (u === undefined) {
      u = userIds.length;
      userIds.push(row.user);
      userIndex.set(row.user, u);
    }
    let i = itemIndex.get(row.item);
    if (i === undefined) {
      i = itemIds.length;
      itemIds.push(row.item);
      itemIndex.set(row.item, i);
    }
    us.push(u);
    is.push(i);
    rs.push(rating);
    ts.push(row.timestamp ?? NaN);
  }
  return {
    userIds, itemIds, userIndex, itemIndex,
    users: Int32Array.from(us), items: Int32Array.from(is), ratings: Float32Array.from(rs), timestamps: Float64Array.from(ts),
    implicit: opts.implicit ?? false,
  };
}

/** The interactions at positions `idx` (same id spaces). */
export function subsetInteractions(data: Interactions, idx: ArrayLike<number>): Interactions {
  const n = idx.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const j = idx[k]!;
    users[k] = data.users[j]!;
    items[k] = data.items[j]!;
    ratings[k] = data.ratings[j]!;
    timestamps[k] = data.timestamps[j]!;
  }
  return { ...data, users, items, ratings, timestamps };
}

/**
 * Compressed sparse rows: by user (rows = users, columns = items) or by item. Duplicate pairs
 * are kept as separate entries (callers that need a policy apply it before).
 */
export function toCSR(data: Interactions, by: 'user' | 'item' = 'user'): CSR {
  const rowsOf = by === 'user' ? data.users : data.items;
  const colsOf = by === 'user' ? data.items : data.users;
  const rows = by === 'user' ? data.userIds.length : data.itemIds.length;
  const cols = by === 'user' ? data.itemIds.length : data.userIds.length;
  const n = rowsOf.length;
  // Two stable counting sorts (by column, then by row) give rows in order with ascending columns
  // and ties in data order, in O(n + rows + cols) — a comparison sort per row took ~1.3 s on 1M rows.
  const colStart = new Int32Array(cols + 1);
  for (let k = 0; k < n; k++) colStart[colsOf[k]! + 1]!++;
  for (let c = 0; c < cols; c++) colStart[c + 1]! += colStart[c]!;
  const byCol = new Int32Array(n);
  for (let k = 0; k < n; k++) byCol[colStart[colsOf[k]!]!++] = k;
  const indptr = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) indptr[rowsOf[k]! + 1]!++;
  for (let r = 0; r < rows; r++) indptr[r + 1]! += indptr[r]!;
  const fill = indptr.slice(0, rows);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    const k = byCol[t]!;
    const at = fill[rowsOf[k]!]!++;
    indices[at] = colsOf[k]!;
    values[at] = data.ratings[k]!;
  }
  return { indptr, indices, values, rows, cols };
}
