import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim, type Tensor } from '../../src/index.js';
import {
  BiLSTMCRFTagger, CharCNN, TokenFeaturizer, TransformerTagger, casingOf, createTagger, type TaggerConfig, type TokenTagger,
} from '../../src/text/index.js';
import { assertClose } from '../helpers/assert.js';

const sentences = [
  ['John', 'lives', 'in', 'New', 'York', '.'],
  ['Mary', 'visited', 'Paris'],
  ['@john', 'loves', 'Apple', 'iPhones', '#tech'],
  ['Berlin', 'is', 'big'],
];
// tags: 0 O, 1 B-PER, 2 B-LOC, 3 I-LOC, 4 B-ORG
const tagIds = [[1, 0, 0, 2, 3, 0], [1, 0, 2], [1, 0, 4, 0, 0], [2, 0, 0]];

function padTags(tags: number[][]): Tensor {
  const L = Math.max(...tags.map((t) => t.length));
  return torch.tensor(tags.map((t) => [...t, ...new Array<number>(L - t.length).fill(0)]), { dtype: 'int64' });
}

const feats = TokenFeaturizer.fit(sentences, { minFreq: 1, minCharFreq: 1 });

function configs(): TaggerConfig[] {
  const base = { numWords: feats.numWords, numChars: feats.numChars, numTags: 5, wordDim: 12, charDim: 6, charFilters: 8, caseDim: 4 };
  return [
    { kind: 'bilstm-crf', ...base, hiddenSize: 10 },
    { kind: 'bilstm-crf', ...base, hiddenSize: 10, crf: false },
    { kind: 'transformer', ...base, dModel: 16, nhead: 2, numLayers: 1 },
    { kind: 'transformer', ...base, dModel: 16, nhead: 2, numLayers: 1, crf: false },
  ];
}

const flat = (t: Tensor): number[] => Array.from(t.contiguous().dataSync(), Number);

const label = (c: TaggerConfig): string => `${c.kind}${c.crf === false ? ' (softmax)' : ' + CRF'}`;

test('TokenFeaturizer: casing classes, [UNK] for rare words, padding in batches, JSON round trip', () => {
  assert.deepEqual(['Paris', 'NASA', 'iPhone', 'the', '@paul', '#tbt', 'http://t.co/x', '2017', 'B2B', '...'].map(casingOf),
    ['title', 'upper', 'mixed', 'lower', 'mention', 'hashtag', 'url', 'numeric', 'has-digit', 'punct']);
  const f = TokenFeaturizer.fit([['the', 'The', 'cat'], ['THE', 'dog', '2017'], ['1999']], { minFreq: 2 });
  // 'the' is seen 3 times (case folded), digits fold to 0: '0000' twice; cat/dog once → [UNK].
  assert.deepEqual(f.words.tokens, ['[PAD]', '[UNK]', 'the', '0000']);
  const enc = f.encode(['The', 'cat', '2023']);
  assert.deepEqual(enc.words, [2, 1, 3]);
  const b = f.batch([enc, f.encode(['dog'])]);
  assert.deepEqual(b.words.toArray(), [[2, 1, 3], [1, 0, 0]]);
  assert.equal(b.mask.dtype, 'bool');
  assert.deepEqual(b.mask.toArray(), [[1, 1, 1], [1, 0, 0]]);
  assert.deepEqual(b.lengths, [3, 1]);
  assert.deepEqual(b.chars.shape, [2, 3, 4]);
  const back = TokenFeaturizer.fromJSON(JSON.parse(JSON.stringify(f.toJSON())) as ReturnType<typeof f.toJSON>);
  assert.deepEqual(back.encode(['The', 'cat', '2023']), enc);
  assert.throws(() => f.batch([f.encode([])]), /sentence 0 is empty/);
});

