import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interactionsFrom, subsetInteractions, toCSR } from '../../src/recsys/index.js';

test('toCSR orders each row by column, keeping duplicate pairs in data order', () => {
  const d = interactionsFrom([
    { user: 'b', item: 'z', rating: 1 }, { user: 'a', item: 'y', rating: 2 }, { user: 'b', item: 'x', rating: 3 },
    { user: 'a', item: 'y', rating: 4 }, { user: 'b', item: 'y', rating: 5 }, { user: 'c', item: 'x', rating: 6 },
  ]);
  // Dense ids: users b0 a1 c2; items z0 y1 x2.
  const byUser = toCSR(d, 'user');
  assert.deepEqual(Array.from(byUser.indptr), [0, 3, 5, 6]);
  assert.deepEqual(Array.from(byUser.indices), [0, 1, 2, 1, 1, 2]);
  assert.deepEqual(Array.from(byUser.values), [1, 5, 3, 2, 4, 6]);
  const byItem = toCSR(d, 'item');
  assert.deepEqual(Array.from(byItem.indptr), [0, 1, 4, 6]);
  assert.deepEqual(Array.from(byItem.indices), [0, 0, 1, 1, 0, 2]);
  assert.deepEqual(Array.from(byItem.values), [1, 5, 2, 4, 3, 6]);
  assert.equal(byItem.rows, 3);
  assert.equal(byItem.cols, 3);
  // A subset keeps the id spaces: rows of absent users are empty.
  const sub = toCSR(subsetInteractions(d, [5]), 'user');
  assert.deepEqual(Array.from(sub.indptr), [0, 0, 0, 1]);
});
