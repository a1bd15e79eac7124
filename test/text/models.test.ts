import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { nn, optim, type Tensor } from '../../src/index.js';
import { createTextClassifier, type TextClassifier, type TextClassifierConfig } from '../../src/text/index.js';
import { assertClose } from '../helpers/assert.js';

const vocabSize = 30;
const numClasses = 3;

const configs: [string, TextClassifierConfig][] = [
  ['bag of embeddings (mean)', { kind: 'bow', vocabSize, numClasses, embedDim: 8 }],
  ['bag of embeddings (max)', { kind: 'bow', vocabSize, numClasses, embedDim: 8, pooling: 'max' }],
  ['TextCNN', { kind: 'textcnn', vocabSize, numClasses, embedDim: 8, kernelSizes: [2, 3], numFilters: 4, dropout: 0 }],
  ['BiLSTM (max pooling)', { kind: 'bilstm', vocabSize, numClasses, embedDim: 8, hiddenSize: 6, dropout: 0 }],
  ['two-layer BiLSTM (last states)', { kind: 'bilstm', vocabSize, numClasses, embedDim: 8, hiddenSize: 6, dropout: 0, pooling: 'last', numLayers: 2 }],
  ['Transformer (sinusoids, mean)', { kind: 'transformer', vocabSize, numClasses, dModel: 8, nhead: 2, numLayers: 1, dimFeedforward: 16, dropout: 0, maxLength: 16 }],
  ['Transformer (learned positions, [CLS])', { kind: 'transformer', vocabSize, numClasses, dModel: 8, nhead: 2, numLayers: 1, dimFeedforward: 16, dropout: 0, maxLength: 16, pooling: 'cls', positional: 'learned' }],
];

/** Rows of ids right-padded with 0 to `length`. */
function padded(rows: number[][], length: number): Tensor {
  return torch.tensor(rows.map((r) => [...r, ...new Array<number>(length - r.length).fill(0)]), { dtype: 'int64' });
}

const rows = [[2, 7, 9, 3], [2, 11, 3], [2, 5, 6, 8, 12, 3], [2, 20, 21, 3], [2, 14, 3], [2, 9, 9, 9, 3]];
const targets = torch.tensor([0, 1, 2, 0, 1, 2], { dtype: 'int64' });

for (const [name, config] of configs) {
  test(`${name}: one training step lowers the loss on a small batch`, () => {
    torch.manualSeed(0);
    const model = createTextClassifier(config);
    const x = padded(rows, 6);
    const lossOf = (m: TextClassifier): number => torch.noGrad(() => nn.functional.crossEntropy(m.eval().forward(x), targets).item());
    const before = lossOf(model);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    model.train();
    nn.functional.crossEntropy(model.forward(x), targets).backward();
    opt.step();
    const after = lossOf(model);
    assert.ok(after < before, `loss ${before} → ${after}`);
    assert.deepEqual(model.forward(x).shape, [rows.length, numClasses]);
  });

  test(`${name}: padding does not change the logits`, () => {
    torch.manualSeed(1);
    const model = createTextClassifier(config).eval();
    const tight = torch.noGrad(() => model.forward(padded(rows, 6)));
    const loose = torch.noGrad(() => model.forward(padded(rows, 11)));
    // float32 throughout; identical arithmetic on the real tokens, so only rounding may differ.
    assertClose(Array.from(loose.dataSync()), Array.from(tight.dataSync()), { rtol: 1e-5, atol: 1e-6 }, 'extra padding');
    const alone = torch.noGrad(() => model.forward(padded([rows[1]!], 3)));
    assertClose(Array.from(alone.dataSync()), Array.from(tight.select(0, 1).dataSync()), { rtol: 1e-5, atol: 1e-6 }, 'no padding');
    // An explicit attention mask says the same as the padding id.
    const mask = padded(rows, 6).ne(0).long();
    assertClose(Array.from(torch.noGrad(() => model.forward(padded(rows, 6), mask)).dataSync()), Array.from(tight.dataSync()), { rtol: 0, atol: 0 }, 'mask');
  });
}

test('TextCNN handles texts shorter than its widest window', () => {
  torch.manualSeed(2);
  const model = createTextClassifier({ kind: 'textcnn', vocabSize, numClasses, embedDim: 4, kernelSizes: [3, 5], numFilters: 2, dropout: 0 }).eval();
  const short = torch.noGrad(() => model.forward(padded([[2, 3]], 2)));
  const long = torch.noGrad(() => model.forward(padded([[2, 3]], 7)));
  assertClose(Array.from(short.dataSync()), Array.from(long.dataSync()), { rtol: 1e-6, atol: 1e-7 }, 'short text');
});

test("the Transformer classifier without positions has the seed's state-dict keys", () => {
  const model = createTextClassifier({ kind: 'transformer', vocabSize, numClasses, dModel: 8, nhead: 2, numLayers: 1, positional: 'none' });
  const keys = [...model.stateDict().keys()];
  assert.equal(keys[0], 'embedding.weight');
  assert.equal(keys[1], 'encoder.layers.0.self_attn.in_proj_weight');
  assert.deepEqual(keys.slice(-2), ['fc.weight', 'fc.bias']);
  assert.ok(!keys.some((k) => k.includes('sinusoid') || k.startsWith('position')));
});

test('inputs longer than maxLength and bad head counts are refused with clear messages', () => {
  const model = createTextClassifier({ kind: 'transformer', vocabSize, numClasses, dModel: 8, nhead: 2, numLayers: 1, maxLength: 4 });
  assert.throws(() => model.forward(padded([[1, 2, 3, 4, 5]], 5)), /input length 5 exceeds maxLength 4/);
  assert.throws(() => createTextClassifier({ kind: 'transformer', vocabSize, numClasses, dModel: 10, nhead: 4 }), /nhead 4 must divide dModel 10/);
});
