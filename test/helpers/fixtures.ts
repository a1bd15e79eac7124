/** Reads the PyTorch fixtures written by scripts/gen_fixtures.py. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, type DType, type Tensor } from '../../src/index.js';

export interface EncodedTensor {
  shape: number[];
  dtype: DType;
  data: (number | 'nan' | 'inf' | '-inf')[];
  requiresGrad?: boolean;
}

export interface FixtureCase {
  name: string;
  kwargs: Record<string, unknown>;
  inputs: EncodedTensor[];
  outputs: EncodedTensor[];
  upstreams?: EncodedTensor[];
  grads?: (EncodedTensor | null)[];
}

/** The repository root (build/test/helpers → ../../..; test/helpers → ../..). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('cannot find the repository root from ' + fileURLToPath(import.meta.url));
}

export function loadFamily(family: string): FixtureCase[] {
  const path = join(repoRoot(), 'fixtures', 'ops', `${family}.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: FixtureCase[] }).cases;
}

export function decodeValues(e: EncodedTensor): number[] {
  return e.data.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v));
}

/** Builds a tsorch tensor from a fixture entry, optionally converting floats to `floatDtype`. */
export function decode(e: EncodedTensor, floatDtype: DType = 'float64'): Tensor {
  const isFloatEntry = e.dtype === 'float64' || e.dtype === 'float32';
  const dtype = isFloatEntry ? floatDtype : e.dtype;
  const t = tensor(decodeValues(e), { dtype, shape: e.shape });
  if (e.requiresGrad && isFloatEntry) t.requiresGrad_(true);
  return t;
}
