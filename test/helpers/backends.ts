/** Running one piece of test code on the reference backend and on the wasm backend. */
import * as torch from '../../src/index.js';

/**
 * Runs `fn` on the reference (`cpu`) and the `wasm` backend, each after `manualSeed(seed)`, and
 * returns both results: the fused-kernel tests compare the wasm fast path with the composite.
 */
export function onBoth<T>(fn: () => T, seed = 0): { cpu: T; wasm: T } {
  const run = (b: string): T => torch.withBackend(b, () => {
    torch.manualSeed(seed);
    return fn();
  });
  return { cpu: run('cpu'), wasm: run('wasm') };
}
