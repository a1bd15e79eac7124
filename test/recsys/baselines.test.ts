import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaselineOnly, GlobalMean, Popularity, interactionsFrom } from '../../src/recsys/index.js';

const close = (a: number, b: number, what: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);
const data = () => interactionsFrom([{ user: 'A', item: 'x', rating: 4 }, { user: 'A', item: 'y', rating: 2 }, { user: 'B', item: 'x', rating: 5 }]);

test('GlobalMean predicts the training mean for any pair, known or not', () => {
  const m = new GlobalMean().fit(data());
  close(m.predict('A', 'x'), 11 / 3, 'known');
  close(m.predict('nobody', 'nothing'), 11 / 3, 'unknown');
});

test('BaselineOnly (ALS) matches one epoch of Surprise\'s baseline_als computed by hand', () => {
  const m = new BaselineOnly({ method: 'als', nEpochs: 1 }).fit(data());
  const mu = 11 / 3;
  // Items first (reg_i 10), then users (reg_u 15) with the new item biases.
  const bx = (4 - mu + 5 - mu) / (10 + 2);
  const by = (2 - mu) / (10 + 1);
  const bA = (4 - mu - bx + (2 - mu - by)) / (15 + 2);
  const bB = (5 - mu - bx) / (15 + 1);
  close(m.predict('A', 'x'), mu + bA + bx, 'A,x');
  close(m.predict('B', 'y'), mu + bB + by, 'B,y');
  // Unknown user: μ + b_i; unknown item: μ + b_u; both: μ.
  close(m.predict('Z', 'x'), mu + bx, 'unknown user');
  close(m.predict('A', 'q'), mu + bA, 'unknown item');
  close(m.predict('Z', 'q'), mu, 'both unknown');
});

test('BaselineOnly (SGD) matches one epoch of Surprise\'s baseline_sgd computed by hand', () => {
  const m = new BaselineOnly({ method: 'sgd', nEpochs: 1 }).fit(data());
  const mu = 11 / 3;
  const lr = 0.005;
  const reg = 0.02;
  let bA = 0, bB = 0, bx = 0, by = 0;
  // Rows in user order: (A,x,4), (A,y,2), (B,x,5).
  let e = 4 - (mu + bA + bx); bA += lr * (e - reg * bA); bx += lr * (e - reg * bx);
  e = 2 - (mu + bA + by); bA += lr * (e - reg * bA); by += lr * (e - reg * by);
  e = 5 - (mu + bB + bx); bB += lr * (e - reg * bB); bx += lr * (e - reg * bx);
  close(m.predict('A', 'y'), mu + bA + by, 'A,y');
  close(m.predict('B', 'x'), mu + bB + bx, 'B,x');
});

test('BaselineOnly clips predictions to the training rating range unless clip is off', () => {
  // A rates x high where B rates it low; B rates y high: with no regularisation μ + b_A + b_y ≈ 9.
  const d = interactionsFrom([
    { user: 'A', item: 'x', rating: 5 }, { user: 'B', item: 'x', rating: 1 }, { user: 'B', item: 'y', rating: 5 }, { user: 'C', item: 'y', rating: 5 }, { user: 'C', item: 'z', rating: 1 },
  ]);
  const m = new BaselineOnly({ regU: 0, regI: 0, nEpochs: 30 }).fit(d);
  assert.equal(m.predict('A', 'y'), 5);
  m.clip = false;
  assert.ok(m.predict('A', 'y') > 8.9, `unclipped ${m.predict('A', 'y')}`);
});

test('Popularity ranks unseen items by training count, with relevance scores', () => {
  const d = interactionsFrom([
    { user: 'A', item: 'x' }, { user: 'B', item: 'x' }, { user: 'C', item: 'x' }, { user: 'B', item: 'y' }, { user: 'C', item: 'y' }, { user: 'C', item: 'z' },
  ], { implicit: true });
  const m = new Popularity().fit(d);
  assert.equal(m.scoreKind, 'relevance');
  assert.deepEqual(m.recommend('A', 5), [{ item: 'y', score: 2 / 3 }, { item: 'z', score: 1 / 3 }]);
  assert.deepEqual(m.recommend('new-user', 1), [{ item: 'x', score: 1 }]);
  assert.deepEqual(m.recommend('A', 5, { excludeSeen: false, exclude: ['y'] }).map((s) => s.item), ['x', 'z']);
  assert.equal(m.predict('A', 'unknown'), 0);
});

test('baseline models round-trip through JSON with identical predictions', () => {
  const d = data();
  const b = new BaselineOnly().fit(d);
  const b2 = BaselineOnly.fromJSON(JSON.parse(JSON.stringify(b.toJSON())));
  assert.equal(b2.predict('A', 'y'), b.predict('A', 'y'));
  assert.equal(b2.predict('Z', 'x'), b.predict('Z', 'x'));
  const p = Popularity.fromJSON(JSON.parse(JSON.stringify(new Popularity().fit(d).toJSON())));
  assert.deepEqual(p.recommend('B', 2), [{ item: 'y', score: 0.5 }]);
  assert.throws(() => BaselineOnly.fromJSON(JSON.parse(JSON.stringify(p.toJSON()))), /BaselineOnly.fromJSON: not a saved 'baseline' model/);
  assert.throws(() => new GlobalMean().predict('A', 'x'), /global-mean.predict: call fit first/);
});
