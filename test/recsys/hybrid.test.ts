import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALS } from '../../src/recsys/als.js';
import { BPR } from '../../src/recsys/bpr.js';
import { ContentBased } from '../../src/recsys/content.js';
import { normalise, SwitchingHybrid, WeightedHybrid } from '../../src/recsys/hybrid.js';
import { interactionsFrom, type InteractionRow } from '../../src/recsys/interactions.js';
import { recommenderFromJSON } from '../../src/recsys/model-json.js';
import type { ItemContent } from '../../src/recsys/types.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

test('normalise: z-score, min-max and rank scales, with the minimum for missing items', () => {
  const list = [{ item: 'a', score: 3 }, { item: 'b', score: 1 }, { item: 'c', score: 2 }];
  const z = normalise(list, 'zscore');
  const sd = Math.sqrt(2 / 3);
  assert.ok(Math.abs(z.scores.get('a')! - 1 / sd) < 1e-12 && Math.abs(z.min + 1 / sd) < 1e-12);
  assert.deepEqual([...normalise(list, 'minmax').scores], [['a', 1], ['b', 0], ['c', 0.5]]);
  const r = normalise(list, 'rank').scores; // 1 − rank/n
  assert.deepEqual([r.get('a'), r.get('c'), r.get('b')].map((v) => Number(v!.toFixed(12))), [1, 0.666666666667, 0.333333333333]);
});

test('WeightedHybrid blends z-scored member scores with their weights and beats popularity on planted blocks', () => {
  const w = plantedBlocks({ seed: 1 });
  const als = new ALS({ factors: 3, iterations: 10, regularization: 0.1 });
  const cb = new ContentBased(w.content);
  const blend = new WeightedHybrid([{ model: als, weight: 0.7 }, { model: cb, weight: 0.3 }]).fit(w.train);
  // The blended score is exactly 0.7·z(ALS) + 0.3·z(content) over each member's full list.
  const za = normalise(als.recommend('u5', 1000, { excludeSeen: false }), 'zscore').scores;
  const zc = normalise(cb.recommend('u5', 1000, { excludeSeen: false }), 'zscore').scores;
  for (const item of ['i0_1', 'i1_2', 'i2_3']) {
    assert.ok(Math.abs(blend.predict('u5', item) - (0.7 * za.get(item)! + 0.3 * zc.get(item)!)) < 1e-9);
  }
  const hr = hitRate(blend, w.heldOut, 5);
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  assert.ok(hr >= 0.7 && hr > pop + 0.2, `blend ${hr} vs popularity ${pop}`);
  const copy = recommenderFromJSON(JSON.parse(JSON.stringify(blend.toJSON())));
  assert.deepEqual(copy.recommend('u5', 5), blend.recommend('u5', 5));
});

test('SwitchingHybrid serves cold users by content, warm users by CF, and lets cold items into warm lists', () => {
  const w = plantedBlocks({ seed: 2 });
  const rows: InteractionRow[] = [];
  for (let q = 0; q < w.train.users.length; q++) rows.push({ user: w.train.userIds[w.train.users[q]!]!, item: w.train.itemIds[w.train.items[q]!]!, rating: w.train.ratings[q]! });
  rows.push({ user: 'cold1', item: 'i1_0' }, { user: 'cold2', item: 'i2_0' });
  const train = interactionsFrom(rows, { implicit: true });
  const content = new Map<string, ItemContent>(w.content);
  content.set('new-space', { text: 'space rocket star', categories: ['genre0'] });
  const cb = new ContentBased(content);
  const sw = new SwitchingHybrid(new BPR({ factors: 8, iterations: 60, learningRate: 0.05 }), cb, { minInteractions: 3 }).fit(train);
  assert.ok(sw.isColdUser('cold1') && sw.isColdUser('nobody') && !sw.isColdUser('u0'));
  assert.ok(sw.isColdItem('new-space') && !sw.isColdItem('i0_0'));
  assert.deepEqual(sw.recommend('cold1', 5), cb.recommend('cold1', 5));
  assert.ok(sw.recommend('cold1', 5).every((s) => w.itemBlock.get(s.item) === 1));
  // Warm block-0 users see the new space item (content) among CF-ranked block-0 items.
  const block0 = [...w.userBlock].filter(([, g]) => g === 0).map(([u]) => u);
  const shown = block0.filter((u) => sw.recommend(u, 6).some((s) => s.item === 'new-space')).length;
  assert.ok(shown >= block0.length * 0.8, `${shown}/${block0.length} block-0 users see the new item`);
  assert.equal(sw.predict('cold1', 'i1_3'), cb.predict('cold1', 'i1_3'));
  assert.equal(sw.predict('u0', 'i0_3'), sw.cf.predict('u0', 'i0_3'));
  const copy = recommenderFromJSON(JSON.parse(JSON.stringify(sw.toJSON())));
  assert.deepEqual(copy.recommend('u0', 6), sw.recommend('u0', 6));
  assert.deepEqual(copy.recommend('cold2', 3), sw.recommend('cold2', 3));
  assert.throws(() => recommenderFromJSON({ type: 'mystery' }), /recommenderFromJSON: unknown model type "mystery"; known: als, bpr/);
});
