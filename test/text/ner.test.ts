import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { noGrad } from '../../src/index.js';
import {
  entitySpans, generateSrlCorpus, loadTagger, predictTags, saveTagger, splitWords, trainTagger, type TaggedSentence,
} from '../../src/text/index.js';

test('splitWords keeps @mentions, #hashtags and URLs whole, splits clitics and punctuation, and keeps offsets', () => {
  const text = "It's @paulwalk's view of the Empire State Building, http://t.co/x #NYC!";
  const s = splitWords(text);
  assert.deepEqual(s.tokens, ['It', "'s", '@paulwalk', "'s", 'view', 'of', 'the', 'Empire', 'State', 'Building', ',', 'http://t.co/x', '#NYC', '!']);
  s.tokens.forEach((t, i) => assert.equal(text.slice(...s.offsets[i]!), t));
  assert.deepEqual(splitWords("don't stop").tokens, ['do', "n't", 'stop']);
  assert.deepEqual(splitWords('   ').tokens, []);
});

test('entitySpans reads strict-BIO entities with word and character spans', () => {
  const text = 'Visit the Empire State Building with Anna';
  const s = splitWords(text);
  const tags = ['O', 'O', 'B-location', 'I-location', 'I-location', 'O', 'B-person'];
  assert.deepEqual(entitySpans(s.tokens, tags, s.offsets, text), [
    { type: 'location', text: 'Empire State Building', tokenStart: 2, tokenEnd: 5, start: 10, end: 31 },
    { type: 'person', text: 'Anna', tokenStart: 6, tokenEnd: 7, start: 37, end: 41 },
  ]);
  // Strict IOB2: an I- tag that does not continue an entity starts nothing.
  assert.deepEqual(entitySpans(['a', 'b'], ['O', 'I-person']), []);
});

/** A tiny, learnable NER set: capitalised words after "met"/"in" are people/places. */
function tinyNer(n: number): TaggedSentence[] {
  const people = ['Anna', 'Bob', 'Chen', 'Dara'];
  const places = ['Paris', 'Lima', 'Oslo', 'Rome'];
  return Array.from({ length: n }, (_, i) => {
    const p = people[i % 4]!;
    const q = places[(i * 3) % 4]!;
    return i % 2 === 0
      ? { tokens: ['I', 'met', p, 'in', q, 'today'], tags: ['O', 'O', 'B-PER', 'O', 'B-LOC', 'O'] }
      : { tokens: [p, 'Smith', 'lives', 'in', q], tags: ['B-PER', 'I-PER', 'O', 'O', 'B-LOC'] };
  });
}

test('trainTagger learns a tiny NER set through fit (dev entity F1 1.0), and a saved tagger predicts the same after loading', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ner-'));
  const { bundle, result } = await trainTagger({
    task: 'ner', train: tinyNer(16), dev: tinyNer(8), kind: 'bilstm-crf', epochs: 10, lr: 0.05, minFreq: 1, patience: 2,
    model: { wordDim: 8, charDim: 0, caseDim: 4, hiddenSize: 8, dropout: 0 }, progress: 'none', outDir: dir, batchSize: 8,
  });
  assert.equal(result.monitor, 'val_entityF1');
  assert.ok(result.history.length >= 1);
  assert.equal(result.bestValue, 1, `best dev F1 ${result.bestValue} (${result.history.map((h) => h.val_entityF1).join(', ')})`);
  const input = [{ tokens: ['I', 'met', 'Bob', 'in', 'Oslo', 'today'] }];
  const before = predictTags(bundle, input);
  assert.deepEqual(before, [['O', 'O', 'B-PER', 'O', 'B-LOC', 'O']]);
  await saveTagger(dir, bundle);
  const loaded = await loadTagger(dir);
  assert.deepEqual(predictTags(loaded, input), before);
  assert.equal(loaded.task, 'ner');
  assert.deepEqual(loaded.labels.names, bundle.labels.names);
  await assert.rejects(loadTagger(join(dir, 'nope')), /manifest\.json: missing/);
});

test('trainTagger for semantic roles feeds the predicate indicator: moving the predicate changes the scores', async () => {
  const { instances } = generateSrlCorpus({ sentences: 20, seed: 3 });
  const { bundle, result } = await trainTagger({
    task: 'srl', train: instances, kind: 'bilstm-crf', epochs: 1, minFreq: 1,
    model: { wordDim: 8, charDim: 0, caseDim: 0, hiddenSize: 8, predicateDim: 4 }, progress: 'none', batchSize: 32,
  });
  assert.ok(Number.isFinite(result.history[0]!.loss));
  assert.ok(bundle.model.embeddings.predicate_embeddings !== null);
  assert.ok((bundle.info.predicateWords as string[]).includes('said') || (bundle.info.predicateWords as string[]).length > 5);
  const tokens = ['Mary', 'said', 'that', 'John', 'bought', 'a', 'car', '.'];
  const f = bundle.featurizer;
  const x = f.batch([f.encode(tokens), f.encode(tokens)], [[0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 0, 0]]);
  const e = noGrad(() => bundle.model.emissions(x));
  const diff = e.select(0, 0).sub(e.select(0, 1)).abs().max().item();
  assert.ok(diff > 1e-4, `emissions differ by ${diff}`);
  assert.equal(predictTags(bundle, [{ tokens, predicate: 4 }])[0]!.length, tokens.length);
  assert.throws(() => predictTags(bundle, [{ tokens }]), /needs a predicate position/);
});
