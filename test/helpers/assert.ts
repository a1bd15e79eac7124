/** Numeric assertions with messages that say where and by how much values differ. */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Asserts |actual - expected| <= atol + rtol * |expected| elementwise (NaN matches NaN). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${what}: element ${worst} is ${actual[worst]} but expected ${expected[worst]} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

export function assertTensorClose(actual: Tensor, expected: { shape: readonly number[]; data: ArrayLike<number> }, tol: Tolerance, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape [${actual.shape.join(',')}] != expected [${expected.shape.join(',')}]`);
  assertClose(Array.from(actual.dataSync()), expected.data, tol, what);
}
