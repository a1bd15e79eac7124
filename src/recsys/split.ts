/**
 * Train/test splits of interactions: random, per-user leave-last-out by timestamp, per-user ratio,
 * and k-fold. All are seeded (tsorch's MT19937 `Generator`) and keep the id spaces of the input,
 * so a test user or item keeps its dense id (it may have no training interactions: algorithms
 * treat such ids as unknown, i.e. cold start).
 */
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { subsetInteractions } from './interactions.js';
import type { Interactions } from './types.js';

/** A train/test pair sharing id spaces. */
export interface Split {
  train: Interactions;
  test: Interactions;
}

function checkFraction(op: string, f: number): void {
  if (!(f > 0 && f < 1)) throw new ValueError(op, `testFraction must be in (0, 1), got ${f}`);
}

function split(data: Interactions, isTest: Uint8Array): Split {
  const tr: number[] = [];
  const te: number[] = [];
  for (let k = 0; k < isTest.length; k++) (isTest[k] ? te : tr).push(k);
  return { train: subsetInteractions(data, tr), test: subsetInteractions(data, te) };
}

/** Positions of each user's interactions, in input order. */
function byUser(data: Interactions): number[][] {
  const out: number[][] = Array.from({ length: data.userIds.length }, () => []);
  for (let k = 0; k < data.users.length; k++) out[data.users[k]!]!.push(k);
  return out;
}

/**
 * A uniformly random split: round(testFraction · n) interactions go to the test set.
 *
 * @example
 * ```ts
 * const { train, test } = randomSplit(data, { testFraction: 0.2, seed: 0 });
 * ```
 */
export function randomSplit(data: Interactions, opts: { testFraction?: number; seed?: number } = {}): Split {
  const f = opts.testFraction ?? 0.2;
  checkFraction('randomSplit', f);
  const n = data.users.length;
  const perm = new Generator(opts.seed ?? 0).permutation(n);
  const isTest = new Uint8Array(n);
  const nTest = Math.round(f * n);
  for (let k = 0; k < nTest; k++) isTest[perm[k]!] = 1;
  return split(data, isTest);
}

/**
 * Per user, the `n` latest interactions by timestamp go to the test set (ties by position in the
 * data: later rows count as later). Users with at most `n` interactions stay wholly in train.
 * Missing (NaN) timestamps are refused: the split would be meaningless.
 *
 * @example
 * ```ts
 * const { train, test } = leaveLastOut(data); // one test interaction per user
 * ```
 */
export function leaveLastOut(data: Interactions, opts: { n?: number } = {}): Split {
  const op = 'leaveLastOut';
  const n = opts.n ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new ValueError(op, `n must be an integer >= 1, got ${n}`);
  const isTest = new Uint8Array(data.users.length);
  for (const rows of byUser(data)) {
    if (rows.length <= n) continue;
    for (const k of rows) if (Number.isNaN(data.timestamps[k]!)) throw new ValueError(op, `interaction ${k} (user '${data.userIds[data.users[k]!]}', item '${data.itemIds[data.items[k]!]}') has no timestamp`);
    rows.sort((a, b) => data.timestamps[a]! - data.timestamps[b]! || a - b);
    for (let j = rows.length - n; j < rows.length; j++) isTest[rows[j]!] = 1;
  }
  return split(data, isTest);
}

/**
 * Per user, a `testFraction` of their interactions (rounded, at least one when the user has two
 * or more, never all) go to the test set: the latest ones when `byTime`, else a random choice.
 *
 * @example
 * ```ts
 * const { train, test } = perUserSplit(data, { testFraction: 0.25, seed: 1 });
 * ```
 */
export function perUserSplit(data: Interactions, opts: { testFraction?: number; seed?: number; byTime?: boolean } = {}): Split {
  const op = 'perUserSplit';
  const f = opts.testFraction ?? 0.2;
  checkFraction(op, f);
  const g = new Generator(opts.seed ?? 0);
  const isTest = new Uint8Array(data.users.length);
  for (const rows of byUser(data)) {
    if (rows.length < 2) continue;
    const nTest = Math.min(rows.length - 1, Math.max(1, Math.round(f * rows.length)));
    let order: number[];
    if (opts.byTime) order = [...rows].sort((a, b) => data.timestamps[a]! - data.timestamps[b]! || a - b).reverse();
    else order = g.permutation(rows.length).map((j) => rows[j]!);
    for (let j = 0; j < nTest; j++) isTest[order[j]!] = 1;
  }
  return split(data, isTest);
}

/**
 * K-fold cross-validation folds as Surprise's `KFold(shuffle=True)` makes them: the interactions
 * are shuffled once, cut into `folds` nearly equal parts, and each part is the test set of one
 * fold.
 *
 * @example
 * ```ts
 * for (const { train, test } of kFold(data, { folds: 5, seed: 0 })) { ... }
 * ```
 */
export function kFold(data: Interactions, opts: { folds?: number; seed?: number } = {}): Split[] {
  const folds = opts.folds ?? 5;
  const n = data.users.length;
  if (!Number.isInteger(folds) || folds < 2 || folds > n) throw new ValueError('kFold', `folds must be an integer in [2, ${n}] (the number of interactions), got ${folds}`);
  const perm = new Generator(opts.seed ?? 0).permutation(n);
  const out: Split[] = [];
  for (let f = 0; f < folds; f++) {
    const start = Math.floor((f * n) / folds);
    const end = Math.floor(((f + 1) * n) / folds);
    const isTest = new Uint8Array(n);
    for (let k = start; k < end; k++) isTest[perm[k]!] = 1;
    out.push(split(data, isTest));
  }
  return out;
}
