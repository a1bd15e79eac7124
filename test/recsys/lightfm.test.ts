import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LightFM } from '../../src/recsys/lightfm.js';
import { recommenderFromJSON } from '../../src/recsys/model-json.js';
import type { ItemContent } from '../../src/recsys/types.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

test('LightFM (WARP and BPR) recovers planted blocks and beats popularity', () => {
  const w = plantedBlocks({ seed: 1 });
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  for (const loss of ['warp', 'bpr'] as const) {
    const m = new LightFM({ loss, epochs: 30, seed: 0, itemContent: w.content }).fit(w.train);
    const hr = hitRate(m, w.heldOut, 5);
    assert.ok(hr >= 0.7 && hr > pop + 0.2, `${loss}: hit rate ${hr} vs popularity ${pop}`);
  }
});

test('LightFM scores cold-start items from their content and cold-start users from their features', () => {
  const w = plantedBlocks({ seed: 2 });
  const content = new Map<string, ItemContent>(w.content);
  content.set('new-crime', { text: 'crime detective murder', categories: ['genre2'] });
  const userFeatures = new Map<string, string[]>([...w.userBlock].map(([u, g]) => [u, [`block:${g}`]]));
  userFeatures.set('newcomer', ['block:1']);
  const m = new LightFM({ epochs: 30, seed: 0, itemContent: content, userFeatures }).fit(w.train);
  // The cold item is scored higher by block-2 users than by anyone else, on average.
  const mean = (g: number): number => {
    const us = [...w.userBlock].filter(([, b]) => b === g).map(([u]) => u);
    return us.reduce((s, u) => s + m.predict(u, 'new-crime'), 0) / us.length;
  };
  assert.ok(mean(2) > mean(0) && mean(2) > mean(1), `block means ${mean(0)}, ${mean(1)}, ${mean(2)}`);
  assert.equal(m.similarItems('new-crime', 5).filter((s) => w.itemBlock.get(s.item) === 2).length, 5);
  // The newcomer has no history, only the feature block:1: their top 5 are block-1 items.
  const recs = m.recommend('newcomer', 5);
  assert.equal(recs.filter((s) => w.itemBlock.get(s.item) === 1).length, 5, JSON.stringify(recs));
  // Unknown user without features: zero embedding → items rank by bias; unknown item: −Infinity.
  assert.equal(m.recommend('ghost', 3).length, 3);
  assert.equal(m.predict('u0', 'ghost-item'), -Infinity);
});

test('LightFM saves and loads exactly (also through recommenderFromJSON) and validates options', () => {
  const w = plantedBlocks({ seed: 3, usersPerGroup: [8, 6, 6] });
  const m = new LightFM({ epochs: 5, seed: 4, itemContent: w.content }).fit(w.train);
  const copy = recommenderFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.ok(copy instanceof LightFM);
  assert.deepEqual(copy.recommend('u2', 4), m.recommend('u2', 4));
  assert.equal(copy.predict('u2', 'i1_1'), m.predict('u2', 'i1_1'));
  const again = new LightFM({ epochs: 5, seed: 4, itemContent: w.content }).fit(w.train);
  assert.deepEqual(again.recommend('u2', 4), m.recommend('u2', 4));
  assert.throws(() => new LightFM({ loss: 'hinge' as never }), /LightFM: loss must be 'warp' or 'bpr', got hinge/);
  assert.throws(() => new LightFM({ minRating: 10 }).fit(w.train), /LightFM\.fit: no interaction has rating ≥ minRating 10/);
});