test('CharCNN: a word\'s vector does not depend on how far the batch pads characters', () => {
  torch.manualSeed(0);
  const cnn = new CharCNN(feats.numChars, { charDim: 5, numFilters: 7 });
  const alone = cnn.forward(feats.batch([feats.encode(['Mary', 'visited'])]).chars);
  const padded = cnn.forward(feats.batch([feats.encode(['Mary', 'visited']), feats.encode(['iPhones', 'Berlin', 'New'])]).chars);
  assertClose(flat(padded.narrow(0, 0, 1).narrow(1, 0, 2)), flat(alone), { rtol: 1e-6, atol: 1e-6 }, 'char vectors');
});

for (const config of configs()) {
  test(`${label(config)}: 15 Adam steps (no dropout) halve the training loss`, () => {
    torch.manualSeed(1);
    const model = createTagger({ ...config, dropout: 0 });
    const x = feats.batch(sentences.map((s) => feats.encode(s)));
    const tags = padTags(tagIds);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    model.train();
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const loss = model.loss(x, tags);
      losses.push(loss.item());
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    assert.ok(losses[14]! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses[14]}`);
    model.eval();
    const decoded = torch.noGrad(() => model.decode(x));
    assert.deepEqual(decoded.map((d) => d.length), sentences.map((s) => s.length));
  });

  test(`${label(config)}: padding does not change emissions, per-sentence loss or decoded tags (eval mode)`, () => {
    torch.manualSeed(2);
    const model: TokenTagger = createTagger(config);
    model.eval();
    torch.noGrad(() => {
      const short = feats.batch([feats.encode(sentences[1]!)]);
      const batch = feats.batch([feats.encode(sentences[1]!), feats.encode(sentences[0]!)]);
      const eAlone = flat(model.emissions(short));
      const eBatch = flat(model.emissions(batch).narrow(0, 0, 1).narrow(1, 0, 3));
      assertClose(eBatch, eAlone, { rtol: 1e-5, atol: 1e-5 }, 'emissions');
      const lAlone = flat(model.sentenceLoss(short, padTags([tagIds[1]!])));
      const lBatch = flat(model.sentenceLoss(batch, padTags([tagIds[1]!, tagIds[0]!])));
      assertClose([lBatch[0]!], lAlone, { rtol: 1e-5, atol: 1e-5 }, 'loss');
      assert.deepEqual(model.decode(batch)[0], model.decode(short)[0]);
    });
  });
}

test('taggers use PyTorch-style parameter names and rebuild from their config', () => {
  const base = { numWords: feats.numWords, numChars: feats.numChars, numTags: 5, wordDim: 12, charDim: 6, charFilters: 8, caseDim: 4, predicateDim: 3 };
  const lstm = new BiLSTMCRFTagger({ ...base, hiddenSize: 10 });
  const keys = Object.keys(Object.fromEntries(lstm.stateDict()));
  for (const k of ['embeddings.word_embeddings.weight', 'embeddings.char_cnn.conv.weight', 'embeddings.case_embeddings.weight',
    'embeddings.predicate_embeddings.weight', 'lstm.weight_ih_l0_reverse', 'hidden2tag.weight', 'crf.transitions', 'crf.start_transitions']) {
    assert.ok(keys.includes(k), `${k} in ${keys.join(', ')}`);
  }
  const tr = new TransformerTagger({ ...base, dModel: 16, nhead: 2, numLayers: 1 });
  const tkeys = Object.keys(Object.fromEntries(tr.stateDict()));
  for (const k of ['input_proj.weight', 'position_embeddings.weight', 'encoder.layers.0.self_attn.in_proj_weight', 'encoder.norm.weight', 'classifier.weight', 'crf.end_transitions']) {
    assert.ok(tkeys.includes(k), `${k} in ${tkeys.join(', ')}`);
  }
  const copy = createTagger({ kind: 'bilstm-crf', ...lstm.config });
  copy.loadStateDict(lstm.stateDict());
  lstm.eval();
  copy.eval();
  const x = feats.batch([feats.encode(sentences[0]!)], [[0, 1, 0, 0, 0, 0]]);
  assertClose(flat(copy.emissions(x)), flat(lstm.emissions(x)), { rtol: 0, atol: 0 }, 'rebuilt model');
  assert.throws(() => lstm.emissions(feats.batch([feats.encode(sentences[0]!)])), /predicate indicator/);
});
