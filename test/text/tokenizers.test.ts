import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  alignLabels, loadTokenizer, normalizeText, normalizerSteps, preTokenize, TokenizerFormatError, Vocabulary, WordTokenizer, wordPredictions,
} from '../../src/text/index.js';

const corpus = ['Hello, world!', 'Hello again.'];

test('normalisation applies NFKC, lower-casing and cleaning; accents stay unless asked', () => {
  const steps = normalizerSteps();
  // Full-width letters and the ﬁ ligature fold under NFKC; the tab and the NUL are cleaned.
  assert.equal(normalizeText('ＨＥＬＬＯ\tﬁne\u0000 Café', steps), 'hello fine café');
  assert.equal(normalizeText('Café', normalizerSteps({ stripAccents: true })), 'cafe');
  assert.equal(normalizeText('MiXeD', normalizerSteps({ lowercase: false })), 'MiXeD');
  // CJK ideographs become words of their own.
  assert.deepEqual(preTokenize(normalizeText('我爱NLP', steps), 'bert'), ['我', '爱', 'nlp']);
});

test('pre-tokenisation splits on whitespace and around every punctuation character', () => {
  assert.deepEqual(preTokenize("don't stop—now! $5", 'bert'), ['don', "'", 't', 'stop', '—', 'now', '!', '$', '5']);
  assert.deepEqual(preTokenize("don't  stop!", 'whitespace'), ["don't", 'stop!']);
});

test('the vocabulary puts specials first, then words by decreasing count with ties in code-unit order', () => {
  const counts = Vocabulary.count([['b', 'a', 'c', 'a'], ['c', 'd', 'a']]);
  const v = Vocabulary.fromCounts(counts, { specials: ['[PAD]', '[UNK]'] });
  assert.deepEqual(v.tokens, ['[PAD]', '[UNK]', 'a', 'c', 'b', 'd']);
  assert.deepEqual(Vocabulary.fromCounts(counts, { specials: ['[PAD]'], minFreq: 2 }).tokens, ['[PAD]', 'a', 'c']);
  assert.deepEqual(Vocabulary.fromCounts(counts, { specials: ['[PAD]'], maxSize: 3 }).tokens, ['[PAD]', 'a', 'c']);
  assert.throws(() => Vocabulary.fromObject({ a: 0, b: 2 }), /no token has id 1/);
});

