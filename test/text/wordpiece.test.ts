import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HFTokenizer, loadTokenizer, trainWordPiece, WordPieceTokenizer } from '../../src/text/index.js';

// The Hugging Face course's example corpus, as word counts.
const counts = new Map([['hug', 10], ['pug', 5], ['pun', 12], ['bun', 4], ['hugs', 5]]);

test('WordPiece training merges the most frequent pair first, with ## on every non-initial piece', () => {
  // Pairs: ##u ##g 20 → ##ug; ##u ##n 16 → ##un; h ##ug 15 → hug; p ##un 12 → pun;
  // then hug ##s and p ##ug tie at 5 (hug < p, so hugs first), then pug; bun (4) is below minFrequency 5.
  const vocab = trainWordPiece(counts, ['[UNK]'], { vocabSize: 100, minFrequency: 5 });
  assert.deepEqual(vocab, ['[UNK]', 'b', 'h', 'p', '##g', '##n', '##s', '##u', '##ug', '##un', 'hug', 'pun', 'hugs', 'pug']);
  assert.deepEqual(trainWordPiece(counts, ['[UNK]'], { vocabSize: 10, minFrequency: 1 }).slice(8), ['##ug', '##un']);
});

test('limitAlphabet keeps the most frequent characters; words with others are not learnt from', () => {
  const vocab = trainWordPiece(new Map([['aab', 3], ['z', 1]]), [], { limitAlphabet: 2, minFrequency: 1, vocabSize: 10 });
  // a ##a and ##a ##b tie at 3; '##a' sorts before 'a', so ##ab is learnt first.
  assert.deepEqual(vocab, ['a', '##a', '##b', '##ab', 'aab']);
});

test('WordPiece encoding is greedy longest-match-first, and unspellable words are [UNK]', () => {
  const tok = WordPieceTokenizer.train(['hug '.repeat(10), 'pug '.repeat(5), 'pun '.repeat(12), 'bun '.repeat(4), 'hugs '.repeat(5)], { vocabSize: 100, minFrequency: 1 });
  assert.deepEqual(tok.tokenize('hugs bugs pun mug'), ['hugs', 'b', '##ug', '##s', 'pun', '[UNK]']);
  assert.deepEqual(tok.encode('hugs bugs').wordIds, [null, 0, 1, 1, 1, null]);
  assert.equal(tok.decode(tok.encode('Hugs, bugs!').ids), 'hugs bugs');
});

test('decoding joins ## pieces to their word and removes the space before punctuation', () => {
  const tok = WordPieceTokenizer.train(['the lowest, newest! lower low new'], { vocabSize: 200, minFrequency: 1 });
  assert.equal(tok.decode(tok.encode('The lowest, newest!').ids), 'the lowest, newest!');
});

const corpus = [
  'The quick brown fox jumps over the lazy dog.',
  'Unbelievable! The dog didn\'t care about the fox, café au lait or 東京.',
  'Foxes and dogs: friends or enemies? Nobody knows; the lazier dog sleeps.',
  'Jumping foxes jumped over sleeping dogs again and again.',
];
const probes = [
  'The QUICK brown foxes!', 'Café crème, déjà vu', 'unknown ✓ symbols ∑', '東京 and 大阪', 'didn\'t   jump... again?', '',
];

test('a trained WordPiece tokenizer saves as tokenizer.json that @huggingface/tokenizers encodes identically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-wp-'));
  try {
    const tok = WordPieceTokenizer.train(corpus, { vocabSize: 120, minFrequency: 1 });
    const path = join(dir, 'tokenizer.json');
    await tok.save(path);
    const ours = await loadTokenizer(path);
    assert.ok(ours instanceof WordPieceTokenizer);
    const lib = await loadTokenizer(path, { engine: 'huggingface' });
    assert.ok(lib instanceof HFTokenizer);
    for (const text of probes) {
      assert.deepEqual(ours.encode(text).ids, tok.encode(text).ids, `reloaded: ${text}`);
      assert.deepEqual(lib.encode(text).ids, tok.encode(text).ids, `library: ${text}`);
      assert.equal(lib.decode(lib.encode(text).ids), tok.decode(tok.encode(text).ids), `decode: ${text}`);
    }
    const a = lib.encodeBatch(probes, { maxLength: 12 });
    const b = tok.encodeBatch(probes, { maxLength: 12 });
    assert.deepEqual(a.inputIds.toArray(), b.inputIds.toArray());
    assert.deepEqual(a.attentionMask.toArray(), b.attentionMask.toArray());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A BERT-style tokenizer.json as the Hub ships them (uncased: accents stripped because strip_accents is null). */
function bertJson(): object {
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', '!', 'un', '##aff', '##able', 'cafe', 'the'];
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: tokens.slice(0, 5).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(tokens.map((t, i) => [t, i])) },
  };
}

test('a BERT tokenizer.json reads as a WordPieceTokenizer that agrees with @huggingface/tokenizers', () => {
  const ours = WordPieceTokenizer.fromJSON(bertJson());
  const lib = new HFTokenizer(bertJson());
  const e = ours.encode('Hello WORLD! Unaffable CAFÉ xyz');
  assert.deepEqual(e.tokens, ['[CLS]', 'hello', 'world', '!', 'un', '##aff', '##able', 'cafe', '[UNK]', '[SEP]']);
  assert.deepEqual(lib.encode('Hello WORLD! Unaffable CAFÉ xyz').ids, e.ids);
  assert.equal(lib.padId, 0);
  assert.equal(ours.decode(e.ids), 'hello world! unaffable cafe');
});

test('HFTokenizer runs any tokenizer.json model, here BPE, with padding from the named pad token', async () => {
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 7, content: '<pad>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false,
      vocab: { h: 0, e: 1, l: 2, o: 3, he: 4, ll: 5, hell: 6, '<pad>': 7 }, merges: ['h e', 'l l', 'he ll'],
    },
  };
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-bpe-'));
  try {
    const path = join(dir, 'tokenizer.json');
    await writeFile(path, JSON.stringify(json));
    const tok = await loadTokenizer(path);
    assert.ok(tok instanceof HFTokenizer);
    assert.deepEqual(tok.tokenize('hello he'), ['hell', 'o', 'he']);
    const b = tok.encodeBatch(['hello', 'hello hello']);
    assert.deepEqual(b.inputIds.toArray(), [[6, 3, 7, 7], [6, 3, 6, 3]]);
    assert.deepEqual(b.attentionMask.toArray(), [[1, 1, 0, 0], [1, 1, 1, 1]]);
    assert.equal(tok.vocabSize, 8);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
