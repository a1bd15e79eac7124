import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TextClassificationPipeline, padBatch } from '../../src/text/classifier.js';
import { TextBatches, trainTextClassifier } from '../../src/text/classifier-train.js';
import { stratifiedSplit } from '../../src/text/datasets/split.js';

/** A seeded toy corpus: sports vs cooking sentences, with shared filler words. */
function corpus(n: number, seed: number): { texts: string[]; labels: string[] } {
  const sport = ['goal', 'match', 'team', 'score', 'league', 'coach', 'striker'];
  const food = ['recipe', 'oven', 'flour', 'bake', 'sauce', 'garlic', 'simmer'];
  const filler = ['the', 'a', 'today', 'we', 'saw', 'really', 'and', 'then'];
  let s = seed;
  const r = (k: number) => ((s = (s * 48271) % 2147483647) % k);
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const words = Array.from({ length: 4 + r(6) }, () => (r(3) === 0 ? (cls ? food : sport)[r(7)]! : filler[r(8)]!));
    texts.push(words.join(' '));
    labels.push(cls ? 'cooking' : 'sports');
  }
  return { texts, labels };
}

test('stratifiedSplit keeps each class\'s share, is seeded, and covers every index once', () => {
  const labels = [...Array<number>(30).fill(0), ...Array<number>(10).fill(1)];
  const a = stratifiedSplit(labels, 0.2, 3);
  assert.equal(a.test.filter((i) => labels[i] === 1).length, 2);
  assert.equal(a.test.filter((i) => labels[i] === 0).length, 6);
  assert.deepEqual([...a.train, ...a.test].sort((x, y) => x - y), labels.map((_, i) => i));
  assert.deepEqual(stratifiedSplit(labels, 0.2, 3), a);
  assert.notDeepEqual(stratifiedSplit(labels, 0.2, 4).test, a.test);
});

test('padBatch pads to the longest sequence and masks the padding; TextBatches covers every example each epoch', () => {
  const { inputIds, attentionMask } = padBatch([[5, 6, 7], [8]], 0);
  assert.deepEqual(inputIds.toArray(), [[5, 6, 7], [8, 0, 0]]);
  assert.deepEqual(attentionMask.toArray(), [[1, 1, 1], [1, 0, 0]]);
  const seqs = Array.from({ length: 10 }, (_, i) => Array.from({ length: 1 + i }, () => i + 1));
  const batches = new TextBatches(seqs, seqs.map((_, i) => i % 2), 3, 0, { seed: 1 });
  assert.equal(batches.length, 4);
  const seen = [...batches].flatMap((b) => (b.inputIds.toArray() as number[][]).map((row) => row[0]!));
  assert.deepEqual(seen.sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('trainTextClassifier (bag of embeddings) learns a toy topic task; the saved folder predicts the same after loading', async () => {
  const tr = corpus(240, 7);
  const va = corpus(60, 99);
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-clf-'));
  try {
    const { pipeline, fit } = await trainTextClassifier(tr.texts, tr.labels, {
      model: 'bow', modelOptions: { embedDim: 16 }, epochs: 4, batchSize: 16, lr: 0.02, maxLength: 16,
      tokenizer: { minFreq: 1 }, valTexts: va.texts, valLabels: va.labels, outDir: dir, progress: 'none',
    });
    assert.ok(fit.history.at(-1)!.loss < fit.history[0]!.loss, 'training loss falls');
    const report = pipeline.evaluate(va.texts, va.labels);
    assert.ok(report.accuracy >= 0.9, `validation accuracy ${report.accuracy}`);
    await pipeline.save(dir, { note: 'test' });
    for (const f of ['manifest.json', 'model.safetensors', 'tokenizer.json', 'metrics.json', 'loss.svg']) assert.ok(existsSync(join(dir, f)), f);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.task, 'text');
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.labels, ['cooking', 'sports']);
    const again = await TextClassificationPipeline.load(dir);
    const p1 = pipeline.probabilities(va.texts.slice(0, 5));
    const p2 = again.probabilities(va.texts.slice(0, 5));
    p1.forEach((row, i) => row.forEach((v, c) => assert.ok(Math.abs(v - p2[i]![c]!) < 1e-6)));
    const pred = again.predictOne('the striker scored a goal for the team');
    assert.equal(pred.label, 'sports');
    assert.ok(pred.score > 0.5 && Math.abs(pred.scores.sports! + pred.scores.cooking! - 1) < 1e-6);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('multi-label training: sigmoid outputs, every label over the threshold is returned', async () => {
  const words = { red: ['red', 'crimson'], round: ['round', 'circle'], big: ['big', 'huge'] };
  const texts: string[] = [];
  const labels: string[][] = [];
  let s = 11;
  const r = (k: number) => ((s = (s * 48271) % 2147483647) % k);
  for (let i = 0; i < 300; i++) {
    const ls = (Object.keys(words) as (keyof typeof words)[]).filter(() => r(2) === 0);
    texts.push([...ls.map((l) => words[l][r(2)]!), 'thing', 'here'].join(' '));
    labels.push(ls);
  }
  const { pipeline } = await trainTextClassifier(texts, labels, {
    model: 'bow', multiLabel: true, modelOptions: { embedDim: 16 }, epochs: 6, batchSize: 16, lr: 0.05, tokenizer: { minFreq: 1 }, progress: 'none',
  });
  assert.deepEqual([...pipeline.labels.names], ['big', 'red', 'round']);
  const report = pipeline.evaluate(texts.slice(0, 100), labels.slice(0, 100));
  assert.ok(report.micro.f1 > 0.95, `micro-F1 ${report.micro.f1}`);
  assert.deepEqual(pipeline.predictOne('crimson circle thing').labels, ['red', 'round']);
  await assert.rejects(trainTextClassifier(texts, labels, { model: 'bow' }), /labels are lists: pass multiLabel: true/);
});
