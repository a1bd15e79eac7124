import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NCF } from '../../src/recsys/ncf.js';
import { interactionsFrom } from '../../src/recsys/interactions.js';
import { rand } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { hitRate, plantedBlocks, popularityHitRate } from './planted-blocks.js';

// Small network and few epochs keep this under a couple of seconds; the planted blocks are easy.
const small = { factors: 4, layers: [8, 4], batchSize: 256, learningRate: 0.1, epochs: 5 } as const;

test('NCF (NeuMF, implicit BCE with negative sampling) recovers planted blocks and beats popularity', () => {
  const w = plantedBlocks({ seed: 1 });
  const losses: number[] = [];
  const ncf = new NCF({ ...small, seed: 0, onEpoch: (_, l) => losses.push(l) }).fit(w.train);
  assert.equal(losses.length, small.epochs);
  assert.ok(losses[losses.length - 1]! < losses[0]! * 0.7, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  const model = hitRate(ncf, w.heldOut, 5);
  const pop = popularityHitRate(w.train, w.heldOut, 5);
  assert.ok(model >= 0.6, `NCF hit rate ${model}`);
  assert.ok(model > pop + 0.15, `NCF ${model} vs popularity ${pop}`);
});

test('NCF explicit (MSE) learns ratings that separate liked from disliked blocks; save/load is exact', () => {
  const rows = [];
  for (let u = 0; u < 20; u++) {
    for (let i = 0; i < 10; i++) {
      if ((u + i) % 3 === 0) continue; // hold some pairs out
      rows.push({ user: `u${u}`, item: `i${i}`, rating: (u < 10) === (i < 5) ? 5 : 1 });
    }
  }
  const train = interactionsFrom(rows);
  const ncf = new NCF({ ...small, epochs: 60, learningRate: 0.05, seed: 2 }).fit(train);
  // (u0, i3) and (u0, i6) were held out: u0 likes items 0-4, dislikes 5-9.
  assert.ok(ncf.predict('u0', 'i3') > ncf.predict('u0', 'i6') + 1.5, `${ncf.predict('u0', 'i3')} vs ${ncf.predict('u0', 'i6')}`);
  assert.ok(ncf.predict('u12', 'i6') > ncf.predict('u12', 'i3') + 1.5);
  const copy = NCF.fromJSON(JSON.parse(JSON.stringify(ncf.toJSON())));
  assert.equal(copy.predict('u0', 'i3'), ncf.predict('u0', 'i3'));
  assert.deepEqual(copy.recommend('u1', 3), ncf.recommend('u1', 3));
  // Cold start: unknown user or item → global mean (explicit).
  const mean = rows.reduce((s, r) => s + r.rating, 0) / rows.length;
  assert.ok(Math.abs(ncf.predict('stranger', 'i3') - mean) < 1e-5);
  assert.equal(ncf.recommend('stranger', 2).length, 2);
});

test('NCF is seeded and leaves the global generator as it found it', () => {
  const w = plantedBlocks({ seed: 3, usersPerGroup: [6, 4, 4] });
  manualSeed(123);
  const before = rand([3]).toArray();
  manualSeed(123);
  const a = new NCF({ ...small, epochs: 2, seed: 5 }).fit(w.train);
  const after = rand([3]).toArray();
  assert.deepEqual(after, before);
  const b = new NCF({ ...small, epochs: 2, seed: 5 }).fit(w.train);
  assert.deepEqual(a.recommend('u0', 5), b.recommend('u0', 5));
  assert.throws(() => new NCF({ layers: [7, 4] }), /NCF: layers must be positive integers with an even first width, got \[7, 4\]/);
});
