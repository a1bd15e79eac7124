import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogisticRegression, MultinomialNB } from '../../src/text/baselines.js';
import { TfidfVectorizer, type SparseRow } from '../../src/text/tfidf.js';

const row = (dense: number[]): SparseRow => {
  const indices: number[] = [];
  const values: number[] = [];
  dense.forEach((v, j) => { if (v !== 0) { indices.push(j); values.push(v); } });
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
};

test('MultinomialNB: log-priors and smoothed feature log-probabilities equal the hand-computed ones', () => {
  // Class 0 rows [2,1,0] and [1,0,0] sum to [3,1,0]; class 1 row [0,1,3]. α = 1, F = 3: totals 4 + 3 = 7.
  const nb = MultinomialNB.fit([row([2, 1, 0]), row([1, 0, 0]), row([0, 1, 3])], [0, 0, 1], 3);
  const near = (a: ArrayLike<number>, b: number[]) => b.forEach((x, i) => assert.ok(Math.abs(a[i]! - x) < 1e-12, `${a[i]} vs ${x}`));
  near(nb.classLogPrior, [Math.log(2 / 3), Math.log(1 / 3)]);
  near(nb.featureLogProb, [4 / 7, 2 / 7, 1 / 7, 1 / 7, 2 / 7, 4 / 7].map(Math.log));
  // x = [1,0,1]: both classes get ln(4/7)+ln(1/7); the prior decides, 2:1.
  near(nb.predictProba([row([1, 0, 1])])[0]!, [2 / 3, 1 / 3]);
  assert.deepEqual(nb.predict([row([0, 0, 5]), row([5, 0, 0])]), [1, 0]);
  assert.throws(() => MultinomialNB.fit([row([-1, 0, 0])], [0], 3), /negative value -1/);
  assert.throws(() => MultinomialNB.fit([row([1, 0, 0])], [0, 1], 3), /1 rows but 2 labels/);
});

test('LogisticRegression reaches the L2-regularised optimum: the gradient vanishes there', () => {
  // A noisy, not separable 2-feature problem, so the optimum is finite even without the penalty.
  const rows: SparseRow[] = [];
  const labels: number[] = [];
  let s = 1;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 200; i++) {
    const a = rand();
    const b = rand();
    rows.push(row([a, b, 1]));
    labels.push(rand() < 1 / (1 + Math.exp(-(4 * a - 4 * b))) ? 1 : 0);
  }
  const l2 = 1e-2;
  const lr = LogisticRegression.fit(rows, labels, 3, { l2, maxIter: 3000, lr: 0.05, tol: 0 });
  assert.ok(lr.lossHistory.at(-1)! < lr.lossHistory[0]! - 0.05, `loss ${lr.lossHistory[0]} → ${lr.lossHistory.at(-1)}`);
  // Stationarity: mean over rows of (p_c - [y = c]) x + l2 W_c = 0 for every weight (tolerance 1e-4).
  const probs = lr.predictProba(rows);
  for (let c = 0; c < 2; c++) {
    for (let j = 0; j < 3; j++) {
      let g = 0;
      rows.forEach((r, i) => {
        const k = Array.from(r.indices).indexOf(j);
        if (k >= 0) g += (probs[i]![c]! - (labels[i] === c ? 1 : 0)) * r.values[k]!;
      });
      g = g / rows.length + l2 * lr.weight[c * 3 + j]!;
      assert.ok(Math.abs(g) < 1e-4, `gradient of W[${c},${j}] is ${g}`);
    }
  }
  // The learned direction follows the generating one: feature 0 pushes to class 1, feature 1 away.
  assert.ok(lr.weight[3]! - lr.weight[0]! > 1 && lr.weight[4]! - lr.weight[1]! < -1);
});

test('both baselines separate a small topic corpus of TF-IDF rows, with three classes', () => {
  const texts = [
    'cheap pills buy now', 'buy cheap watches now', 'win money now cheap',
    'meeting agenda for monday', 'monday project meeting notes', 'notes from the project review',
    'football match tonight', 'the match score and football news', 'tonight football highlights',
  ];
  const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
  const tfidf = new TfidfVectorizer();
  const X = tfidf.fitTransform(texts);
  const nb = MultinomialNB.fit(X, labels, tfidf.numFeatures);
  const lr = LogisticRegression.fit(X, labels, tfidf.numFeatures);
  assert.deepEqual(nb.predict(X), labels);
  assert.deepEqual(lr.predict(X), labels);
  const probe = tfidf.transform(['buy cheap now', 'project meeting', 'football tonight']);
  assert.deepEqual(nb.predict(probe), [0, 1, 2]);
  assert.deepEqual(lr.predict(probe), [0, 1, 2]);
  for (const p of lr.predictProba(probe)) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});
