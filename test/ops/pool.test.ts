import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randn, ShapeError, ValueError } from '../../src/index.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool1d, maxPool2d } from '../../src/ops/pool.js';
import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/pool.js';

runOpSuite('pool', specs);

/** Asserts `fn` throws an instance of `cls` whose message matches `re`. */
function throwsMessage(fn: () => unknown, cls: typeof ShapeError | typeof ValueError, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected a ${cls.name}, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('pool errors name the op and the shapes', () => {
  test('wrong input rank', () => {
    throwsMessage(() => maxPool2d(randn([4, 4]), 2), ShapeError, /^maxPool2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input: \[4,4\]$/);
    throwsMessage(() => maxPool1d(randn([5]), 2), ShapeError, /^maxPool1d: expected a 2-D .*: \[5\]$/);
  });
  test('padding larger than half the kernel (as PyTorch)', () => {
    throwsMessage(() => avgPool2d(randn([1, 1, 5, 5]), 3, { padding: 2 }), ValueError, /^avgPool2d: padding should be at most half of the kernel size, got padding 2 and kernel size 3$/);
  });
  test('output size too small', () => {
    throwsMessage(() => maxPool2d(randn([1, 1, 2, 5]), 3), ShapeError, /^maxPool2d: output size \[0,1\] is too small.*: \[1,1,2,5\] vs \[3,3\]$/);
  });
  test('adaptive pooling needs positive output sizes', () => {
    throwsMessage(() => adaptiveAvgPool2d(randn([1, 2, 4, 4]), [0, 2]), ValueError, /^adaptiveAvgPool2d: outputSize must be 2 positive integer/);
  });
});
