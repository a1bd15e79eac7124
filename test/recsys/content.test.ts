import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentBased } from '../../src/recsys/content.js';
import { interactionsFrom } from '../../src/recsys/interactions.js';
import type { ItemContent } from '../../src/recsys/types.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

test('content-based recommends same-genre items: hit rate@5 beats popularity on planted blocks', () => {
  const w = plantedBlocks({ seed: 1 });
  const cb = new ContentBased(w.content).fit(w.train);
  const model = hitRate(cb, w.heldOut, 5);
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  assert.ok(model >= 0.7, `content hit rate ${model}`);
  assert.ok(model > pop + 0.2, `content ${model} vs popularity ${pop}`);
});

test('content-based ranks a cold-start item (no interactions) first for users of its genre', () => {
  const w = plantedBlocks({ seed: 2 });
  const content = new Map<string, ItemContent>(w.content);
  content.set('new-romance', { text: 'love heart romance', categories: ['genre1'] });
  const cb = new ContentBased(content).fit(w.train);
  let top3 = 0;
  let users = 0;
  for (const [user, g] of w.userBlock) {
    const ranked = cb.recommend(user, 3).map((s) => s.item);
    if (g === 1) { users++; if (ranked.includes('new-romance')) top3++; } else assert.ok(!ranked.includes('new-romance'), `${user} (block ${g}) got the romance item`);
  }
  assert.equal(top3, users, `${top3}/${users} romance readers see the new item in their top 3`);
  assert.equal(cb.similarItems('new-romance', 3).every((s) => w.itemBlock.get(s.item) === 1), true);
  assert.ok(cb.itemSimilarity('new-romance', 'i1_0') > cb.itemSimilarity('new-romance', 'i0_0'));
});

test('content-based explicit predict follows liked content and saves/loads exactly', () => {
  const content = {
    a1: { text: 'space rocket', categories: ['scifi'] }, a2: { text: 'space star', categories: ['scifi'] }, a3: { text: 'rocket star', categories: ['scifi'] },
    b1: { text: 'love heart', categories: ['romance'] }, b2: { text: 'heart romance', categories: ['romance'] }, b3: { text: 'love romance', categories: ['romance'] },
  };
  const train = interactionsFrom([
    { user: 'x', item: 'a1', rating: 5 }, { user: 'x', item: 'a2', rating: 5 }, { user: 'x', item: 'b1', rating: 1 }, { user: 'x', item: 'b2', rating: 2 },
    { user: 'y', item: 'b1', rating: 5 },
  ]);
  const cb = new ContentBased(content).fit(train);
  assert.ok(cb.predict('x', 'a3') > 4, `liked genre: ${cb.predict('x', 'a3')}`);
  assert.ok(cb.predict('x', 'b3') < 2.5, `disliked genre: ${cb.predict('x', 'b3')}`);
  assert.equal(cb.recommend('x', 1)[0]!.item, 'a3');
  // Unknown user: global mean; unknown item: the user's mean; recommend by popularity.
  assert.equal(cb.predict('nobody', 'a3'), (5 + 5 + 1 + 2 + 5) / 5);
  assert.equal(cb.predict('x', 'zzz'), 13 / 4);
  assert.equal(cb.recommend('nobody', 1)[0]!.item, 'b1');
  const copy = ContentBased.fromJSON(JSON.parse(JSON.stringify(cb.toJSON())));
  assert.equal(copy.predict('x', 'a3'), cb.predict('x', 'a3'));
  assert.deepEqual(copy.recommend('x', 3), cb.recommend('x', 3));
  assert.throws(() => new ContentBased({ a: {} }).fit(interactionsFrom([{ user: 'u', item: 'a' }])), /ContentBased\.fit: none of the 1 catalogue items has text or categories/);
});
