import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALS } from '../../src/recsys/als.js';
import { ContentBased } from '../../src/recsys/content.js';
import { explain, explainRecommendations, factorSimilarity, similarItems } from '../../src/recsys/explain.js';
import { interactionsFrom } from '../../src/recsys/interactions.js';
import { plantedBlocks } from './planted-blocks.js';

test('explain gives "because you liked X" from the user\'s most similar liked items (content similarity)', () => {
  const content = {
    a1: { text: 'space rocket star' }, a2: { text: 'space rocket' }, b1: { text: 'love heart' }, b2: { text: 'love heart romance' }, c1: { text: 'cooking food' },
  };
  const train = interactionsFrom([
    { user: 'x', item: 'a1', rating: 5, timestamp: 1 }, { user: 'x', item: 'b1', rating: 4, timestamp: 2 }, { user: 'x', item: 'c1', rating: 1, timestamp: 3 },
    { user: 'y', item: 'a2', rating: 3 },
  ]);
  const cb = new ContentBased(content).fit(train);
  const e = explain(cb, train, 'x', 'a2', { titles: new Map([['a1', 'Star Rockets']]) });
  // c1 (rated 1, below x's mean 3.33) is not "liked"; b1 shares no words with a2.
  assert.deepEqual(e.because.map((r) => r.item), ['a1']);
  assert.equal(e.because[0]!.rating, 5);
  assert.ok(Math.abs(e.because[0]!.similarity - cb.itemSimilarity('a2', 'a1')) < 1e-12 && e.because[0]!.similarity > 0.5);
  assert.equal(e.text, 'Because you liked "Star Rockets"');
  const two = explain(cb, train, 'x', 'b2', { minRating: 1, minSimilarity: -1 });
  assert.equal(two.because[0]!.item, 'b1');
  assert.equal(explain(cb, train, 'nobody', 'a2').text, 'Popular with other users');
});

test('explainRecommendations explains ALS recommendations with same-block history items', () => {
  const w = plantedBlocks({ seed: 1 });
  const als = new ALS({ factors: 3, iterations: 10, regularization: 0.1 }).fit(w.train);
  const ex = explainRecommendations(als, w.train, 'u40', 3);
  assert.equal(ex.length, 3);
  for (const e of ex) {
    assert.ok(e.because.length > 0 && e.text.startsWith('Because you liked "i'), e.text);
    for (const r of e.because) assert.equal(w.itemBlock.get(r.item), w.userBlock.get('u40'));
    assert.equal(e.score, als.predict('u40', e.item));
  }
});

test('factorSimilarity and similarItems work for any factor matrix; bad sizes are refused', () => {
  const sim = factorSimilarity(['a', 'b', 'c'], Float32Array.of(1, 0, 0.9, 0.1, 0, 1), 2);
  assert.ok(Math.abs(sim.itemSimilarity('a', 'b') - 0.9 / Math.sqrt(0.82)) < 1e-6);
  assert.deepEqual(similarItems(sim, 'a', 2).map((s) => s.item), ['b', 'c']);
  assert.deepEqual(similarItems(sim, 'zzz', 2), []);
  assert.throws(() => factorSimilarity(['a'], new Float32Array(3), 2), /factorSimilarity: 3 factor values do not make 1 items × dim 2/);
});
