import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticRecsys } from '../../src/recsys/index.js';

test('syntheticRecsys is deterministic for a seed and differs across seeds', () => {
  const a = syntheticRecsys({ nUsers: 30, nItems: 40, seed: 3 });
  const b = syntheticRecsys({ nUsers: 30, nItems: 40, seed: 3 });
  const c = syntheticRecsys({ nUsers: 30, nItems: 40, seed: 4 });
  assert.deepEqual(Array.from(a.interactions.ratings), Array.from(b.interactions.ratings));
  assert.deepEqual(a.interactions.userIds, b.interactions.userIds);
  assert.notDeepEqual(Array.from(a.interactions.ratings), Array.from(c.interactions.ratings));
});

test('syntheticRecsys ratings equal the planted model plus noise of the stated std (no clipping)', () => {
  const w = syntheticRecsys({ nUsers: 150, nItems: 100, noise: 0.4, scale: null, seed: 1 });
  const d = w.interactions;
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < d.users.length; k++) {
    const e = d.ratings[k]! - w.expected(d.userIds[d.users[k]!]!, d.itemIds[d.items[k]!]!);
    s += e;
    s2 += e * e;
  }
  const n = d.users.length;
  const std = Math.sqrt(s2 / n - (s / n) ** 2);
  // ~4,500 samples: the sample std is within a few percent of 0.4 (float32 storage adds ~1e-7).
  assert.ok(Math.abs(std - 0.4) < 0.03, `residual std ${std}`);
  assert.ok(Math.abs(s / n) < 0.03, `residual mean ${s / n}`);
});

test('syntheticRecsys clips and rounds explicit ratings to the scale', () => {
  const w = syntheticRecsys({ nUsers: 40, nItems: 50, noise: 1, roundTo: 0.5, scale: [1, 5], seed: 2 });
  for (const r of w.interactions.ratings) {
    assert.ok(r >= 1 && r <= 5, `rating ${r}`);
    assert.equal(r * 2, Math.round(r * 2));
  }
});

test('syntheticRecsys exposure is popularity-skewed (Zipf)', () => {
  const w = syntheticRecsys({ nUsers: 200, nItems: 200, popularityExponent: 1, seed: 5 });
  const counts = new Array<number>(w.interactions.itemIds.length).fill(0);
  for (const i of w.interactions.items) counts[i]!++;
  counts.sort((x, y) => y - x);
  const top = counts.slice(0, 20).reduce((p, q) => p + q, 0);
  const total = counts.reduce((p, q) => p + q, 0);
  // Top 10% of items take far more than 10% of the interactions.
  assert.ok(top / total > 0.25, `top-10% share ${top / total}`);
});

test('syntheticRecsys cold users and items keep only their stated history; the rest is held out', () => {
  const w = syntheticRecsys({ nUsers: 60, nItems: 80, coldUsers: 10, coldUserHistory: 2, coldItems: 8, coldItemHistory: 0, seed: 7 });
  const d = w.interactions;
  const perUser = new Map<string, number>();
  for (const u of d.users) perUser.set(d.userIds[u]!, (perUser.get(d.userIds[u]!) ?? 0) + 1);
  for (const u of w.coldUserIds) assert.ok((perUser.get(u) ?? 0) <= 2, `cold user ${u} has ${perUser.get(u)}`);
  for (const i of w.coldItemIds) assert.equal(d.itemIndex.has(i), false, `cold item ${i} in training data`);
  assert.ok(w.coldTest.users.length > 0);
  // Held-out rows are all on cold users or cold items.
  const coldU = new Set(w.coldUserIds);
  const coldI = new Set(w.coldItemIds);
  for (let k = 0; k < w.coldTest.users.length; k++) {
    const u = w.coldTest.userIds[w.coldTest.users[k]!]!;
    const i = w.coldTest.itemIds[w.coldTest.items[k]!]!;
    assert.ok(coldU.has(u) || coldI.has(i));
  }
  assert.equal(w.userFeatures.get('u0')![0]!.startsWith('segment:'), true);
});

test('syntheticRecsys item text and categories follow the planted clusters', () => {
  const w = syntheticRecsys({ nUsers: 10, nItems: 120, nCategories: 4, seed: 9 });
  // Items of the same primary category share more words than items of different categories.
  const words = w.truth.items.map((it) => new Set(w.content.get(it)!.text!.split(' ')));
  let same = 0, sameN = 0, diff = 0, diffN = 0;
  for (let x = 0; x < 120; x++) for (let y = x + 1; y < 120; y++) {
    let shared = 0;
    for (const t of words[x]!) if (words[y]!.has(t)) shared++;
    if (w.truth.itemCategory[x] === w.truth.itemCategory[y]) { same += shared; sameN++; } else { diff += shared; diffN++; }
  }
  assert.ok(same / sameN > 2 * (diff / diffN), `shared words: same ${same / sameN}, different ${diff / diffN}`);
  assert.equal(w.content.get('i0')!.categories![0], `cat${w.truth.itemCategory[0]}`);
});

test('syntheticRecsys implicit data has unit weights and rejects bad options', () => {
  const w = syntheticRecsys({ nUsers: 20, nItems: 30, implicit: true, seed: 1 });
  assert.equal(w.interactions.implicit, true);
  assert.ok(w.interactions.ratings.every((r) => r === 1));
  assert.throws(() => syntheticRecsys({ nUsers: 0 }), /syntheticRecsys: nUsers must be an integer >= 1, got 0/);
  assert.throws(() => syntheticRecsys({ nItems: 10, interactionsPerUser: 20 }), /interactionsPerUser must be in \[1, nItems=10\]/);
});