test('the word tokenizer builds its vocabulary from a corpus and maps unseen words to [UNK]', () => {
  const tok = WordTokenizer.train(corpus);
  assert.deepEqual(tok.vocab.tokens, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', '!', ',', '.', 'again', 'world']);
  assert.deepEqual(tok.tokenize('HELLO world?'), ['hello', 'world', '[UNK]']);
  const e = tok.encode('hello world');
  assert.deepEqual(e.ids, [2, 5, 10, 3]);
  assert.deepEqual(e.tokens, ['[CLS]', 'hello', 'world', '[SEP]']);
  assert.deepEqual(e.attentionMask, [1, 1, 1, 1]);
  assert.deepEqual(e.specialTokensMask, [1, 0, 0, 1]);
  assert.deepEqual(e.wordIds, [null, 0, 1, null]);
  assert.equal(tok.padId, 0);
  assert.equal(tok.vocabSize, 11);
});

test('minFreq and maxSize limit the word vocabulary', () => {
  assert.deepEqual(WordTokenizer.train(corpus, { minFreq: 2 }).vocab.tokens.slice(5), ['hello']);
  assert.equal(WordTokenizer.train(corpus, { maxSize: 7 }).vocabSize, 7);
});

test('special tokens written in the text are kept whole, not lower-cased or split', () => {
  const tok = WordTokenizer.train(corpus);
  const e = tok.encode('[CLS] Hello [MASK]', { addSpecialTokens: false });
  assert.deepEqual(e.tokens, ['[CLS]', 'hello', '[MASK]']);
  assert.deepEqual(e.specialTokensMask, [1, 0, 1]);
});

test('truncation keeps [CLS] and [SEP] and cuts content; padding fills with [PAD] and masks it', () => {
  const tok = WordTokenizer.train(corpus);
  const e = tok.encode('hello again world hello', { maxLength: 4 });
  assert.deepEqual(e.tokens, ['[CLS]', 'hello', 'again', '[SEP]']);
  const p = tok.encode('hello', { maxLength: 5, padding: 'maxLength' });
  assert.deepEqual(p.ids, [2, 5, 3, 0, 0]);
  assert.deepEqual(p.attentionMask, [1, 1, 1, 0, 0]);
  assert.deepEqual(p.wordIds, [null, 0, null, null, null]);
  assert.deepEqual(tok.encode('hello again world', { maxLength: 3, truncation: false }).ids.length, 5);
  assert.throws(() => tok.encode('hello', { maxLength: 1 }), /leaves no room for the 2 special tokens/);
});

test('batch encoding pads to the longest sequence and returns int64 ids, masks and lengths', () => {
  const tok = WordTokenizer.train(corpus);
  const b = tok.encodeBatch(['hello', 'hello again world']);
  assert.equal(b.inputIds.dtype, 'int64');
  assert.deepEqual(b.inputIds.toArray(), [[2, 5, 3, 0, 0], [2, 5, 9, 10, 3]]);
  assert.equal(b.attentionMask.dtype, 'int64');
  assert.deepEqual(b.attentionMask.toArray(), [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  assert.equal(b.paddingMask.dtype, 'bool');
  assert.deepEqual(b.paddingMask.toArray(), [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]);
  assert.deepEqual(b.lengths, [3, 5]);
  const fixed = tok.encodeBatch(['hello'], { padding: 'maxLength', maxLength: 6 });
  assert.deepEqual(fixed.inputIds.shape, [1, 6]);
  assert.throws(() => tok.encodeBatch(['hello', 'hello again'], { padding: false }), /different lengths \(3, 4\)/);
});

test('decode skips special tokens and padding unless asked, from arrays or tensors', () => {
  const tok = WordTokenizer.train(corpus);
  const b = tok.encodeBatch(['hello', 'Hello again, world!']);
  assert.deepEqual(tok.decodeBatch(b.inputIds), ['hello', 'hello again , world !']);
  assert.equal(tok.decode([2, 5, 3, 0], { skipSpecialTokens: false }), '[CLS] hello [SEP] [PAD]');
  assert.throws(() => tok.decode([99]), /id 99 is outside the vocabulary \(size 11\)/);
});

test('encodeWords keeps the word index of every token for label alignment', () => {
  const tok = WordTokenizer.train(['New York is big', "it's"]);
  const e = tok.encodeWords(['New', 'York', "it's"]);
  assert.deepEqual(e.tokens, ['[CLS]', 'new', 'york', 'it', "'", 's', '[SEP]']);
  assert.deepEqual(e.wordIds, [null, 0, 1, 2, 2, 2, null]);
  assert.deepEqual(alignLabels(e.wordIds, [1, 2, 0]), [-100, 1, 2, 0, -100, -100, -100]);
  assert.deepEqual(alignLabels(e.wordIds, [1, 2, 0], { labelAllPieces: true, ignoreIndex: -1 }), [-1, 1, 2, 0, 0, 0, -1]);
  assert.deepEqual(wordPredictions(e.wordIds, [9, 3, 4, 5, 6, 6, 9], 3), [3, 4, 5]);
  const batch = tok.encodeWordsBatch([['New'], ['New', 'York']]);
  assert.deepEqual(batch.inputIds.shape, [2, 4]);
});

test('a saved word tokenizer is a tokenizer.json that loads back with identical encodings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-tok-'));
  try {
    const tok = WordTokenizer.train(corpus, { maxLength: 16, stripAccents: true });
    const path = join(dir, 'tokenizer.json');
    await tok.save(path);
    const json = JSON.parse(await readFile(path, 'utf8')) as { model: { type: string; unk_token: string }; truncation: { max_length: number } };
    assert.equal(json.model.type, 'WordLevel');
    assert.equal(json.model.unk_token, '[UNK]');
    assert.equal(json.truncation.max_length, 16);
    const again = await loadTokenizer(path);
    assert.ok(again instanceof WordTokenizer);
    assert.equal(again.maxLength, 16);
    for (const text of ['Hello, wörld!', 'AGAIN [MASK] hello', 'unseen words']) {
      assert.deepEqual(again.encode(text), tok.encode(text), text);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loading a file that is not a tokenizer fails with the file name and the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-tok-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await assert.rejects(loadTokenizer(bad), (e: Error) => e instanceof TokenizerFormatError && /bad\.json: not valid JSON/.test(e.message));
    const gap = join(dir, 'gap.json');
    const json = WordTokenizer.train(corpus).toJSON() as { model: { vocab: Record<string, number> } };
    json.model.vocab.again = 40;
    await writeFile(gap, JSON.stringify(json));
    await assert.rejects(loadTokenizer(gap), /gap\.json: id 9 is used by both|no token has id/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
