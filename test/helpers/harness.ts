/**
 * The op harness: for every spec and every registered backend, replay the PyTorch fixture
 * (forward in float64 and float32, gradients in float64) and run a finite-difference check.
 *
 * Tolerances: float64 results must match PyTorch to 1e-9 relative (both compute in double;
 * only summation order differs). float32 results are compared with the float64 reference at
 * rtol 1e-4 / atol 1e-5: float32 carries ~7 digits, and ops such as softmax or matmul add a few
 * roundings. Finite differences use h = 1e-6 with rtol 1e-4 / atol 1e-6.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listBackends, Tensor, withBackend } from '../../src/index.js';
import { assertTensorClose, type Tolerance } from './assert.js';
import { decode, decodeValues, loadFamily, type FixtureCase } from './fixtures.js';
import { gradcheck } from './gradcheck.js';

export interface OpSpec {
  /** The fixture case name (scripts/fixtures/<family>.py). */
  name: string;
  /** Runs the op with tsorch on the decoded inputs; kwargs are the fixture's. */
  fn: (inputs: Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
  /** Skip the finite-difference check (non-differentiable or random ops). Default: run it. */
  noGradcheck?: boolean;
  /** Skip the float32 forward comparison (ops whose float32 rounding differs legitimately). */
  noFloat32?: boolean;
  /** Looser float32 tolerance, with a reason in the spec file. */
  f32Tol?: Tolerance;
  /** Finite-difference tolerance override (e.g. ops with large second derivatives). */
  gradTol?: Tolerance;
}

const F64: Tolerance = { rtol: 1e-9, atol: 1e-10 };
const F32: Tolerance = { rtol: 1e-4, atol: 1e-5 };

function asList(out: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(out) ? out : [out];
}

function checkCase(spec: OpSpec, c: FixtureCase): void {
  const inputs = c.inputs.map((e) => decode(e));
  const outs = asList(spec.fn(inputs, c.kwargs));
  assert.equal(outs.length, c.outputs.length, `${c.name}: ${outs.length} outputs, fixture has ${c.outputs.length}`);
  outs.forEach((o, i) => {
    const e = c.outputs[i]!;
    if (e.dtype !== 'float64') assert.equal(o.dtype, e.dtype, `${c.name}: output ${i} dtype`);
    assertTensorClose(o, { shape: e.shape, data: decodeValues(e) }, F64, `${c.name} output ${i} (float64)`);
  });
  if (c.grads && c.upstreams) {
    const floats = outs.filter((o) => o.dtype === 'float64');
    const ws = c.upstreams.map((u) => decode(u));
    let total: Tensor | null = null;
    floats.forEach((o, i) => {
      const term = o.mul(ws[i]!).sum();
      total = total === null ? term : total.add(term);
    });
    (total as Tensor | null)?.backward();
    c.grads.forEach((ge, i) => {
      if (!ge) return;
      const g = inputs[i]!.grad;
      assert.ok(g, `${c.name}: input ${i} got no gradient`);
      assertTensorClose(g, { shape: ge.shape, data: decodeValues(ge) }, F64, `${c.name} grad of input ${i}`);
    });
    if (!spec.noGradcheck) {
      const fresh = c.inputs.map((e) => decode(e));
      gradcheck((xs) => spec.fn(xs, c.kwargs), fresh, ws, spec.gradTol ? { tol: spec.gradTol } : {});
    }
  }
  if (!spec.noFloat32) {
    const inputs32 = c.inputs.map((e) => decode(e, 'float32'));
    const outs32 = asList(spec.fn(inputs32, c.kwargs));
    outs32.forEach((o, i) => {
      const e = c.outputs[i]!;
      if (e.dtype === 'float64') assert.equal(o.dtype, 'float32', `${c.name}: float32 inputs must give a float32 output`);
      assertTensorClose(o, { shape: e.shape, data: decodeValues(e) }, spec.f32Tol ?? F32, `${c.name} output ${i} (float32)`);
    });
  }
}

/** Registers the tests of one op family: every spec on every backend, plus coverage checks. */
export function runOpSuite(family: string, specs: readonly OpSpec[]): void {
  const cases = new Map(loadFamily(family).map((c) => [c.name, c]));
  describe(`${family} ops`, () => {
    test('every fixture case has a spec and every spec a fixture case', () => {
      const specNames = new Set(specs.map((s) => s.name));
      assert.deepEqual([...cases.keys()].filter((n) => !specNames.has(n)), [], 'fixture cases without a spec');
      assert.deepEqual([...specNames].filter((n) => !cases.has(n)), [], 'specs without a fixture case (run npm run fixtures)');
    });
    for (const backend of listBackends()) {
      describe(`on the ${backend} backend`, () => {
        for (const spec of specs) {
          test(`${spec.name} matches PyTorch${spec.noGradcheck ? '' : ' and finite differences'}`, () => {
            const c = cases.get(spec.name);
            assert.ok(c, `no fixture case '${spec.name}' in fixtures/ops/${family}.json`);
            withBackend(backend, () => checkCase(spec, c));
          });
        }
      });
    }
  });
}

/** Reads a numeric kwarg from a fixture case, failing loudly when absent. */
export function kw<T>(kwargs: Record<string, unknown>, key: string): T {
  assert.ok(key in kwargs, `fixture kwargs lack '${key}'`);
  return kwargs[key] as T;
}
