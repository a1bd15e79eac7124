/** Reads the vision fixtures written by scripts/fixtures/vision.py. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../src/index.js';
import { deserialize } from '../../src/io/index.js';
import { repoRoot } from '../helpers/fixtures.js';

/** The tensors of fixtures/vision/<name>.safetensors, and its metadata. */
export function loadVisionFixture(name: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const bytes = new Uint8Array(readFileSync(join(repoRoot(), 'fixtures', 'vision', `${name}.safetensors`)));
  const { tensors, metadata } = deserialize(bytes, { source: name });
  return { tensors, metadata: metadata ?? {} };
}

/** A fixture tensor by key, failing clearly when absent. */
export function get(tensors: Map<string, Tensor>, key: string): Tensor {
  const t = tensors.get(key);
  if (t === undefined) throw new Error(`fixture key ${key} is missing`);
  return t;
}
