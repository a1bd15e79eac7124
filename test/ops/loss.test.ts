import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DTypeError, IndexError, randn, ShapeError, tensor, ValueError } from '../../src/index.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss } from '../../src/ops/index.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/loss.js';

runOpSuite('loss', specs);

const labels = (v: number[]) => tensor(v, { dtype: 'int64' });

describe('loss errors', () => {
  test('nllLoss with an out-of-range target names the value and the class count', () => {
    assert.throws(() => nllLoss(randn([2, 3]), labels([1, 5])), (e: unknown) =>
      e instanceof IndexError && /^nllLoss: target 5 is out of bounds for 3 classes/.test(e.message));
    assert.throws(() => nllLoss(randn([2, 3]), labels([-1, 0])), (e: unknown) => e instanceof IndexError && /target -1 /.test(e.message));
  });

  test('a target equal to ignoreIndex is not out of range, even outside [0, C)', () => {
    assert.equal(nllLoss(randn([2, 3]), labels([7, 0]), { ignoreIndex: 7, reduction: 'none' }).numel(), 2);
  });

  test('crossEntropy with a batch-size mismatch names both shapes', () => {
    assert.throws(() => crossEntropy(randn([2, 3]), labels([1, 0, 1])), (e: unknown) =>
      e instanceof ShapeError && /^crossEntropy:/.test(e.message) && /\[2,3\] vs \[3\]/.test(e.message));
    assert.throws(() => crossEntropy(randn([2, 3, 4]), labels([1, 0])), (e: unknown) => e instanceof ShapeError && /\[2,3,4\] vs \[2\]/.test(e.message));
  });

  test('a float target for a class-index loss is a DTypeError', () => {
    assert.throws(() => nllLoss(randn([2, 3]), tensor([1, 0])), (e: unknown) => e instanceof DTypeError && /^nllLoss: .*int64 or int32, got float32/.test(e.message));
    // A float target of another shape than the logits cannot be probabilities either.
    assert.throws(() => crossEntropy(randn([2, 3]), tensor([1, 0])), (e: unknown) => e instanceof DTypeError && /probability targets must have the input's shape/.test(e.message));
  });

  test('class weights of the wrong size and invalid options throw', () => {
    assert.throws(() => crossEntropy(randn([2, 3]), labels([1, 0]), { weight: randn([4]) }), (e: unknown) => e instanceof ShapeError && /\[4\] vs \[2,3\]/.test(e.message));
    assert.throws(() => crossEntropy(randn([2, 3]), labels([1, 0]), { labelSmoothing: 1.5 }), ValueError);
    assert.throws(() => mseLoss(randn([2]), randn([2]), { reduction: 'avg' as 'mean' }), ValueError);
  });

  test('regression and BCE losses refuse mismatched shapes instead of broadcasting', () => {
    assert.throws(() => mseLoss(randn([4, 1]), randn([4])), (e: unknown) => e instanceof ShapeError && /^mseLoss: .*\[4,1\] vs \[4\]/.test(e.message));
    assert.throws(() => binaryCrossEntropyWithLogits(randn([3]), randn([3, 1])), ShapeError);
  });

  test('binaryCrossEntropy rejects probabilities outside [0, 1]', () => {
    assert.throws(() => binaryCrossEntropy(tensor([0.5, 1.5]), tensor([1, 0])), (e: unknown) => e instanceof ValueError && /between 0 and 1/.test(e.message));
  });
});

describe('loss edge values', () => {
  test('binaryCrossEntropy clamps log(0) to -100 and keeps the gradient finite', () => {
    const x = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    const loss = binaryCrossEntropy(x, tensor([1, 0], { dtype: 'float64' }), { reduction: 'sum' });
    assert.equal(loss.item(), 200);
    loss.backward();
    assert.ok(Array.from(x.grad!.dataSync()).every(Number.isFinite));
  });

  test('binaryCrossEntropyWithLogits is finite for huge logits', () => {
    const x = tensor([1000, -1000], { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(x, tensor([0, 1]), { reduction: 'none' });
    assert.deepEqual(loss.toArray(), [1000, 1000]);
    loss.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1, -1]);
  });

  test('crossEntropy with every target ignored gives NaN for the mean, as PyTorch', () => {
    assert.ok(Number.isNaN(crossEntropy(randn([2, 3]), labels([-100, -100])).item()));
    assert.equal(crossEntropy(randn([2, 3]), labels([-100, -100]), { reduction: 'sum' }).item(), 0);
  });
});
