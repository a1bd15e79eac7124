/**
 * @internal Switching a fused path off, so tests and benchmarks can compare a fused kernel with
 * the composite it replaces on the same backend (results agree to rounding either way). Every
 * path is on by default; nothing in the library switches one off.
 */

/** The fused paths that can be switched off. */
export type FusedPath = 'gelu' | 'crossEntropy' | 'recurrence';

const off = new Set<FusedPath>();

/** Switches `path` off (false) or back on (true) and returns its previous setting. */
export function setFusedPath(path: FusedPath, enabled: boolean): boolean {
  const prev = !off.has(path);
  if (enabled) off.delete(path);
  else off.add(path);
  return prev;
}

/** Whether the fused `path` may run. */
export function fusedPathOn(path: FusedPath): boolean {
  return !off.has(path);
}
