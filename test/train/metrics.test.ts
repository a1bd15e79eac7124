import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import {
  accuracy, classificationReport, confusionMatrix, entityF1, entityReport, extractEntities, macroF1, multiLabelReport,
} from '../../src/train/index.js';
import { assertClose } from '../helpers/assert.js';

// Hand-computed example: 8 samples, 3 classes.
const pred = [0, 0, 1, 1, 2, 2, 2, 0];
const gold = [0, 1, 1, 1, 2, 0, 2, 2];
const exact = { rtol: 1e-12, atol: 1e-15 };

test('accuracy is the fraction of predictions equal to their targets, from arrays or tensors', () => {
  assert.equal(accuracy(pred, gold), 5 / 8);
  assert.equal(accuracy(torch.tensor(pred, { dtype: 'int64' }), torch.tensor(gold, { dtype: 'int64' })), 5 / 8);
  assert.equal(accuracy([], []), 0);
  assert.throws(() => accuracy([1], [1, 2]), /predictions \(1\) and targets \(2\) differ in length/);
});

test('the confusion matrix counts true classes in rows and predictions in columns', () => {
  assert.deepEqual(confusionMatrix(pred, gold), [[1, 0, 1], [1, 2, 0], [1, 0, 2]]);
  assert.deepEqual(confusionMatrix([0], [0], 2), [[1, 0], [0, 0]]);
  assert.throws(() => confusionMatrix([3], [0], 2), /class id 3 is outside 0 … 1/);
});

test('precision, recall and F1 per class and micro, macro and weighted averages match hand computation', () => {
  const r = classificationReport(pred, gold);
  // class 0: tp 1, fp 2, fn 1; class 1: tp 2, fp 0, fn 1; class 2: tp 2, fp 1, fn 1.
  assertClose(r.perClass.map((c) => c.precision), [1 / 3, 1, 2 / 3], exact, 'precision');
  assertClose(r.perClass.map((c) => c.recall), [1 / 2, 2 / 3, 2 / 3], exact, 'recall');
  assertClose(r.perClass.map((c) => c.f1), [0.4, 0.8, 2 / 3], exact, 'f1');
  assert.deepEqual(r.perClass.map((c) => c.support), [2, 3, 3]);
  assertClose([r.micro.precision, r.micro.recall, r.micro.f1], [5 / 8, 5 / 8, 5 / 8], exact, 'micro');
  assertClose([r.macro.precision, r.macro.recall, r.macro.f1], [2 / 3, 11 / 18, 28 / 45], exact, 'macro');
  assertClose([r.weighted.precision, r.weighted.recall, r.weighted.f1], [17 / 24, 5 / 8, 0.65], exact, 'weighted');
  assert.equal(r.accuracy, 5 / 8);
  assertClose([macroF1(pred, gold)], [28 / 45], exact, 'macroF1');
});

test('a class never predicted nor present scores 0 and still counts in the macro average', () => {
  const r = classificationReport(pred, gold, 4);
  assert.deepEqual(r.perClass[3], { precision: 0, recall: 0, f1: 0, support: 0 });
  assertClose([r.macro.f1], [(0.4 + 0.8 + 2 / 3) / 4], exact, 'macro over 4 classes');
});

test('multi-label scores treat each class as a binary problem; accuracy is the exact-match ratio', () => {
  const r = multiLabelReport([[1, 0, 1], [0, 1, 0], [1, 1, 0]], torch.tensor([[1, 0, 0], [0, 1, 1], [1, 1, 0]]));
  assertClose([r.micro.precision, r.micro.recall, r.micro.f1], [0.8, 0.8, 0.8], exact, 'micro');
  assertClose([r.macro.f1], [2 / 3], exact, 'macro');
  assert.equal(r.accuracy, 1 / 3);
});

test('strict IOB2 entities are a B- followed by I- of the same type; a stray I- starts nothing', () => {
  assert.deepEqual(extractEntities(['B-PER', 'I-PER', 'O', 'B-LOC', 'B-LOC', 'I-ORG']), [
    { type: 'PER', start: 0, end: 2 }, { type: 'LOC', start: 3, end: 4 }, { type: 'LOC', start: 4, end: 5 },
  ]);
  assert.deepEqual(extractEntities(['I-PER', 'I-PER', 'B-LOC', 'I-PER']), [{ type: 'LOC', start: 2, end: 3 }]);
});

test('conlleval rules also start an entity at an I- after O or after another type', () => {
  assert.deepEqual(extractEntities(['I-PER', 'I-PER', 'B-LOC', 'I-PER'], 'conlleval'), [
    { type: 'PER', start: 0, end: 2 }, { type: 'LOC', start: 2, end: 3 }, { type: 'PER', start: 3, end: 4 },
  ]);
  assert.deepEqual(extractEntities(['B-PER', 'I-PER', 'O', 'I-LOC', 'I-LOC'], 'conlleval'), [
    { type: 'PER', start: 0, end: 2 }, { type: 'LOC', start: 3, end: 5 },
  ]);
});

test('entity-level precision, recall and F1 match hand computation in both modes', () => {
  const truth = [['B-PER', 'I-PER', 'O', 'B-LOC'], ['B-ORG', 'I-ORG', 'I-ORG', 'O', 'B-PER']];
  const guess = [['B-PER', 'I-PER', 'O', 'B-ORG'], ['B-ORG', 'I-ORG', 'O', 'O', 'I-PER']];
  // Strict: 4 true entities, 3 predicted (the stray I-PER is none), 1 exact match.
  const s = entityReport(truth, guess);
  assert.equal(s.trueCount, 4);
  assert.equal(s.predictedCount, 3);
  assertClose([s.micro.precision, s.micro.recall, s.micro.f1], [1 / 3, 1 / 4, 2 / 7], exact, 'strict micro');
  assert.deepEqual(Object.keys(s.perType), ['LOC', 'ORG', 'PER']);
  assertClose([s.perType.PER!.precision, s.perType.PER!.recall, s.perType.PER!.f1], [1, 0.5, 2 / 3], exact, 'PER');
  assert.equal(s.perType.ORG!.f1, 0);
  assertClose([s.macro.f1], [(0 + 0 + 2 / 3) / 3], exact, 'strict macro');
  // conlleval: the I-PER after O is an entity, and it matches.
  const c = entityReport(truth, guess, 'conlleval');
  assertClose([c.micro.precision, c.micro.recall, c.micro.f1], [0.5, 0.5, 0.5], exact, 'conlleval micro');
  assertClose([entityF1(guess, truth)], [2 / 7], exact, 'entityF1 (predictions first)');
});

test('entity scoring rejects tags that are not BIO and sentences of different lengths', () => {
  assert.throws(() => extractEntities(['O', 'X-PER']), /tag 'X-PER' at position 1 is not a BIO tag/);
  assert.throws(() => entityReport([['O', 'O']], [['O']]), /sentence 0 has 2 true tags but 1 predicted/);
});
