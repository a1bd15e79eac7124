/** Registered backends and the one new tensors are created on. */
import { ValueError } from '../errors.js';
import { cpu } from './cpu/index.js';
import type { Backend } from './types.js';
import { tryCreateWasmBackend } from './wasm/index.js';

const backends = new Map<string, Backend>([[cpu.name, cpu]]);
// The WebAssembly SIMD backend is the default wherever it loads; 'cpu' (the reference) when it
// cannot, or when the environment says TSORCH_BACKEND=cpu.
const wasm = tryCreateWasmBackend();
if (wasm !== null) backends.set(wasm.name, wasm);
let current: Backend = backends.get(process.env['TSORCH_BACKEND'] ?? '') ?? wasm ?? cpu;

/** Adds a backend (a later `setBackend(name)` selects it). */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

export function getBackend(name?: string): Backend {
  if (name === undefined) return current;
  const b = backends.get(name);
  if (!b) throw new ValueError('getBackend', `no backend named '${name}' (registered: ${listBackends().join(', ')})`);
  return b;
}

/**
 * Selects the backend new tensors are created on. `'wasm'` (WebAssembly SIMD kernels) is the
 * default where it loads; `'cpu'` is the pure-TypeScript reference.
 *
 * @example
 * ```ts
 * setBackend('cpu');
 * ```
 */
export function setBackend(name: string): void {
  current = getBackend(name);
}

/** Runs `fn` with `name` as the current backend, restoring the previous one after. */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = current;
  current = getBackend(name);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
