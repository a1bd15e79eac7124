import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cosineSimilarity, csrRow, defaultTokenize, sparseDot, TfidfVectorizer, toCSR, type SparseRow,
} from '../../src/text/tfidf.js';

// scikit-learn is not installed on these machines; the expected values below are the ones printed
// in scikit-learn's own documentation (TfidfVectorizer docstring and the "Tf–idf term weighting"
// user-guide section), which the formulas reproduce by hand. Tolerance 1e-6: rows are float32.
const CORPUS = [
  'This is the first document.',
  'This document is the second document.',
  'And this is the third one.',
  'Is this the first document?',
];

function dense(row: SparseRow, cols: number): number[] {
  const out = new Array<number>(cols).fill(0);
  row.indices.forEach((c, k) => { out[c] = row.values[k]!; });
  return out;
}

function close(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `index ${i}: ${a} vs ${expected[i]}`));
}

test('TfidfVectorizer reproduces scikit-learn\'s documented vocabulary and rows with default options', () => {
  const v = new TfidfVectorizer();
  const rows = v.fitTransform(CORPUS);
  assert.deepEqual(v.terms, ['and', 'document', 'first', 'is', 'one', 'second', 'the', 'third', 'this']);
  // idf = ln((1+4)/(1+df)) + 1; 'document' df 3, 'first' df 2, 'is/the/this' df 4.
  close(dense(rows[0]!, 9), [0, 0.46979139, 0.58028582, 0.38408524, 0, 0, 0.38408524, 0, 0.38408524]);
  close(dense(rows[1]!, 9), [0, 0.6876236, 0, 0.28108867, 0, 0.53864762, 0.28108867, 0, 0.28108867]);
  close(Array.from(v.idf).slice(0, 3), [Math.log(5 / 2) + 1, Math.log(5 / 4) + 1, Math.log(5 / 3) + 1], 1e-12);
  for (const r of rows) assert.ok(Math.abs(Math.hypot(...r.values) - 1) < 1e-6, 'rows have unit L2 norm');
});

test('TfidfVectorizer on token lists matches scikit-learn\'s user-guide TfidfTransformer example (smooth idf)', () => {
  // Count rows [[3,0,1],[2,0,0],[3,0,0],[4,0,0],[3,2,0],[3,0,2]] over terms a, b, c.
  const counts = [[3, 0, 1], [2, 0, 0], [3, 0, 0], [4, 0, 0], [3, 2, 0], [3, 0, 2]];
  const docs = counts.map((c) => [...Array<string>(c[0]!).fill('a'), ...Array<string>(c[1]!).fill('b'), ...Array<string>(c[2]!).fill('c')]);
  const rows = new TfidfVectorizer().fitTransform(docs);
  const expected = [[0.85151335, 0, 0.52433293], [1, 0, 0], [1, 0, 0], [1, 0, 0], [0.55422893, 0.83236428, 0], [0.63035731, 0, 0.77630514]];
  rows.forEach((r, i) => close(dense(r, 3), expected[i]!));
});

test('sublinear tf uses 1 + ln(count); no smoothing uses ln(n/df) + 1; norm null keeps raw weights', () => {
  const v = new TfidfVectorizer({ sublinearTf: true });
  const row = v.fitTransform(CORPUS)[1]!; // 'document' twice
  const w = [(1 + Math.log(2)) * (Math.log(5 / 4) + 1), 1, Math.log(5 / 2) + 1, 1, 1]; // document, is, second, the, this
  const n = Math.hypot(...w);
  close(dense(row, 9), [0, w[0]! / n, 0, w[1]! / n, 0, w[2]! / n, w[3]! / n, 0, w[4]! / n]);
  const raw = new TfidfVectorizer({ smoothIdf: false, norm: null }).fitTransform(CORPUS)[1]!;
  close(dense(raw, 9), [0, 2 * (Math.log(4 / 3) + 1), 0, 1, 0, Math.log(4) + 1, 1, 0, 1], 1e-5);
});

test('minDf, maxDf and maxFeatures prune the vocabulary as scikit-learn does', () => {
  assert.deepEqual(new TfidfVectorizer({ minDf: 2 }).fit(CORPUS).terms, ['document', 'first', 'is', 'the', 'this']);
  assert.deepEqual(new TfidfVectorizer({ maxDf: 0.9 }).fit(CORPUS).terms, ['and', 'document', 'first', 'one', 'second', 'third']);
  assert.deepEqual(new TfidfVectorizer({ minDf: 0.5, maxDf: 3 }).fit(CORPUS).terms, ['document', 'first']);
  // Corpus counts: document 4, is/the/this 4 → the four most frequent, ties alphabetical.
  assert.deepEqual(new TfidfVectorizer({ maxFeatures: 4 }).fit(CORPUS).terms, ['document', 'is', 'the', 'this']);
  assert.throws(() => new TfidfVectorizer({ minDf: 2 }).fit([['a'], ['b']]), /no terms left/);
  assert.throws(() => new TfidfVectorizer({ minDf: 5 }).fit(CORPUS), /maxDf 1 \(4 documents\) is below minDf 5/);
  assert.throws(() => new TfidfVectorizer({ minDf: 1.5 }), /minDf must be a fraction/);
});

test('n-grams, the default tokenizer, unknown terms and save/load', () => {
  assert.deepEqual(defaultTokenize('Is THIS the 1st café? a_b x'), ['is', 'this', 'the', '1st', 'café', 'a_b']);
  const v = new TfidfVectorizer({ ngramRange: [1, 2] });
  v.fit(['red apple pie', 'green apple']);
  assert.deepEqual(v.terms, ['apple', 'apple pie', 'green', 'green apple', 'pie', 'red', 'red apple']);
  assert.equal(v.transformOne('blue banana').indices.length, 0);
  const again = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual(again.transformOne('red apple'), v.transformOne('red apple'));
  assert.throws(() => new TfidfVectorizer().transform(['x']), /call fit/);
});

test('cosine similarity, dot product and CSR stacking of sparse rows', () => {
  const v = new TfidfVectorizer();
  const rows = v.fitTransform(CORPUS);
  // Documents 0 and 3 have the same words: similarity 1.
  assert.ok(Math.abs(cosineSimilarity(rows[0]!, rows[3]!) - 1) < 1e-6);
  // Hand value: rows 0 and 1 share document, is, the, this.
  const expected = 0.46979139 * 0.6876236 + 3 * 0.38408524 * 0.28108867;
  assert.ok(Math.abs(cosineSimilarity(rows[0]!, rows[1]!) - expected) < 1e-6);
  assert.equal(cosineSimilarity(rows[0]!, { indices: new Int32Array(0), values: new Float32Array(0) }), 0);
  const a = { indices: Int32Array.from([0, 2]), values: Float32Array.from([3, 4]) };
  const b = { indices: Int32Array.from([2, 5]), values: Float32Array.from([2, 7]) };
  assert.equal(sparseDot(a, b), 8);
  assert.ok(Math.abs(cosineSimilarity(a, b) - 8 / (5 * Math.hypot(2, 7))) < 1e-7);
  const X = toCSR(rows, v.numFeatures);
  assert.deepEqual(Array.from(X.indptr), [0, 5, 10, 15, 20].map((_, i) => rows.slice(0, i).reduce((s, r) => s + r.indices.length, 0)));
  assert.deepEqual(csrRow(X, 2), rows[2]);
  assert.throws(() => toCSR(rows, 3), /outside \[0, 3\)/);
});
