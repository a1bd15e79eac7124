import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interactionsFrom, kFold, leaveLastOut, perUserSplit, randomSplit, type Interactions } from '../../src/recsys/index.js';

function data(): Interactions {
  const rows = [];
  for (let u = 0; u < 5; u++) for (let i = 0; i <= u + 1; i++) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + ((u + i) % 5), timestamp: 1000 - i * 10 + u });
  return interactionsFrom(rows);
}
const pairs = (d: Interactions): string[] => Array.from(d.users, (u, k) => `${d.userIds[u]}:${d.itemIds[d.items[k]!]}`);

test('randomSplit is seeded, disjoint, complete and keeps id spaces', () => {
  const d = data();
  const a = randomSplit(d, { testFraction: 0.25, seed: 1 });
  const b = randomSplit(d, { testFraction: 0.25, seed: 1 });
  assert.deepEqual(pairs(a.test), pairs(b.test));
  assert.equal(a.test.users.length, Math.round(0.25 * d.users.length));
  assert.deepEqual([...pairs(a.train), ...pairs(a.test)].sort(), pairs(d).sort());
  assert.equal(a.test.userIds, d.userIds);
  assert.throws(() => randomSplit(d, { testFraction: 1 }), /randomSplit: testFraction must be in \(0, 1\), got 1/);
});

test('leaveLastOut holds out each user\'s latest interaction by timestamp', () => {
  const d = data();
  const { train, test } = leaveLastOut(d);
  // Timestamps decrease with i, so the latest is item i0 for every user (each has >= 2 rows).
  assert.deepEqual(pairs(test).sort(), ['u0:i0', 'u1:i0', 'u2:i0', 'u3:i0', 'u4:i0']);
  assert.equal(train.users.length, d.users.length - 5);
  const noTime = interactionsFrom([{ user: 'a', item: 'x' }, { user: 'a', item: 'y' }]);
  assert.throws(() => leaveLastOut(noTime), /leaveLastOut: interaction 0 \(user 'a', item 'x'\) has no timestamp/);
});

test('perUserSplit holds out a share of every user, never all of it', () => {
  const d = data();
  const { train, test } = perUserSplit(d, { testFraction: 0.5, seed: 3 });
  const count = (x: Interactions, u: string): number => pairs(x).filter((p) => p.startsWith(`${u}:`)).length;
  for (let u = 0; u < 5; u++) {
    const n = u + 2;
    assert.equal(count(test, `u${u}`), Math.min(n - 1, Math.max(1, Math.round(0.5 * n))));
    assert.equal(count(train, `u${u}`) + count(test, `u${u}`), n);
  }
  const byTime = perUserSplit(d, { testFraction: 0.34, byTime: true });
  assert.ok(pairs(byTime.test).includes('u4:i0'));
});

test('kFold test sets partition the data', () => {
  const d = data();
  const folds = kFold(d, { folds: 4, seed: 2 });
  assert.equal(folds.length, 4);
  const all = folds.flatMap((f) => pairs(f.test)).sort();
  assert.deepEqual(all, pairs(d).sort());
  for (const f of folds) assert.equal(f.train.users.length + f.test.users.length, d.users.length);
  assert.throws(() => kFold(d, { folds: 1 }), /kFold: folds must be an integer in \[2, 20\]/);
});
